import ICE
import DTLS
import SDP
import DataChannel

/// Header extension ids a peer's packets use toward us.
struct ReceiveExtensionIDs {
    var mid: UInt8?
    var rid: UInt8?
    var repairedRID: UInt8?
    /// Transport-wide sequence numbers, for congestion control feedback.
    var transportCC: UInt8?
}

/// One m-line we send on a peer connection we offer (LiveKit's subscriber PC).
final class SendSection {
    /// Empty while a single peer connection's subscription waits for a client section.
    var mid: String
    let kind: MediaKind
    var downTrack: DownTrack?
    var offeredCodecs: [Codec]
    var offeredExtensions: [ExtMap]
    var stream: OutgoingStream?
    /// The subscriber's answer (or our answer, single peer connection) has set its formats.
    var isNegotiated = false
    init(mid: String, kind: MediaKind, downTrack: DownTrack?, offeredCodecs: [Codec], offeredExtensions: [ExtMap], stream: OutgoingStream?) {
        self.mid = mid
        self.kind = kind
        self.downTrack = downTrack
        self.offeredCodecs = offeredCodecs
        self.offeredExtensions = offeredExtensions
        self.stream = stream
    }
}

struct NegotiationState {
    var receiveExtensionIDs = ReceiveExtensionIDs()
    var hasDataChannel = false
    var remoteMaxMessageSize: Int?
    /// Publisher side: m-lines already bound to a published track.
    var receivedMids: [String: PublishedTrack] = [:]
    /// Offerer side.
    var sendSections: [SendSection] = []
    var nextMid = 1
    var offerVersion: UInt64 = 1
    let sessionID = UInt64.random(in: 1...UInt64(Int64.max))
    var dtlsRole: DTLSRole?
    var dataChannelsToOpen: [(String, DataChannelReliability)] = []
    /// Single peer connection: we never offer; what we send rides on the client's receive-only
    /// sections, bound when we answer its next offer.
    var sendsInAnswers = false
    /// Subscriptions not yet bound to a client section (single peer connection).
    var pendingSends: [SendSection] = []
    /// Client receive-only sections of the last offer that carry nothing, by kind.
    var freeReceiveSections: [MediaKind: Int] = [:]
}

/// An m-line of a remote offer that wants to send media to us.
public struct OfferedTrack: Sendable {
    public let mid: String
    public let kind: MediaKind
    /// The track id of `a=msid` (LiveKit: the AddTrackRequest cid).
    public let msidTrackID: String?
    public let msidStreamID: String?
    public let rids: [String]
}

public enum NegotiationError: Error, CustomStringConvertible, Equatable {
    case badDescription(String)
    public var description: String {
        switch self { case .badDescription(let why): return why }
    }
}

extension PeerConnection {
    /// For m-lines we receive: transport-wide congestion control (draft-holmer-rmcat-transport-
    /// wide-cc-extensions-01) so libwebrtc publishers run their send-side bandwidth estimation.
    static let receivePreferences: CodecPreferences = {
        var preferences = CodecPreferences.default
        preferences.extensionURIs = [
            ExtensionURI.mid, ExtensionURI.audioLevel, ExtensionURI.rtpStreamID, ExtensionURI.repairedRTPStreamID,
            ExtensionURI.transportWideCC,
        ]
        return preferences
    }()

    /// For m-lines we send: only extensions we write.
    static let sendPreferences: CodecPreferences = {
        var preferences = CodecPreferences.default
        preferences.extensionURIs = [ExtensionURI.mid, ExtensionURI.audioLevel]
        preferences.feedback.remove("transport-cc")
        return preferences
    }()

    func localParameters(setup: DTLSSetup) -> LocalTransportParameters {
        LocalTransportParameters(
            iceUfrag: transport.localUfrag, icePwd: transport.localPassword,
            fingerprint: Fingerprint(algorithm: "sha-256", value: context.certificate.fingerprintSHA256),
            setup: setup, candidates: context.localCandidates, iceLite: true)
    }

    /// Applies the remote ICE and DTLS parameters of a description (offer or answer);
    /// `answering` tells which side picks the DTLS role.
    @discardableResult
    func applyRemoteTransport(_ description: SessionDescription, weAreAnswerer: Bool) throws -> DTLSSetup {
        guard let first = description.media.first(where: { $0.port != 0 }) else { throw NegotiationError.badDescription("no media sections") }
        guard let credentials = description.iceCredentials(for: first) else { throw NegotiationError.badDescription("no ICE credentials") }
        guard let fingerprint = description.fingerprint(for: first) else { throw NegotiationError.badDescription("no DTLS fingerprint") }
        // Absent a=setup, an offer means actpass and an answer active (RFC 5763 §5).
        let remoteSetup = description.setup(for: first) ?? (weAreAnswerer ? .actpass : .active)
        // RFC 5763 §5: an answerer to actpass is passive toward browsers (DTLS server).
        let localSetup: DTLSSetup
        if weAreAnswerer {
            localSetup = remoteSetup == .passive ? .active : .passive
        } else {
            localSetup = remoteSetup == .active ? .passive : .active
        }
        let role: DTLSRole = localSetup == .active ? .client : .server
        if let ufrag = transport.remoteUfrag, ufrag != credentials.ufrag, negotiation.dtlsRole != nil {
            if weAreAnswerer { transport.restartICE(remoteUfrag: credentials.ufrag, remotePassword: credentials.pwd) }
            else { transport.setRemoteICE(ufrag: credentials.ufrag, password: credentials.pwd) }
        }
        do {
            try transport.configure(remoteUfrag: credentials.ufrag, remotePassword: credentials.pwd, role: role,
                                    remoteFingerprint: (fingerprint.algorithm, fingerprint.value),
                                    certificate: context.certificate)
        } catch {
            throw NegotiationError.badDescription("DTLS setup: \(error)")
        }
        if negotiation.dtlsRole == nil { negotiation.dtlsRole = role }
        return localSetup
    }

    /// Answers a remote offer. `publish`: its send m-lines become published tracks (named by
    /// `resolve`, nil = refuse that m-line); `play`: its receive m-lines get down tracks that
    /// follow the room (WHEP). Returns the answer and the tracks this offer added or removed.
    func answer(offer sdp: String, play: Bool, now: Double, resolve: (OfferedTrack) -> String?)
        throws -> (answer: String, added: [PublishedTrack], removed: [PublishedTrack], downTracks: [DownTrack]) {
        let offer: SessionDescription
        do { offer = try SessionDescription.parse(sdp) } catch { throw NegotiationError.badDescription("SDP does not parse: \(error)") }
        // RFC 8843 §7.2: every mid a BUNDLE group names must belong to an m-line (a truncated
        // offer typically fails here).
        let mids = Set(offer.media.compactMap(\.mid))
        for group in offer.groups where group.semantics == "BUNDLE" {
            if let missing = group.mids.first(where: { !mids.contains($0) }) {
                throw NegotiationError.badDescription("BUNDLE group names mid \(missing), which no m-line has")
            }
        }
        let localSetup = try applyRemoteTransport(offer, weAreAnswerer: true)
        let cname = "sfu-\(id)"
        var trackIDs: [Int: String] = [:]
        negotiation.freeReceiveSections = [:]
        let result: (answer: SessionDescription, negotiated: [NegotiatedMedia?])
        do {
            result = try makeAnswer(offer: offer, local: localParameters(setup: localSetup), preferences: play ? Self.sendPreferences : Self.receivePreferences) { index, media in
                if media.kind == "application" { return MediaAnswerChoice(direction: .sendrecv, outgoing: nil) }
                guard let kind = MediaKind(sdpKind: media.kind), let mid = media.mid else { return .rejected }
                if play {
                    guard media.direction.receives else { return MediaAnswerChoice(direction: .inactive, outgoing: nil) }
                    let stream = OutgoingStream(ssrc: UInt32.random(in: 1...UInt32.max), cname: cname,
                                                streamId: "room-\(room.name)", trackId: "\(media.kind)-\(mid)")
                    return MediaAnswerChoice(direction: .sendonly, outgoing: stream)
                }
                if negotiation.sendsInAnswers, media.direction == .recvonly { return sendSectionChoice(mid: mid, kind: kind) }
                guard media.direction.sends else { return MediaAnswerChoice(direction: .inactive, outgoing: nil) }
                if let existing = negotiation.receivedMids[mid] {
                    trackIDs[index] = existing.id
                    return MediaAnswerChoice(direction: .recvonly, outgoing: nil)
                }
                let offered = OfferedTrack(mid: mid, kind: kind, msidTrackID: media.msid?.trackId, msidStreamID: media.msid?.streamId,
                                           rids: media.rids.filter { $0.direction == "send" }.map(\.id))
                guard let trackID = resolve(offered) else { return MediaAnswerChoice(direction: .inactive, outgoing: nil) }
                trackIDs[index] = trackID
                return MediaAnswerChoice(direction: .recvonly, outgoing: nil)
            }
        } catch {
            throw NegotiationError.badDescription("cannot answer: \(error)")
        }
        var added: [PublishedTrack] = []
        var removed: [PublishedTrack] = []
        var newDownTracks: [DownTrack] = []
        var seenMids = Set<String>()
        for (index, negotiated) in result.negotiated.enumerated() {
            guard let negotiated else { continue }
            if negotiated.kind == "application" {
                negotiation.hasDataChannel = true
                negotiation.remoteMaxMessageSize = offer.media[index].maxMessageSize
                continue
            }
            guard let kind = MediaKind(sdpKind: negotiated.kind) else { continue }
            let formats = negotiated.codecs.map(PayloadFormat.init)
            let extensionID = { (uri: String) in negotiated.extmaps.first { $0.uri == uri }?.id }
            if let id = extensionID(ExtensionURI.mid) { negotiation.receiveExtensionIDs.mid = id }
            if let id = extensionID(ExtensionURI.rtpStreamID) { negotiation.receiveExtensionIDs.rid = id }
            if let id = extensionID(ExtensionURI.repairedRTPStreamID) { negotiation.receiveExtensionIDs.repairedRID = id }
            if !play, let id = extensionID(ExtensionURI.transportWideCC) { negotiation.receiveExtensionIDs.transportCC = id }
            switch negotiated.direction {
            case .recvonly where !play:
                seenMids.insert(negotiated.mid)
                guard negotiation.receivedMids[negotiated.mid] == nil, let trackID = trackIDs[index] else { continue }
                let offered = offer.media[index]
                let layers: [(rid: String?, ssrc: UInt32?, rtxSSRC: UInt32?)]
                if !negotiated.rids.isEmpty {
                    layers = negotiated.rids.map { (rid: $0.id, ssrc: nil, rtxSSRC: nil) }
                } else {
                    let fid = offered.ssrcGroups.first { $0.semantics == "FID" }
                    let media = fid?.ssrcs.first ?? offered.primarySSRC
                    let rtx = fid.flatMap { $0.ssrcs.count > 1 ? $0.ssrcs[1] : nil }
                    layers = [(rid: nil, ssrc: media, rtxSSRC: rtx)]
                }
                let track = PublishedTrack(id: trackID, kind: kind, mid: negotiated.mid, publisher: self, formats: formats,
                                           layers: layers, audioLevelExtensionID: extensionID(ExtensionURI.audioLevel))
                negotiation.receivedMids[negotiated.mid] = track
                addPublished(track)
                added.append(track)
            case .sendonly where !play:
                applyAnsweredSend(negotiated, formats: formats, now: now)
            case .sendonly where play:
                guard let ssrc = result.answer.media[index].primarySSRC else { continue }
                let downTrack = DownTrack(ssrc: ssrc, kind: kind, mid: negotiated.mid, cname: cname, subscriber: self,
                                          formats: formats, midExtensionID: extensionID(ExtensionURI.mid),
                                          audioLevelExtensionID: extensionID(ExtensionURI.audioLevel))
                addDownTrack(downTrack)
                newDownTracks.append(downTrack)
            default:
                continue
            }
        }
        if !play {
            // m-lines that stopped sending: the track is unpublished (renegotiation).
            for (mid, track) in negotiation.receivedMids where !seenMids.contains(mid) {
                negotiation.receivedMids[mid] = nil
                removed.append(track)
                removePublished(track, now: now)
            }
        }
        for track in added { room.publish(track, now: now) }
        startDataChannelsIfReady()
        return (result.answer.serialize(), added, removed, newDownTracks)
    }
}
