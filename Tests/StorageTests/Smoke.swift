import XCTest
@testable import Storage
final class SmokeTests: XCTestCase { func testNothing() {} }
