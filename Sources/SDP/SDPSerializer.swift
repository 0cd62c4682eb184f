/// Writes a `SessionDescription` as SDP text in the line order of RFC 8866 §5
/// (v, o, s, i, u, e, p, c, b, t, r, z, k, a; then per media m, i, c, b, k, a),
/// with `\r\n` after every line.
struct SDPSerializer {
    private var out = ""

    static func serialize(_ session: SessionDescription) -> String {
        var writer = SDPSerializer()
        writer.out.reserveCapacity(1024 + session.media.count * 2048)
        writer.writeSession(session)
        for media in session.media { writer.writeMedia(media) }
        return writer.out
    }

    private mutating func line(_ text: String) {
        out += text
        out += "\r\n"
    }

    private mutating func attribute(_ name: String, _ value: String? = nil) {
        if let value { line("a=\(name):\(value)") } else { line("a=\(name)") }
    }

    private mutating func rawLines(_ lines: [RawLine], _ types: Set<Character>) {
        for raw in lines where types.contains(raw.type) { line("\(raw.type)=\(raw.value)") }
    }

    private mutating func writeSession(_ s: SessionDescription) {
        line("v=0")
        line("o=\(s.originUsername) \(s.sessionId) \(s.sessionVersion) "
             + "\(s.originNetType) \(s.originAddressType) \(s.originAddress)")
        line("s=\(s.sessionName)")
        rawLines(s.otherLines, ["i", "u", "e", "p"])
        if let connection = s.connection { line("c=\(connection)") }
        for bandwidth in s.bandwidths { line("b=\(bandwidth)") }
        for timing in s.timing.isEmpty ? ["0 0"] : s.timing { line("t=\(timing)") }
        rawLines(s.otherLines, ["r", "z", "k"])
        if s.iceLite { attribute("ice-lite") }
        if let ufrag = s.iceUfrag { attribute("ice-ufrag", ufrag) }
        if let pwd = s.icePwd { attribute("ice-pwd", pwd) }
        if let fingerprint = s.fingerprint { attribute("fingerprint", fingerprint.sdpValue) }
        if let setup = s.setup { attribute("setup", setup.rawValue) }
        for group in s.groups { attribute("group", group.sdpValue) }
        for other in s.otherAttributes { line(other.sdpLine) }
        // libwebrtc writes "a=msid-semantic: WMS" with a blank after the colon.
        if let semantic = s.msidSemantic { attribute("msid-semantic", " " + semantic) }
    }

    private mutating func writeMedia(_ m: MediaDescription) {
        line("m=\(m.kind) \(m.port) \(m.proto) \(m.formats.joined(separator: " "))")
        rawLines(m.otherLines, ["i"])
        if let connection = m.connection { line("c=\(connection)") }
        for bandwidth in m.bandwidths { line("b=\(bandwidth)") }
        rawLines(m.otherLines, ["k"])
        if let ufrag = m.iceUfrag { attribute("ice-ufrag", ufrag) }
        if let pwd = m.icePwd { attribute("ice-pwd", pwd) }
        if let options = m.iceOptions { attribute("ice-options", options) }
        if let fingerprint = m.fingerprint { attribute("fingerprint", fingerprint.sdpValue) }
        if let setup = m.setup { attribute("setup", setup.rawValue) }
        if let mid = m.mid { attribute("mid", mid) }
        for extmap in m.extmaps { attribute("extmap", extmap.sdpValue) }
        // Data channel sections conventionally carry no direction (RFC 8841); RTP ones always do.
        if m.kind != "application" || m.direction != .sendrecv { attribute(m.direction.rawValue) }
        if let msid = m.msid { attribute("msid", msid.sdpValue) }
        if m.rtcpMux { attribute("rtcp-mux") }
        if m.rtcpReducedSize { attribute("rtcp-rsize") }
        for codec in m.codecs {
            attribute("rtpmap", "\(codec.payloadType) \(codec.rtpmapValue)")
            for feedback in codec.feedback { attribute("rtcp-fb", "\(codec.payloadType) \(feedback)") }
            if let fmtp = codec.fmtp { attribute("fmtp", "\(codec.payloadType) \(fmtp)") }
        }
        for group in m.ssrcGroups { attribute("ssrc-group", group.sdpValue) }
        for ssrc in m.ssrcs { attribute("ssrc", ssrc.sdpValue) }
        for rid in m.rids { attribute("rid", rid.sdpValue) }
        if let simulcast = m.simulcast { attribute("simulcast", simulcast) }
        if let port = m.sctpPort { attribute("sctp-port", String(port)) }
        if let size = m.maxMessageSize { attribute("max-message-size", String(size)) }
        for other in m.otherAttributes { line(other.sdpLine) }
        for candidate in m.candidates { attribute("candidate", candidate) }
        if m.endOfCandidates { attribute("end-of-candidates") }
    }
}

extension SessionDescription {
    /// The SDP text in RFC 8866 line order with `\r\n` line endings and a trailing `\r\n`.
    public func serialize() -> String {
        SDPSerializer.serialize(self)
    }
}
