import Config
import DataChannel
import Egress
import Foundation
import ICE
import RTP
import SDP
import Signal
import Storage
import SwiftProtobuf

/// One parser fed untrusted bytes. A harness must never crash, hang or leak on any input:
/// errors are the expected outcome for most of them.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable (UnsafeRawBufferPointer) -> Void

    static let all: [FuzzTarget] = [
        stun, rtp, rtcp, sdp, dcep, sctpNotification, signalBinary, signalJSON, twirp, token, egressRecords, s3XML, config,
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    /// STUN (RFC 8489) with the attributes ICE reads, and MESSAGE-INTEGRITY checked.
    static let stun = FuzzTarget(name: "stun") { bytes in
        guard let message = try? STUNMessage.parse(bytes) else { return }
        _ = (message.username, message.software, message.realm, message.nonce, message.priority, message.useCandidate,
             message.iceControlling, message.iceControlled)
        try? STUNMessage.verifyIntegrity(bytes, key: Array("fuzz-password".utf8))
    }

    /// RTP (RFC 3550) and every one- or two-byte header extension element (RFC 8285).
    static let rtp = FuzzTarget(name: "rtp") { bytes in
        guard let header = try? RTPHeader.parse(bytes) else { return }
        for id in UInt8(1)...14 { _ = header.extensionElement(id: id, in: bytes) }
        _ = header.payloadRange
    }

    /// RTCP compound packets: SR, RR, SDES, BYE, NACK, PLI, FIR, REMB, transport-cc.
    static let rtcp = FuzzTarget(name: "rtcp") { bytes in
        _ = try? RTCPCompound.parse(bytes)
    }

    /// SDP (RFC 8866) as the SDKs send it.
    static let sdp = FuzzTarget(name: "sdp") { bytes in
        _ = try? SessionDescription.parse(String(decoding: bytes, as: UTF8.self))
    }

    /// DCEP (RFC 8832) DATA_CHANNEL_OPEN and ACK.
    static let dcep = FuzzTarget(name: "dcep") { bytes in
        _ = try? DCEPMessage.parse(Array(bytes))
    }

    /// A usrsctp notification (RFC 6458 §6.1) as the association decodes it.
    static let sctpNotification = FuzzTarget(name: "sctp-notification") { bytes in
        _ = try? SCTPNotification.parse(bytes)
    }

    /// A signalling frame as binary protobuf (`SignalRequest`, PROTOCOL.md §2).
    static let signalBinary = FuzzTarget(name: "signal") { bytes in
        _ = try? Livekit_SignalRequest(serializedBytes: Array(bytes))
        _ = try? Livekit_DataPacket(serializedBytes: Array(bytes))
    }

    /// A signalling frame as protobuf JSON (`format=json`).
    static let signalJSON = FuzzTarget(name: "signal-json") { bytes in
        _ = try? Livekit_SignalRequest(jsonUTF8Bytes: Array(bytes))
    }

    /// A Twirp request body (RoomService, AgentDispatchService, Egress), binary or JSON: the
    /// first byte picks the message type and encoding, as the route's URL and content type do.
    static let twirp = FuzzTarget(name: "twirp") { bytes in
        guard let selector = bytes.first else { return }
        let body = Array(bytes.dropFirst())
        let type = twirpRequestTypes[Int(selector >> 1) % twirpRequestTypes.count]
        if selector & 1 == 0 {
            _ = try? type.init(serializedBytes: body)
        } else {
            var options = JSONDecodingOptions()
            options.ignoreUnknownFields = true
            _ = try? type.init(jsonUTF8Bytes: body, options: options)
        }
    }

    static let twirpRequestTypes: [any SwiftProtobuf.Message.Type] = [
        Livekit_CreateRoomRequest.self, Livekit_ListRoomsRequest.self, Livekit_DeleteRoomRequest.self,
        Livekit_ListParticipantsRequest.self, Livekit_RoomParticipantIdentity.self, Livekit_MuteRoomTrackRequest.self,
        Livekit_UpdateParticipantRequest.self, Livekit_UpdateSubscriptionsRequest.self, Livekit_SendDataRequest.self,
        Livekit_UpdateRoomMetadataRequest.self, Livekit_CreateAgentDispatchRequest.self,
        Livekit_DeleteAgentDispatchRequest.self, Livekit_ListAgentDispatchRequest.self,
        Livekit_RoomCompositeEgressRequest.self, Livekit_TrackEgressRequest.self, Livekit_ListEgressRequest.self,
        Livekit_StopEgressRequest.self,
    ]

    /// An access token: its header, then full verification against a known key.
    static let token = FuzzTarget(name: "token") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        // The verifier reads the header first; past it, each input costs a task and a wait.
        guard (try? TokenHeader.decode(token: text)) != nil else { return }
        let verifier = AccessTokenVerifier(keys: ["devkey": "secret"])
        let done = DispatchSemaphore(value: 0)
        Task {
            _ = try? await verifier.verify(text)
            done.signal()
        }
        done.wait()
    }

    /// The records the server pipes to an egress worker, split at an arbitrary point.
    static let egressRecords = FuzzTarget(name: "egress-records") { bytes in
        var decoder = EgressRecordCodec.Decoder(maxRecordSize: 1 << 16)
        let all = Array(bytes)
        let split = all.isEmpty ? 0 : Int(all[0]) % (all.count + 1)
        decoder.append(Array(all[..<split]))
        while (try? decoder.next()) != nil {}
        decoder.append(Array(all[split...]))
        while (try? decoder.next()) != nil {}
    }

    /// An S3 response body: the `<Error>` document and the elements an upload reads.
    static let s3XML = FuzzTarget(name: "s3-xml") { bytes in
        _ = S3XML.error(in: bytes)
        for name in ["UploadId", "ETag", "Code", "Message"] {
            _ = S3XML.firstElement(name, in: bytes).map(S3XML.unquotedETag)
        }
    }

    /// `sfu.toml`: TOML parsing (toml++) and every key's validation.
    static let config = FuzzTarget(name: "config") { bytes in
        _ = try? ServerConfig.parse(String(decoding: bytes, as: UTF8.self))
    }
}
