import CSCTP

/// What usrsctp reports back: packets to send, reads, notifications. These run on
/// usrsctp's threads or inside `receive(sctpPacket:)`; see `DataChannelEvent`.
extension SCTPAssociation {
    /// An SCTP packet for the peer (RFC 8261: goes out as DTLS application data).
    func handleOutgoing(_ packet: UnsafeRawBufferPointer) {
        onEvent(.outgoingPacket(Array(packet)))
    }

    /// usrsctp's EOF on the socket: the association is gone.
    func handleDisconnect() {
        reportTermination()
    }

    func handleRead(_ bytes: UnsafeRawBufferPointer, streamID: UInt16, ppid: UInt32,
                    isNotification: Bool, endOfRecord: Bool) {
        if isNotification {
            // Notifications are small and always arrive whole.
            guard endOfRecord, let notification = try? SCTPNotification.parse(bytes) else { return }
            handle(notification)
            return
        }
        let message: [UInt8]? = withState { state in
            guard state.phase == .established || state.phase == .connecting else { return nil }
            return state.reassembler.append(streamID: streamID, bytes, endOfRecord: endOfRecord)
        }
        guard let message else { return }
        switch ppid {
        case PayloadProtocolIdentifier.dcep:
            handleDCEP(message, streamID: streamID)
        case PayloadProtocolIdentifier.binary:
            onEvent(.message(streamID: streamID, binary: true, data: message))
        case PayloadProtocolIdentifier.string:
            onEvent(.message(streamID: streamID, binary: false, data: message))
        case PayloadProtocolIdentifier.binaryEmpty:
            onEvent(.message(streamID: streamID, binary: true, data: []))
        case PayloadProtocolIdentifier.stringEmpty:
            onEvent(.message(streamID: streamID, binary: false, data: []))
        default:
            // RFC 8831 §8: deprecated partial PPIDs (52, 54) and unknown PPIDs are dropped.
            break
        }
    }

    /// RFC 8832 §6: answer DATA_CHANNEL_OPEN with DATA_CHANNEL_ACK on the same stream;
    /// a DATA_CHANNEL_ACK lets us send unordered on a channel we opened.
    func handleDCEP(_ message: [UInt8], streamID: UInt16) {
        guard let dcep = try? DCEPMessage.parse(message) else { return }
        switch dcep {
        case let .open(channelType, _, reliabilityParameter, label, proto):
            let opened: (DataChannelInfo, OpaquePointer)? = withState { state in
                guard state.phase == .established, let socket = state.socket else { return nil }
                state.reassembler.reset(streamID: streamID)
                let info = state.channels.openRemote(streamID: streamID, channelType: channelType,
                                                     reliabilityParameter: reliabilityParameter,
                                                     label: label, protocol: proto)
                return (info, socket)
            }
            guard let (info, socket) = opened else { return }
            try? transmit(DCEPMessage.ack.serialize(), on: socket, streamID: streamID,
                          ppid: PayloadProtocolIdentifier.dcep,
                          parameters: .init(unordered: false, prPolicy: DataChannelTable.prNone, prValue: 0))
            onEvent(.channelOpened(info))
        case .ack:
            withState { $0.channels.acknowledge(streamID: streamID) }
        }
    }

    func handle(_ notification: SCTPNotification) {
        switch notification {
        case let .associationChange(state):
            switch state {
            case SCTPNotification.commUp:
                establish()
            case SCTPNotification.commLost, SCTPNotification.shutdownComplete, SCTPNotification.cantStartAssociation:
                reportTermination()
            default:
                break
            }
        case let .streamReset(flags, streams):
            guard flags & (SCTPNotification.resetDenied | SCTPNotification.resetFailed) == 0,
                  flags & SCTPNotification.resetIncoming != 0 else { return }
            for streamID in streams { peerResetStream(streamID) }
        case let .partialDelivery(indication, stream):
            if indication == SCTPNotification.partialDeliveryAborted {
                withState { $0.reassembler.reset(streamID: UInt16(truncatingIfNeeded: stream)) }
            }
        case .other:
            break
        }
    }

    /// COMM_UP: report establishment, then send the OPENs queued before it.
    func establish() {
        let (pending, socket): ([DataChannelInfo], OpaquePointer?) = withState { state in
            guard state.phase == .connecting else { return ([], nil) }
            state.phase = .established
            defer { state.pendingOpens.removeAll() }
            return (state.pendingOpens, state.socket)
        }
        guard let socket else { return }
        onEvent(.associationEstablished)
        for info in pending {
            if (try? sendOpen(info, on: socket)) == nil {
                withState { _ = $0.channels.remove(streamID: info.streamID) }
            }
        }
    }

    /// RFC 8831 §6.7: the peer reset its outgoing stream; reset ours too (unless we started
    /// the close) and report the channel closed.
    func peerResetStream(_ streamID: UInt16) {
        let outcome: (channel: DataChannelTable.Channel, socket: OpaquePointer?)? = withState { state in
            state.reassembler.reset(streamID: streamID)
            guard let channel = state.channels.remove(streamID: streamID) else { return nil }
            return (channel, state.socket)
        }
        guard let outcome else { return }
        if !outcome.channel.closing, let socket = outcome.socket {
            _ = csctp_reset_outgoing_stream(socket, streamID)
        }
        onEvent(.channelClosed(streamID))
    }

    /// The peer ended the association; report it once. `close()` still releases the socket.
    func reportTermination() {
        let report = withState { state -> Bool in
            guard state.phase != .closed else { return false }
            state.phase = .terminated
            defer { state.closeReported = true }
            return !state.closeReported
        }
        if report { onEvent(.associationClosed) }
    }
}
