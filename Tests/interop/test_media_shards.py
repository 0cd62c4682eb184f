"""Rooms spread over media threads (`[rtc] media_threads`), all on the one UDP port.

Real SDK participants (libwebrtc) in several rooms on a server with two media shards: each
room is placed on one shard, both shards host rooms, media flows in every room, and once ICE
has selected its pairs a peer's datagrams arrive on its room's shard (connected sockets), so
hand-overs between shards stay a handful per transport rather than one per packet.
"""

from __future__ import annotations

import asyncio

from livekit import rtc

import lk_helpers as lk
import media
from test_load_test import run_load_test

import requests


def shard_rooms(sfu) -> dict[str, float]:
    text = requests.get(sfu.url("/metrics"), timeout=5).text
    rooms = {}
    for line in text.splitlines():
        if line.startswith("sfu_media_shard_rooms{"):
            rooms[line[line.index('"') + 1 : line.rindex('"')]] = float(line.split()[-1])
    return rooms


def subscribed_audio_from(identity: str):
    return lambda track, publication, participant: participant.identity == identity and track.kind == rtc.TrackKind.KIND_AUDIO


def test_rooms_on_two_shards_each_carry_their_own_call(sfu_factory):
    sfu = sfu_factory(media_threads=2)

    async def body():
        url = lk.lk_url(sfu)
        rooms = [f"shard-room-{i}" for i in range(4)]
        peers, tones, probes = [], [], []
        try:
            for index, room in enumerate(rooms):
                caller, agent = lk.Peer(f"caller{index}"), lk.Peer(f"agent{index}")
                peers += [caller, agent]
                await caller.connect(url, lk.lk_token(caller.identity, room))
                await agent.connect(url, lk.lk_token(agent.identity, room))
                hz = 300.0 + 100.0 * index
                tone = lk.ToneSource(hz).start()
                tones.append(tone)
                await asyncio.wait_for(caller.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12)
                sub = await agent.wait_event("track_subscribed", subscribed_audio_from(caller.identity), timeout=10)
                probes.append((hz, lk.AudioProbe().start(sub.args[0])))
            placed = shard_rooms(sfu)
            assert set(placed) == {"0", "1"}, placed
            assert placed["0"] == 2 and placed["1"] == 2, f"four rooms should spread two and two: {placed}"
            # Each agent hears its own caller's tone, not another room's.
            heard = lambda: all(probe.good(hz) >= 50 for hz, probe in probes)
            assert await media.wait_until(heard, 15.0), "; ".join(probe.describe(hz) for hz, probe in probes)
            metrics = sfu.metrics()
            handovers = metrics.get("sfu_media_shard_handovers_total", 0.0)
            sent = metrics.get("sfu_rtp_packets_sent_total", 0.0)
            before = handovers
            await asyncio.sleep(3.0)
            metrics = sfu.metrics()
            grown = metrics.get("sfu_media_shard_handovers_total", 0.0) - before
            forwarded = metrics.get("sfu_rtp_packets_sent_total", 0.0) - sent
            # Four Opus tracks at 50 packets/s for 3 s (one subscriber each), with room for a slow machine.
            assert forwarded > 4 * 50 * 1.5, forwarded
            # Steady state: datagrams arrive on their room's shard; no hop per packet.
            assert grown <= 0.01 * forwarded, f"{grown} hand-overs while {forwarded} packets were forwarded"
        finally:
            for _, probe in probes:
                await probe.stop()
            for tone in tones:
                await tone.stop()
            await lk.disconnect_all(peers)

    lk.run_bounded(body(), 120)


def test_voice_load_spreads_over_shards_without_loss(sfu_factory):
    sfu = sfu_factory(media_threads=2)
    report = run_load_test(sfu, "--rooms", "20", "--profile", "voice", "--duration", "6s", "--ramp", "20")
    assert report["participants_joined"] == 40, report["failures"]
    assert report["tracks_subscribed"] == 40
    assert report["loss_percent"] < 1
    placed = shard_rooms(sfu)
    assert placed.get("0", 0) >= 8 and placed.get("1", 0) >= 8, placed
    metrics = sfu.metrics()
    # A few hand-overs per transport (first checks, a DTLS flight racing the connect), not per packet.
    assert metrics["sfu_media_shard_handovers_total"] < 0.02 * metrics["sfu_rtp_packets_received_total"], metrics


def test_one_media_thread_is_one_shard(sfu_factory):
    sfu = sfu_factory(media_threads=1)
    report = run_load_test(sfu, "--rooms", "2", "--profile", "voice", "--duration", "3s")
    assert report["participants_joined"] == 4, report["failures"]
    assert report["loss_percent"] < 1
    assert set(shard_rooms(sfu)) == {"0"}
    assert sfu.metric("sfu_media_shard_handovers_total") == 0
