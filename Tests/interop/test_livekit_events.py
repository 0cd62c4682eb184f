"""Issue 3 acceptance, events seen by another participant: mute/unmute, metadata and
attributes (which wait for RequestResponse), active speakers, and leaving.
"""

import asyncio
import time

import pytest

import lk_helpers as lk
import media

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


async def alice_with_tone(sfu, room: str):
    """bob joins, then alice joins and publishes a 440 Hz microphone track; bob has subscribed."""
    url = lk.lk_url(sfu)
    bob = await lk.Peer("bob").connect(url, lk.lk_token("bob", room))
    alice = await lk.Peer("alice").connect(url, lk.lk_token("alice", room))
    tone = lk.ToneSource(440.0, amplitude=0.6).start()
    publication = await asyncio.wait_for(
        alice.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12
    )
    await bob.wait_event("track_subscribed", lambda t, p, who: who.identity == "alice", timeout=10)
    return alice, bob, tone, publication


def test_mute_and_unmute_are_seen_by_the_subscriber(sfu):
    async def body():
        alice = bob = tone = None
        try:
            alice, bob, tone, publication = await alice_with_tone(sfu, "mute")
            same_track = lambda who, pub: who.identity == "alice" and pub.sid == publication.sid  # noqa: E731
            tone.track.mute()
            await bob.wait_event("track_muted", same_track, timeout=5)
            assert bob.room.remote_participants["alice"].track_publications[publication.sid].muted
            tone.track.unmute()
            await bob.wait_event("track_unmuted", same_track, timeout=5)
            assert not bob.room.remote_participants["alice"].track_publications[publication.sid].muted
        finally:
            if tone is not None:
                await tone.stop()
            await lk.disconnect_all([alice, bob])

    lk.run_bounded(body(), 40)


def test_metadata_and_attributes_complete_and_reach_others(sfu):
    """set_metadata/set_attributes wait up to 5 s for RequestResponse; with one they return at once."""

    async def body():
        peers = await lk.connect_all(lk.lk_url(sfu), "metadata", ["alice", "bob"])
        alice, bob = peers
        try:
            await media.wait_until(lambda: "alice" in bob.room.remote_participants, 5)
            me = alice.room.local_participant

            started = time.monotonic()
            await asyncio.wait_for(me.set_metadata('{"mood":"testing"}'), 10)
            took = time.monotonic() - started
            assert took < 4.0, f"set_metadata took {took:.1f}s: no RequestResponse from the server?"
            changed = await bob.wait_event("participant_metadata_changed", lk.from_identity("alice"), timeout=5)
            assert changed.args[2] == '{"mood":"testing"}'
            assert bob.room.remote_participants["alice"].metadata == '{"mood":"testing"}'

            started = time.monotonic()
            await asyncio.wait_for(me.set_attributes({"role": "speaker", "lk.test": "1"}), 10)
            took = time.monotonic() - started
            assert took < 4.0, f"set_attributes took {took:.1f}s: no RequestResponse from the server?"
            attrs = await bob.wait_event("participant_attributes_changed", lk.from_identity("alice"), timeout=5)
            assert attrs.args[0].get("role") == "speaker"
            assert bob.room.remote_participants["alice"].attributes.get("role") == "speaker"
            assert bob.room.remote_participants["alice"].attributes.get("lk.test") == "1"
        finally:
            await lk.disconnect_all(peers)

    lk.run_bounded(body(), 40)


def test_active_speakers_include_the_tone_publisher(sfu):
    async def body():
        alice = bob = tone = None
        try:
            alice, bob, tone, _ = await alice_with_tone(sfu, "speakers")
            await bob.wait_event(
                "active_speakers_changed",
                lambda speakers: any(s.identity == "alice" for s in speakers),
                timeout=10,
            )
        finally:
            if tone is not None:
                await tone.stop()
            await lk.disconnect_all([alice, bob])

    lk.run_bounded(body(), 40)


def test_participant_disconnected_when_a_participant_leaves(sfu):
    async def body():
        alice = bob = tone = None
        try:
            alice, bob, tone, _ = await alice_with_tone(sfu, "leaving")
            await tone.stop()
            tone = None
            await asyncio.wait_for(alice.room.disconnect(), 10)
            await bob.wait_event("participant_disconnected", lk.from_identity("alice"), timeout=5)
            assert "alice" not in bob.room.remote_participants
            assert bob.connected()
        finally:
            if tone is not None:
                await tone.stop()
            await lk.disconnect_all([alice, bob])

    lk.run_bounded(body(), 40)
