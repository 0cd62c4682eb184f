"""Issue 11, finding 6: signalling and data are limited per participant ([limits]).

Before the limits, one participant sending 1,000 metadata updates a second pushed 5,000
events to every other participant in 5 s. Now an update over the rate is answered at once
with RequestResponse LIMIT_EXCEEDED (so the SDK does not wait out its timeout), other
signal requests and data packets over theirs are dropped, and each refusal is counted in
/metrics as sfu_rate_limited_total{kind=...}. Pings and leaves always pass.

The flooder is a raw WebSocket client speaking livekit.protocol, so that nothing paces it;
the others are the Python SDK. Bounds are stated against the time the flood really took, so
a slow machine only lets more through, never fails the test.
"""

import asyncio
import re
import time

import aiohttp
import pytest
import requests
from livekit.protocol import models as lk_models
from livekit.protocol import rtc as lk_proto

import lk_helpers as lk
import media
from raw_signal import RawParticipant, metadata_update

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def rate_limited(sfu, kind: str) -> int:
    text = requests.get(sfu.url("/metrics"), timeout=5).text
    found = re.search(r'^sfu_rate_limited_total\{kind="%s"\} (\d+)$' % re.escape(kind), text, re.M)
    assert found, f"no sfu_rate_limited_total{{kind={kind!r}}} in /metrics"
    return int(found.group(1))


def test_a_metadata_flood_is_answered_limit_exceeded_and_reaches_nobody(sfu):
    """1,000 updates at once: about the burst (20) pass, every other is answered
    LIMIT_EXCEEDED, the watcher sees only the accepted ones, and /metrics counts the rest."""
    sent = 1000

    async def body():
        room = "metadata-flood"
        watcher = lk.Peer("watcher")
        async with aiohttp.ClientSession() as session:
            flooder = RawParticipant(session, sfu, room, "flooder")
            try:
                await watcher.connect(lk.lk_url(sfu), lk.lk_token("watcher", room))
                await flooder.join()
                await watcher.wait_event("participant_connected", lk.from_identity("flooder"))
                before = rate_limited(sfu, "metadata")
                started = time.monotonic()
                for n in range(1, sent + 1):
                    await flooder.send(metadata_update(n))
                took = time.monotonic() - started
                assert await media.wait_until(lambda: len(flooder.responses) >= sent, 15.0), \
                    f"{len(flooder.responses)} of {sent} updates answered"
                ok = [r for r in flooder.responses if r.reason == lk_proto.RequestResponse.OK]
                refused = [r for r in flooder.responses if r.reason == lk_proto.RequestResponse.LIMIT_EXCEEDED]
                assert len(ok) + len(refused) == sent, {r.reason for r in flooder.responses}
                allowed = 20 + 10 * (took + 2.0)  # burst + rate over the flood, with slack for the server's clock
                assert 20 <= len(ok) <= allowed, (len(ok), took)
                assert all("rate limit" in r.message for r in refused), refused[0].message
                assert {r.request_id for r in flooder.responses} == set(range(1, sent + 1))
                assert await media.wait_until(lambda: rate_limited(sfu, "metadata") - before == len(refused), 5.0)

                # What others see is bounded by what was accepted.
                await asyncio.sleep(1.0)
                changes = watcher.named("participant_metadata_changed", lk.from_identity("flooder"))
                assert len(changes) <= len(ok), (len(changes), len(ok))
                assert changes, "accepted updates must still reach the room"

                # The connection survives; pings pass; the bucket refills for honest use.
                ping = lk_proto.SignalRequest()
                ping.ping_req.timestamp = 42
                await flooder.send(ping)
                assert await media.wait_until(lambda: any(p.last_ping_timestamp == 42 for p in flooder.pongs), 5.0)
                await asyncio.sleep(1.0)
                flooder.responses.clear()
                await flooder.send(metadata_update(sent + 1))
                assert await media.wait_until(lambda: flooder.responses, 5.0)
                assert flooder.responses[0].reason == lk_proto.RequestResponse.OK, flooder.responses[0]
                assert sfu.is_running()
            finally:
                await flooder.close()
                await lk.disconnect_all([watcher])

    lk.run_bounded(body(), 60)


def test_oversized_metadata_is_refused_with_a_reason(sfu_factory):
    """[limits] sizes, as LiveKit's: the update is answered LIMIT_EXCEEDED and not applied."""
    sfu = sfu_factory(extra_toml="[limits]\nmax_metadata_size = 1000\nmax_participant_name_length = 8\n")

    async def body():
        room = "metadata-size"
        async with aiohttp.ClientSession() as session:
            raw = RawParticipant(session, sfu, room, "sizer")
            try:
                await raw.join()
                big = lk_proto.SignalRequest()
                big.update_metadata.metadata = "x" * 1001
                big.update_metadata.request_id = 1
                long_name = lk_proto.SignalRequest()
                long_name.update_metadata.name = "a-long-name"
                long_name.update_metadata.request_id = 2
                await raw.send(big)
                await raw.send(long_name)
                await raw.send(metadata_update(3))
                assert await media.wait_until(lambda: len(raw.responses) >= 3, 5.0), raw.responses
                by_id = {r.request_id: r for r in raw.responses}
                assert by_id[1].reason == lk_proto.RequestResponse.LIMIT_EXCEEDED and "metadata size" in by_id[1].message
                assert by_id[2].reason == lk_proto.RequestResponse.LIMIT_EXCEEDED and "name length" in by_id[2].message
                assert by_id[3].reason == lk_proto.RequestResponse.OK
                assert rate_limited(sfu, "metadata_size") == 2
            finally:
                await raw.close()

    lk.run_bounded(body(), 30)


def test_a_signal_request_flood_is_dropped_and_counted(sfu):
    """2,000 subscription requests at once: beyond the burst (300) and rate (100/s) they are
    dropped and counted; the socket stays up and a ping still gets its pong."""
    sent = 2000

    async def body():
        async with aiohttp.ClientSession() as session:
            raw = RawParticipant(session, sfu, "signal-flood", "noisy")
            try:
                await raw.join()
                request = lk_proto.SignalRequest()
                request.subscription.track_sids.append("TR_none")
                request.subscription.subscribe = True
                started = time.monotonic()
                for _ in range(sent):
                    await raw.send(request)
                took = time.monotonic() - started
                ping = lk_proto.SignalRequest()
                ping.ping_req.timestamp = 7
                await raw.send(ping)
                assert await media.wait_until(lambda: any(p.last_ping_timestamp == 7 for p in raw.pongs), 10.0)
                # Requests are handled in order, so the pong means the flood was all seen.
                refused = rate_limited(sfu, "signal")
                assert sent - (300 + 100 * (took + 2.0)) <= refused <= sent - 300, (refused, took)
                assert not raw.ws.closed
            finally:
                await raw.close()

    lk.run_bounded(body(), 40)


def test_a_data_flood_is_dropped_and_counted(sfu_factory):
    """An SDK participant sends 300 reliable packets as fast as it can under a limit of 20/s
    with a burst of 50: the receiver gets at most what the bucket allows, the rest is counted,
    and nothing is lost (received + refused = sent)."""
    sfu = sfu_factory(extra_toml="[limits]\ndata_messages_per_second = 20\ndata_message_burst = 50\n")
    sent = 300

    async def body():
        room = "data-flood"
        sender, receiver = lk.Peer("sender"), lk.Peer("receiver")
        try:
            await receiver.connect(lk.lk_url(sfu), lk.lk_token("receiver", room))
            await sender.connect(lk.lk_url(sfu), lk.lk_token("sender", room))
            await receiver.wait_event("participant_connected", lk.from_identity("sender"))
            started = time.monotonic()
            for n in range(sent):
                await sender.room.local_participant.publish_data(f"packet {n}".encode(), reliable=True, topic="flood")
            took = time.monotonic() - started

            def received() -> int:
                return len(receiver.named("data_received", lambda p: p.topic == "flood"))

            assert await media.wait_until(lambda: received() + rate_limited(sfu, "data") == sent, 15.0), \
                (received(), rate_limited(sfu, "data"))
            assert 50 <= received() <= 50 + 20 * (took + 2.0), (received(), took)
            first = receiver.named("data_received", lambda p: p.topic == "flood")[0].args[0]
            assert first.data == b"packet 0", "the burst passes first"
        finally:
            await lk.disconnect_all([sender, receiver])

    lk.run_bounded(body(), 60)
