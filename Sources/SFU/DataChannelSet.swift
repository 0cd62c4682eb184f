import NIOCore
import DataChannel

/// A peer connection's SCTP association (RFC 8261) and its channels by label. usrsctp
/// reports from its own threads; every event hops onto the media loop before it touches
/// anything else.
final class DataChannelSet {
    private let association: SCTPAssociation
    private var labels: [UInt16: String] = [:]
    private var streams: [String: UInt16] = [:]
    private unowned let peer: PeerConnection
    private(set) var isEstablished = false
    /// Channels we open once the association is up: (label, reliability).
    private var wanted: [(String, DataChannelReliability)] = []

    deinit { LiveObjects.freed(.dataChannels) }

    init(peer: PeerConnection, isDTLSClient: Bool, remoteMaxMessageSize: Int?, loop: EventLoop) {
        LiveObjects.made(.dataChannels)
        self.peer = peer
        let weakBox = WeakBox<DataChannelSet>()
        // usrsctp reports on its own threads; the box is read only on the loop.
        let bound = NIOLoopBound(weakBox, eventLoop: loop)
        association = SCTPAssociation(isDTLSClient: isDTLSClient, maxMessageSize: remoteMaxMessageSize ?? 262_144) { event in
            loop.execute { bound.value.value?.handle(event) }
        }
        weakBox.value = self
    }

    func start(opening channels: [(String, DataChannelReliability)]) {
        wanted = channels
        do {
            try association.start()
        } catch {
            peer.context.logger.warning("SCTP start failed: \(error)")
        }
    }

    func receive(_ packet: [UInt8]) { association.receive(sctpPacket: packet) }

    var openLabels: [String] { Array(streams.keys) }

    func isOpen(_ label: String) -> Bool { streams[label] != nil }

    /// Sends one message on the channel with this label; false if there is none.
    @discardableResult
    func send(_ data: [UInt8], label: String, binary: Bool = true) -> Bool {
        guard let stream = streams[label] else { return false }
        do {
            try association.send(streamID: stream, data: data, binary: binary)
            return true
        } catch {
            peer.context.counters.dataChannelSendErrors += 1
            return false
        }
    }

    func close() { association.close() }

    private func handle(_ event: DataChannelEvent) {
        switch event {
        case .outgoingPacket(let bytes):
            peer.transport.sendApplicationData(bytes)
            peer.transport.socket.flushIfNeeded()
        case .associationEstablished:
            isEstablished = true
            for (label, reliability) in wanted where streams[label] == nil {
                if let stream = try? association.openChannel(label: label, reliability: reliability) {
                    labels[stream] = label
                    streams[label] = stream
                    // RFC 8832 §6: data may follow DATA_CHANNEL_OPEN before the ACK.
                    peer.dataChannelOpened(label: label)
                }
            }
            wanted = []
        case .channelOpened(let info):
            labels[info.streamID] = info.label
            streams[info.label] = info.streamID
            peer.dataChannelOpened(label: info.label)
            peer.observer?.peerConnection(peer, didOpenDataChannel: info.label)
        case .message(let streamID, let binary, let data):
            guard let label = labels[streamID] else { return }
            peer.context.counters.dataMessagesReceived += 1
            peer.observer?.peerConnection(peer, didReceiveData: data, binary: binary, label: label)
        case .channelClosed(let streamID):
            if let label = labels.removeValue(forKey: streamID), streams[label] == streamID { streams[label] = nil }
        case .associationClosed:
            isEstablished = false
        }
    }
}

/// A weak reference, for closures that must not keep their target alive.
final class WeakBox<T: AnyObject> {
    weak var value: T?
}
