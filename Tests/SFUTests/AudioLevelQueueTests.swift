import RTP
import SDP
import XCTest
@testable import SFU

/// Speaker detection visits only rooms where audio arrived: an audio track queues itself in
/// `MediaContext.leveledTracks` with its first RFC 6464 level after each collection, once,
/// however many packets follow (`MediaContext.takeLeveledRooms`, which `MediaShard.roomsWithFreshAudioLevels` calls, collects and resets).
final class AudioLevelQueueTests: XCTestCase {
    func testAnAudioTrackIsQueuedOnceByItsFirstLevelAndAgainAfterCollection() throws {
        let bed = try ForwardingTestBed()
        let opus = PayloadFormat(Codec(payloadType: 111, name: "opus", clockRate: 48000, channels: 2, fmtp: nil, feedback: []))
        let track = PublishedTrack(id: "TR_audio", kind: .audio, mid: "1", publisher: bed.publisher, formats: [opus],
                                   layers: [(rid: nil, ssrc: 777, rtxSSRC: nil)], audioLevelExtensionID: 3)
        bed.publisher.addPublished(track)
        bed.room.publish(track, now: 0)

        func send(_ sequence: UInt16, level: UInt8?) throws {
            let extensions: [(UInt8, [UInt8])] = level.map { [(3, [0x80 | $0])] } ?? []
            try bed.send(rtp: buildRTPPacket(payloadType: 111, marker: false, sequenceNumber: sequence, timestamp: UInt32(sequence) * 960,
                                             ssrc: 777, extensions: extensions, payload: [0xF8, 1, 2]),
                         from: bed.publisherEnd, now: 1 + Double(sequence) * 0.02)
        }
        try send(1, level: nil)
        XCTAssertTrue(bed.context.leveledTracks.isEmpty, "a packet without a level queues nothing")
        try send(2, level: 30)
        try send(3, level: 31)
        try send(4, level: 32)
        XCTAssertEqual(bed.context.leveledTracks.map(\.track.id), ["TR_audio"], "queued once for three levels")
        XCTAssertEqual(track.audioLevel?.level, 32)

        XCTAssertEqual(bed.context.takeLeveledRooms(), ["testbed"])
        XCTAssertTrue(bed.context.leveledTracks.isEmpty)
        XCTAssertEqual(bed.context.takeLeveledRooms(), [], "nothing heard since")
        try send(5, level: 33)
        XCTAssertEqual(bed.context.leveledTracks.count, 1, "queued again after a collection")
    }

    /// The host may collect after the publisher left and its peer connection was freed: the
    /// room's name was taken when the level arrived (the track holds its publisher unowned).
    func testRoomsAreCollectedAfterThePublisherIsGone() throws {
        let bed = try ForwardingTestBed()
        weak var released: PeerConnection?
        do {
            let (peer, end) = try bed.addTransientPeer()
            released = peer
            let opus = PayloadFormat(Codec(payloadType: 111, name: "opus", clockRate: 48000, channels: 2, fmtp: nil, feedback: []))
            let track = PublishedTrack(id: "TR_gone", kind: .audio, mid: "1", publisher: peer, formats: [opus],
                                       layers: [(rid: nil, ssrc: 888, rtxSSRC: nil)], audioLevelExtensionID: 3)
            peer.addPublished(track)
            bed.room.publish(track, now: 0)
            try bed.send(rtp: buildRTPPacket(payloadType: 111, marker: false, sequenceNumber: 1, timestamp: 960, ssrc: 888,
                                             extensions: [(3, [0x80 | 40])], payload: [0xF8, 1, 2]),
                         from: end, now: 1)
            XCTAssertEqual(bed.context.leveledTracks.count, 1)
            peer.close(reason: "left", now: 2)
            bed.router.unregister(peer.transport)
        }
        XCTAssertNil(released, "the publisher's peer connection is freed while its track is still queued")
        XCTAssertEqual(bed.context.takeLeveledRooms(), ["testbed"])
    }
}
