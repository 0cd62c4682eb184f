import ICE

/// The ICE side of a simulated browser toward an ICE-lite server (RFC 8445 §2.5): we are the
/// full, controlling agent with one candidate pair (our host socket → the server's host
/// candidate from its SDP). Checks carry USE-CANDIDATE (aggressive nomination, which a lite
/// agent accepts, §8.2.2), ICE-CONTROLLING and PRIORITY (§7.1.1), signed with the server's
/// password (§7.2.2, RFC 8489 §9.1); after nomination the same requests refresh consent
/// (RFC 7675). A pure state machine: time comes in as seconds, requests go out as bytes.
public struct ControllingICEAgent: Sendable {
    public enum State: Sendable, Equatable { case new, checking, connected, failed }

    public enum Event: Sendable, Equatable {
        /// The first check succeeded: the pair is nominated, DTLS may start.
        case connected
        /// A consent check (RFC 7675 §5.1) was answered.
        case consentRefreshed
        case failed(String)
    }

    public let localUfrag: String
    public let remoteUfrag: String
    public private(set) var state: State = .new
    /// Binding requests sent and success responses accepted.
    public private(set) var requestsSent = 0
    public private(set) var responsesAccepted = 0

    /// RFC 8445 §14.2: Ta = 50 ms pacing; we retry the single pair every `checkInterval`.
    public var checkInterval = 0.1
    /// Give up if no check succeeds within this time.
    public var connectTimeout = 15.0
    /// RFC 7675 §5.1 suggests 5 s ± 20 %; our server calls a peer "disconnected" after 5 s of
    /// silence, so we refresh faster.
    public var consentInterval = 2.0
    /// RFC 7675 §5.1: consent expires 30 s after the last answered check.
    public var consentTimeout = 30.0

    private let remoteKey: [UInt8]
    private let tieBreaker: UInt64
    private let priority: UInt32
    /// Transaction IDs of the last few requests: a late answer to a retransmitted check counts.
    private var outstanding: [[UInt8]] = []
    private var startedAt = 0.0
    /// When `tick` next has work (a retry or a consent check).
    public private(set) var nextRequestAt = 0.0
    private var lastResponseAt = 0.0

    public init(localUfrag: String, remoteUfrag: String, remotePassword: String,
                tieBreaker: UInt64 = .random(in: 0...UInt64.max)) {
        self.localUfrag = localUfrag
        self.remoteUfrag = remoteUfrag
        self.remoteKey = Array(remotePassword.utf8)
        self.tieBreaker = tieBreaker
        // RFC 8445 §7.1.1: PRIORITY is that of a peer-reflexive candidate (type preference 110).
        self.priority = candidatePriority(typePreference: 110, localPreference: 65535, componentID: 1)
    }

    /// Timer work: the first check, retries while checking, consent checks once connected.
    /// Returns a request to send, and an event (failure) if one happened.
    public mutating func tick(now: Double) -> (request: [UInt8]?, event: Event?) {
        switch state {
        case .failed:
            return (nil, nil)
        case .new:
            state = .checking
            startedAt = now
            return (makeRequest(now: now, interval: checkInterval), nil)
        case .checking:
            if now - startedAt >= connectTimeout {
                state = .failed
                return (nil, .failed("ICE: no answer to \(requestsSent) connectivity checks in \(Int(connectTimeout)) s"))
            }
            guard now >= nextRequestAt else { return (nil, nil) }
            return (makeRequest(now: now, interval: checkInterval), nil)
        case .connected:
            if now - lastResponseAt >= consentTimeout {
                state = .failed
                return (nil, .failed("ICE: consent expired (no answer for \(Int(consentTimeout)) s)"))
            }
            guard now >= nextRequestAt else { return (nil, nil) }
            // Spread consent checks of many agents apart (RFC 7675 §5.1: randomised 0.8...1.2).
            return (makeRequest(now: now, interval: consentInterval * Double.random(in: 0.8...1.2)), nil)
        }
    }

    /// Handles one STUN datagram from the server. Responses to our requests move the state;
    /// anything else (unparsable, unknown transaction, bad integrity) is ignored.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer, now: Double) -> Event? {
        guard state == .checking || state == .connected,
              let message = try? STUNMessage.parse(bytes), message.method == .binding,
              let index = outstanding.firstIndex(of: message.transactionID) else { return nil }
        switch message.messageClass {
        case .successResponse:
            // RFC 8445 §7.2.5.2: a success response must be authenticated with the same key.
            guard (try? STUNMessage.verifyIntegrity(bytes, key: remoteKey)) != nil else { return nil }
            outstanding.remove(at: index)
            responsesAccepted += 1
            lastResponseAt = now
            if state == .checking {
                state = .connected
                nextRequestAt = now + consentInterval
                return .connected
            }
            return .consentRefreshed
        case .errorResponse:
            outstanding.remove(at: index)
            let code = message.errorCode?.code ?? 0
            // 487 Role Conflict cannot happen toward a lite agent; 401 means wrong credentials.
            if state == .checking, code == 401 || code == 487 {
                state = .failed
                return .failed("ICE: check refused with \(code) \(message.errorCode?.reason ?? "")")
            }
            return nil
        case .request, .indication:
            return nil
        }
    }

    /// A Binding request (RFC 8445 §7.2.2): USERNAME "<remote ufrag>:<local ufrag>", PRIORITY,
    /// ICE-CONTROLLING with our tie-breaker, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT.
    private mutating func makeRequest(now: Double, interval: Double) -> [UInt8] {
        let transactionID = STUNMessage.randomTransactionID()
        outstanding.append(transactionID)
        if outstanding.count > 4 { outstanding.removeFirst() }
        requestsSent += 1
        nextRequestAt = now + interval
        let request = STUNMessage(messageClass: .request, method: .binding, transactionID: transactionID, attributes: [
            .username("\(remoteUfrag):\(localUfrag)"),
            .priority(priority),
            .iceControlling(tieBreaker),
            .useCandidate,
        ])
        return request.encode(integrityKey: remoteKey, fingerprint: true)
    }
}
