import DTLS
import Logging
import NIOCore
import NIOEmbedded
import XCTest
@testable import SFU

/// When a peer connection starts SCTP: once DTLS is up *and* a description has an
/// application m-line, in either order. livekit-client publishes its camera first and adds
/// its `_reliable`/`_lossy` channels only with its first `publishData`: that re-offer arrives
/// on a connected transport, and SCTP must start from the answer to it.
final class DataChannelStartTests: XCTestCase {
    private var loop: EmbeddedEventLoop!
    private var peer: PeerConnection!
    private var channel: EmbeddedChannel!
    private var room: Room!  // peers hold their room unowned

    override func setUpWithError() throws {
        loop = EmbeddedEventLoop()
        let context = MediaContext(logger: Logger(label: "test"), certificate: try DTLSCertificate.generate(),
                                   inboundLoss: 0, outboundLoss: 0)
        context.loop = loop
        channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        let transport = WebRTCTransport(socket: MediaSocket(channel: channel), context: context)
        room = Room(name: "room")
        peer = PeerConnection(id: "PA_test", transport: transport, room: room, now: 0)
    }

    override func tearDown() {
        peer.close(reason: "test over", now: 1)
        try? loop.syncShutdownGracefully()
    }

    /// Pretends ICE and DTLS completed (keys are irrelevant here).
    private func connect() throws {
        let keys = SRTPKeyingMaterial(profile: .aeadAes128Gcm, localMasterKey: Array(repeating: 1, count: 16),
                                      localMasterSalt: Array(repeating: 2, count: 12),
                                      remoteMasterKey: Array(repeating: 3, count: 16), remoteMasterSalt: Array(repeating: 4, count: 12))
        peer.transport.assumeConnected(srtp: try SRTPSession(keyingMaterial: keys),
                                       remote: try SocketAddress(ipAddress: "127.0.0.1", port: 40000))
    }

    func testARenegotiationThatAddsDataChannelsToAConnectedTransportStartsSCTP() throws {
        _ = try peer.answer(offer: Self.offer(dataChannel: false, version: 2), play: false, now: 0) { _ in "TR_audio" }
        try connect()
        XCTAssertNil(peer.dataChannels, "no application m-line yet")

        let (answer, _, _, _) = try peer.answer(offer: Self.offer(dataChannel: true, version: 3), play: false, now: 1) { _ in "TR_audio" }
        XCTAssertTrue(answer.contains("m=application"), answer)
        XCTAssertNotNil(peer.dataChannels, "SCTP must start when the answer completes DTLS + application m-line")
    }

    func testAnOfferWithDataChannelsBeforeDTLSWaitsForTheTransport() throws {
        _ = try peer.answer(offer: Self.offer(dataChannel: true, version: 2), play: false, now: 0) { _ in "TR_audio" }
        XCTAssertNil(peer.dataChannels, "DTLS is not up yet")
        try connect()
        _ = try peer.answer(offer: Self.offer(dataChannel: true, version: 3), play: false, now: 1) { _ in "TR_audio" }
        XCTAssertNotNil(peer.dataChannels)
    }

    /// A browser publisher offer in the shape livekit-client sends on `/rtc`: one sendonly
    /// audio section, and (with `dataChannel`) the application section its first
    /// `publishData` adds.
    static func offer(dataChannel: Bool, version: Int) -> String {
        var lines = [
            "v=0", "o=- 4611731400430051336 \(version) IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=group:BUNDLE 0\(dataChannel ? " 1" : "")", "a=extmap-allow-mixed", "a=msid-semantic: WMS",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:Wb7r", "a=ice-pwd:Zq1+X8mLp3Nc0VtR5yHd2sKf", "a=ice-options:trickle",
            "a=fingerprint:sha-256 7C:21:9E:4B:D0:83:5F:A6:12:3D:C8:E7:40:9B:6A:F5:2E:18:B3:C4:57:0D:99:E1:6F:A2:3B:84:C0:5D:71:E6",
            "a=setup:actpass", "a=mid:0", "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=sendonly",
            "a=msid:stream TR_cid_audio", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=ssrc:1369104583 cname:qW3eR5tY7uI9oP1a",
        ]
        if dataChannel {
            lines += [
                "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:Wb7r", "a=ice-pwd:Zq1+X8mLp3Nc0VtR5yHd2sKf", "a=ice-options:trickle",
                "a=fingerprint:sha-256 7C:21:9E:4B:D0:83:5F:A6:12:3D:C8:E7:40:9B:6A:F5:2E:18:B3:C4:57:0D:99:E1:6F:A2:3B:84:C0:5D:71:E6",
                "a=setup:actpass", "a=mid:1", "a=sctp-port:5000", "a=max-message-size:262144",
            ]
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
