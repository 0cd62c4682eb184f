#if canImport(Glibc)
import Glibc
#endif

/// One simulated peer connection's endpoint: its own address 127.a.b.c on the media loop's
/// shared `LoopbackPort` (as a browser has a socket per transport), and the server's
/// candidate once known. Sends are queued on the shared port's batch; arrivals come from the
/// port, only from the server's address.
final class PeerSocket {
    enum Failure: Error, CustomStringConvertible {
        case badAddress(String)
        var description: String {
            switch self { case .badAddress(let host): return "not an IPv4 address: \(host)" }
        }
    }

    let port: LoopbackPort
    /// Our address, network byte order, and as octets.
    let address: UInt32
    let octets: [UInt8]
    private(set) var isConnected = false
    private(set) var remoteIP: UInt32 = 0
    private(set) var remotePort: UInt16 = 0

    init(port: LoopbackPort, index: Int) {
        self.port = port
        (octets, address) = LoopbackPort.peerAddress(index: index)
    }

    var localPort: Int { Int(port.port) }

    /// Binds the socket to the server's candidate (IPv4): sends go there, and only its
    /// datagrams are accepted.
    func connect(host: String, port remote: Int) throws {
        var parsed = in_addr()
        guard inet_pton(AF_INET, host, &parsed) == 1 else { throw Failure.badAddress(host) }
        remoteIP = parsed.s_addr
        remotePort = UInt16(clamping: remote)
        isConnected = true
    }

    func accepts(fromIP ip: UInt32, port: UInt16) -> Bool {
        isConnected && ip == remoteIP && port == remotePort
    }

    /// Queues a copy of `bytes` toward the server.
    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard isConnected else { return }
        port.append(bytes, from: address, to: remoteIP, port: remotePort)
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    func close() {
        isConnected = false
        port.detach(address: address)
    }
}
