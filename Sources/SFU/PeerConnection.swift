import NIOCore
import ICE
import RTP

/// One negotiated peer connection: a transport plus the tracks it receives (published) and
/// sends (down tracks). Routes decrypted media to tracks by SSRC, and RTCP feedback to the
/// down track it names.
final class PeerConnection {
    let id: String
    let transport: WebRTCTransport
    unowned let room: Room
    private(set) var published: [PublishedTrack] = []
    private var publishedBySSRC: [UInt32: PublishedTrack] = [:]
    private var retransmissionsBySSRC: [UInt32: PublishedTrack] = [:]
    private(set) var downTracks: [DownTrack] = []
    private var downTracksBySSRC: [UInt32: DownTrack] = [:]
    private(set) var isClosed = false

    init(id: String, transport: WebRTCTransport, room: Room) {
        self.id = id
        self.transport = transport
        self.room = room
    }

    var context: MediaContext { transport.context }

    func addPublished(_ track: PublishedTrack) {
        published.append(track)
        if let ssrc = track.mediaSSRC { publishedBySSRC[ssrc] = track }
        if let ssrc = track.rtxSSRC { retransmissionsBySSRC[ssrc] = track }
    }

    func addDownTrack(_ downTrack: DownTrack) {
        downTracks.append(downTrack)
        downTracksBySSRC[downTrack.ssrc] = downTrack
    }

    func receive(_ buffer: inout ByteBuffer, from address: SocketAddress, transportAddress: TransportAddress, now: Double) {
        switch transport.receive(&buffer, from: address, transportAddress: transportAddress, now: now) {
        case .nothing:
            break
        case .rtp(let length):
            buffer.withUnsafeMutableReadableBytes { all in
                handleRTP(UnsafeMutableRawBufferPointer(rebasing: all[0..<length]), now: now)
            }
        case .rtcp(let packets):
            handleRTCP(packets, now: now)
        }
    }

    private func handleRTP(_ packet: UnsafeMutableRawBufferPointer, now: Double) {
        guard let header = try? RTPHeader.parse(UnsafeRawBufferPointer(packet)) else {
            context.counters.malformedPackets += 1
            return
        }
        if let track = publishedBySSRC[header.ssrc] {
            track.receive(packet, header: header, now: now, context: context)
        } else if let track = retransmissionsBySSRC[header.ssrc] {
            track.receiveRetransmission(packet, header: header, now: now, context: context)
        } else if let track = published.first(where: { $0.claims(payloadType: header.payloadType) }),
                  track.bind(ssrc: header.ssrc, payloadType: header.payloadType) {
            // An SSRC the SDP did not announce: bind it by payload type (RFC 8843 §9.2 fallback).
            if track.rtxSSRC == header.ssrc {
                retransmissionsBySSRC[header.ssrc] = track
                track.receiveRetransmission(packet, header: header, now: now, context: context)
            } else {
                publishedBySSRC[header.ssrc] = track
                track.receive(packet, header: header, now: now, context: context)
            }
        } else {
            context.counters.unroutablePackets += 1
        }
    }

    private func handleRTCP(_ packets: [RTCPPacket], now: Double) {
        for packet in packets {
            switch packet {
            case .nack(let nack):
                context.counters.nackReceived += UInt64(nack.lostSequenceNumbers.count)
                guard let downTrack = downTracksBySSRC[nack.mediaSSRC] else { continue }
                for sequence in nack.lostSequenceNumbers { downTrack.retransmit(sequenceNumber: sequence, now: now) }
            case .pli(let pli):
                context.counters.pliReceived += 1
                downTracksBySSRC[pli.mediaSSRC]?.source?.requestKeyframe(now: now, context: context)
            case .fir(let fir):
                context.counters.pliReceived += 1
                for entry in fir.entries {
                    downTracksBySSRC[entry.ssrc]?.source?.requestKeyframe(now: now, context: context)
                }
            case .senderReport(let report):
                publishedBySSRC[report.ssrc]?.receiveSenderReport(report, now: now)
            default:
                break  // RR, SDES, BYE, REMB, transport-cc: not acted on yet
            }
        }
    }

    /// Periodic work: NACKs toward the publisher; once a second, RR for what we receive and SR
    /// for what we send (RFC 3550 §6.2 interval, simplified to a fixed 1 s).
    func tick(now: Double, wallClock: Double, reports: Bool) {
        transport.tick(now: now, dtlsDue: true)
        guard transport.state == .connected else { return }
        for track in published { track.sendDueNacks(now: now, context: context) }
        guard reports else { return }
        let blocks = published.compactMap { $0.makeReceptionReport(now: now) }
        if !blocks.isEmpty {
            transport.sendRTCP([.receiverReport(ReceiverReport(ssrc: transport.rtcpSSRC, reports: blocks))])
        }
        for downTrack in downTracks {
            if let report = downTrack.makeSenderReport(now: now, wallClock: wallClock) { transport.sendRTCP(report) }
        }
    }

    /// Closes the transport; the room drops our tracks.
    func close(reason: String, now: Double) {
        guard !isClosed else { return }
        isClosed = true
        transport.close(reason: reason)
        for downTrack in downTracks { downTrack.switchSource(to: nil, now: now) }
        room.remove(self, now: now)
    }
}
