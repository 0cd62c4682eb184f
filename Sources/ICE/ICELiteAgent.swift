/// ICE connection state of one lite agent (names as in the W3C RTCIceConnectionState).
public enum ICEState: Sendable, Equatable {
    case new, checking, connected, disconnected, failed, closed
}

/// What the shell must do after feeding the agent.
public enum ICEAction: Sendable, Equatable {
    /// A STUN response to write to the socket.
    case send([UInt8], to: TransportAddress)
    /// Media should now go to this remote address (the nominated pair).
    case selectedAddressChanged(TransportAddress)
    case stateChanged(ICEState)
}

/// An ICE-lite agent (RFC 8445 §2.5): it never sends checks, it answers the peer's Binding
/// requests (§7.3), takes the peer's nomination (§8.2, lite side: the peer is always
/// controlling, §6.1.1) and watches consent freshness (RFC 7675). A pure state machine:
/// time comes in as seconds, I/O goes out as actions.
public struct ICELiteAgent: Sendable {
    public let localUfrag: String
    public let localPassword: String
    public private(set) var remoteUfrag: String?
    public private(set) var remotePassword: String?
    /// No valid check from the selected address for this long → failed (RFC 7675 §5.1: 30 s).
    public var consentTimeout: Double
    /// No valid check from the selected address for this long → disconnected.
    public var disconnectedAfter: Double
    /// When true, the first valid check selects its address if nothing is selected yet, so media
    /// can flow before the peer's USE-CANDIDATE. A USE-CANDIDATE check always (re)selects.
    public var aggressiveNomination = true

    public private(set) var state: ICEState = .new
    public private(set) var selectedAddress: TransportAddress?
    /// Datagrams that were not a valid check: unparsable, wrong class or method, or rejected
    /// with an error response (the latter are also counted in `rejectedRequests`).
    public private(set) var droppedMessages = 0
    /// Requests answered with a 400, 401 or 487 error response.
    public private(set) var rejectedRequests = 0

    private let localKey: [UInt8]
    private var lastConsent: Double = 0

    public init(localUfrag: String, localPassword: String, remoteUfrag: String?, remotePassword: String?, consentTimeout: Double = 30, disconnectedAfter: Double = 5) {
        self.localUfrag = localUfrag
        self.localPassword = localPassword
        self.remoteUfrag = remoteUfrag
        self.remotePassword = remotePassword
        self.consentTimeout = consentTimeout
        self.disconnectedAfter = disconnectedAfter
        // RFC 8489 §9.1.1: short-term key is the (OpaqueString-processed) password; ICE passwords are ASCII.
        self.localKey = Array(localPassword.utf8)
    }

    public mutating func setRemoteCredentials(ufrag: String, password: String) {
        remoteUfrag = ufrag
        remotePassword = password
    }

    /// The ufrag a binding request addresses: USERNAME is "<receiver ufrag>:<sender ufrag>"
    /// (RFC 8445 §7.2.2), so a shared socket can find the agent for an unknown address.
    public static func localUfrag(fromUsername username: String) -> Substring? {
        guard let colon = username.firstIndex(of: ":"), colon != username.startIndex else { return nil }
        return username[..<colon]
    }

    /// Handles one STUN datagram from `from`. Never throws: bad input yields [] (or an error
    /// response) and bumps `droppedMessages`.
    public mutating func handleSTUN(_ bytes: UnsafeRawBufferPointer, from: TransportAddress, now: Double) -> [ICEAction] {
        guard state != .closed, state != .failed else {
            droppedMessages += 1
            return []
        }
        let request: STUNMessage
        do {
            request = try STUNMessage.parse(bytes)
        } catch {
            droppedMessages += 1
            return []
        }
        guard request.method == .binding else {
            droppedMessages += 1
            return []
        }
        switch request.messageClass {
        case .request:
            break
        case .indication:
            return []  // Binding indications are keepalives (RFC 8445 §11): nothing to answer.
        case .successResponse, .errorResponse:
            droppedMessages += 1  // a lite agent sends no requests, so expects no responses
            return []
        }

        // RFC 8489 §9.1.3: both USERNAME and MESSAGE-INTEGRITY are required, else 400.
        guard let username = request.username, request.messageIntegrity != nil else {
            return reject(request, with: .badRequest, authenticated: false, to: from)
        }
        // RFC 8445 §7.3: USERNAME must be "<our ufrag>:<their ufrag>"; RFC 8489 §9.1.3: unknown → 401.
        guard usernameMatches(username) else {
            return reject(request, with: .unauthenticated, authenticated: false, to: from)
        }
        do {
            try STUNMessage.verifyIntegrity(bytes, key: localKey)
        } catch {
            return reject(request, with: .unauthenticated, authenticated: false, to: from)
        }
        // RFC 8445 §7.3.1.1: we are always controlled; a peer that also claims controlled gets 487
        // (a lite agent cannot take the controlling role, §6.1.1).
        if request.iceControlled != nil {
            return reject(request, with: .roleConflict, authenticated: true, to: from)
        }

        // RFC 8445 §7.3.1.2 / RFC 8489 §14.2: success response with the source as XOR-MAPPED-ADDRESS.
        let response = STUNMessage(messageClass: .successResponse, method: .binding, transactionID: request.transactionID, attributes: [.xorMappedAddress(from)])
        var actions: [ICEAction] = [.send(response.encode(integrityKey: localKey, fingerprint: true), to: from)]
        acceptValidCheck(from: from, nominated: request.useCandidate, now: now, actions: &actions)
        return actions
    }

    /// Consent freshness (RFC 7675 §5.1) for the selected address.
    public mutating func tick(now: Double) -> [ICEAction] {
        guard selectedAddress != nil, state == .connected || state == .disconnected else { return [] }
        let silence = now - lastConsent
        if silence >= consentTimeout {
            state = .failed
            return [.stateChanged(.failed)]
        }
        if silence >= disconnectedAfter, state == .connected {
            state = .disconnected
            return [.stateChanged(.disconnected)]
        }
        return []
    }

    public mutating func close() -> [ICEAction] {
        guard state != .closed else { return [] }
        state = .closed
        return [.stateChanged(.closed)]
    }

    // MARK: - private

    private func usernameMatches(_ username: String) -> Bool {
        guard let ours = Self.localUfrag(fromUsername: username), ours == localUfrag else { return false }
        guard let remoteUfrag else { return true }
        return username.utf8.count == localUfrag.utf8.count + 1 + remoteUfrag.utf8.count
            && username.hasSuffix(remoteUfrag)
    }

    /// RFC 8445 §8.2 (lite): the controlling peer's USE-CANDIDATE nominates the pair; consent is
    /// refreshed by every valid check from the selected address (RFC 7675 §5.1).
    private mutating func acceptValidCheck(from: TransportAddress, nominated: Bool, now: Double, actions: inout [ICEAction]) {
        if from == selectedAddress {
            lastConsent = now
        } else if nominated || (aggressiveNomination && selectedAddress == nil) {
            selectedAddress = from
            lastConsent = now
            actions.append(.selectedAddressChanged(from))
        } else {
            if state == .new {
                state = .checking
                actions.append(.stateChanged(.checking))
            }
            return
        }
        if state != .connected {
            state = .connected
            actions.append(.stateChanged(.connected))
        }
    }

    /// Error response (RFC 8489 §6.3.4). Authenticated only when the request passed integrity
    /// (§9.1.3: 400/401 responses carry no MESSAGE-INTEGRITY). FINGERPRINT always (RFC 8445 §7.1).
    private mutating func reject(_ request: STUNMessage, with error: STUNErrorCode, authenticated: Bool, to: TransportAddress) -> [ICEAction] {
        droppedMessages += 1
        rejectedRequests += 1
        let response = STUNMessage(messageClass: .errorResponse, method: .binding, transactionID: request.transactionID, attributes: [.errorCode(code: error.code, reason: error.reason)])
        return [.send(response.encode(integrityKey: authenticated ? localKey : nil, fingerprint: true), to: to)]
    }
}
