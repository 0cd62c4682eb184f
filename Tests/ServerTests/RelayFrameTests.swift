import Foundation
import XCTest
import Signal
@testable import Server

final class RelayFrameTests: XCTestCase {
    func testEveryKindRoundTrips() throws {
        let open = RelayFrame.Open(edge: "ND_a", token: "t.o.k", query: ["reconnect": "1", "sid": "PA_x"], singlePeer: true)
        let frames: [RelayFrame] = [
            .open(session: "RS_1", open),
            .request(session: "RS_1", bytes: [0, 1, 2, 255]),
            .close(session: "RS_1"),
            .response(session: "RS_é", bytes: []),
            .end(session: "RS_1", reason: "removed by the server"),
            .agentDispatch(RemoteAgentDispatch(agentName: "simulator", jobType: 0, room: Data([1, 2]), dispatchID: "AD_x",
                                               metadata: "{}", participant: nil)),
            .agentCancel(room: "a room"),
            .agentCancelDispatch("AD_x", room: "a room"),
        ]
        for frame in frames {
            XCTAssertEqual(try RelayFrame(decoding: frame.encoded()), frame)
        }
    }

    func testMalformedFramesAreRefused() {
        XCTAssertThrowsError(try RelayFrame(decoding: [])) { XCTAssertEqual($0 as? RelayFrame.DecodingError, .truncated) }
        XCTAssertThrowsError(try RelayFrame(decoding: [2, 0, 9, 65])) { XCTAssertEqual($0 as? RelayFrame.DecodingError, .truncated) }
        XCTAssertThrowsError(try RelayFrame(decoding: [9, 0, 0])) { XCTAssertEqual($0 as? RelayFrame.DecodingError, .unknownKind(9)) }
        XCTAssertThrowsError(try RelayFrame(decoding: [1, 0, 1, 65] + Array("{not json".utf8))) {
            XCTAssertEqual($0 as? RelayFrame.DecodingError, .badOpen)
        }
    }
}

final class PlacementChoiceTests: XCTestCase {
    func node(_ id: String, participants: Int = 0, rooms: Int = 0, draining: Bool = false, started: Int64 = 0) -> NodeRecord {
        var record = NodeRecord(id: id, http: "127.0.0.1:1", media: "127.0.0.1:2")
        record.participants = participants
        record.rooms = rooms
        record.draining = draining
        record.startedAtMs = started
        return record
    }

    func testALiveOwnerKeepsItsRoomEvenWhileDraining() {
        let live = [node("a", draining: true), node("b")]
        XCTAssertEqual(PlacementChoice.decide(owner: "a", live: live), .owner("a"))
    }

    func testANewRoomGoesToTheLeastLoadedNodeThatIsNotDraining() {
        let live = [node("a", participants: 1), node("b", participants: 9), node("c", participants: 0, draining: true)]
        XCTAssertEqual(PlacementChoice.decide(owner: nil, live: live), .place("a", replacing: nil))
        let tied = [node("a", participants: 2, rooms: 2, started: 5), node("b", participants: 2, rooms: 1, started: 9)]
        XCTAssertEqual(PlacementChoice.decide(owner: nil, live: tied), .place("b", replacing: nil))
    }

    func testADeadOwnersRoomIsReplaced() {
        XCTAssertEqual(PlacementChoice.decide(owner: "gone", live: [node("b")]), .place("b", replacing: "gone"))
    }

    func testNothingToPlaceOnWhenEveryNodeDrains() {
        XCTAssertEqual(PlacementChoice.decide(owner: nil, live: [node("a", draining: true)]), .unavailable)
        XCTAssertEqual(PlacementChoice.decide(owner: nil, live: []), .unavailable)
    }
}

final class AgentPoolWatchTests: XCTestCase {
    func testPoolsListOtherNodesByKindAndRoundTripThroughTheRecord() throws {
        var a = NodeRecord(id: "ND_a", http: "h", media: "m")
        a.agentPools = ["0:simulator", "1:"]
        var b = NodeRecord(id: "ND_b", http: "h", media: "m")
        b.agentPools = ["0:simulator"]
        let me = NodeRecord(id: "ND_me", http: "h", media: "m")
        var mine = me
        mine.agentPools = ["0:mine"]
        let pools = AgentPoolWatch.pools(of: [a, b, mine], except: "ND_me")
        XCTAssertEqual(pools, ["0:simulator": ["ND_a", "ND_b"], "1:": ["ND_a"]])
        XCTAssertEqual(NodeRecord(fields: a.fields)?.agentPools, ["0:simulator", "1:"])
        XCTAssertEqual(NodeRecord(fields: me.fields)?.agentPools, [])
    }
}
