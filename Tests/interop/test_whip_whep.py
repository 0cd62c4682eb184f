"""Acceptance: WHIP publish → WHEP view through our SFU, with aiortc peers on loopback.

Each test starts its own `sfu` (see conftest.py).  Media checks decode what arrives:
a 440 Hz tone (dominant frequency within ±10 Hz over 100 ms windows) and a solid
(200, 30, 30) VP8 picture (mean RGB within 40 per channel).
"""

import asyncio
import random
import time

import pytest
import requests

import media

AUDIO_FRAMES_REQUIRED = 100
VIDEO_FRAMES_REQUIRED = 30
MEDIA_TIMEOUT_S = 10.0
# At 5 % loss each way aiortc recovers only through NACK round trips, and its decoder shares
# a loaded 2-core machine with the server: a bound, not a performance figure.
LOSSY_MEDIA_TIMEOUT_S = 25.0


def run(coro):
    return asyncio.run(coro)


def describe(session: media.WebRtcSession) -> str:
    a, v = session.audio, session.video
    return (
        f"audio {a.good_frames()}/{len(a.frames)} frames at 440±10 Hz (last {a.frequencies()[-3:]}, err {a.error!r}); "
        f"video {v.good_frames()}/{len(v.frames)} frames of the right colour "
        f"(last {v.frames[-1][1:] if v.frames else None}, err {v.error!r}); ice={session.pc.iceConnectionState}"
    )


async def start_publisher(sfu, room: str) -> media.WebRtcSession:
    return await media.whip_publish(
        sfu.base_url,
        room,
        sfu.publisher_token(room),
        audio_track=media.ToneAudioTrack(),
        video_track=media.SolidColourVideoTrack(),
    )


async def close_all(*sessions):
    for s in sessions:
        if s is not None:
            await s.close()


async def publish_offer_sdp() -> str:
    """A real aiortc WHIP offer (tone + VP8), for requests that must fail for other reasons."""
    pc = media.make_peer_connection()
    try:
        media.prefer_codec(pc.addTransceiver(media.ToneAudioTrack(), direction="sendonly"), "audio/opus")
        media.prefer_codec(pc.addTransceiver(media.SolidColourVideoTrack(), direction="sendonly"), "video/VP8")
        await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp
    finally:
        await pc.close()


async def view_offer_sdp() -> str:
    pc = media.make_peer_connection()
    try:
        media.prefer_codec(pc.addTransceiver("audio", direction="recvonly"), "audio/opus")
        media.prefer_codec(pc.addTransceiver("video", direction="recvonly"), "video/VP8")
        await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp
    finally:
        await pc.close()


# ---------------------------------------------------------------------------
# media flow
# ---------------------------------------------------------------------------


def test_whip_publish_whep_view_decodes_tone_and_colour(sfu):
    room = "tone-and-colour"

    async def scenario():
        publisher = viewer = None
        try:
            publisher = await start_publisher(sfu, room)
            assert publisher.location, "WHIP 201 without a Location header"
            # ICE-lite answer: the UDP host candidate at node_ip:udp_port, then the passive
            # ICE-TCP one at node_ip:tcp_port (issue 12).
            candidates = [
                line for line in publisher.answer_sdp.splitlines() if line.startswith("a=candidate:")
            ]
            assert candidates, publisher.answer_sdp
            assert [c.split()[2] for c in candidates] == ["udp", "tcp"], candidates
            assert f"127.0.0.1 {sfu.udp_port} typ host" in candidates[0], candidates
            assert candidates[1].endswith(f"127.0.0.1 {sfu.tcp_port} typ host tcptype passive"), candidates

            started = time.monotonic()
            viewer = await media.whep_subscribe(sfu.base_url, room, sfu.viewer_token(room))
            assert viewer.location, "WHEP 201 without a Location header"
            ok = await media.wait_until(
                lambda: viewer.audio.good_frames() >= AUDIO_FRAMES_REQUIRED
                and viewer.video.good_frames() >= VIDEO_FRAMES_REQUIRED,
                timeout=MEDIA_TIMEOUT_S - (time.monotonic() - started),
            )
            assert ok, f"within {MEDIA_TIMEOUT_S}s: {describe(viewer)}"
            assert viewer.video.frames[-1][2] == media.VIDEO_SIZE

            metrics = await asyncio.to_thread(sfu.metrics)
            assert metrics.get("sfu_rtp_packets_received_total", 0) > 0, metrics
            assert metrics.get("sfu_rtp_packets_sent_total", 0) > 0, metrics

            viewer_status = await viewer.close()
            publisher_status = await publisher.close()
            assert viewer_status in (200, 204), f"DELETE WHEP session -> {viewer_status}"
            assert publisher_status in (200, 204), f"DELETE WHIP session -> {publisher_status}"
        finally:
            await close_all(viewer, publisher)

    run(scenario())
    assert sfu.is_running()


def test_late_whep_viewer_gets_picture_within_two_seconds(sfu):
    """The publisher's encoder emits one keyframe at start and then none for 100 s
    (aiortc's VP8 gop is 3000), so a viewer joining later only gets a picture if a
    keyframe request (PLI/FIR) reaches the publisher."""
    room = "late-joiner"

    async def scenario():
        publisher = first = late = None
        try:
            publisher = await start_publisher(sfu, room)
            first = await media.whep_subscribe(sfu.base_url, room, sfu.viewer_token(room, "first"))
            ok = await media.wait_until(lambda: first.video.good_frames() >= 1, timeout=MEDIA_TIMEOUT_S)
            assert ok, f"first viewer: {describe(first)}"
            await asyncio.sleep(5.0)
            first_count = len(first.video.frames)

            asked = time.monotonic()
            late = await media.whep_subscribe(sfu.base_url, room, sfu.viewer_token(room, "late"))
            got = await media.wait_until(lambda: late.video.good_frames() >= 1, timeout=2.0 - (time.monotonic() - asked))
            waited = time.monotonic() - asked
            pli = await asyncio.to_thread(sfu.metric, "sfu_pli_sent_total")
            assert got, f"late viewer had no decodable picture {waited:.2f}s after POST (sfu_pli_sent_total={pli}): {describe(late)}"
            first_at = late.video.first_frame_time() - asked
            assert first_at <= 2.0, f"first late frame after {first_at:.2f}s"
            assert media.colour_matches(late.video.frames[0][1], media.VIDEO_COLOUR), late.video.frames[0]

            # The first viewer kept receiving while the third joined.
            assert len(first.video.frames) > first_count, describe(first)
        finally:
            await close_all(late, first, publisher)

    run(scenario())


def test_media_survives_five_percent_loss_with_nack(sfu_lossy):
    """5 % of RTP dropped inbound (publisher → SFU) and outbound (SFU → viewer).

    aiortc's jitter buffer stalls on a missing packet until 128 newer packets arrive,
    so steady decoding at this loss rate needs retransmissions in both legs:
    the SFU NACKs the publisher (sfu_nack_sent_total) and answers the viewer's
    NACKs from its buffer (sfu_nack_answered_total)."""
    sfu = sfu_lossy
    room = "lossy"

    async def scenario():
        publisher = viewer = None
        try:
            publisher = await start_publisher(sfu, room)
            started = time.monotonic()
            viewer = await media.whep_subscribe(sfu.base_url, room, sfu.viewer_token(room))
            ok = await media.wait_until(
                lambda: viewer.video.good_frames() >= VIDEO_FRAMES_REQUIRED,
                timeout=LOSSY_MEDIA_TIMEOUT_S - (time.monotonic() - started),
            )
            assert ok, f"within {LOSSY_MEDIA_TIMEOUT_S}s at 5% loss: {describe(viewer)}"

            def nacks_flowed():
                m = sfu.metrics()
                return (
                    m.get("sfu_test_dropped_packets_total", 0) > 0
                    and m.get("sfu_nack_sent_total", 0) > 0
                    and m.get("sfu_nack_answered_total", 0) > 0
                )

            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline and not await asyncio.to_thread(nacks_flowed):
                await asyncio.sleep(0.25)
            m = await asyncio.to_thread(sfu.metrics)
            assert m.get("sfu_test_dropped_packets_total", 0) > 0, f"loss knob dropped nothing: {m}"
            assert m.get("sfu_nack_sent_total", 0) > 0, f"SFU never NACKed the publisher: {m}"
            assert m.get("sfu_nack_received_total", 0) > 0, f"viewer NACKs not counted: {m}"
            assert m.get("sfu_nack_answered_total", 0) > 0, f"SFU never retransmitted to the viewer: {m}"
        finally:
            await close_all(viewer, publisher)

    run(scenario())
    assert sfu.is_running()


# ---------------------------------------------------------------------------
# negative cases
# ---------------------------------------------------------------------------


def test_whip_without_token_is_401(sfu):
    offer = run(publish_offer_sdp())
    response = media.post_sdp(sfu.url("/whip/auth"), offer, token=None)
    assert response.status_code == 401, (response.status_code, response.text)


def test_whip_bad_tokens_are_rejected(sfu):
    offer = run(publish_offer_sdp())
    url = sfu.url("/whip/auth")
    cases = {
        "token for another room": (sfu.token("p", "other-room", can_publish=True), (401, 403)),
        "wrong secret": (sfu.token("p", "auth", can_publish=True, secret="not-the-secret"), (401,)),
        "unknown api key": (sfu.token("p", "auth", can_publish=True, api_key="nokey"), (401,)),
        "expired": (sfu.token("p", "auth", can_publish=True, ttl=-60, not_before_offset=-120), (401,)),
        "not a jwt": ("garbage.token.value", (401,)),
    }
    failures = []
    for name, (token, allowed) in cases.items():
        response = media.post_sdp(url, offer, token=token)
        if response.status_code not in allowed:
            failures.append(f"{name}: {response.status_code} not in {allowed}")
    assert not failures, failures
    assert sfu.healthy()


def test_subscribe_only_token_cannot_publish_and_vice_versa(sfu):
    publish_offer = run(publish_offer_sdp())
    view_offer = run(view_offer_sdp())
    r = media.post_sdp(sfu.url("/whip/grants"), publish_offer, token=sfu.viewer_token("grants"))
    assert r.status_code == 403, f"WHEP-only token on WHIP -> {r.status_code} {r.text[:200]}"
    r = media.post_sdp(sfu.url("/whep/grants"), view_offer, token=sfu.publisher_token("grants"))
    assert r.status_code == 403, f"publish-only token on WHEP -> {r.status_code} {r.text[:200]}"


def test_garbage_sdp_is_400_and_server_survives(sfu):
    rng = random.Random(9725)
    offer = run(publish_offer_sdp())
    bodies = {
        "text": "this is not sdp",
        "empty": "",
        "random bytes": bytes(rng.getrandbits(8) for _ in range(512)).decode("latin-1"),
        "version only": "v=0\r\n",
        "truncated offer": offer[: len(offer) // 3],
        "no ice credentials": "\r\n".join(
            line for line in offer.split("\r\n") if not line.startswith(("a=ice-ufrag", "a=ice-pwd"))
        ),
    }
    token = sfu.publisher_token("garbage")
    failures = []
    for name, body in bodies.items():
        for path in ("/whip/garbage", "/whep/garbage"):
            t = token if path.startswith("/whip") else sfu.viewer_token("garbage")
            response = media.post_sdp(sfu.url(path), body, token=t)
            if response.status_code != 400:
                failures.append(f"{path} {name}: {response.status_code}")
            assert sfu.healthy(), f"/healthz failed after {path} {name}\n{sfu.log_tail()}"
    assert not failures, failures
    assert sfu.is_running()


def test_delete_session_then_second_delete_is_404(sfu):
    room = "delete-me"

    async def scenario():
        publisher = await start_publisher(sfu, room)
        location = publisher.location
        assert location, "WHIP 201 without a Location header"
        status = await publisher.close()
        assert status in (200, 204), f"first DELETE {location} -> {status}"
        again = await asyncio.to_thread(media.delete_session, location, sfu.publisher_token(room))
        assert again.status_code == 404, f"second DELETE {location} -> {again.status_code}"

    run(scenario())
    assert sfu.healthy()
