"""The LiveKit JavaScript SDK (`livekit-client` 2.18.8, unmodified, from ../shared/peers) in
headless Chromium against our server, as a web app on its own origin uses it.

Two browsers (ada, bea) and one Python `livekit` SDK participant (py) share a room. The tests
run in file order on one shared room (module fixture `call`), each checking one promise, once
per signalling path: `single_pc`, the server as configured by default (single peer
connection on `/rtc/v1`), and `dual_pc`, a server with `rtc.single_peer_connection = false`,
so the SDK must learn from `/rtc/v1/validate` (a cross-origin `fetch`) that it should use
`/rtc` with two peer connections:

1. both browsers connect and publish camera and microphone with the SDK's default simulcast;
   each decodes the other's video and audio;
2. each browser decodes py's (200, 30, 30) picture (canvas pixels) and 440 Hz tone (Web Audio
   analyser);
3. py decodes both browsers' video and audio;
4. `publishData` reliable and lossy, to everyone and to `destinationIdentities`, both ways;
5. `performRpc` / `registerRpcMethod` both ways with py, and an unknown method's error;
6. `sendText`, `streamText` and `sendFile` both ways;
7. mute and unmute of a browser's microphone reach the others;
8. ada's signalling socket is cut (a TCP relay in front of the server): the SDK resumes by
   itself and media and data go on;
9. bea closes her tab: ada and py see her leave within 5 s;
10. `single_pc`: no browser's console shows the SDK falling back from `/rtc/v1` to `/rtc`;
    `dual_pc`: both did fall back, as they should.

`JSSDK_SFU_LOG=trace` runs the server at that log level, `JSSDK_LOG_LEVEL=debug` the SDK.
`JSSDK_FORCE_V0=1` makes the browsers skip `/rtc/v1` themselves (the SDK's own
"fail-on-v1-path" scenario; test 10 [single_pc] then fails).
Run one path with `-k dual_pc` or `-k single_pc`.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from typing import Optional

import pytest
from livekit import rtc

import jssdk_helpers as js
import lk_helpers as lk
import media
from conftest import SfuServer

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

ROOM = "jssdk-room"
FORCE_V0 = os.environ.get("JSSDK_FORCE_V0") == "1"


class Call:
    """Everything the tests share: the server, the page server, the relay in front of the
    server for ada's signalling, two browsers and the Python participant."""

    def __init__(self, server: SfuServer, path: str):
        self.sfu = server
        self.path = path
        self.loop = js.LoopThread()
        self.pages = js.PageServer()
        self.proxy: Optional[lk.TcpProxy] = None
        self.ada: Optional[js.SdkPage] = None
        self.bea: Optional[js.SdkPage] = None
        self.py: Optional[lk.Peer] = None
        self.tone: Optional[lk.ToneSource] = None
        self.colour: Optional[lk.ColourSource] = None
        self.probes: dict[tuple[str, str], object] = {}
        self.py_texts: list[tuple[str, str, str]] = []
        self.py_files: list[tuple[str, str, bytes]] = []
        self.py_rpc_calls: list[tuple[str, str]] = []
        self.steps: set[str] = set()

    def require(self, *steps: str) -> None:
        missing = [s for s in steps if s not in self.steps]
        if missing:
            pytest.fail(f"an earlier step failed: {missing}", pytrace=False)

    def browsers(self) -> list[js.SdkPage]:
        return [p for p in (self.ada, self.bea) if p is not None and not p.closed]

    def describe(self) -> str:
        return "\n".join(p.describe() for p in self.browsers())

    # Python participant (runs on the loop thread) ---------------------------------------

    async def py_join(self) -> None:
        self.py = lk.Peer("py")
        room = self.py.room

        def on_text(reader: rtc.TextStreamReader, sender: str) -> None:
            async def read() -> None:
                self.py_texts.append((sender, reader.info.topic, await reader.read_all()))
            asyncio.ensure_future(read())

        def on_bytes(reader: rtc.ByteStreamReader, sender: str) -> None:
            async def read() -> None:
                self.py_files.append((sender, reader.info.name, b"".join([c async for c in reader])))
            asyncio.ensure_future(read())

        def on_subscribed(track: rtc.Track, publication: rtc.RemoteTrackPublication, participant: rtc.RemoteParticipant) -> None:
            # Read each browser track from the moment it is subscribed, as an app does.
            kind = "audio" if track.kind == rtc.TrackKind.KIND_AUDIO else "video"
            probe = lk.AudioProbe() if kind == "audio" else lk.VideoProbe()
            self.probes[(participant.identity, kind)] = probe.start(track)

        room.on("track_subscribed", on_subscribed)
        room.register_text_stream_handler("chat", on_text)
        room.register_byte_stream_handler("files", on_bytes)
        await self.py.connect(lk.lk_url(self.sfu), lk.lk_token("py", ROOM))

        async def upper(data: rtc.RpcInvocationData) -> str:
            self.py_rpc_calls.append((data.caller_identity, data.payload))
            return data.payload.upper()

        room.local_participant.register_rpc_method("py-upper", upper)
        self.tone = lk.ToneSource(440.0).start()
        self.colour = lk.ColourSource(width=640, height=360).start()
        await room.local_participant.publish_track(self.tone.track, lk.microphone_options())
        await room.local_participant.publish_track(self.colour.track, lk.camera_options(simulcast=True))

    def py_data(self) -> list[rtc.DataPacket]:
        return [e.args[0] for e in self.py.named("data_received")]

    async def close_py(self) -> None:
        for probe in self.probes.values():
            await probe.stop()
        for source in (self.tone, self.colour):
            if source is not None:
                await source.stop()
        if self.py is not None:
            await self.py.disconnect()
        if self.proxy is not None:
            await self.proxy.close()


@pytest.fixture(scope="module", params=["single_pc", "dual_pc"])
def call(tmp_path_factory, request):
    server = SfuServer(tmp_path_factory.mktemp(f"sfu-jssdk-{request.param}"))
    config = server.config_path.read_text()
    level = os.environ.get("JSSDK_SFU_LOG")
    if level:
        config = config.replace('level = "info"', f'level = "{level}"')
    if request.param == "dual_pc":
        config = config.replace('node_ip = "127.0.0.1"\n', 'node_ip = "127.0.0.1"\nsingle_peer_connection = false\n')
    server.config_path.write_text(config)
    server.start()
    shared = Call(server, request.param)
    failures_before = request.session.testsfailed
    try:
        yield shared
    finally:
        for page in shared.browsers():
            page.close()
        try:
            shared.loop.run(shared.close_py(), 30)
        except Exception:
            pass
        shared.loop.close()
        shared.pages.close()
        crashed = server.proc is not None and server.proc.poll() is not None
        server.stop()
        if crashed or request.session.testsfailed > failures_before:
            print(server.log_tail(200))
        if crashed:
            pytest.fail(f"sfu died during the module (status {server.proc.returncode})\n{server.log_tail()}")


def open_browser(call: Call, label: str, url: str) -> js.SdkPage:
    """Opens the page as `call.<label>` (so teardown closes it whatever happens) and joins."""
    page = js.SdkPage(label)
    setattr(call, label, page)
    page.open(call.pages.url, log_level=os.environ.get("JSSDK_LOG_LEVEL", "info"))
    joined = page.call("connect", url, lk.lk_token(label, ROOM), {"forceV0": FORCE_V0})
    page.identity = joined["identity"]
    assert page.identity == label, joined
    return page


def decodes(page: js.SdkPage, other: str, timeout: float = 20.0) -> None:
    """`page` shows `other`'s video and plays its audio, both still rising."""
    js.wait_for(f"{page.label}: first video frames and audio from {other}",
                lambda: page.video_frames(other) >= 10 and page.audio_samples(other) >= 48000,
                timeout, describe=page.describe)
    js.rising(page, page.video_frames, other, 15, 5, "framesDecoded")
    js.rising(page, page.audio_samples, other, 48000, 5, "totalSamplesReceived")


# 1 ----------------------------------------------------------------------------------------


def test_browsers_publish_simulcast_and_decode_each_other(call):
    call.proxy = call.loop.run(lk.TcpProxy("127.0.0.1", call.sfu.http_port).start(), 5)
    open_browser(call, "ada", call.proxy.url)
    open_browser(call, "bea", lk.lk_url(call.sfu))
    for page in (call.ada, call.bea):
        published = page.call("enableCameraAndMicrophone")
        assert sorted(p["kind"] for p in published) == ["audio", "video"], published

    def simulcast_layers(page: js.SdkPage) -> list:
        return [s for s in page.snapshot()["sent"] if s["kind"] == "video" and s["rid"] and s["packetsSent"] > 0]

    for page in (call.ada, call.bea):
        layers = js.wait_for(f"{page.label}: sending simulcast video layers", lambda p=page: len(simulcast_layers(p)) >= 2 and simulcast_layers(p),
                             15, describe=page.describe)
        assert len({layer["rid"] for layer in layers}) >= 2, layers
    decodes(call.ada, "bea")
    decodes(call.bea, "ada")
    call.steps.add("browsers")


# 2 ----------------------------------------------------------------------------------------


def test_browsers_decode_the_python_participants_tone_and_colour(call):
    call.require("browsers")
    call.loop.run(call.py_join(), 30)
    call.steps.add("py")
    for page in (call.ada, call.bea):
        js.rising(page, page.video_frames, "py", 15, 20, "framesDecoded")
        js.rising(page, page.audio_samples, "py", 48000, 10, "totalSamplesReceived")

        def sees_colour(page=page) -> bool:
            c = page.colour("py")
            return c is not None and media.colour_matches(c, lk.VIDEO_RGB, 40.0)

        js.wait_for(f"{page.label}: py's {lk.VIDEO_RGB} picture", sees_colour, 10,
                    describe=lambda page=page: f"colour {page.colour('py')}")
        page.frequency("py")  # attaches the analyser

        def hears_tone(page=page) -> bool:
            return abs(page.frequency("py") - 440.0) <= 15.0

        js.wait_for(f"{page.label}: py's 440 Hz tone", hears_tone, 10,
                    describe=lambda page=page: f"frequency {page.frequency('py')}")
    call.steps.add("py-media")


# 3 ----------------------------------------------------------------------------------------


def test_python_participant_decodes_both_browsers(call):
    call.require("browsers", "py")

    async def body() -> None:
        wanted = {(who, kind) for who in ("ada", "bea") for kind in ("audio", "video")}
        subscribed = await media.wait_until(lambda: wanted <= set(call.probes), 15.0)
        assert subscribed, f"py subscribed to {sorted(call.probes)}; events {lk.track_events(call.py)}"

        decoded_by_webrtc: dict[str, int] = {}

        async def decoded() -> bool:
            # Video: what py's libwebrtc decoded, per receiver (no colour to check: Chromium's
            # fake camera). Not py's VideoStream frames: on this path a VideoStream at times
            # stopped getting frames after its first few while libwebrtc went on decoding that
            # track at full rate (cause not found; see the stop 17 note). The SDK's VideoStream
            # is covered by test_livekit_media.py.
            streams = await lk.inbound_video(call.py)
            for r in streams:
                if r.inbound.frame_width >= 160 and r.inbound.frame_height >= 90:
                    decoded_by_webrtc[r.inbound.mid] = r.inbound.frames_decoded
            audio = all(p.received() >= 100 for (_, k), p in call.probes.items() if k == "audio")
            return audio and len(decoded_by_webrtc) >= 2 and all(n >= 30 for n in decoded_by_webrtc.values())

        # Generous: Chromium encoding two simulcast cameras on a loaded 2-core machine is slow to start.
        if not await media.wait_until(decoded, 45.0, interval=0.5):
            raise AssertionError(
                "py decoding: " + "; ".join(f"{w} {k}: {p.describe()}" for (w, k), p in call.probes.items())
                + f"\npy's receivers: {await lk.inbound_video_stats(call.py)}\npy's track events: {lk.track_events(call.py)}")

    call.loop.run(body(), 90)


# 4 ----------------------------------------------------------------------------------------


def browser_data(page: js.SdkPage, text: str) -> list[dict]:
    return [d for d in page.record()["data"] if d["text"] == text]


def test_publish_data_reliable_and_lossy_with_and_without_destinations(call):
    call.require("browsers", "py")
    ada, bea = call.ada, call.bea
    ada.call("publishData", "ada-reliable-all", {"reliable": True, "topic": "t-all"})
    ada.call("publishData", "ada-reliable-py", {"reliable": True, "topic": "t-py", "destinationIdentities": ["py"]})
    for i in range(5):  # lossy may drop; five tries on loopback is plenty
        ada.call("publishData", "ada-lossy-all", {"reliable": False, "topic": "t-lossy"})
        ada.call("publishData", "ada-lossy-bea", {"reliable": False, "topic": "t-lossy", "destinationIdentities": ["bea"]})
        time.sleep(0.05)

    def py_got(text: str) -> list:
        return [p for p in call.py_data() if p.data == text.encode()]

    js.wait_for("py: ada's reliable and lossy packets", lambda: py_got("ada-reliable-all") and py_got("ada-reliable-py") and py_got("ada-lossy-all"),
                10, describe=lambda: f"py got {[p.data for p in call.py_data()]}")
    packet = py_got("ada-reliable-py")[0]
    assert packet.participant is not None and packet.participant.identity == "ada"
    assert packet.topic == "t-py" and packet.kind == rtc.DataPacketKind.KIND_RELIABLE
    assert py_got("ada-lossy-all")[0].kind == rtc.DataPacketKind.KIND_LOSSY

    js.wait_for("bea: ada's packets", lambda: browser_data(bea, "ada-reliable-all") and browser_data(bea, "ada-lossy-bea")
                and browser_data(bea, "ada-lossy-all"), 10, describe=bea.describe)
    got = browser_data(bea, "ada-reliable-all")[0]
    assert got["from"] == "ada" and got["topic"] == "t-all", got

    # The other way: py to both browsers, and to ada alone, both kinds.
    async def py_sends() -> None:
        send = call.py.room.local_participant.publish_data
        await send(b"py-reliable-all", reliable=True, topic="from-py")
        await send(b"py-reliable-ada", reliable=True, topic="from-py", destination_identities=["ada"])
        for _ in range(5):
            await send(b"py-lossy-ada", reliable=False, topic="from-py", destination_identities=["ada"])
            await asyncio.sleep(0.05)

    call.loop.run(py_sends(), 15)
    js.wait_for("ada: py's packets", lambda: browser_data(ada, "py-reliable-all") and browser_data(ada, "py-reliable-ada")
                and browser_data(ada, "py-lossy-ada"), 10, describe=ada.describe)
    assert browser_data(ada, "py-reliable-ada")[0]["from"] == "py"
    js.wait_for("bea: py's packet for all", lambda: browser_data(bea, "py-reliable-all"), 10, describe=bea.describe)
    time.sleep(0.5)  # time for a misrouted packet to show up
    assert not browser_data(bea, "ada-reliable-py"), "ada's packet for py reached bea"
    assert not browser_data(bea, "py-reliable-ada") and not browser_data(bea, "py-lossy-ada"), "py's packets for ada reached bea"
    assert not py_got("ada-lossy-bea"), "ada's lossy packet for bea reached py"
    assert not browser_data(ada, "ada-reliable-all"), "ada got her own packet back"
    assert len(browser_data(bea, "ada-reliable-all")) == 1
    call.steps.add("data")


# 5 ----------------------------------------------------------------------------------------


def test_rpc_both_ways_with_the_python_participant(call):
    call.require("browsers", "py")
    answer = call.ada.call("performRpc", "py", "py-upper", "hello from ada")
    assert answer == {"payload": "HELLO FROM ADA"}, answer
    assert call.py_rpc_calls == [("ada", "hello from ada")], call.py_rpc_calls
    unknown = call.ada.call("performRpc", "py", "no-such-method", "")
    assert unknown.get("error", {}).get("code") == rtc.RpcError.ErrorCode.UNSUPPORTED_METHOD, unknown

    async def py_calls() -> str:
        return await call.py.room.local_participant.perform_rpc(
            destination_identity="bea", method="browser-reverse", payload="stressed")

    assert call.loop.run(py_calls(), 15) == "desserts"
    assert call.bea.record()["rpcCalls"] == [{"from": "py", "payload": "stressed"}]


# 6 ----------------------------------------------------------------------------------------


def test_text_and_file_streams_both_ways(call):
    call.require("browsers", "py")
    ada, bea = call.ada, call.bea
    long_text = "".join(f"line {i}: the quick brown fox ✓\n" for i in range(800))  # ~26 kB, several chunks
    ada.call("sendText", "hello py ✓", {"topic": "chat", "destinationIdentities": ["py"]})
    ada.call("sendText", long_text, {"topic": "chat"})
    ada.call("streamText", ["streamed ", "by ", "ada"], {"topic": "chat", "destinationIdentities": ["py"]})
    blob = os.urandom(150_000)
    ada.call("sendFile", "ada.bin", js.b64(blob), {"topic": "files", "destinationIdentities": ["py"]})

    js.wait_for("py: ada's texts and file", lambda: len(call.py_texts) >= 3 and call.py_files, 20,
                describe=lambda: f"texts {[(s, len(t)) for s, _, t in call.py_texts]}, files {[(s, n, len(b)) for s, n, b in call.py_files]}")
    assert sorted(t for _, _, t in call.py_texts) == sorted(["hello py ✓", long_text, "streamed by ada"])
    assert all(sender == "ada" and topic == "chat" for sender, topic, _ in call.py_texts)
    assert [(s, n, b == blob) for s, n, b in call.py_files] == [("ada", "ada.bin", True)], \
        [(s, n, len(b)) for s, n, b in call.py_files]
    js.wait_for("bea: ada's long text", lambda: any(t["text"] == long_text for t in bea.record()["texts"]), 10, describe=bea.describe)

    py_blob = os.urandom(120_000)

    async def py_sends(path) -> None:
        me = call.py.room.local_participant
        await me.send_text("hello browsers", topic="chat")
        writer = await me.stream_text(topic="chat", destination_identities=["ada"])
        for part in ("streamed ", "by ", "py"):
            await writer.write(part)
        await writer.aclose()
        await me.send_file(str(path), topic="files")

    path = call.sfu.workdir / "py.bin"
    path.write_bytes(py_blob)
    call.loop.run(py_sends(path), 30)
    digest = hashlib.sha256(py_blob).hexdigest()
    for page, texts in ((ada, {"hello browsers", "streamed by py"}), (bea, {"hello browsers"})):
        js.wait_for(f"{page.label}: py's texts and file",
                    lambda page=page, texts=texts: texts <= {t["text"] for t in page.record()["texts"] if t["from"] == "py"}
                    and any(f["name"] == "py.bin" for f in page.record()["files"]), 20, describe=page.describe)
        files = [f for f in page.record()["files"] if f["name"] == "py.bin"]
        assert files == [{"from": "py", "name": "py.bin", "size": len(py_blob), "sha256": digest}], files
    assert "streamed by py" not in {t["text"] for t in bea.record()["texts"]}, "py's stream for ada reached bea"


# 7 ----------------------------------------------------------------------------------------


def test_mute_and_unmute_reach_the_others(call):
    call.require("browsers", "py")

    def bea_saw(muted: bool) -> bool:
        return any(m["identity"] == "ada" and m["kind"] == "audio" and m["muted"] == muted for m in call.bea.record()["mutes"])

    def py_saw(name: str) -> bool:
        return bool(call.py.named(name, lambda p, pub: p.identity == "ada" and pub.kind == rtc.TrackKind.KIND_AUDIO))

    call.ada.call("setMicrophoneEnabled", False)
    js.wait_for("bea: ada's microphone muted", lambda: bea_saw(True), 5, describe=call.bea.describe)
    js.wait_for("py: ada's microphone muted", lambda: py_saw("track_muted"), 5)
    call.ada.call("setMicrophoneEnabled", True)
    js.wait_for("bea: ada's microphone unmuted", lambda: bea_saw(False), 5, describe=call.bea.describe)
    js.wait_for("py: ada's microphone unmuted", lambda: py_saw("track_unmuted"), 5)
    js.rising(call.bea, call.bea.audio_samples, "ada", 48000, 10, "totalSamplesReceived after unmute")


# 8 ----------------------------------------------------------------------------------------


def test_sdk_resumes_after_its_signalling_socket_drops(call):
    call.require("browsers", "py")
    ada = call.ada
    before = len(call.proxy.requests)
    assert call.proxy.live_connections() >= 1, call.proxy.requests
    async def cut() -> int:
        return call.proxy.cut()

    cut = call.loop.run(cut(), 5)
    assert cut >= 1
    js.wait_for("ada: the SDK says it reconnected", lambda: any(" Reconnected" in e for e in ada.record()["events"]),
                20, describe=ada.describe)
    assert ada.snapshot()["state"] == "connected"
    again = call.proxy.requests[before:]
    # A resume: `/rtc?…reconnect=1`, or on /rtc/v1 a JoinRequest that says reconnect.
    assert any(lk.is_resume_request(line) for line in again), again
    # Media keeps flowing both ways, data too.
    js.rising(call.bea, call.bea.video_frames, "ada", 15, 10, "framesDecoded after ada's resume")
    js.rising(ada, ada.video_frames, "bea", 15, 10, "framesDecoded after the resume")
    js.rising(ada, ada.audio_samples, "py", 48000, 10, "totalSamplesReceived after the resume")
    ada.call("publishData", "after-resume", {"reliable": True, "destinationIdentities": ["py"]})
    js.wait_for("py: ada's packet after the resume", lambda: any(p.data == b"after-resume" for p in call.py_data()), 10)
    assert "ada" in call.bea.snapshot()["participants"]


# 9 ----------------------------------------------------------------------------------------


def test_a_browser_that_leaves_is_gone_within_5s(call):
    call.require("browsers", "py")
    call.bea.console()  # keep her console lines for test 10
    left_at = time.monotonic()
    call.bea.driver.close()  # her only tab closes: the SDK says goodbye on pagehide
    call.bea.close()
    js.wait_for("ada: bea left", lambda: "bea" in call.ada.record()["participants"]["left"],
                5.0 - (time.monotonic() - left_at), 0.1, call.ada.describe)
    assert "bea" not in call.ada.snapshot()["participants"]

    async def py_sees() -> None:
        await call.py.wait_event("participant_disconnected", lk.from_identity("bea"), timeout=max(0.1, 5.0 - (time.monotonic() - left_at)))

    call.loop.run(py_sees(), 10)
    assert "bea" not in call.py.room.remote_participants


# 10 ---------------------------------------------------------------------------------------


def test_console_shows_a_fallback_only_when_the_server_refuses_it(call):
    pages = [page for page in (call.ada, call.bea) if page is not None]
    if len(pages) < 2:
        pytest.fail("the browsers never connected", pytrace=False)
    lines = {page.label: page.fallback_lines() for page in pages}
    if call.path == "single_pc":
        assert not any(lines.values()), f"the SDK fell back from /rtc/v1 to /rtc: {lines}"
    else:  # the server refuses /rtc/v1: falling back is right, and the SDK says so
        assert all(lines.values()), f"no fallback logged with /rtc/v1 refused: {lines}"
