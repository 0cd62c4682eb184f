import NIOConcurrencyHelpers
import NIOCore
import XCTest
import ICE
@testable import SFU

final class ShardDirectoryTests: XCTestCase {
    private func envelope(from address: TransportAddress) throws -> AddressedEnvelope<ByteBuffer> {
        AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: address.ipString, port: Int(address.port)),
                          data: ByteBuffer(bytes: [0x80, 0x60, 0, 1]))
    }

    private func directory(delivered: NIOLockedValueBox<[Int]>, shards: Int) -> ShardDirectory {
        let directory = ShardDirectory()
        directory.setDelivery((0..<shards).map { index in { _ in delivered.withLockedValue { $0.append(index) } } })
        return directory
    }

    func testADatagramGoesToTheShardThatOwnsItsAddress() throws {
        let delivered = NIOLockedValueBox<[Int]>([])
        let directory = directory(delivered: delivered, shards: 3)
        let address = TransportAddress(string: "127.0.0.1", port: 5000)!
        directory.assign(address: address, to: 2)
        XCTAssertTrue(directory.handOver(try envelope(from: address), address: address, ufrag: nil, from: 0))
        XCTAssertEqual(delivered.withLockedValue { $0 }, [2])
    }

    func testAStunCheckGoesToTheShardThatOwnsItsUfrag() throws {
        let delivered = NIOLockedValueBox<[Int]>([])
        let directory = directory(delivered: delivered, shards: 2)
        let address = TransportAddress(string: "127.0.0.1", port: 5001)!
        directory.assign(ufrag: "abcd", to: 1)
        XCTAssertTrue(directory.handOver(try envelope(from: address), address: address, ufrag: "abcd", from: 0))
        XCTAssertFalse(directory.handOver(try envelope(from: address), address: address, ufrag: "zzzz", from: 0))
        XCTAssertEqual(delivered.withLockedValue { $0 }, [1])
    }

    func testNothingIsHandedBackToItsOwnShardOrAfterRelease() throws {
        let delivered = NIOLockedValueBox<[Int]>([])
        let directory = directory(delivered: delivered, shards: 2)
        let address = TransportAddress(string: "127.0.0.1", port: 5002)!
        directory.assign(address: address, to: 1)
        // The owner's own router already missed it: no loop between shards.
        XCTAssertFalse(directory.handOver(try envelope(from: address), address: address, ufrag: nil, from: 1))
        // A release by a shard that no longer owns the address leaves the new owner's entry.
        directory.release(address: address, from: 0)
        XCTAssertEqual(directory.shard(address: address, ufrag: nil), 1)
        directory.release(address: address, from: 1)
        XCTAssertFalse(directory.handOver(try envelope(from: address), address: address, ufrag: nil, from: 0))
        XCTAssertEqual(delivered.withLockedValue { $0 }, [])
    }
}
