import XCTest
@testable import CLI

final class TextTableTests: XCTestCase {
    func testColumnsAlign() {
        let table = TextTable(headers: ["A", "LONG HEADER", "C"], rows: [["xyz", "1", "last"], ["q", "22", ""]])
        XCTAssertEqual(table.render(), "A    LONG HEADER  C\nxyz  1            last\nq    22           ")
    }

    func testEmptyTableIsHeaderOnly() {
        XCTAssertEqual(ListingTables.dispatches([]).render(), "ID  AGENT  ROOM  JOBS  METADATA")
    }
}
