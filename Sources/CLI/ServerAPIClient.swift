import Foundation
import Signal
import SwiftProtobuf

/// Why an API call failed: the token could not be signed, or the Twirp call failed.
public enum ServerAPIError: Error, Sendable, CustomStringConvertible {
    case signing(String)
    case twirp(TwirpClientError)

    public var description: String {
        switch self {
        case .signing(let reason): return "signing: \(reason)"
        case .twirp(let error): return error.description
        }
    }
}

/// The server's `livekit.RoomService` and `livekit.AgentDispatchService`, each call signed
/// with a fresh token holding just the grant it needs.
public struct ServerAPIClient: Sendable {
    public static let roomService = "livekit.RoomService"
    public static let agentDispatchService = "livekit.AgentDispatchService"

    public let connection: ServerConnection
    public let twirp: TwirpClient

    public init(connection: ServerConnection, timeout: TimeInterval = 15) {
        self.connection = connection
        self.twirp = TwirpClient(baseURL: connection.httpBaseURL, timeout: timeout)
    }

    // MARK: RoomService

    public func createRoom(_ request: Livekit_CreateRoomRequest) async throws(ServerAPIError) -> Livekit_Room {
        try await call(Self.roomService, "CreateRoom", request, grant: ServiceToken.roomCreate)
    }

    public func listRooms(names: [String] = []) async throws(ServerAPIError) -> Livekit_ListRoomsResponse {
        var request = Livekit_ListRoomsRequest()
        request.names = names
        return try await call(Self.roomService, "ListRooms", request, grant: ServiceToken.roomList)
    }

    public func deleteRoom(_ room: String) async throws(ServerAPIError) -> Livekit_DeleteRoomResponse {
        var request = Livekit_DeleteRoomRequest()
        request.room = room
        return try await call(Self.roomService, "DeleteRoom", request, grant: ServiceToken.roomCreate)
    }

    public func listParticipants(room: String) async throws(ServerAPIError) -> Livekit_ListParticipantsResponse {
        var request = Livekit_ListParticipantsRequest()
        request.room = room
        return try await call(Self.roomService, "ListParticipants", request, grant: ServiceToken.roomAdmin(room))
    }

    public func removeParticipant(room: String, identity: String) async throws(ServerAPIError) -> Livekit_RemoveParticipantResponse {
        var request = Livekit_RoomParticipantIdentity()
        request.room = room
        request.identity = identity
        return try await call(Self.roomService, "RemoveParticipant", request, grant: ServiceToken.roomAdmin(room))
    }

    // MARK: AgentDispatchService

    public func createDispatch(room: String, agentName: String, metadata: String) async throws(ServerAPIError) -> Livekit_AgentDispatch {
        var request = Livekit_CreateAgentDispatchRequest()
        request.room = room
        request.agentName = agentName
        request.metadata = metadata
        return try await call(Self.agentDispatchService, "CreateDispatch", request, grant: ServiceToken.roomAdmin(room))
    }

    public func listDispatches(room: String, dispatchID: String = "") async throws(ServerAPIError) -> Livekit_ListAgentDispatchResponse {
        var request = Livekit_ListAgentDispatchRequest()
        request.room = room
        request.dispatchID = dispatchID
        return try await call(Self.agentDispatchService, "ListDispatch", request, grant: ServiceToken.roomAdmin(room))
    }

    public func deleteDispatch(room: String, dispatchID: String) async throws(ServerAPIError) -> Livekit_AgentDispatch {
        var request = Livekit_DeleteAgentDispatchRequest()
        request.room = room
        request.dispatchID = dispatchID
        return try await call(Self.agentDispatchService, "DeleteDispatch", request, grant: ServiceToken.roomAdmin(room))
    }

    // MARK: -

    private func call<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ service: String, _ method: String, _ request: Request, grant: VideoGrant
    ) async throws(ServerAPIError) -> Response {
        let token: String
        do { token = try await ServiceToken.sign(grant, connection: connection) } catch {
            throw .signing("\(error)")
        }
        do {
            return try await twirp.call(service: service, method: method, request: request, bearerToken: token)
        } catch {
            throw .twirp(error)
        }
    }
}
