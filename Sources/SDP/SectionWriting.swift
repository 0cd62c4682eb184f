// Helpers shared by the answer and offer builders: the transport and stream lines
// every section we write carries.

extension MediaDescription {
    /// Writes our ICE and DTLS parameters (RFC 8839 §5.4, RFC 8122 §5, RFC 4145 §4) and the
    /// placeholder connection data used with ICE (RFC 8839 §4.2.1.3: port 9, IN IP4 0.0.0.0).
    mutating func applyTransport(_ local: LocalTransportParameters, setup: DTLSSetup) {
        connection = "IN IP4 0.0.0.0"
        iceUfrag = local.iceUfrag
        icePwd = local.icePwd
        fingerprint = local.fingerprint
        self.setup = setup
    }

    /// Writes `a=msid` and the `a=ssrc` lines of a stream we send (RFC 8830 §2, RFC 5576 §4.1);
    /// with an RTX SSRC and an RTX codec, also `a=ssrc-group:FID` (RFC 4588 §8.3).
    mutating func applyOutgoing(_ stream: OutgoingStream) {
        let msidValue = MSID(streamId: stream.streamId, trackId: stream.trackId)
        msid = msidValue
        var sources = [stream.ssrc]
        if let rtx = stream.rtxSSRC, codecs.contains(where: \.isRTX) {
            ssrcGroups.append(SSRCGroup(semantics: "FID", ssrcs: [stream.ssrc, rtx]))
            sources.append(rtx)
        }
        for ssrc in sources {
            ssrcs.append(SSRCAttribute(ssrc: ssrc, name: "cname", value: stream.cname))
            ssrcs.append(SSRCAttribute(ssrc: ssrc, name: "msid", value: msidValue.sdpValue))
        }
    }

    /// A rejected section mirroring the offered one (RFC 3264 §6, RFC 8829 §5.3.1: port 0, same mid).
    static func rejected(from offered: MediaDescription) -> MediaDescription {
        var section = MediaDescription(kind: offered.kind, port: 0, proto: offered.proto,
                                       formats: offered.formats.isEmpty ? ["0"] : offered.formats)
        section.connection = "IN IP4 0.0.0.0"
        section.mid = offered.mid
        section.direction = .inactive
        return section
    }
}

extension SessionDescription {
    /// A fresh session-level block as libwebrtc writes it (RFC 8866 §5.2, RFC 8829 §5.2.1).
    static func localSkeleton(sessionId: UInt64, version: UInt64, iceLite: Bool) -> SessionDescription {
        var session = SessionDescription(sessionId: String(sessionId), sessionVersion: String(version))
        session.iceLite = iceLite
        session.msidSemantic = "WMS"
        return session
    }

    /// A session id for `o=`: random, below 2^63 (RFC 8829 §5.2.1).
    static func randomSessionId() -> UInt64 {
        UInt64.random(in: 1...UInt64(Int64.max))
    }
}
