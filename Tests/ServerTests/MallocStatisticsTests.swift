import XCTest
@testable import Server

final class MallocStatisticsTests: XCTestCase {
    /// Real figures from glibc, not the zeros of the fallback: holding 8 MiB shows in "in use".
    func testInUseGrowsWithWhatTheProgramHolds() throws {
        func inUse() throws -> Double {
            let line = try XCTUnwrap(MallocStatistics.prometheusText.split(separator: "\n")
                .first { $0.hasPrefix("sfu_malloc_in_use_bytes ") })
            return try XCTUnwrap(Double(line.split(separator: " ")[1]))
        }
        let before = try inUse()
        XCTAssertGreaterThan(before, 0)
        let held = UnsafeMutableRawPointer.allocate(byteCount: 8 << 20, alignment: 16)
        defer { held.deallocate() }
        // Not exactly 8 MiB more: between the two reads the test's own strings and other
        // threads' buffers come and go (CI saw 224 bytes fewer). 7 MiB tells real figures.
        XCTAssertGreaterThanOrEqual(try inUse() - before, Double(7 << 20))
        XCTAssertTrue(MallocStatistics.prometheusText.contains("# TYPE sfu_malloc_heap_bytes gauge"))
    }
}
