import XCTest
@testable import Signal

/// LiveKit's CloseIfEmpty semantics: agents and recorders never hold a room open.
final class RoomOccupancyTests: XCTestCase {
    func testOnlyAnAgentLeftClosesAfterTheDepartureTimeout() {
        var occupancy = RoomOccupancy(createdAt: 0)
        occupancy.joined(dependent: false, now: 1)   // caller
        occupancy.joined(dependent: true, now: 2)    // agent
        XCTAssertFalse(occupancy.shouldClose(now: 100, emptyTimeout: 300, departureTimeout: 20))
        occupancy.left(dependent: false, now: 10)    // caller hangs up, agent stays
        XCTAssertEqual(occupancy.independent, 0)
        XCTAssertEqual(occupancy.dependent, 1)
        XCTAssertFalse(occupancy.shouldClose(now: 29.9, emptyTimeout: 300, departureTimeout: 20))
        XCTAssertTrue(occupancy.shouldClose(now: 30, emptyTimeout: 300, departureTimeout: 20))
    }

    func testADependentAloneDoesNotStartTheRoomClock() {
        var occupancy = RoomOccupancy(createdAt: 0)
        occupancy.joined(dependent: true, now: 1)
        XCTAssertNil(occupancy.firstJoinedAt)
        occupancy.left(dependent: true, now: 2)
        // Nobody independent ever joined: the empty timeout from creation applies, not the departure one.
        XCTAssertFalse(occupancy.shouldClose(now: 30, emptyTimeout: 60, departureTimeout: 20))
        XCTAssertTrue(occupancy.shouldClose(now: 60, emptyTimeout: 60, departureTimeout: 20))
    }

    func testAnIndependentParticipantHoldsTheRoomOpen() {
        var occupancy = RoomOccupancy(createdAt: 0)
        occupancy.joined(dependent: false, now: 1)
        occupancy.joined(dependent: false, now: 2)
        occupancy.left(dependent: false, now: 3)
        XCTAssertFalse(occupancy.shouldClose(now: 1000, emptyTimeout: 1, departureTimeout: 1))
        XCTAssertEqual(occupancy.firstJoinedAt, 1)
    }

    func testEveryDepartureRestartsTheClock() {
        var occupancy = RoomOccupancy(createdAt: 0)
        occupancy.joined(dependent: false, now: 1)
        occupancy.joined(dependent: true, now: 1)
        occupancy.left(dependent: false, now: 5)
        occupancy.left(dependent: true, now: 20)
        XCTAssertFalse(occupancy.shouldClose(now: 39, emptyTimeout: 300, departureTimeout: 20))
        XCTAssertTrue(occupancy.shouldClose(now: 40, emptyTimeout: 300, departureTimeout: 20))
    }

    func testAnEmptyRoomNobodyJoinedClosesAfterTheEmptyTimeout() {
        let occupancy = RoomOccupancy(createdAt: 10)
        XCTAssertFalse(occupancy.shouldClose(now: 20, emptyTimeout: 15, departureTimeout: 1))
        XCTAssertTrue(occupancy.shouldClose(now: 25, emptyTimeout: 15, departureTimeout: 1))
    }

    func testDependentKindsAndGrants() {
        var none = Livekit_ParticipantPermission()
        XCTAssertTrue(LiveKitParticipant.isDependent(kind: .agent, permission: none))
        XCTAssertTrue(LiveKitParticipant.isDependent(kind: .egress, permission: none))
        XCTAssertFalse(LiveKitParticipant.isDependent(kind: .standard, permission: none))
        XCTAssertFalse(LiveKitParticipant.isDependent(kind: .sip, permission: none))
        none.recorder = true
        XCTAssertTrue(LiveKitParticipant.isDependent(kind: .standard, permission: none))
        none.recorder = false
        none.agent = true
        XCTAssertTrue(LiveKitParticipant.isDependent(kind: .standard, permission: none))
    }
}
