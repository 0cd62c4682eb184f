import Logging
import NIOCore
import NIOEmbedded
import XCTest
@testable import Redis

/// The channel pipeline (`RESPValueDecoderHandler` + `RedisCommandHandler`) on an `EmbeddedChannel`:
/// no sockets, virtual time.
final class RedisCommandHandlerTests: XCTestCase {
    private var loop: EmbeddedEventLoop!
    private var channel: EmbeddedChannel!
    private var messages: [RedisPubSubMessage] = []

    override func setUp() {
        loop = EmbeddedEventLoop()
        messages = []
    }

    override func tearDown() {
        _ = try? channel?.finish(acceptAlreadyClosed: true)
    }

    private func makeChannel(subscriber: Bool = false) throws {
        let logger = Logger(label: "test")
        let handler: RedisCommandHandler
        if subscriber {
            handler = RedisCommandHandler(logger: logger) { [unowned self] in self.messages.append($0) }
        } else {
            handler = RedisCommandHandler(logger: logger)
        }
        channel = EmbeddedChannel(handlers: [RESPValueDecoderHandler(), handler], loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
    }

    /// Sends a command through the pipeline; the future completes with its reply.
    private func send(_ arguments: String..., timeout: TimeAmount = .seconds(5)) throws -> EventLoopFuture<RESPValue> {
        let promise = loop.makePromise(of: RESPValue.self)
        let command = RedisCommand(arguments: arguments.map { Array($0.utf8) }, promise: promise, deadline: loop.now + timeout)
        try channel.writeOutbound(command)
        return promise.futureResult
    }

    private func written() throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    private func reply(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    private func result(_ future: EventLoopFuture<RESPValue>) -> Result<RESPValue, RedisError>? {
        var outcome: Result<RESPValue, RedisError>?
        future.whenComplete { result in
            outcome = result.mapError { $0 as? RedisError ?? .unexpectedReply("\($0)") }
        }
        loop.run()
        return outcome
    }

    func testCommandIsWrittenAndAnswered() throws {
        try makeChannel()
        let get = try send("GET", "k")
        XCTAssertEqual(try written(), "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        XCTAssertNil(result(get))
        try reply("$1\r\nv\r\n")
        XCTAssertEqual(result(get), .success(.bulk("v")))
    }

    func testPipelinedRepliesAnswerInOrderEvenWhenSplit() throws {
        try makeChannel()
        let futures = try (0..<5).map { try send("ECHO", "\($0)") }
        let bytes = Array((0..<5).map { "$1\r\n\($0)\r\n" }.joined().utf8)
        for byte in bytes { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        for (index, future) in futures.enumerated() {
            XCTAssertEqual(result(future), .success(.bulk("\(index)")))
        }
    }

    func testErrorReplyFailsWithServerError() throws {
        try makeChannel()
        let bad = try send("NOPE")
        let good = try send("PING")
        try reply("-ERR unknown command 'NOPE'\r\n+PONG\r\n")
        XCTAssertEqual(result(bad), .failure(.server("ERR unknown command 'NOPE'")))
        XCTAssertEqual(result(good), .success(.simpleString("PONG")))
    }

    func testNestedErrorStaysAValue() throws {
        try makeChannel()
        let exec = try send("EXEC")
        try reply("*2\r\n+OK\r\n-ERR inner\r\n")
        XCTAssertEqual(result(exec), .success(.array([.simpleString("OK"), .error("ERR inner")])))
    }

    /// The timed-out command keeps its place: its late reply is dropped and the next command gets
    /// its own reply.
    func testTimeoutFailsCommandAndLateReplyIsDropped() throws {
        try makeChannel()
        let slow = try send("DEBUG", "SLEEP", "10", timeout: .seconds(1))
        let next = try send("ECHO", "after", timeout: .seconds(30))
        loop.advanceTime(by: .milliseconds(999))
        XCTAssertNil(result(slow))
        loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual(result(slow), .failure(.timeout))
        XCTAssertNil(result(next))
        try reply("+OK\r\n$5\r\nafter\r\n")
        XCTAssertEqual(result(next), .success(.bulk("after")))
        XCTAssertTrue(channel.isActive)
    }

    func testTooManyUnansweredTimeoutsCloseTheConnection() throws {
        try makeChannel()
        let futures = try (0..<RedisCommandHandler.abandonedLimit).map { _ in try send("PING", timeout: .seconds(1)) }
        loop.advanceTime(by: .seconds(2))
        XCTAssertTrue(futures.allSatisfy { result($0) == .failure(.timeout) })
        XCTAssertFalse(channel.isActive, "a server that answers nothing is taken to be stuck")
    }

    func testCloseFailsEverythingInFlightAtOnce() throws {
        try makeChannel()
        let first = try send("GET", "a")
        let second = try send("GET", "b")
        channel.pipeline.fireChannelInactive()
        XCTAssertEqual(result(first), .failure(.connectionClosed))
        XCTAssertEqual(result(second), .failure(.connectionClosed))
        let late = try send("GET", "c")
        XCTAssertEqual(result(late), .failure(.connectionClosed), "a command after the close fails too")
    }

    func testMalformedReplyFailsWithProtocolViolationAndCloses() throws {
        try makeChannel()
        let get = try send("GET", "k")
        try? reply("?garbage\r\n")
        XCTAssertEqual(result(get), .failure(.protocolViolation(.unknownType(UInt8(ascii: "?")))))
        XCTAssertFalse(channel.isActive)
    }

    func testUnaskedReplyClosesTheConnection() throws {
        try makeChannel()
        try reply("+OK\r\n")
        loop.run()
        XCTAssertFalse(channel.isActive)
    }

    func testSubscriberRoutesMessagesAroundTheQueue() throws {
        try makeChannel(subscriber: true)
        let subscribe = try send("SUBSCRIBE", "room:1")
        try reply("*3\r\n$7\r\nmessage\r\n$6\r\nroom:0\r\n$5\r\nearly\r\n")
        XCTAssertNil(result(subscribe), "a message is not the confirmation")
        try reply("*3\r\n$9\r\nsubscribe\r\n$6\r\nroom:1\r\n:1\r\n*3\r\n$7\r\nmessage\r\n$6\r\nroom:1\r\n$2\r\nhi\r\n")
        XCTAssertEqual(result(subscribe), .success(.array([.bulk("subscribe"), .bulk("room:1"), .integer(1)])))
        XCTAssertEqual(messages, [RedisPubSubMessage(channel: "room:0", payload: Array("early".utf8)),
                                  RedisPubSubMessage(channel: "room:1", payload: Array("hi".utf8))])
    }
}
