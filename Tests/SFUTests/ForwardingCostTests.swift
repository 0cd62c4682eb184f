import Dispatch
import DTLS
import Logging
import NIOCore
import NIOEmbedded
import RTP
import SDP
import XCTest
@testable import SFU

/// The packet path's cost: one decrypted VP8 packet from a publisher fanned out to N
/// subscribers (header rewrite, copy, SRTP protect with AEAD-AES-128-GCM, queue on the
/// socket). Prints ns per packet and per forwarded copy; asserts only that every copy was
/// produced, never on time (DESIGN.md: figures belong in notes, not in timed tests).
///   swift test -c release --filter ForwardingCostTests
final class ForwardingCostTests: XCTestCase {
    func testPrintForwardingCost() throws {
        for subscribers in [1, 10, 50] {
            let (nanoseconds, copies) = try measure(subscribers: subscribers, packets: 4000)
            XCTAssertEqual(copies, subscribers * 4000)
            print(String(format: "forwarding to %d subscriber(s): %.0f ns per incoming packet, %.0f ns per forwarded copy",
                         subscribers, nanoseconds, nanoseconds / Double(subscribers)))
        }
    }

    private func measure(subscribers: Int, packets: Int) throws -> (Double, Int) {
        let context = MediaContext(logger: Logger(label: "bench"), certificate: try DTLSCertificate.generate(),
                                   inboundLoss: 0, outboundLoss: 0)
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        let socket = MediaSocket(channel: channel)
        let room = Room(name: "bench")
        let keys = SRTPKeyingMaterial(profile: .aeadAes128Gcm, localMasterKey: Array(repeating: 1, count: 16),
                                      localMasterSalt: Array(repeating: 2, count: 12),
                                      remoteMasterKey: Array(repeating: 3, count: 16), remoteMasterSalt: Array(repeating: 4, count: 12))
        let vp8 = PayloadFormat(Codec(payloadType: 96, name: "VP8", clockRate: 90000, channels: nil, fmtp: nil, feedback: []))
        let publisher = PeerConnection(id: "pub", transport: WebRTCTransport(socket: socket, context: context), room: room, now: 0)
        let track = PublishedTrack(id: "TR_bench", kind: .video, mid: "0", publisher: publisher, formats: [vp8],
                                   layers: [(rid: nil, ssrc: 1234, rtxSSRC: nil)], audioLevelExtensionID: nil)
        var peers: [PeerConnection] = []  // down tracks hold their peer unowned
        for index in 0..<subscribers {
            let transport = WebRTCTransport(socket: socket, context: context)
            transport.assumeConnected(srtp: try SRTPSession(keyingMaterial: keys),
                                      remote: try SocketAddress(ipAddress: "127.0.0.1", port: 20000 + index))
            let peer = PeerConnection(id: "sub\(index)", transport: transport, room: room, now: 0)
            let downTrack = DownTrack(ssrc: UInt32(5000 + index), kind: .video, mid: "1", cname: "bench", subscriber: peer,
                                      formats: [vp8], midExtensionID: 1, audioLevelExtensionID: nil)
            peer.addDownTrack(downTrack)
            peers.append(peer)
            downTrack.switchSource(to: track, now: 0)
        }
        // A keyframe first (VP8 descriptor S=1, PID 0; frame header P=0), then delta frames.
        var payload = [UInt8](repeating: 0x5A, count: 1100)
        payload[0] = 0x10
        var elapsed: UInt64 = 0
        var copies = 0
        for sequence in 0..<packets {
            payload[1] = sequence == 0 ? 0x00 : 0x01
            var packet = buildRTPPacket(payloadType: 96, marker: sequence % 4 == 3, sequenceNumber: UInt16(truncatingIfNeeded: sequence),
                                        timestamp: UInt32(sequence / 4 * 6000), ssrc: 1234, payload: payload)
            let start = DispatchTime.now().uptimeNanoseconds
            try packet.withUnsafeMutableBytes { bytes in
                let header = try RTPHeader.parse(UnsafeRawBufferPointer(bytes))
                track.receive(bytes, header: header, layer: track.layers[0], now: Double(sequence) / 1000, context: context)
            }
            socket.flushIfNeeded()
            elapsed += DispatchTime.now().uptimeNanoseconds - start
            while let _ = try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) { copies += 1 }
        }
        withExtendedLifetime((peers, publisher, room)) {}
        return (Double(elapsed) / Double(packets), copies)
    }
}
