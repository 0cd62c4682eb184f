"""Proves the LiveKit-SDK harness (lk_helpers) without our server.

Runs the real `livekit` SDK in-process: local tracks through AudioStream/VideoStream, the
SDK against a tiny fake HTTP server (to pin down how a refused join reaches the caller),
and the TCP proxy against a local echo server.  If this fails, the test_livekit_* results
against the SFU mean nothing.
"""

import asyncio
import datetime
import time

import jwt
import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
from aiohttp import web
from google.protobuf.message import DecodeError
from livekit import api, rtc
from livekit.protocol import rtc as lk_proto

import lk_helpers as lk
import media


def test_tokens_carry_livekit_claims():
    token = lk.lk_token("alice", "room-1", can_publish=False)
    claims = jwt.decode(token, "secret", algorithms=["HS256"], options={"verify_signature": True})
    assert claims["iss"] == "devkey" and claims["sub"] == "alice"
    assert claims["video"]["roomJoin"] is True and claims["video"]["room"] == "room-1"
    assert claims["video"]["canPublish"] is False and claims["video"]["canSubscribe"] is True
    assert claims["video"]["canUpdateOwnMetadata"] is True
    assert 590 <= claims["exp"] - claims["nbf"] <= 610
    # livekit-api's own verifier accepts it and reads the same grants back.
    verified = api.TokenVerifier("devkey", "secret").verify(token)
    assert verified.identity == "alice" and verified.video.room == "room-1"


def test_negative_tokens_are_what_they_claim_to_be():
    bad = lk.lk_token("a", "r", secret="not-the-secret")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(bad, "secret", algorithms=["HS256"])
    expired = lk.lk_token("a", "r", ttl=datetime.timedelta(minutes=-5))
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(expired, "secret", algorithms=["HS256"], leeway=60)
    no_join = jwt.decode(lk.lk_token("a", "r", room_join=False), "secret", algorithms=["HS256"])
    assert no_join["video"].get("roomJoin") is False
    no_room = jwt.decode(lk.raw_token({"sub": "a", "video": {"roomJoin": True}}), "secret", algorithms=["HS256"])
    assert "room" not in no_room["video"]
    grantless = jwt.decode(lk.raw_token({"sub": "a"}), "secret", algorithms=["HS256"])
    assert "video" not in grantless


def test_tone_frames_and_probe_measure_frequency():
    tone = lk.tone_samples(440.0, 0, 4800)
    assert abs(media.dominant_frequency(tone / 32768.0, 48000) - 440.0) < 2
    probe = lk.AudioProbe()
    for i in range(30):
        probe.feed(lk.tone_samples(600.0, i * 480, 480) / 32768.0)
    assert probe.good(600.0) >= 20 and probe.good(440.0) == 0
    # consecutive frames continue the phase: no discontinuity at frame edges
    joined = np.concatenate([lk.tone_samples(440.0, i * 480, 480) for i in range(3)])
    assert np.array_equal(joined, lk.tone_samples(440.0, 0, 1440))


def test_garbage_frame_is_not_a_signal_request():
    garbage = bytes([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02])
    with pytest.raises(DecodeError):
        lk_proto.SignalRequest.FromString(garbage)


def test_sdk_local_tracks_through_streams_decode_tone_and_colour():
    """ToneSource/ColourSource → local track → AudioStream/VideoStream → probes (no network)."""

    async def body():
        tone, colour = lk.ToneSource(440.0).start(), lk.ColourSource().start()
        audio, video = lk.AudioProbe().start(tone.track), lk.VideoProbe().start(colour.track)
        # the cheaper probe the six-party test uses: 16 kHz, 50 ms frames, every 2nd analysed
        light = lk.AudioProbe(sample_rate=16000, frame_size_ms=50, analyse_every=2).start(tone.track)
        try:
            ok = await media.wait_until(
                lambda: audio.good() >= 100 and video.good() >= 30 and light.good() >= 10, 8.0
            )
            assert ok, f"audio {audio.describe()}; light {light.describe()}; video {video.describe()}"
            assert tone.error is None and audio.error is None and video.error is None and light.error is None
            assert video.frames[-1][2] == (lk.VIDEO_W, lk.VIDEO_H)
            assert light.good(340.0) == 0  # and it can tell tones apart
        finally:
            for thing in (audio, light, video, tone, colour):
                await thing.stop()

    lk.run_bounded(body(), 20)


async def _fake_livekit(status: int, reason: str, hits: list):
    async def handler(request):
        hits.append(request.path)
        if request.path.endswith("/validate"):
            return web.Response(status=status, text=reason, content_type="text/plain")
        if request.path.startswith("/rtc/v1"):
            return web.Response(status=404, text="not found")
        return web.Response(status=status, text="refused")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


@pytest.mark.parametrize("status,text", [(401, "Unauthorized"), (403, "Forbidden")])
def test_sdk_reports_validate_status_and_reason_in_connect_error(status, text):
    """What test_livekit_negative relies on: 404 on /rtc/v1 → /rtc; a refused upgrade →
    /rtc/validate; ConnectError names the status and the server's plain-text reason."""

    async def body():
        hits: list = []
        runner, port = await _fake_livekit(status, "token refused for a test reason", hits)
        try:
            peer = lk.Peer("alice")
            with pytest.raises(rtc.ConnectError) as info:
                await peer.connect(f"ws://127.0.0.1:{port}", lk.lk_token("alice", "r"), timeout=15)
            assert f"{status} {text}" in info.value.message
            assert "token refused for a test reason" in info.value.message
            assert hits[:3] == ["/rtc/v1", "/rtc", "/rtc/validate"], hits
        finally:
            await runner.cleanup()

    lk.run_bounded(body(), 30)


def test_tcp_proxy_relays_and_cuts_while_still_listening():
    async def body():
        async def echo(reader, writer):
            while data := await reader.read(1024):
                writer.write(data)
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        proxy = await lk.TcpProxy("127.0.0.1", server.sockets[0].getsockname()[1]).start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(b"GET /rtc?reconnect=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (await asyncio.wait_for(reader.readexactly(14), 2)) == b"GET /rtc?recon"
            await media.wait_until(lambda: proxy.live_connections() == 1, 2)
            assert proxy.requests == ["GET /rtc?reconnect=1 HTTP/1.1"]
            assert proxy.cut() == 1
            # the client side sees the connection end (EOF or reset) promptly; bytes echoed
            # before the cut may still be buffered ahead of the EOF
            t0 = time.monotonic()

            async def drain_to_eof():
                try:
                    while await reader.read(1024):
                        pass
                except ConnectionResetError:
                    pass

            await asyncio.wait_for(drain_to_eof(), 2)
            assert time.monotonic() - t0 < 2
            writer.close()
            # still listening: a new connection relays again
            reader2, writer2 = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer2.write(b"ping")
            assert (await asyncio.wait_for(reader2.readexactly(4), 2)) == b"ping"
            assert len(proxy.requests) == 2
            writer2.close()
        finally:
            await proxy.close()
            server.close()
            await server.wait_closed()

    lk.run_bounded(body(), 20)


def test_mean_rgb_of_i420_frames_recovers_the_colour():
    """Decoded remote video arrives as I420; mean_rgb converts it back to RGBA."""
    source = lk.ColourSource()
    i420 = source.frame().convert(rtc.VideoBufferType.I420)
    assert i420.type == rtc.VideoBufferType.I420
    assert media.colour_matches(lk.mean_rgb(i420), lk.VIDEO_RGB, tolerance=6), lk.mean_rgb(i420)
    blue = rtc.VideoFrame(8, 8, rtc.VideoBufferType.RGBA, bytes([20, 30, 200, 255] * 64))
    assert not media.colour_matches(lk.mean_rgb(blue.convert(rtc.VideoBufferType.I420)), lk.VIDEO_RGB)
