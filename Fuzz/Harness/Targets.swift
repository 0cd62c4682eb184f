import DataChannel
import Egress
import Foundation
import ICE
import RTP
import SDP
import Signal

/// One parser fed untrusted bytes. A harness must never crash, hang or leak on any input:
/// errors are the expected outcome for most of them.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable (UnsafeRawBufferPointer) -> Void

    static let all: [FuzzTarget] = [stun, rtp, rtcp, sdp, dcep, signalBinary, signalJSON, token, egressRecords]

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

    /// A signalling frame as binary protobuf (`SignalRequest`, PROTOCOL.md §2).
    static let signalBinary = FuzzTarget(name: "signal") { bytes in
        _ = try? Livekit_SignalRequest(serializedBytes: Array(bytes))
        _ = try? Livekit_DataPacket(serializedBytes: Array(bytes))
    }

    /// A signalling frame as protobuf JSON (`format=json`).
    static let signalJSON = FuzzTarget(name: "signal-json") { bytes in
        _ = try? Livekit_SignalRequest(jsonUTF8Bytes: Array(bytes))
    }

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
}
