/// Which offered codecs, feedback types and header extensions we accept, in preference order.
public struct CodecPreferences: Sendable {
    /// Audio encoding names in preference order (case-insensitive).
    public var audioCodecNames: [String]
    /// Video encoding names in preference order (case-insensitive).
    public var videoCodecNames: [String]
    /// Header extension URIs we accept (RFC 8285).
    public var extensionURIs: Set<String>
    /// RTCP feedback values we keep on accepted codecs (RFC 4585 §4.2).
    public var feedback: Set<String>
    /// Keep the RTX format of each accepted video codec (RFC 4588).
    public var keepVideoRTX: Bool
    /// H.264 `profile-level-id`s in preference order (lower-case hex); others come after,
    /// baseline profiles first. Only `packetization-mode=1` is accepted (RFC 6184 §8.1).
    public var h264ProfileLevelIds: [String]
    /// Leave libwebrtc's private sender hints (`x-google-start-bitrate` and the other
    /// `x-google-*` format parameters) out of the answer. For sections we send on: the Python
    /// SDK adds them to its offers once it publishes, and answering them back would change
    /// the negotiated format of a stream it already receives (libwebrtc then rebuilds that
    /// receive stream). A server chooses its own format parameters for what it sends.
    public var dropsSenderHints = false

    public init(audioCodecNames: [String], videoCodecNames: [String], extensionURIs: Set<String>,
                feedback: Set<String> = CodecPreferences.defaultFeedback, keepVideoRTX: Bool = true,
                h264ProfileLevelIds: [String] = ["42e01f"]) {
        self.audioCodecNames = audioCodecNames
        self.videoCodecNames = videoCodecNames
        self.extensionURIs = extensionURIs
        self.feedback = feedback
        self.keepVideoRTX = keepVideoRTX
        self.h264ProfileLevelIds = h264ProfileLevelIds
    }

    public static let defaultFeedback: Set<String> = ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"]

    public static let `default` = CodecPreferences(
        audioCodecNames: ["opus"],
        videoCodecNames: ["VP8", "H264", "VP9", "AV1"],
        extensionURIs: [
            RTPHeaderExtensionURI.mid,
            RTPHeaderExtensionURI.audioLevel,
            RTPHeaderExtensionURI.absSendTime,
            RTPHeaderExtensionURI.transportWideCC,
            RTPHeaderExtensionURI.rtpStreamId,
            RTPHeaderExtensionURI.repairedRtpStreamId,
        ]
    )

    /// The accepted codecs of an offered section: for each preferred name the best offered
    /// codec of that name, in preference order, then (for video) the RTX format of each,
    /// with feedback filtered. Throws `noCommonCodec` when nothing is acceptable.
    public func select(for media: MediaDescription) throws(SDPAnswerError) -> [Codec] {
        let names: [String]
        switch media.kind {
        case "audio": names = audioCodecNames
        case "video": names = videoCodecNames
        default: throw .noCommonCodec(mid: media.mid ?? "")
        }
        var chosen: [Codec] = []
        for name in names {
            let candidates = media.codecs.filter { $0.name.lowercased() == name.lowercased() && !$0.isRTX }
            if let best = best(of: candidates), !chosen.contains(where: { $0.payloadType == best.payloadType }) {
                chosen.append(best)
            }
        }
        guard !chosen.isEmpty else { throw .noCommonCodec(mid: media.mid ?? "") }
        if media.kind == "video" && keepVideoRTX {
            let mediaCodecs = chosen
            for codec in mediaCodecs {
                if let rtx = media.codecs.first(where: { $0.associatedPayloadType == codec.payloadType }) {
                    chosen.append(rtx)
                }
            }
        }
        return chosen.map { codec in
            var kept = codec
            kept.feedback = codec.feedback.filter { feedback.contains($0) }
            if dropsSenderHints { kept = kept.removingParameters(prefixed: "x-google-") }
            return kept
        }
    }

    /// Picks one codec among offered variants of the same name.
    private func best(of candidates: [Codec]) -> Codec? {
        guard let first = candidates.first else { return nil }
        switch first.name.lowercased() {
        case "h264":
            // RFC 6184 §8.1: packetization-mode absent means 0 (single NAL); we need FU-A (mode 1).
            let usable = candidates.filter { $0.fmtpParameter("packetization-mode") == "1" }
            return usable.min(by: { h264Rank($0) < h264Rank($1) })
        case "vp9":
            // profile-id 0 (8-bit 4:2:0) is the one every decoder handles.
            return candidates.first(where: { ($0.fmtpParameter("profile-id") ?? "0") == "0" })
        case "opus":
            return candidates.first(where: { $0.clockRate == 48000 })
        default:
            return first
        }
    }

    private func h264Rank(_ codec: Codec) -> Int {
        let profile = (codec.fmtpParameter("profile-level-id") ?? "42001f").lowercased()
        if let index = h264ProfileLevelIds.firstIndex(of: profile) { return index }
        // Constrained baseline (42e0..) then baseline (4200..) then the rest.
        if profile.hasPrefix("42e0") { return h264ProfileLevelIds.count }
        if profile.hasPrefix("42") { return h264ProfileLevelIds.count + 1 }
        return h264ProfileLevelIds.count + 2
    }

    /// Offered header extensions whose URI we accept, ids as offered (RFC 8285 §7).
    public func selectExtensions(for media: MediaDescription) -> [ExtMap] {
        media.extmaps.filter { extensionURIs.contains($0.uri) }.map { extmap in
            var answered = extmap
            answered.direction = extmap.direction?.reversed
            return answered
        }
    }
}
