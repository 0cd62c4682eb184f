/// The per-SSRC part of an SRTP cryptographic context (RFC 3711 §3.2.3): the rollover counter
/// and replay list of SRTP (§3.3.1–3.3.2), the replay list of SRTCP and, for a sender, the
/// next SRTCP index (§3.4). Keys and salts are per session and live in the transform.
/// Allocated once when an SSRC is first seen; a packet mutates it in place.
final class SRTPStream {
    let ssrc: UInt32
    var rtp: SRTPReplayList
    var rtcp = SRTCPReplayList()
    /// RFC 3711 §3.3.1: the SRTCP index starts at zero and counts each SRTCP packet sent.
    var nextSRTCPIndex: UInt32 = 0
    private let rtpWords: UnsafeMutablePointer<UInt64>

    init(ssrc: UInt32) {
        self.ssrc = ssrc
        rtpWords = UnsafeMutablePointer<UInt64>.allocate(capacity: SRTPReplayList.wordCount)
        rtp = SRTPReplayList(words: rtpWords)
    }

    deinit {
        rtpWords.deallocate()
    }
}

/// SSRC → stream for one direction of a session. A lookup allocates nothing; a new SSRC
/// allocates its stream once. Remembers the last stream used, since consecutive packets
/// mostly share one SSRC.
struct SRTPStreamTable {
    /// Bounds what a peer can make us hold (libsrtp has no bound; this one is far above any
    /// real session).
    static let maximumStreams = 16_384

    private var streams: [UInt32: SRTPStream] = [:]
    private var last: SRTPStream?

    init() {
        streams.reserveCapacity(8)
    }

    var count: Int { streams.count }

    @inline(__always)
    mutating func find(_ ssrc: UInt32) -> SRTPStream? {
        if let last, last.ssrc == ssrc { return last }
        guard let stream = streams[ssrc] else { return nil }
        last = stream
        return stream
    }

    /// The stream for `ssrc`, created if new.
    @inline(__always)
    mutating func findOrInsert(_ ssrc: UInt32) throws(DTLSError) -> SRTPStream {
        if let stream = find(ssrc) { return stream }
        return try insert(ssrc)
    }

    mutating func insert(_ ssrc: UInt32) throws(DTLSError) -> SRTPStream {
        guard streams.count < Self.maximumStreams else { throw DTLSError.srtp("alloc_fail") }
        let stream = SRTPStream(ssrc: ssrc)
        streams[ssrc] = stream
        last = stream
        return stream
    }
}
