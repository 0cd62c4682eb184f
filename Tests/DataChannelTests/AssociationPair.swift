import Dispatch
import Foundation
import XCTest
@testable import DataChannel

/// Events one association reported (everything but outgoing packets).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [DataChannelEvent] = []

    func append(_ event: DataChannelEvent) {
        lock.lock(); defer { lock.unlock() }
        events.append(event)
    }

    var all: [DataChannelEvent] {
        lock.lock(); defer { lock.unlock() }
        return events
    }

    var established: Bool { all.contains { if case .associationEstablished = $0 { return true }; return false } }
    var closed: Bool { all.contains { if case .associationClosed = $0 { return true }; return false } }

    var opened: [DataChannelInfo] {
        all.compactMap { if case let .channelOpened(info) = $0 { return info }; return nil }
    }

    var closedChannels: [UInt16] {
        all.compactMap { if case let .channelClosed(id) = $0 { return id }; return nil }
    }

    func messages(on streamID: UInt16) -> [(binary: Bool, data: [UInt8])] {
        all.compactMap {
            if case let .message(id, binary, data) = $0, id == streamID { return (binary, data) }
            return nil
        }
    }
}

/// Carries packets from one association to the other on a serial queue, like a DTLS link.
final class PacketLink: @unchecked Sendable {
    private let lock = NSLock()
    private weak var target: SCTPAssociation?
    private var captured: [[UInt8]] = []
    let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func connect(to association: SCTPAssociation) {
        lock.lock(); defer { lock.unlock() }
        target = association
    }

    /// Every packet that went over the link, for replay/mutation tests.
    var packets: [[UInt8]] {
        lock.lock(); defer { lock.unlock() }
        return captured
    }

    func deliver(_ packet: [UInt8]) {
        lock.lock()
        captured.append(packet)
        let target = self.target
        lock.unlock()
        queue.async { target?.receive(sctpPacket: packet) }
    }

    func drain() {
        queue.sync {}
    }
}

/// Two associations wired back to back: `client` is the DTLS client (even streams).
final class AssociationPair {
    let client: SCTPAssociation
    let server: SCTPAssociation
    let clientLog = EventLog()
    let serverLog = EventLog()
    let toServer = PacketLink(label: "client→server")
    let toClient = PacketLink(label: "server→client")

    init(maxMessageSize: Int = 262144) {
        client = Self.make(isDTLSClient: true, log: clientLog, link: toServer, maxMessageSize: maxMessageSize)
        server = Self.make(isDTLSClient: false, log: serverLog, link: toClient, maxMessageSize: maxMessageSize)
        toServer.connect(to: server)
        toClient.connect(to: client)
    }

    private static func make(isDTLSClient: Bool, log: EventLog, link: PacketLink, maxMessageSize: Int) -> SCTPAssociation {
        SCTPAssociation(isDTLSClient: isDTLSClient, maxMessageSize: maxMessageSize) { event in
            if case let .outgoingPacket(packet) = event {
                link.deliver(packet)
            } else {
                log.append(event)
            }
        }
    }

    func startAndEstablish(file: StaticString = #filePath, line: UInt = #line) throws {
        try client.start()
        try server.start()
        waitUntil("established", file: file, line: line, diagnostics: {
            "client events \(self.clientLog.all), server events \(self.serverLog.all), " +
                "packets client→server \(self.toServer.packets.count), server→client \(self.toClient.packets.count)"
        }) { clientLog.established && serverLog.established }
    }

    func close() {
        client.close()
        server.close()
        toServer.drain()
        toClient.drain()
    }
}

/// Polls `condition` until it holds or `timeout` passes (usrsctp runs on its own threads).
func waitUntil(_ what: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line,
               diagnostics: (() -> String)? = nil, _ condition: () -> Bool) {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline {
            XCTFail("timed out waiting for \(what)", file: file, line: line)
            if let diagnostics { print(diagnostics()) }
            return
        }
        usleep(2000)
    }
}

/// Deterministic bytes for message contents and fuzzing (xorshift).
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
