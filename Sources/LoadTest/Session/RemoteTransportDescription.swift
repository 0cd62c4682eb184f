import SDP

/// What a server description says about its end of the transport: ICE credentials
/// (RFC 8839 §5.4), the DTLS fingerprint (RFC 8122 §5) and its host candidate, which an
/// ICE-lite server puts in the SDP instead of trickling it (RFC 8445 §2.5).
struct RemoteTransportDescription: Equatable {
    var ufrag: String
    var password: String
    var fingerprint: Fingerprint
    var candidateHost: String
    var candidatePort: Int

    enum Failure: Error, CustomStringConvertible, Equatable {
        case missing(String)
        case candidateNotLoopback(String)
        var description: String {
            switch self {
            case .missing(let what): return "server SDP has no \(what)"
            case .candidateNotLoopback(let host): return "server candidate \(host) is not a loopback address"
            }
        }
    }

    init(_ description: SessionDescription) throws(Failure) {
        guard let first = description.media.first(where: { !$0.isRejected }) else { throw .missing("accepted media section") }
        guard let credentials = description.iceCredentials(for: first) else { throw .missing("ICE credentials") }
        guard let fingerprint = description.fingerprint(for: first) else { throw .missing("DTLS fingerprint") }
        let values = description.media.flatMap(\.candidates)
        let candidates = values.compactMap { try? ICECandidate.parse($0) }
        guard let candidate = candidates.first(where: { $0.transport.lowercased() == "udp" }) else {
            throw .missing("UDP candidate")
        }
        guard LoopbackTarget.isLoopback(candidate.address) else { throw .candidateNotLoopback(candidate.address) }
        ufrag = credentials.ufrag
        password = credentials.pwd
        self.fingerprint = fingerprint
        candidateHost = candidate.address
        candidatePort = candidate.port
    }
}
