"""Issue 3 acceptance, signalling edges: /rtc/v1 and /rtc/validate, refused tokens and
grants, and a malformed protobuf frame that must close only its own connection.

Status convention (LiveKit's /rtc/validate; the SDK treats 401/403 as terminal):
401 for a token that does not verify (bad signature, expired beyond the 60 s leeway);
403 for a verified token that may not join (roomJoin false, no room, no video grant).
The SDK puts "<status> <phrase> - <validate body>" in ConnectError (proved against a fake
server in test_livekit_selfcheck.py), so the reason must be plain text and say something.
"""

import asyncio
import datetime

import aiohttp
import pytest
from livekit import rtc
from livekit.protocol import rtc as lk_proto

import lk_helpers as lk
import media

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_rtc_v1_refuses_a_bad_join_request_and_validate_accepts_a_good_token(sfu):
    """/rtc/v1 is served: a join_request that is not a WrappedJoinRequest is a 400 (the
    upgrade) whose reason /rtc/v1/validate gives in plain text; /rtc/validate answers 200 for a
    good token."""

    async def body():
        token = lk.lk_token("alice", "sanity")
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as info:
                await session.ws_connect(
                    f"ws://127.0.0.1:{sfu.http_port}/rtc/v1?join_request=AA",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=aiohttp.ClientWSTimeout(ws_receive=5),
                )
            assert info.value.status == 400
            async with session.get(
                f"http://127.0.0.1:{sfu.http_port}/rtc/v1/validate?join_request=AA",
                headers={"Authorization": f"Bearer {token}"},
                timeout=aiohttp.ClientTimeout(total=5),
            ) as response:
                reason = await response.text()
                assert response.status == 400, f"/rtc/v1/validate -> {response.status} {reason!r}"
                assert "join_request" in reason, reason
        status, _, text = await lk.validate(sfu, token)
        assert status == 200, f"/rtc/validate with a good token -> {status} {text!r}"
        # the token may also come as access_token= (browsers cannot set headers)
        async with aiohttp.ClientSession() as session:
            async with session.get(
                lk.rtc_query_url(sfu, "/rtc/validate", "http") + f"&access_token={token}",
                timeout=aiohttp.ClientTimeout(total=5),
            ) as response:
                assert response.status == 200

    lk.run_bounded(body(), 20)


def test_rtc_v1_switched_off_is_404_and_the_sdk_falls_back(sfu_factory):
    """`[rtc] single_peer_connection = false`: /rtc/v1 answers 404 before the upgrade, and the
    SDK (single-PC by default) falls back to /rtc and still connects."""
    sfu = sfu_factory(single_peer_connection=False)

    async def body():
        token = lk.lk_token("alice", "fallback")
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as info:
                await session.ws_connect(
                    f"ws://127.0.0.1:{sfu.http_port}/rtc/v1?join_request=AA",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=aiohttp.ClientWSTimeout(ws_receive=5),
                )
            assert info.value.status == 404
        peer = lk.Peer("alice")
        try:
            await peer.connect(lk.lk_url(sfu), token)
            assert peer.connected()
        finally:
            await peer.disconnect()

    lk.run_bounded(body(), 40)


def refused_tokens():
    room = "refusals"
    return {
        "bad-signature": (lk.lk_token("mallory", room, secret="not-the-secret"), 401),
        "expired": (lk.lk_token("late", room, ttl=datetime.timedelta(minutes=-5)), 401),
        "room-join-false": (lk.lk_token("nojoin", room, room_join=False), 403),
        "no-room": (lk.raw_token({"sub": "noroom", "video": {"roomJoin": True, "canPublish": True}}), 403),
        "no-grants": (lk.raw_token({"sub": "nogrants", "name": "no grants"}), 403),
    }


@pytest.mark.parametrize("case", list(refused_tokens()))
def test_refused_token_reaches_the_caller_with_status_and_reason(sfu, case):
    token, expected_status = refused_tokens()[case]

    async def body():
        status, content_type, reason = await lk.validate(sfu, token)
        assert status == expected_status, f"{case}: /rtc/validate -> {status} {reason!r}"
        assert content_type.startswith("text/plain"), f"{case}: reason should be plain text, got {content_type!r}"
        assert reason.strip(), f"{case}: empty reason"

        peer = lk.Peer(case)
        with pytest.raises(rtc.ConnectError) as info:
            await peer.connect(lk.lk_url(sfu), token, timeout=20)
        message = info.value.message
        assert str(expected_status) in message, f"{case}: ConnectError {message!r}"
        assert reason.strip() in message, f"{case}: ConnectError {message!r} lacks the reason {reason.strip()!r}"
        assert sfu.is_running()

    lk.run_bounded(body(), 30)


def test_publish_without_can_publish_is_refused(sfu):
    """canPublish=false: publish_track fails at the publisher and the track never appears at B."""

    async def body():
        url, room = lk.lk_url(sfu), "no-publish"
        bob, alice = lk.Peer("bob"), lk.Peer("alice")
        tone = None
        try:
            await bob.connect(url, lk.lk_token("bob", room))
            await alice.connect(url, lk.lk_token("alice", room, can_publish=False))
            await bob.wait_event("participant_connected", lk.from_identity("alice"), timeout=5)
            tone = lk.ToneSource(440.0).start()
            with pytest.raises(Exception) as info:
                await asyncio.wait_for(
                    alice.room.local_participant.publish_track(tone.track, lk.microphone_options()), 15
                )
            assert not isinstance(info.value, asyncio.TimeoutError), "publish_track neither failed nor returned"
            await asyncio.sleep(1.0)
            assert not bob.named("track_published"), "a track from a participant without canPublish was published"
            assert not bob.named("track_subscribed")
            assert not bob.room.remote_participants["alice"].track_publications
            assert alice.connected() and bob.connected()
        finally:
            if tone is not None:
                await tone.stop()
            await lk.disconnect_all([alice, bob])

    lk.run_bounded(body(), 40)


GARBAGE = bytes([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02])  # field 1, length runs past the end


def test_malformed_protobuf_closes_only_that_connection(sfu):
    """A raw WebSocket client sends a frame that is not a SignalRequest: the server closes that
    socket; the SDK participants in the same room stay connected and keep exchanging data."""

    async def body():
        url, room = lk.lk_url(sfu), "garbage"
        bob, carol = lk.Peer("bob"), lk.Peer("carol")
        try:
            await bob.connect(url, lk.lk_token("bob", room))
            await carol.connect(url, lk.lk_token("carol", room))
            async with aiohttp.ClientSession() as session:
                ws = await session.ws_connect(
                    lk.rtc_query_url(sfu),
                    headers={"Authorization": f"Bearer {lk.lk_token('raw', room)}"},
                    timeout=aiohttp.ClientWSTimeout(ws_receive=5),
                    autoping=True,
                )
                first = await asyncio.wait_for(ws.receive(), 5)
                assert first.type == aiohttp.WSMsgType.BINARY, f"first frame {first.type}"
                join = lk_proto.SignalResponse.FromString(first.data)
                assert join.WhichOneof("message") == "join", join.WhichOneof("message")
                assert join.join.participant.identity == "raw" and join.join.participant.sid.startswith("PA_")

                await ws.send_bytes(GARBAGE)

                async def until_closed():
                    while True:
                        message = await ws.receive()
                        if message.type in (
                            aiohttp.WSMsgType.CLOSE,
                            aiohttp.WSMsgType.CLOSING,
                            aiohttp.WSMsgType.CLOSED,
                            aiohttp.WSMsgType.ERROR,
                        ):
                            return message

                closed = await asyncio.wait_for(until_closed(), 5)
                assert closed is not None
                assert ws.closed or closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)

            await asyncio.sleep(0.5)
            assert bob.connected() and carol.connected(), "a malformed frame from another client hurt the room"
            assert not bob.named("participant_disconnected", lk.from_identity("carol"))
            await carol.room.local_participant.publish_data(b"still here", reliable=True, topic="after-garbage")
            got = await bob.wait_event("data_received", lambda p: p.data == b"still here", timeout=5)
            assert got.args[0].participant.identity == "carol"
            assert sfu.is_running()
        finally:
            await lk.disconnect_all([bob, carol])

    lk.run_bounded(body(), 40)
