import Foundation
import SwiftProtobuf
import XCTest

import Signal

/// Tests of the generated LiveKit protocol messages: binary and JSON round trips,
/// and decoding of bytes produced by the reference implementation
/// (the `livekit-protocol` 1.1.29 Python package).
final class ProtoTests: XCTestCase {

    // MARK: - Fixtures produced by the Python livekit-protocol package

    /// `rtc.SignalRequest(add_track=AddTrackRequest(cid="TR_local1", name="camera", type=VIDEO,
    /// width=1280, height=720, source=CAMERA, layers=[VideoLayer(quality=HIGH, width=1280,
    /// height=720, bitrate=3000000, rid="f")], simulcast_codecs=[SimulcastCodec(codec="vp8",
    /// cid="TR_local1")], audio_features=[TF_NO_DTX])).SerializeToString().hex()`
    static let pythonAddTrackHex =
        "22450a0954525f6c6f63616c31120663616d657261180120800a28d00540014a10080210800a18d005"
        + "20c08db7013a016652100a03767038120954525f6c6f63616c318a010101"

    /// `rtc.SignalResponse(join=JoinResponse(room=Room(sid="RM_abc", name="demo", empty_timeout=300),
    /// participant=ParticipantInfo(sid="PA_alice", identity="alice", state=JOINED, kind=AGENT,
    /// attributes={"lk.agent.state": "listening"}, client_protocol=1,
    /// permission=ParticipantPermission(can_publish=True, can_subscribe=True)),
    /// server_version="1.9.0", ice_servers=[ICEServer(urls=["stun:stun.example:3478"])],
    /// subscriber_primary=True, ping_timeout=15, ping_interval=5,
    /// server_info=ServerInfo(version="1.9.0", protocol=16)))`
    static let pythonJoinHex =
        "0a82010a110a06524d5f616263120464656d6f18ac02123b0a0850415f616c6963651205616c6963"
        + "6518015a040801100170047a1b0a0e6c6b2e6167656e742e737461746512096c697374656e696e67"
        + "a001012205312e392e302a180a167374756e3a7374756e2e6578616d706c653a3334373830015"
        + "00f580562091205312e392e301810"

    /// `agent.WorkerMessage(register=RegisterWorkerRequest(type=JT_ROOM, version="1.7.0",
    /// agent_name="x", namespace="ns"))`
    static let pythonWorkerRegisterHex = "0a0e1a05312e372e3032026e73420178"

    /// `json_format.MessageToJson(WebhookEvent(event="participant_joined", id="EV_x",
    /// created_at=1700000000, num_dropped=2, room=Room(sid="RM_abc", name="demo"),
    /// participant=ParticipantInfo(sid="PA_a", identity="alice", joined_at_ms=1700000000123)))`
    static let pythonWebhookJSON = """
        {"event": "participant_joined", "room": {"sid": "RM_abc", "name": "demo"}, \
        "participant": {"sid": "PA_a", "identity": "alice", "joinedAtMs": "1700000000123"}, \
        "id": "EV_x", "createdAt": "1700000000", "numDropped": 2}
        """

    // MARK: - Binary round trips

    func testJoinResponseBinaryRoundTrip() throws {
        var join = Livekit_JoinResponse()
        join.room.sid = "RM_room"
        join.room.name = "demo"
        join.participant.sid = "PA_bob"
        join.participant.identity = "bob"
        join.participant.state = .active
        join.participant.kind = .standard
        join.participant.clientProtocol = 1
        var track = Livekit_TrackInfo()
        track.sid = "TR_cam"
        track.type = .video
        track.source = .camera
        track.width = 1280
        track.height = 720
        join.participant.tracks = [track]
        join.pingInterval = 5
        join.pingTimeout = 15
        join.subscriberPrimary = true
        join.serverInfo.version = "1.9.0"
        join.iceServers = [Livekit_ICEServer.with { $0.urls = ["stun:127.0.0.1:3478"] }]
        var response = Livekit_SignalResponse()
        response.join = join

        let bytes: [UInt8] = try response.serializedBytes()
        // SignalResponse.join is field 1, length-delimited: tag byte 0x0a.
        XCTAssertEqual(bytes.first, 0x0A)
        let decoded = try Livekit_SignalResponse(serializedBytes: bytes)
        XCTAssertEqual(decoded, response)
        guard case .join(let got)? = decoded.message else {
            return XCTFail("expected join, got \(String(describing: decoded.message))")
        }
        XCTAssertEqual(got.participant.tracks.first?.sid, "TR_cam")
        XCTAssertEqual(got.pingInterval, 5)
        XCTAssertEqual(got.pingTimeout, 15)
    }

    func testDataPacketUserPayloadRoundTrip() throws {
        var packet = Livekit_DataPacket()
        packet.kind = .reliable
        packet.participantIdentity = "alice"
        packet.participantSid = "PA_alice"
        packet.destinationIdentities = ["bob", "carol"]
        packet.sequence = 42
        var user = Livekit_UserPacket()
        user.payload = Data([0x00, 0x01, 0xFE, 0xFF])
        user.topic = "chat"
        user.participantIdentity = "alice"
        packet.user = user

        let bytes: [UInt8] = try packet.serializedBytes()
        let decoded = try Livekit_DataPacket(serializedBytes: bytes)
        XCTAssertEqual(decoded, packet)
        XCTAssertEqual(decoded.user.payload, Data([0x00, 0x01, 0xFE, 0xFF]))
        XCTAssertTrue(decoded.user.hasTopic)
        XCTAssertEqual(decoded.user.topic, "chat")
        XCTAssertEqual(decoded.destinationIdentities, ["bob", "carol"])
        XCTAssertEqual(decoded.sequence, 42)
        // Field numbers on the wire: user is field 2 (tag 0x12), sequence field 16 (tag 0x80 0x01).
        XCTAssertTrue(bytes.contains(0x12))
        XCTAssertTrue(containsSubsequence(bytes, [0x80, 0x01, 42]))
    }

    func testProto3OptionalPresenceSurvivesRoundTrip() throws {
        var user = Livekit_UserPacket()
        user.topic = ""  // present but empty: must still be encoded
        let bytes: [UInt8] = try user.serializedBytes()
        XCTAssertEqual(bytes, [0x22, 0x00])  // field 4, length 0
        XCTAssertTrue(try Livekit_UserPacket(serializedBytes: bytes).hasTopic)
        XCTAssertFalse(try Livekit_UserPacket(serializedBytes: [UInt8]()).hasTopic)
    }

    // MARK: - Bytes produced by the Python package

    func testDecodesPythonAddTrackRequest() throws {
        let request = try Livekit_SignalRequest(serializedBytes: try hex(Self.pythonAddTrackHex))
        guard case .addTrack(let add)? = request.message else {
            return XCTFail("expected add_track, got \(String(describing: request.message))")
        }
        XCTAssertEqual(add.cid, "TR_local1")
        XCTAssertEqual(add.name, "camera")
        XCTAssertEqual(add.type, .video)
        XCTAssertEqual(add.width, 1280)
        XCTAssertEqual(add.height, 720)
        XCTAssertEqual(add.source, .camera)
        XCTAssertEqual(add.layers.count, 1)
        XCTAssertEqual(add.layers.first?.quality, .high)
        XCTAssertEqual(add.layers.first?.bitrate, 3_000_000)
        XCTAssertEqual(add.layers.first?.rid, "f")
        XCTAssertEqual(add.simulcastCodecs.first?.codec, "vp8")
        XCTAssertEqual(add.simulcastCodecs.first?.cid, "TR_local1")
        XCTAssertEqual(add.audioFeatures, [.tfNoDtx])
        // Re-encoding gives the same bytes (fields are written in number order by both).
        let reencoded: [UInt8] = try request.serializedBytes()
        XCTAssertEqual(reencoded, try hex(Self.pythonAddTrackHex))
    }

    func testDecodesPythonJoinResponse() throws {
        let response = try Livekit_SignalResponse(serializedBytes: try hex(Self.pythonJoinHex))
        guard case .join(let join)? = response.message else {
            return XCTFail("expected join, got \(String(describing: response.message))")
        }
        XCTAssertEqual(join.room.sid, "RM_abc")
        XCTAssertEqual(join.room.name, "demo")
        XCTAssertEqual(join.room.emptyTimeout, 300)
        XCTAssertEqual(join.participant.sid, "PA_alice")
        XCTAssertEqual(join.participant.identity, "alice")
        XCTAssertEqual(join.participant.state, .joined)
        XCTAssertEqual(join.participant.kind, .agent)
        XCTAssertEqual(join.participant.attributes, ["lk.agent.state": "listening"])
        XCTAssertEqual(join.participant.clientProtocol, 1)
        XCTAssertTrue(join.participant.permission.canPublish)
        XCTAssertTrue(join.participant.permission.canSubscribe)
        XCTAssertFalse(join.participant.permission.canPublishData)
        XCTAssertEqual(join.serverVersion, "1.9.0")
        XCTAssertEqual(join.iceServers.first?.urls, ["stun:stun.example:3478"])
        XCTAssertTrue(join.subscriberPrimary)
        XCTAssertEqual(join.pingTimeout, 15)
        XCTAssertEqual(join.pingInterval, 5)
        XCTAssertEqual(join.serverInfo.version, "1.9.0")
        XCTAssertEqual(join.serverInfo.protocol, 16)
    }

    func testDecodesPythonWorkerRegister() throws {
        let message = try Livekit_WorkerMessage(serializedBytes: try hex(Self.pythonWorkerRegisterHex))
        guard case .register(let register)? = message.message else {
            return XCTFail("expected register, got \(String(describing: message.message))")
        }
        XCTAssertEqual(register.type, .jtRoom)
        XCTAssertEqual(register.version, "1.7.0")
        XCTAssertEqual(register.agentName, "x")
        XCTAssertTrue(register.hasNamespace)
        XCTAssertEqual(register.namespace, "ns")
    }

    // MARK: - Protobuf JSON

    func testWebhookEventJSONUsesCamelCaseNames() throws {
        var event = Livekit_WebhookEvent()
        event.event = "room_started"
        event.id = "EV_abc"
        event.createdAt = 1_700_000_000
        event.numDropped = 3
        event.room.sid = "RM_abc"
        event.room.name = "demo"
        event.egressInfo.egressID = "EG_1"
        event.egressInfo.status = .egressActive
        event.roomEndReason = .roomEndIdleTimeout

        let json = try event.jsonString()
        XCTAssertTrue(json.contains("\"createdAt\":\"1700000000\""), json)  // int64 as string
        XCTAssertTrue(json.contains("\"numDropped\":3"), json)
        XCTAssertTrue(json.contains("\"egressInfo\":{"), json)
        XCTAssertTrue(json.contains("\"egressId\":\"EG_1\""), json)
        XCTAssertTrue(json.contains("\"status\":\"EGRESS_ACTIVE\""), json)
        XCTAssertTrue(json.contains("\"roomEndReason\":\"ROOM_END_IDLE_TIMEOUT\""), json)
        XCTAssertFalse(json.contains("created_at"), json)

        // Twirp's JSON flavour uses the original (snake_case) field names.
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        let snake = try event.jsonString(options: options)
        XCTAssertTrue(snake.contains("\"created_at\":\"1700000000\""), snake)
        XCTAssertTrue(snake.contains("\"egress_info\":{"), snake)

        XCTAssertEqual(try Livekit_WebhookEvent(jsonString: json), event)
    }

    func testDecodesPythonWebhookJSON() throws {
        let event = try Livekit_WebhookEvent(jsonString: Self.pythonWebhookJSON)
        XCTAssertEqual(event.event, "participant_joined")
        XCTAssertEqual(event.id, "EV_x")
        XCTAssertEqual(event.createdAt, 1_700_000_000)
        XCTAssertEqual(event.numDropped, 2)
        XCTAssertEqual(event.room.sid, "RM_abc")
        XCTAssertEqual(event.participant.identity, "alice")
        XCTAssertEqual(event.participant.joinedAtMs, 1_700_000_000_123)
    }

    func testRoomConfigurationFromTokenJSON() throws {
        // The JWT roomConfig claim is protobuf JSON of RoomConfiguration.
        let config = try Livekit_RoomConfiguration(
            jsonString: #"{"agents":[{"agentName":"x","metadata":"{\"k\":1}"}],"emptyTimeout":60}"#)
        XCTAssertEqual(config.agents.count, 1)
        XCTAssertEqual(config.agents.first?.agentName, "x")
        XCTAssertEqual(config.agents.first?.metadata, #"{"k":1}"#)
        XCTAssertEqual(config.emptyTimeout, 60)
    }

    func testTrickleCandidateInitKeepsItsJSONName() throws {
        var trickle = Livekit_TrickleRequest()
        trickle.candidateInit = #"{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}"#
        trickle.target = .subscriber
        let json = try trickle.jsonString()
        XCTAssertTrue(json.contains("\"candidateInit\":"), json)
        XCTAssertTrue(json.contains("\"target\":\"SUBSCRIBER\""), json)
    }

    // MARK: - Robustness: malformed input throws, never crashes

    func testTruncatedInputsThrowOrDecode() throws {
        for fixture in [Self.pythonAddTrackHex, Self.pythonJoinHex, Self.pythonWorkerRegisterHex] {
            let bytes = try hex(fixture)
            for length in 0..<bytes.count {
                let prefix = Array(bytes[0..<length])
                _ = try? Livekit_SignalRequest(serializedBytes: prefix)
                _ = try? Livekit_SignalResponse(serializedBytes: prefix)
                _ = try? Livekit_WorkerMessage(serializedBytes: prefix)
            }
        }
        // A truncated length-delimited field must be rejected, not read past the end.
        let join = try hex(Self.pythonJoinHex)
        XCTAssertThrowsError(try Livekit_SignalResponse(serializedBytes: Array(join.dropLast(3))))
    }

    func testRandomAndMutatedInputsThrowOrDecode() throws {
        var rng = SplitMix64(seed: 0x5EED_1234)
        let seeds = [try hex(Self.pythonAddTrackHex), try hex(Self.pythonJoinHex)]
        var decodedCount = 0
        var thrownCount = 0
        for iteration in 0..<3000 {
            var bytes: [UInt8]
            if iteration % 2 == 0 {
                bytes = (0..<Int(rng.next() % 96)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = seeds[iteration % seeds.count]
                for _ in 0..<(1 + Int(rng.next() % 4)) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            for decode in Self.decoders {
                if (try? decode(bytes)) != nil { decodedCount += 1 } else { thrownCount += 1 }
            }
        }
        // Both outcomes occur; the point is that neither traps.
        XCTAssertGreaterThan(decodedCount, 0)
        XCTAssertGreaterThan(thrownCount, 0)
    }

    func testMalformedJSONThrows() {
        XCTAssertThrowsError(try Livekit_WebhookEvent(jsonString: "{\"event\": "))
        XCTAssertThrowsError(try Livekit_WebhookEvent(jsonString: "{\"createdAt\": \"x\"}"))
        XCTAssertThrowsError(try Livekit_WebhookEvent(jsonString: "{\"unknownField\": 1}"))
        var lenient = JSONDecodingOptions()
        lenient.ignoreUnknownFields = true
        XCTAssertNoThrow(try Livekit_WebhookEvent(jsonString: "{\"unknownField\": 1}", options: lenient))
    }

    // MARK: - Helpers

    private static let decoders: [@Sendable ([UInt8]) throws -> Void] = [
        { _ = try Livekit_SignalRequest(serializedBytes: $0) },
        { _ = try Livekit_SignalResponse(serializedBytes: $0) },
        { _ = try Livekit_DataPacket(serializedBytes: $0) },
        { _ = try Livekit_WorkerMessage(serializedBytes: $0) },
        { _ = try Livekit_ServerMessage(serializedBytes: $0) },
        { _ = try Livekit_WrappedJoinRequest(serializedBytes: $0) },
        { _ = try Livekit_JoinRequest(serializedBytes: $0) },
    ]

    private struct HexError: Error {}

    private func hex(_ string: String) throws -> [UInt8] {
        let digits = Array(string.utf8)
        guard digits.count % 2 == 0 else { throw HexError() }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { throw HexError() }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private func containsSubsequence(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            return true
        }
        return false
    }
}

/// Deterministic PRNG (SplitMix64) so the fuzz-style test is reproducible.
private struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
