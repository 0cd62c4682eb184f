import Benchmark
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOEmbedded
@_spi(Benchmarking) import SFU

// The packet path's cost (DESIGN.md, "The hot path"): CPU time and heap allocations per
// packet, through the SFU's own objects on a NIO `EmbeddedChannel` (no syscalls).
// The built-in metrics are per incoming packet (scaling factor K = 1000 packets per
// sample): divide by the subscriber count for a forwarded copy. The two custom metrics are
// this thread's CPU time (CLOCK_THREAD_CPUTIME_ID, ns resolution; the built-in CPU metric
// counts in 10 ms ticks, i.e. 10 µs per packet at K) per packet and per forwarded copy.
//   cd Benchmarks && nice swift package --scratch-path ../.build-bench benchmark

/// One room on an `EmbeddedChannel`, with its outbound datagrams drained after each packet
/// (the part a real socket would hand to sendmmsg and free).
final class BenchmarkRoom {
    let channel = EmbeddedChannel()
    let harness: ForwardingBenchmarkHarness

    init(subscribers: Int) throws {
        _ = channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 9))
        harness = try ForwardingBenchmarkHarness(channel: channel, subscribers: subscribers)
        _ = drain()
        // Check the path once: every subscriber gets one copy of a packet.
        harness.forwardDecryptedPacket()
        let copies = drain()
        precondition(copies == subscribers, "forwarded \(copies) copies to \(subscribers) subscribers")
    }

    @inline(__always)
    func drain() -> Int {
        var count = 0
        while let _ = try! channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) { count += 1 }
        return count
    }
}

enum ThreadCPU {
    static let perPacket = BenchmarkMetric.custom("Thread CPU ns / packet", polarity: .prefersSmaller, useScalingFactor: false)
    static let perCopy = BenchmarkMetric.custom("Thread CPU ns / copy", polarity: .prefersSmaller, useScalingFactor: false)

    @inline(__always)
    static func now() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }

    static func report(_ benchmark: Benchmark, since start: Int, packets: Int, subscribers: Int) {
        let elapsed = now() - start
        benchmark.measurement(perPacket, elapsed / packets)
        if subscribers > 0 { benchmark.measurement(perCopy, elapsed / (packets * subscribers)) }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput, ThreadCPU.perPacket, ThreadCPU.perCopy],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 200
    )

    // Send side: one decrypted VP8 packet (1100-byte payload) into PublishedTrack.receive,
    // then per subscriber: SSRC/sequence/timestamp rewrite with a MID extension, SRTP protect
    // (AEAD-AES-128-GCM), queue on the socket; then the flush.
    for subscribers in [1, 10, 50, 200] {
        Benchmark("Forward to \(subscribers) subscribers", configuration: .init(maxDuration: .seconds(subscribers >= 200 ? 10 : 3)), closure: { benchmark, room in
            let start = ThreadCPU.now()
            for _ in benchmark.scaledIterations {
                room.harness.forwardDecryptedPacket()
                blackHole(room.drain())
            }
            ThreadCPU.report(benchmark, since: start, packets: benchmark.scaledIterations.count, subscribers: subscribers)
        }, setup: {
            try BenchmarkRoom(subscribers: subscribers)
        })
    }

    // Receive side: one SRTP packet as the socket hands it to MediaRouter.route: address
    // lookup, RFC 7983 demux, SRTP unprotect, parse, route by SSRC, track bookkeeping
    // (statistics, NACK state, retransmission copy). With 0 subscribers nothing is forwarded;
    // with more, this is the whole path from datagram in to datagrams queued.
    for subscribers in [0, 10, 50, 200] {
        Benchmark("Receive and forward to \(subscribers) subscribers", configuration: .init(maxDuration: .seconds(subscribers >= 200 ? 10 : 3)), closure: { benchmark, room in
            room.harness.prepareProtectedPackets(count: benchmark.scaledIterations.count)
            benchmark.startMeasurement()
            let start = ThreadCPU.now()
            for _ in benchmark.scaledIterations {
                room.harness.receiveProtectedPacket()
                blackHole(room.drain())
            }
            ThreadCPU.report(benchmark, since: start, packets: benchmark.scaledIterations.count, subscribers: subscribers)
            benchmark.stopMeasurement()
            if room.harness.srtpErrors != 0 { benchmark.error("\(room.harness.srtpErrors) SRTP errors") }
        }, setup: {
            try BenchmarkRoom(subscribers: subscribers)
        })
    }

    // libsrtp's share of one forwarded copy: the same 1112-byte packet copied into the
    // socket's scratch and protected with AEAD-AES-128-GCM, nothing else.
    Benchmark("SRTP protect alone (1112-byte packet)", closure: { benchmark, room in
        let start = ThreadCPU.now()
        for _ in benchmark.scaledIterations { blackHole(room.harness.protectOnly()) }
        ThreadCPU.report(benchmark, since: start, packets: benchmark.scaledIterations.count, subscribers: 1)
    }, setup: {
        try BenchmarkRoom(subscribers: 1)
    })

    // What the EmbeddedChannel itself costs for one packet's fan-out: write 50 datagrams of
    // one shared buffer (no allocation of ours), flush, drain. Subtract it, scaled by
    // subscribers / 50, from the figures above to see the SFU's own share.
    Benchmark("EmbeddedChannel alone: write, flush, drain 50 datagrams", closure: { (benchmark: Benchmark, channel: EmbeddedChannel) in
        let buffer = channel.allocator.buffer(repeating: 0x5A, count: 1150)
        let address = try! SocketAddress(ipAddress: "127.0.0.1", port: 20000)
        benchmark.startMeasurement()
        let start = ThreadCPU.now()
        for _ in benchmark.scaledIterations {
            for _ in 0..<50 { channel.write(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil) }
            channel.flush()
            while let _ = try! channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {}
        }
        ThreadCPU.report(benchmark, since: start, packets: benchmark.scaledIterations.count, subscribers: 50)
        benchmark.stopMeasurement()
    }, setup: { () throws -> EmbeddedChannel in
        let channel = EmbeddedChannel()
        _ = channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 9))
        return channel
    })
}
