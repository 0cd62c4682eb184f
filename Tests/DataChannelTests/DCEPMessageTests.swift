import XCTest
@testable import DataChannel

final class DCEPMessageTests: XCTestCase {}
