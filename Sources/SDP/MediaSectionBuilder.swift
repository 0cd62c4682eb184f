/// Collects the lines of one media section while parsing; rtpmap, fmtp and rtcp-fb lines
/// may come in any order, so codecs are assembled when the section ends.
struct MediaSectionBuilder {
    var media: MediaDescription
    var sawDirection = false
    private var rtpmaps: [UInt8: Codec] = [:]
    private var fmtps: [UInt8: String] = [:]
    private var feedback: [UInt8: [String]] = [:]

    /// Parses `<media> <port> <proto> <fmt> ...` (RFC 8866 §5.14).
    init(mLine value: String, line: String) throws(SDPParseError) {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 4, let port = Int(parts[1]), (0...65535).contains(port) else {
            throw .badMediaLine(line)
        }
        media = MediaDescription(kind: String(parts[0]), port: port, proto: String(parts[2]),
                                 formats: parts.dropFirst(3).map(String.init))
    }

    mutating func attribute(_ name: String, _ value: String?, _ line: String) throws(SDPParseError) {
        switch name {
        case "mid": media.mid = try SDPParser.required(value, line)
        case "sendrecv", "sendonly", "recvonly", "inactive":
            media.direction = MediaDirection(rawValue: name)!
            sawDirection = true
        case "ice-ufrag": media.iceUfrag = try SDPParser.required(value, line)
        case "ice-pwd": media.icePwd = try SDPParser.required(value, line)
        case "ice-options": media.iceOptions = try SDPParser.required(value, line)
        case "fingerprint" where media.fingerprint == nil:
            guard let fingerprint = Fingerprint.parse(try SDPParser.required(value, line)) else {
                throw .badAttribute(line)
            }
            media.fingerprint = fingerprint
        case "setup":
            guard let setup = DTLSSetup(rawValue: try SDPParser.required(value, line)) else {
                throw .badAttribute(line)
            }
            media.setup = setup
        case "rtcp-mux": media.rtcpMux = true
        case "rtcp-rsize": media.rtcpReducedSize = true
        case "rtpmap":
            // RFC 8866 §6.6: a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
            let (pt, rest) = try Self.payloadTypeAndRest(value, line)
            guard let codec = Codec.parseRtpmap(payloadType: pt, rest) else { throw .badAttribute(line) }
            rtpmaps[pt] = codec
        case "fmtp":
            // RFC 8866 §6.15: a=fmtp:<format> <format specific parameters>
            let (pt, rest) = try Self.payloadTypeAndRest(value, line)
            fmtps[pt] = String(rest)
        case "rtcp-fb":
            // RFC 4585 §4.2: a=rtcp-fb:<pt or *> <feedback type> [<parameters>]
            if value?.hasPrefix("* ") == true {
                media.otherAttributes.append(Attribute(name: name, value: value))
                return
            }
            let (pt, rest) = try Self.payloadTypeAndRest(value, line)
            feedback[pt, default: []].append(String(rest))
        case "extmap":
            guard let extmap = ExtMap.parse(try SDPParser.required(value, line)) else { throw .badAttribute(line) }
            media.extmaps.append(extmap)
        case "ssrc":
            guard let ssrc = SSRCAttribute.parse(try SDPParser.required(value, line)) else { throw .badAttribute(line) }
            media.ssrcs.append(ssrc)
        case "ssrc-group":
            guard let group = SSRCGroup.parse(try SDPParser.required(value, line)) else { throw .badAttribute(line) }
            media.ssrcGroups.append(group)
        case "msid" where media.msid == nil:
            guard let msid = MSID.parse(try SDPParser.required(value, line)) else { throw .badAttribute(line) }
            media.msid = msid
        case "rid":
            guard let rid = RID.parse(try SDPParser.required(value, line)) else { throw .badAttribute(line) }
            media.rids.append(rid)
        case "simulcast": media.simulcast = try SDPParser.required(value, line)
        case "candidate": media.candidates.append(try SDPParser.required(value, line))
        case "end-of-candidates": media.endOfCandidates = true
        case "sctp-port":
            guard let port = Int(try SDPParser.required(value, line)), (0...65535).contains(port) else {
                throw .badAttribute(line)
            }
            media.sctpPort = port
        case "max-message-size":
            guard let size = Int(try SDPParser.required(value, line)), size >= 0 else { throw .badAttribute(line) }
            media.maxMessageSize = size
        default:
            media.otherAttributes.append(Attribute(name: name, value: value))
        }
    }

    /// Splits `<pt> <rest>` where pt is 0-127 (RFC 3550 §5.1: 7-bit payload type).
    private static func payloadTypeAndRest(_ value: String?, _ line: String) throws(SDPParseError) -> (UInt8, Substring) {
        let text = try SDPParser.required(value, line)
        guard let space = text.firstIndex(of: " "), let pt = UInt8(text[..<space]), pt <= 127 else {
            throw .badAttribute(line)
        }
        let rest = text[text.index(after: space)...].drop(while: { $0 == " " })
        guard !rest.isEmpty else { throw .badAttribute(line) }
        return (pt, rest)
    }

    /// Assembles codecs in m-line format order; formats without an rtpmap fall back to the
    /// static payload types of RFC 3551, others are left out (their fmtp/rtcp-fb with them).
    func finish() -> MediaDescription {
        var result = media
        var seen = Set<UInt8>()
        for format in media.formats {
            guard let pt = UInt8(format), pt <= 127, seen.insert(pt).inserted,
                  var codec = rtpmaps[pt] ?? Codec.staticPayloadType(pt) else { continue }
            codec.fmtp = fmtps[pt]
            codec.feedback = feedback[pt] ?? []
            result.codecs.append(codec)
        }
        return result
    }
}
