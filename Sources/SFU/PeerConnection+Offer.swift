import SDP
import DTLS
import DataChannel

/// The server as offerer (LiveKit's subscriber peer connection): one sendonly m-line per
/// subscribed track, the data channel section first, stable mids across renegotiations;
/// a removed track's m-line stays, inactive (RFC 8829 §5.2.2 keeps m-line order).
extension PeerConnection {
    /// Our payload types for what we send: one per codec family, the same in every m-line of
    /// the bundle.
    static func sendPayloadType(for format: PayloadFormat) -> UInt8 {
        switch format.family {
        case .opus: return 111
        case .vp8: return 96
        case .vp9: return 98
        case .h264: return 102
        case .av1: return 45
        default: return format.payloadType
        }
    }

    static let sendMidExtensionID: UInt8 = 1
    static let sendAbsSendTimeExtensionID: UInt8 = 3
    static let sendAudioLevelExtensionID: UInt8 = 10

    /// Declares the data channels we open once the association is up.
    public func offerDataChannels(_ channels: [(label: String, reliable: Bool)]) {
        negotiation.hasDataChannel = true
        negotiation.dataChannelsToOpen = channels.map { ($0.label, $0.reliable ? .reliable : .unordered) }
    }

    /// Adds a sendonly m-line carrying `track` (LiveKit msid `PA_…|TR_…`); media flows once the
    /// next offer is answered.
    public func subscribe(to track: PublishedTrack, streamID: String, trackID: String, now: Double) -> DownTrack? {
        guard let format = track.primaryFormat else { return nil }
        let payloadType = Self.sendPayloadType(for: format)
        // goog-remb + abs-send-time: the subscriber reports what it can take, which caps the layer.
        let feedback = track.kind == .video ? ["nack", "nack pli", "ccm fir", "goog-remb"] : []
        let codec = Codec(payloadType: payloadType, name: format.name, clockRate: format.clockRate,
                          channels: track.kind == .audio ? 2 : nil, fmtp: format.fmtp, feedback: feedback)
        var extensions = [ExtMap(id: Self.sendMidExtensionID, uri: ExtensionURI.mid, direction: nil)]
        if track.kind == .audio {
            extensions.append(ExtMap(id: Self.sendAudioLevelExtensionID, uri: ExtensionURI.audioLevel, direction: nil))
        } else {
            extensions.append(ExtMap(id: Self.sendAbsSendTimeExtensionID, uri: ExtensionURI.absSendTime, direction: nil))
        }
        // Single peer connection: the m-line is the client's, found when we answer its next offer.
        let mid = negotiation.sendsInAnswers ? "" : String(negotiation.nextMid)
        if !negotiation.sendsInAnswers { negotiation.nextMid += 1 }
        let ssrc = UInt32.random(in: 1...UInt32.max)
        let cname = "sfu-\(id)"
        let downTrack = DownTrack(ssrc: ssrc, kind: track.kind, mid: mid, cname: cname, subscriber: self,
                                  formats: [], midExtensionID: nil, audioLevelExtensionID: nil)
        addDownTrack(downTrack)
        downTrack.switchSource(to: track, now: now)
        let stream = OutgoingStream(ssrc: ssrc, cname: cname, streamId: streamID, trackId: trackID)
        let section = SendSection(mid: mid, kind: track.kind, downTrack: downTrack,
                                  offeredCodecs: [codec], offeredExtensions: extensions, stream: stream)
        if negotiation.sendsInAnswers {
            negotiation.pendingSends.append(section)
        } else {
            negotiation.sendSections.append(section)
        }
        return downTrack
    }

    /// Stops sending `downTrack`; its m-line turns inactive in the next offer.
    public func unsubscribe(_ downTrack: DownTrack, now: Double) {
        if let pending = negotiation.pendingSends.firstIndex(where: { $0.downTrack === downTrack }) {
            negotiation.pendingSends.remove(at: pending)
            removeDownTrack(downTrack, now: now)
            return
        }
        guard let section = negotiation.sendSections.first(where: { $0.downTrack === downTrack }) else { return }
        section.downTrack = nil
        section.stream = nil
        removeDownTrack(downTrack, now: now)
    }

    /// How many offers we have made.
    public var negotiationCount: UInt64 { negotiation.offerVersion - 1 }

    /// A new offer for everything we send (and the data channel section).
    public func createOffer(iceRestart: Bool = false) -> String {
        if iceRestart, let remote = transport.remoteUfrag {
            // Our side of an ICE restart: fresh credentials; the remote's come with its answer.
            transport.restartICE(remoteUfrag: remote, remotePassword: "")
        }
        let sections = negotiation.sendSections.map { section in
            OfferSection(mid: section.mid, kind: section.kind.rawValue,
                         direction: section.downTrack == nil ? .inactive : .sendonly,
                         codecs: section.offeredCodecs, extmaps: section.offeredExtensions,
                         outgoing: section.downTrack == nil ? nil : section.stream)
        }
        let setup: DTLSSetup
        switch negotiation.dtlsRole {
        case .client?: setup = .active
        case .server?: setup = .passive
        case nil: setup = .actpass
        }
        var offer = makeOffer(sections: sections, includeDataChannel: negotiation.hasDataChannel,
                              local: localParameters(setup: setup), sessionId: negotiation.sessionID,
                              version: negotiation.offerVersion, dataChannelMid: "0")
        // A section whose track went away is rejected (port 0, out of the BUNDLE group): the
        // receiver stops the transceiver and ends its track (RFC 8829 §5.2.2, RFC 8843 §7.3.3).
        let stopped = Set(negotiation.sendSections.filter { $0.downTrack == nil }.map(\.mid))
        if !stopped.isEmpty {
            for index in offer.media.indices where offer.media[index].mid.map(stopped.contains) == true {
                offer.media[index].port = 0
            }
            offer.groups = offer.groups.map { group in
                var group = group
                if group.semantics == "BUNDLE" { group.mids.removeAll { stopped.contains($0) } }
                return group
            }
        }
        negotiation.offerVersion += 1
        return offer.serialize()
    }

    /// Applies the answer to our last offer: DTLS role, accepted codecs and extension ids.
    public func applyAnswer(_ sdp: String, now: Double) throws {
        let answer: SessionDescription
        do { answer = try SessionDescription.parse(sdp) } catch { throw NegotiationError.badDescription("SDP does not parse: \(error)") }
        try applyRemoteTransport(answer, weAreAnswerer: false)
        for media in answer.media {
            if media.kind == "application" {
                negotiation.remoteMaxMessageSize = media.maxMessageSize
                continue
            }
            guard let mid = media.mid, let section = negotiation.sendSections.first(where: { $0.mid == mid }),
                  let downTrack = section.downTrack else { continue }
            guard media.port != 0, media.direction.receives else {
                downTrack.isPaused = true
                continue
            }
            let accepted = media.codecs.filter { codec in section.offeredCodecs.contains { $0.payloadType == codec.payloadType } }
            let extensionID = { (uri: String) in media.extmaps.first { $0.uri == uri }?.id }
            downTrack.setNegotiated(formats: accepted.map(PayloadFormat.init), midExtensionID: extensionID(ExtensionURI.mid),
                                    audioLevelExtensionID: extensionID(ExtensionURI.audioLevel),
                                    absSendTimeExtensionID: extensionID(ExtensionURI.absSendTime), now: now)
        }
        startDataChannelsIfReady()
    }

    /// Starts SCTP (RFC 8261) once both hold: DTLS is up and a description has negotiated an
    /// application m-line. Either may come last, so every place that can complete the pair
    /// calls this: the transport connecting, our offer answered, a remote offer answered. A
    /// publisher may add its first data channel long after its media (livekit-client does:
    /// its first `publishData` renegotiates a connected transport).
    func startDataChannelsIfReady() {
        guard isConnected, negotiation.hasDataChannel, dataChannels == nil,
              let role = negotiation.dtlsRole, let loop = context.loop else { return }
        context.logger.debug("peer \(id): starting SCTP as DTLS \(role == .client ? "client" : "server")")
        let set = DataChannelSet(peer: self, isDTLSClient: role == .client,
                                 remoteMaxMessageSize: negotiation.remoteMaxMessageSize, loop: loop)
        dataChannels = set
        set.start(opening: negotiation.dataChannelsToOpen)
    }

    /// Sends a data channel message on the channel with `label`. If that channel is not open
    /// yet but data channels are negotiated, a `reliable` message waits for it
    /// (`PendingDataMessages`); otherwise the message is dropped and counted. False unless sent now.
    @discardableResult
    public func sendData(_ data: [UInt8], label: String, reliable: Bool = false) -> Bool {
        if let dataChannels, dataChannels.isOpen(label) {
            guard dataChannels.send(data, label: label) else { return false }  // counted as a send error
            context.counters.dataMessagesSent += 1
            return true
        }
        if reliable, negotiation.hasDataChannel, !isClosed {
            context.counters.dataMessagesDropped += UInt64(pendingData.append(data, label: label))
        } else {
            context.counters.dataMessagesDropped += 1
        }
        return false
    }

    /// A channel opened: what waited for it goes out, in order.
    func dataChannelOpened(label: String) {
        let waiting = pendingData.take(label: label)
        for (index, message) in waiting.enumerated() {
            guard let dataChannels, dataChannels.send(message, label: label) else {
                context.counters.dataMessagesDropped += UInt64(waiting.count - index)
                return
            }
            context.counters.dataMessagesSent += 1
        }
    }

    public var hasOpenDataChannels: Bool { !(dataChannels?.openLabels.isEmpty ?? true) }
}
