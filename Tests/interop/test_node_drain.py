"""Scale-in without cutting a call, and the autoscaling signals on /metrics (issue 10 parts 5-6).

A real SDK call (libwebrtc) runs on a single node when it gets SIGTERM: `/healthz` turns 503
`draining`, the call keeps flowing, a participant can still join that room, a new room is
refused (a 503 on the signalling upgrade, Twirp `unavailable` for CreateRoom), and the node
exits 0 once the last participant has left. `[node] drain_timeout` bounds the wait, and a
second SIGTERM stops at once. Before the drain, the gauges and counters an autoscaler reads
count what is on the node.
"""

from __future__ import annotations

import asyncio
import signal
import time

import requests
from livekit import api, rtc

import cp_helpers as cp
import lk_helpers as lk
import media
from test_token_strictness import upgrade_raw


def heard_from(identity: str):
    return lambda track, publication, participant: participant.identity == identity and track.kind == rtc.TrackKind.KIND_AUDIO


def wait_exit(sfu, seconds: float):
    try:
        return sfu.proc.wait(timeout=seconds)
    except Exception:
        return None


def test_sigterm_drains_then_exits_when_the_call_ends(sfu):
    room = "drain-call"

    async def body():
        url = lk.lk_url(sfu)
        caller, agent = lk.Peer("caller"), lk.Peer("agent")
        late = lk.Peer("late")
        tone, probe = None, None
        try:
            await caller.connect(url, lk.lk_token("caller", room))
            await agent.connect(url, lk.lk_token("agent", room))
            tone = lk.ToneSource(440.0).start()
            await asyncio.wait_for(caller.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12)
            sub = await agent.wait_event("track_subscribed", heard_from("caller"), timeout=10)
            probe = lk.AudioProbe().start(sub.args[0])
            assert await media.wait_until(lambda: probe.good(440.0) >= 20, 10.0), probe.describe(440.0)

            # The autoscaling signals count this call.
            metrics = sfu.metrics()
            assert metrics.get("sfu_rooms") == 1, metrics
            assert metrics.get("sfu_participants") == 2, metrics
            assert metrics.get("sfu_published_tracks") == 1, metrics
            assert metrics.get("sfu_subscribed_tracks") == 1, metrics
            assert metrics.get("sfu_participants_joined_total") == 2, metrics
            assert metrics.get("sfu_node_draining") == 0, metrics
            assert metrics.get("process_cpu_seconds_total", 0) > 0, metrics
            assert "sfu_egress_active" in metrics and "sfu_agent_jobs_active" in metrics, metrics

            sfu.proc.send_signal(signal.SIGTERM)
            assert await media.wait_until(lambda: requests.get(sfu.url("/healthz"), timeout=2).status_code == 503, 5.0)
            health = requests.get(sfu.url("/healthz"), timeout=2)
            assert health.text.strip() == "draining", health.text
            assert sfu.metric("sfu_node_draining") == 1

            # The call carries on.
            before = probe.good(440.0)
            assert await media.wait_until(lambda: probe.good(440.0) >= before + 50, 10.0), probe.describe(440.0)
            # Its room still takes a participant (a rejoin, a late agent)...
            await late.connect(url, lk.lk_token("late", room))
            # ...but no new room is created here: the upgrade is refused with the reason.
            failures = sfu.metric("sfu_join_failures_total")
            status, reason = await upgrade_raw(sfu, "/rtc", lk.lk_token("x", "new-room"))
            assert status == 503 and "draining" in reason, (status, reason)
            assert sfu.metric("sfu_join_failures_total") == failures + 1
            # WHIP ingest into a new room too.
            whip = requests.post(sfu.url("/whip/new-whip-room"), data=b"v=0\r\n", timeout=5,
                                 headers={"Content-Type": "application/sdp",
                                          "Authorization": f"Bearer {lk.lk_token('ingest', 'new-whip-room')}"})
            assert whip.status_code == 503 and "draining" in whip.text, (whip.status_code, whip.text)
            async with cp.lkapi(sfu) as client:
                try:
                    await client.room.create_room(api.CreateRoomRequest(name="another-room"))
                    raise AssertionError("CreateRoom on a draining node succeeded")
                except api.TwirpError as error:
                    assert error.code == "unavailable", error
                rooms = await client.room.list_rooms(api.ListRoomsRequest())
                assert [r.name for r in rooms.rooms] == [room]
            assert sfu.proc.poll() is None, "the node left while its call was on"
        finally:
            for thing in (probe, tone):
                if thing is not None:
                    await thing.stop()
            await lk.disconnect_all([caller, agent, late])

    lk.run_bounded(body(), 90)
    # The last participant left: the node exits by itself, with status 0.
    status = wait_exit(sfu, 15)
    assert status == 0, f"exit status {status}\n{sfu.log_tail()}"
    sfu.became_healthy = False  # an exit we asked for, not a crash
    assert "stopping: no call left" in sfu.log_path.read_text()


def test_drain_timeout_and_second_sigterm_stop_a_node_with_calls(sfu_factory):
    bounded = sfu_factory(extra_toml="[node]\ndrain_timeout = 2\n")
    forced = sfu_factory()

    async def body():
        peers = [lk.Peer("stays-1"), lk.Peer("stays-2")]
        try:
            await peers[0].connect(lk.lk_url(bounded), lk.lk_token("stays-1", "long-call"))
            await peers[1].connect(lk.lk_url(forced), lk.lk_token("stays-2", "long-call"))
            started = time.monotonic()
            bounded.proc.send_signal(signal.SIGTERM)
            forced.proc.send_signal(signal.SIGTERM)
            assert await media.wait_until(lambda: requests.get(forced.url("/healthz"), timeout=2).status_code == 503, 5.0)
            # drain_timeout = 2: the node stops although its participant is still there.
            assert await media.wait_until(lambda: bounded.proc.poll() is not None, 15.0), bounded.log_tail()
            assert time.monotonic() - started >= 1.5
            assert bounded.proc.returncode == 0
            # The default (an hour) keeps the other one up until a second SIGTERM.
            await asyncio.sleep(1.0)
            assert forced.proc.poll() is None
            forced.proc.send_signal(signal.SIGTERM)
            assert await media.wait_until(lambda: forced.proc.poll() is not None, 10.0), forced.log_tail()
            assert forced.proc.returncode == 0
        finally:
            await lk.disconnect_all(peers)

    lk.run_bounded(body(), 60)
    bounded.became_healthy = forced.became_healthy = False
    assert "drain timeout reached" in bounded.log_path.read_text()
    assert "second signal" in forced.log_path.read_text()
