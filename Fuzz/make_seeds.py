"""Writes the seed corpora in Fuzz/corpus/<target>/ (run from the repository root with the
interop venv: .venv/bin/python Fuzz/make_seeds.py). SDP seeds are Tests/SDPTests/Fixtures,
captured from the real SDKs; these are built from the RFCs' layouts and livekit.protocol."""

import hashlib
import hmac
import json
import os
import struct
import zlib

from google.protobuf import json_format
from livekit import api
from livekit.protocol import agent_dispatch, egress, models, room, rtc

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target: str, name: str, data: bytes) -> None:
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


def stun_binding_request() -> bytes:
    """RFC 8489 §5 with USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE (RFC 8445 §16.1),
    MESSAGE-INTEGRITY (key "fuzz-password") and FINGERPRINT."""
    tid = bytes(range(12))

    def attr(kind: int, value: bytes) -> bytes:
        return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)

    body = attr(0x0006, b"localufrag:remoteufrag") + attr(0x0024, struct.pack("!I", 1853817087))
    body += attr(0x802A, struct.pack("!Q", 0x1122334455667788)) + attr(0x0025, b"")
    header = lambda length: struct.pack("!HHI", 0x0001, length, 0x2112A442) + tid
    mac = hmac.new(b"fuzz-password", header(len(body) + 24) + body, hashlib.sha1).digest()
    body += attr(0x0008, mac)
    crc = (zlib.crc32(header(len(body) + 8) + body) ^ 0x5354554E) & 0xFFFFFFFF
    body += attr(0x8028, struct.pack("!I", crc))
    return header(len(body)) + body


def rtp_packets() -> dict:
    one_byte = struct.pack("!BBHII", 0x90, 111, 1, 960, 0x1234) + struct.pack("!HH", 0xBEDE, 2)
    one_byte += bytes([0x10, 0x85, 0x22, 0x00, 0x01, 0x02, 0, 0]) + b"\xf8\xff\xfe"
    two_byte = struct.pack("!BBHII", 0x90, 96, 2, 3000, 0x5678) + struct.pack("!HH", 0x1000, 2)
    two_byte += bytes([3, 2, 0xAA, 0xBB, 4, 1, 0xCC, 0]) + b"\x10\x00\x9d\x01\x2a"
    padded = struct.pack("!BBHII", 0xA0, 96, 3, 6000, 0x5678) + b"\x01\x02\x03" + b"\0\0\0\x04"
    return {"one-byte-extensions": one_byte, "two-byte-extensions": two_byte, "padding": padded}


def rtcp_packets() -> dict:
    rr = struct.pack("!BBHI", 0x81, 201, 7, 0x1) + struct.pack("!IIIIII", 0x1234, 0x01000010, 100, 5, 0, 0)
    sdes = struct.pack("!BBHI", 0x81, 202, 3, 0x1) + bytes([1, 4]) + b"name" + b"\0\0"
    nack = struct.pack("!BBHII", 0x81, 205, 3, 0x1, 0x1234) + struct.pack("!HH", 100, 0x0005)
    pli = struct.pack("!BBHII", 0x81, 206, 2, 0x1, 0x1234)
    remb = struct.pack("!BBHII", 0x8F, 206, 5, 0x1, 0) + b"REMB" + bytes([1, 0x0B, 0xE8, 0x30]) + struct.pack("!I", 0x1234)
    twcc = struct.pack("!BBHII", 0x8F, 205, 5, 0x1, 0x1234) + struct.pack("!HHI", 1, 2, 0x00000100) + bytes([0x20, 0x02, 4, 4])
    sr = struct.pack("!BBHI", 0x80, 200, 6, 0x1234) + struct.pack("!IIIII", 0xE0000000, 0, 960, 10, 1000)
    bye = struct.pack("!BBHI", 0x81, 203, 1, 0x1234)
    return {"rr-sdes": rr + sdes, "nack-pli": nack + pli, "remb": rr + remb, "twcc": rr + twcc, "sr-bye": sr + bye}


def dcep_open(label: bytes, protocol: bytes = b"") -> bytes:
    """RFC 8832 §5.1: DATA_CHANNEL_OPEN, reliable ordered."""
    return struct.pack("!BBHIHH", 0x03, 0x00, 0, 0, len(label), len(protocol)) + label + protocol


def signal_requests() -> dict:
    offer = rtc.SignalRequest(offer=rtc.SessionDescription(type="offer", sdp="v=0\r\n", id=1))
    trickle = rtc.SignalRequest(trickle=rtc.TrickleRequest(candidateInit='{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}', target=0))
    add = rtc.SignalRequest(add_track=rtc.AddTrackRequest(cid="mic", name="mic", type=models.TrackType.AUDIO, source=models.TrackSource.MICROPHONE))
    meta = rtc.SignalRequest(update_metadata=rtc.UpdateParticipantMetadata(metadata="{}", name="n", attributes={"k": "v"}, request_id=7))
    sub = rtc.SignalRequest(subscription=rtc.UpdateSubscription(track_sids=["TR_x"], subscribe=True))
    ping = rtc.SignalRequest(ping_req=rtc.Ping(timestamp=1, rtt=2))
    return {"offer": offer, "trickle": trickle, "add-track": add, "metadata": meta, "subscription": sub, "ping": ping}


def sctp_notifications() -> dict:
    """RFC 6458 §6.1 notifications in host (little-endian) order, as usrsctp hands them over."""
    assoc_change = struct.pack("<HHIHHHHI", 0x0001, 0, 20, 0x0001, 0, 1024, 1024, 7)
    stream_reset = struct.pack("<HHII", 0x0009, 0x0001, 16, 7) + struct.pack("<HH", 1, 3)
    partial = struct.pack("<HHIIIII", 0x0007, 0, 24, 0x0001, 3, 9, 7)
    return {"assoc-change": assoc_change, "stream-reset": stream_reset, "partial-delivery": partial}


def twirp_requests() -> dict:
    """Twirp bodies: a selector byte (type index in Targets.swift's `twirpRequestTypes`, times
    two, plus one for JSON), then the body."""
    requests = {
        0: room.CreateRoomRequest(name="r", empty_timeout=10, max_participants=4, metadata="m"),
        1: room.ListRoomsRequest(names=["r"]),
        6: room.UpdateParticipantRequest(room="r", identity="a", metadata="m", attributes={"k": "v"}),
        8: room.SendDataRequest(room="r", data=b"hi", kind=models.DataPacket.RELIABLE, topic="t"),
        10: agent_dispatch.CreateAgentDispatchRequest(agent_name="agent", room="r", metadata="m"),
        13: egress.RoomCompositeEgressRequest(room_name="r", layout="grid",
                                               file_outputs=[egress.EncodedFileOutput(filepath="r.mp4")]),
        14: egress.TrackEgressRequest(room_name="r", track_id="TR_x", file=egress.DirectFileOutput(filepath="t.ogg")),
    }
    out = {}
    for index, request in requests.items():
        name = type(request).__name__
        out[f"{name}-binary"] = bytes([index * 2]) + request.SerializeToString()
        out[f"{name}-json"] = bytes([index * 2 + 1]) + json_format.MessageToJson(request).encode()
    return out


S3_BODIES = {
    "error": b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
             b"<Message>The request signature we calculated does not match &amp; &#x41;&#65;</Message></Error>",
    "initiate": b"<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>abc-123</UploadId>"
                b"</InitiateMultipartUploadResult>",
    "complete": b"<CompleteMultipartUploadResult><ETag>&quot;0123abcd-2&quot;</ETag></CompleteMultipartUploadResult>",
}

CONFIGS = {
    "full": """[server]
bind = "127.0.0.1"
port = 7880
max_connections = 100
idle_timeout = 30.5
header_timeout = 10
body_timeout = 30

[rtc]
udp_port = 7882
node_ip = "127.0.0.1"
single_peer_connection = true
media_threads = 2

[keys]
devkey = "secret"

[logging]
level = "info"

[room]
empty_timeout = 300
departure_timeout = 20
max_participants = 10

[limits]
signal_requests_per_second = 100
data_message_burst = 1000
max_metadata_size = 524288

[webhook]
urls = ["http://127.0.0.1:9/hook"]
api_key = "devkey"
outbox_dir = "data/webhooks"

[storage]
local_dir = "recordings"
s3_bucket = "b"
s3_force_path_style = true

[node]
drain_timeout = 60

[redis]
address = "127.0.0.1:6379"
db = 1
""",
}


def main() -> None:
    write("stun", "binding-request", stun_binding_request())
    for name, data in rtp_packets().items():
        write("rtp", name, data)
    for name, data in rtcp_packets().items():
        write("rtcp", name, data)
    write("dcep", "open-reliable", dcep_open(b"_reliable"))
    write("dcep", "open-with-protocol", dcep_open(b"_lossy", b"proto"))
    write("dcep", "ack", b"\x02")
    for name, request in signal_requests().items():
        write("signal", name, request.SerializeToString())
        write("signal-json", name, json_format.MessageToJson(request).encode())
    user = models.DataPacket(user=models.UserPacket(payload=b"hi", topic="t"), destination_identities=["b"])
    write("signal", "data-packet", user.SerializeToString())
    grants = api.VideoGrants(room_join=True, room="r", can_publish=True)
    token = api.AccessToken("devkey", "secret").with_identity("alice").with_grants(grants).to_jwt()
    write("token", "valid-hs256", token.encode())
    header, payload, _ = token.split(".")
    write("token", "alg-none", f"{header}.{payload}.".encode())
    write("egress-records", "empty", b"")
    for name, data in sctp_notifications().items():
        write("sctp-notification", name, data)
    for name, data in twirp_requests().items():
        write("twirp", name, data)
    for name, data in S3_BODIES.items():
        write("s3-xml", name, data)
    for name, text in CONFIGS.items():
        write("config", name, text.encode())
    with open(os.path.join(os.path.dirname(ROOT), "..", "sfu.toml"), "rb") as f:
        write("config", "sfu-toml", f.read())
    write("sdp", "minimal-audio", (
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:abcd\r\n"
        "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\n"
        "a=setup:actpass\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=ssrc:1 cname:x\r\n").encode())
    print(json.dumps({t: len(os.listdir(os.path.join(ROOT, t))) for t in sorted(os.listdir(ROOT))}))


if __name__ == "__main__":
    main()
