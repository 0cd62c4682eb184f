import Foundation

/// Parameters of a signalling connection: from the `/rtc` query string (PROTOCOL.md §1), or
/// from the `JoinRequest` of `/rtc/v1` (single peer connection, PROTOCOL.md §12).
public struct JoinParameters: Sendable {
    public var autoSubscribe = true
    public var clientProtocol: Int32 = 0
    public var reconnect = false
    public var participantSID: String?
    /// `/rtc/v1`: one peer connection for both directions, offered by the client.
    public var singlePeerConnection = false
    /// `/rtc/v1`: the client's first offer, answered right after the JoinResponse.
    public var publisherOffer: Livekit_SessionDescription?
    /// `/rtc/v1`: tracks announced with the join.
    public var addTrackRequests: [Livekit_AddTrackRequest] = []
    public init() {}

    public init(query: [String: String]) {
        autoSubscribe = query["auto_subscribe"].map { $0 != "0" && $0 != "false" } ?? true
        clientProtocol = query["client_protocol"].flatMap { Int32($0) } ?? 0
        reconnect = query["reconnect"] == "1" || query["reconnect"] == "true"
        participantSID = query["sid"]
    }

    public init(joinRequest: Livekit_JoinRequest) {
        autoSubscribe = joinRequest.hasConnectionSettings ? joinRequest.connectionSettings.autoSubscribe : true
        clientProtocol = joinRequest.clientInfo.clientProtocol
        reconnect = joinRequest.reconnect
        participantSID = joinRequest.participantSid.isEmpty ? nil : joinRequest.participantSid
        singlePeerConnection = true
        if joinRequest.hasPublisherOffer, !joinRequest.publisherOffer.sdp.isEmpty { publisherOffer = joinRequest.publisherOffer }
        addTrackRequests = joinRequest.addTrackRequests
    }
}
