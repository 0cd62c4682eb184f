import XCTest
@testable import SFU

final class MediaCountersTests: XCTestCase {
    /// A counter left out of `fields` would silently read 0 in `/metrics` with several shards.
    func testEveryCounterIsSummedAcrossShards() {
        let stored = Mirror(reflecting: MediaCounters()).children.count
        XCTAssertEqual(MediaCounters.fields.count, stored)
        XCTAssertEqual(Set(MediaCounters.fields).count, stored)
        XCTAssertEqual(MediaCounters().prometheusSamples.count, stored)
    }

    func testAddSumsEachField() {
        var a = MediaCounters()
        var b = MediaCounters()
        for (index, field) in MediaCounters.fields.enumerated() {
            a[keyPath: field] = UInt64(index)
            b[keyPath: field] = 1000
        }
        a.add(b)
        for (index, field) in MediaCounters.fields.enumerated() { XCTAssertEqual(a[keyPath: field], UInt64(index) + 1000) }
    }
}
