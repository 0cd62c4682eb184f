import CSCTP
import Foundation

/// One SCTP association carrying WebRTC data channels over DTLS (RFC 8261, RFC 8831, RFC 8832),
/// implemented with usrsctp in AF_CONN mode.
///
/// Threading: every method may be called from any thread. usrsctp itself runs
/// single-threaded behind one process-wide recursive lock (CSCTP, `usrsctp_init_nothreads`,
/// timers driven by `UsrsctpStack`); this object's own state is guarded by a second lock
/// that is never held while calling into usrsctp or `onEvent`. Events arrive through
/// `onEvent` on arbitrary threads (see `DataChannelEvent`): the owner hops onto its event
/// loop and does the work there.
///
/// Lifetime: after `start()` the association is retained by the process-wide usrsctp table
/// until `close()`; the owner must call `close()` (it sends an ABORT and releases the socket).
public final class SCTPAssociation: @unchecked Sendable {
    public let localPort: UInt16
    public let remotePort: UInt16
    public let isDTLSClient: Bool
    /// RFC 8841: the largest user message accepted by `send` and by reassembly.
    public let maxMessageSize: Int

    /// Streams negotiated in each direction (SCTP_INITMSG).
    static let streamCount: UInt16 = 1024
    /// RFC 8261 §5: SCTP packets must fit one DTLS record in one UDP datagram.
    static let pathMTU: UInt32 = 1200
    /// RFC 8831 §6.4 / W3C "normal" priority for DATA_CHANNEL_OPEN.
    static let defaultPriority: UInt16 = 256
    /// Packets held while `start()` has not connected yet.
    static let earlyPacketLimit = 32

    enum Phase: Equatable {
        case idle, connecting, established
        /// The peer aborted or shut down; `close()` still releases the socket.
        case terminated
        case closed
    }

    struct State {
        var phase: Phase = .idle
        var socket: OpaquePointer?
        var address: UnsafeMutableRawPointer?
        var channels: DataChannelTable
        var reassembler: MessageReassembler
        /// Channels opened before COMM_UP; their DATA_CHANNEL_OPEN goes out on establishment.
        var pendingOpens: [DataChannelInfo] = []
        var closeReported = false
        /// Packets received before the socket connected (see `receive(sctpPacket:)`).
        var earlyPackets: [[UInt8]] = []
        var starting = false
    }

    let onEvent: @Sendable (DataChannelEvent) -> Void
    private let lock = NSLock()
    private var state: State

    public init(localPort: UInt16 = 5000, remotePort: UInt16 = 5000, isDTLSClient: Bool,
                maxMessageSize: Int = 262144, onEvent: @escaping @Sendable (DataChannelEvent) -> Void) {
        self.localPort = localPort
        self.remotePort = remotePort
        self.isDTLSClient = isDTLSClient
        self.maxMessageSize = max(maxMessageSize, 1)
        self.onEvent = onEvent
        state = State(channels: DataChannelTable(isDTLSClient: isDTLSClient, streamCount: Self.streamCount),
                      reassembler: MessageReassembler(maxMessageSize: self.maxMessageSize))
    }

    /// Runs `body` with the state locked. Never call usrsctp or `onEvent` inside.
    func withState<T, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    /// Creates the socket and connects. Both peers connect: SCTP handles the simultaneous
    /// INIT collision (RFC 4960 §5.2.4), as RFC 8831 §6.2 expects for WebRTC.
    public func start() throws {
        try withState { state throws(DataChannelError) in
            switch state.phase {
            case .idle:
                guard !state.starting else { throw .sctp("already started") }
                state.starting = true
            case .closed, .terminated: throw .closed
            case .connecting, .established: throw .sctp("already started")
            }
        }
        let stack = UsrsctpStack.shared
        stack.ensureInitialized()
        let address = stack.register(self)
        guard let socket = csctp_socket(address) else {
            let err = csctp_errno()
            withState { $0.starting = false }
            stack.retire(address)
            throw DataChannelError.sctp("usrsctp_socket: errno \(err)")
        }
        let bufferSize = Int32(clamping: max(1 << 20, 4 * maxMessageSize))
        var rc = csctp_configure(socket, Self.streamCount, Self.pathMTU, bufferSize)
        if rc == 0 { rc = csctp_bind(socket, address, localPort) }
        if rc != 0 {
            withState { $0.starting = false }
            csctp_close(socket)
            stack.retire(address)
            throw DataChannelError.sctp("socket setup: errno \(-rc)")
        }
        withState { state in
            state.socket = socket
            state.address = address
        }
        rc = csctp_connect(socket, address, remotePort)
        // Packets that arrived while the socket was being set up go in after connect.
        let early: [[UInt8]] = withState { state in
            if state.phase == .idle { state.phase = .connecting }
            defer { state.earlyPackets.removeAll() }
            return state.earlyPackets
        }
        if rc != 0 && -rc != EINPROGRESS {
            close()
            throw DataChannelError.sctp("usrsctp_connect: errno \(-rc)")
        }
        for packet in early { Self.input(packet, address: address) }
    }

    /// Feeds one SCTP packet (decrypted DTLS application data) into usrsctp.
    /// Malformed packets are dropped by usrsctp (CRC32c and chunk validation).
    /// Packets that arrive before `start()` has connected are held (up to
    /// `earlyPacketLimit`) and fed in once it has, so a peer's early INIT is not answered
    /// with an ABORT by a socket that is not connected yet.
    public func receive(sctpPacket: [UInt8]) {
        guard !sctpPacket.isEmpty else { return }
        let address: UnsafeMutableRawPointer? = withState { state in
            switch state.phase {
            case .connecting, .established:
                return state.address
            case .idle:
                if state.earlyPackets.count < Self.earlyPacketLimit { state.earlyPackets.append(sctpPacket) }
                return nil
            case .terminated, .closed:
                return nil
            }
        }
        guard let address else { return }
        Self.input(sctpPacket, address: address)
    }

    static func input(_ packet: [UInt8], address: UnsafeMutableRawPointer) {
        packet.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            csctp_conninput(address, base, bytes.count)
        }
    }

    /// Opens a channel on the next free stream of our parity (RFC 8832 §6) and sends
    /// DATA_CHANNEL_OPEN, now or on establishment. Returns the stream identifier.
    public func openChannel(label: String, reliability: DataChannelReliability, protocol: String = "") throws -> UInt16 {
        let (info, socket) = try withState { state throws(DataChannelError) -> (DataChannelInfo, OpaquePointer?) in
            if state.phase == .closed || state.phase == .terminated { throw .closed }
            guard let info = state.channels.openLocal(label: label, reliability: reliability, protocol: `protocol`) else {
                throw .sctp("no free stream identifier")
            }
            if state.phase == .established { return (info, state.socket) }
            state.pendingOpens.append(info)
            return (info, nil)
        }
        if let socket {
            do {
                try sendOpen(info, on: socket)
            } catch {
                withState { _ = $0.channels.remove(streamID: info.streamID) }
                throw error
            }
        }
        return info.streamID
    }

    /// Sends one user message (RFC 8831 §6.6): PPID 53 binary / 51 string; an empty message
    /// is one zero byte with PPID 57 / 56.
    public func send(streamID: UInt16, data: [UInt8], binary: Bool = true) throws {
        guard data.count <= maxMessageSize else { throw DataChannelError.tooLarge }
        let (socket, parameters) = try withState { state throws(DataChannelError) in
            switch state.phase {
            case .established: break
            case .closed, .terminated: throw .closed
            case .idle, .connecting: throw .sctp("association not established")
            }
            guard let socket = state.socket, let parameters = state.channels.sendParameters(streamID: streamID) else {
                throw .unknownChannel
            }
            return (socket, parameters)
        }
        let ppid = PayloadProtocolIdentifier.forMessage(binary: binary, empty: data.isEmpty)
        try transmit(data.isEmpty ? [0] : data, on: socket, streamID: streamID, ppid: ppid, parameters: parameters)
    }

    /// Closes one channel by resetting its outgoing stream (RFC 8831 §6.7). `channelClosed`
    /// follows when the peer resets its side.
    public func closeChannel(streamID: UInt16) throws {
        let socket = try withState { state throws(DataChannelError) -> OpaquePointer in
            guard state.phase == .established, let socket = state.socket else { throw .closed }
            guard state.channels.beginClose(streamID: streamID) else { throw .unknownChannel }
            return socket
        }
        let rc = csctp_reset_outgoing_stream(socket, streamID)
        if rc != 0 { throw DataChannelError.sctp("SCTP_RESET_STREAMS: errno \(-rc)") }
    }

    /// Aborts the association (SO_LINGER 0 → ABORT), releases the socket and emits
    /// `associationClosed` if not already reported. Idempotent.
    ///
    /// usrsctp may finish tearing the association down from a timer shortly after
    /// `usrsctp_close` returns, so the address stays registered for
    /// `UsrsctpStack.retireDelay`: `outgoingPacket` events can still arrive during that time
    /// (forward them if DTLS is still up, drop them otherwise).
    public func close() {
        let (socket, address, report) = withState { state -> (OpaquePointer?, UnsafeMutableRawPointer?, Bool) in
            guard state.phase != .closed else { return (nil, nil, false) }
            let result = (state.socket, state.address, !state.closeReported && state.phase != .idle)
            state.phase = .closed
            state.socket = nil
            state.address = nil
            state.closeReported = true
            state.pendingOpens.removeAll()
            state.channels.removeAll()
            state.reassembler.removeAll()
            state.earlyPackets.removeAll()
            return result
        }
        if let socket { csctp_close(socket) }
        if let address { UsrsctpStack.shared.retire(address) }
        if report { onEvent(.associationClosed) }
    }

    // MARK: - Sending

    /// RFC 8832 §6: DATA_CHANNEL_OPEN goes ordered and reliable on the channel's stream.
    func sendOpen(_ info: DataChannelInfo, on socket: OpaquePointer) throws {
        let (type, parameter) = Self.channelType(of: info)
        let open = DCEPMessage.open(channelType: type, priority: Self.defaultPriority,
                                    reliabilityParameter: parameter, label: info.label, protocol: info.protocol)
        try transmit(open.serialize(), on: socket, streamID: info.streamID, ppid: PayloadProtocolIdentifier.dcep,
                     parameters: .init(unordered: false, prPolicy: DataChannelTable.prNone, prValue: 0))
    }

    func transmit(_ payload: [UInt8], on socket: OpaquePointer, streamID: UInt16, ppid: UInt32,
                  parameters: DataChannelTable.SendParameters) throws {
        let sent = payload.withUnsafeBytes { bytes in
            csctp_send(socket, bytes.baseAddress, bytes.count, streamID, ppid, parameters.unordered ? 1 : 0,
                       parameters.prPolicy, parameters.prValue)
        }
        if sent < 0 {
            let err = Int32(truncatingIfNeeded: -sent)
            if err == EWOULDBLOCK || err == EAGAIN { throw DataChannelError.sctp("send buffer full") }
            throw DataChannelError.sctp("usrsctp_sendv: errno \(err)")
        }
    }

    /// RFC 8832 §5.1 channel type and reliability parameter for a channel description.
    static func channelType(of info: DataChannelInfo) -> (UInt8, UInt32) {
        let unordered: UInt8 = info.ordered ? 0 : DCEPChannelType.unorderedBit
        if let retransmits = info.maxRetransmits {
            return (DCEPChannelType.partialReliableRexmit | unordered, UInt32(retransmits))
        }
        if let lifetime = info.maxPacketLifeTime {
            return (DCEPChannelType.partialReliableTimed | unordered, UInt32(lifetime))
        }
        return (DCEPChannelType.reliable | unordered, 0)
    }
}
