import XCTest
@testable import Server

final class ProcessLimitsTests: XCTestCase {
    func testRaisesTheSoftLimitToTheHardOne() throws {
        let limit = try XCTUnwrap(ProcessLimits.raiseDescriptorLimit())
        XCTAssertEqual(limit.soft, limit.hard)
        XCTAssertLessThanOrEqual(limit.before, limit.soft)
    }

    func testConnectionCapStaysBelowTheDescriptorLimit() {
        XCTAssertEqual(ProcessLimits.connectionCap(configured: 10_000, descriptorLimit: 1024), 896)
        XCTAssertEqual(ProcessLimits.connectionCap(configured: 100, descriptorLimit: 1024), 100)
        XCTAssertEqual(ProcessLimits.connectionCap(configured: 10_000, descriptorLimit: 1_048_576), 10_000)
        XCTAssertEqual(ProcessLimits.connectionCap(configured: 10_000, descriptorLimit: 256), 192)
        XCTAssertEqual(ProcessLimits.connectionCap(configured: 10_000, descriptorLimit: 10), 1)
        XCTAssertEqual(ProcessLimits.connectionCap(configured: 50, descriptorLimit: nil), 50)
    }
}
