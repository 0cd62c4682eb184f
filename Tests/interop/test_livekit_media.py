"""Issue 3 acceptance, media: the unmodified `livekit` SDK publishes and subscribes through our SFU.

Each test starts its own `sfu` (conftest.py) and joins with `rtc.RoomOptions()` defaults
(auto-subscribe; single peer connection on /rtc/v1) unless it says otherwise; the mixed test
puts a /rtc/v1 participant and a /rtc (dual PC) participant in one room.
Audio is a sine tone decoded through `rtc.AudioStream` (dominant frequency ±10 Hz over
100 ms windows); video is solid (200, 30, 30) RGBA decoded through `rtc.VideoStream`
(mean colour within 40 per channel).
"""

import asyncio
import time

import pytest
from livekit import rtc

import lk_helpers as lk
import media

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def subscribed_from(identity, kind):
    return lambda track, publication, participant: participant.identity == identity and publication.kind == kind


def test_two_participants_exchange_tone_and_simulcast_colour(sfu):
    """B sees A join, publish and get subscribed; decodes 440 Hz and the red picture; A sees B."""

    async def body():
        url, room = lk.lk_url(sfu), "two-participants"
        bob, alice = lk.Peer("bob"), lk.Peer("alice")
        tone = colour = audio = video = None
        try:
            await bob.connect(url, lk.lk_token("bob", room))
            await alice.connect(url, lk.lk_token("alice", room))
            await bob.wait_event("participant_connected", lk.from_identity("alice"), timeout=5)
            # A sees B: B was in the room when A joined, so it arrives with the join.
            assert "bob" in alice.room.remote_participants, list(alice.room.remote_participants)
            assert alice.room.local_participant.sid.startswith("PA_")
            assert alice.room.remote_participants["bob"].sid.startswith("PA_")

            # 640x480: large enough that the SDK really sends simulcast layers (at 320x240 it
            # sends a single encoding, which is not simulcast on the wire).
            tone, colour = lk.ToneSource(440.0).start(), lk.ColourSource(width=640, height=480).start()
            mic = await asyncio.wait_for(
                alice.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12
            )
            cam = await asyncio.wait_for(
                alice.room.local_participant.publish_track(colour.track, lk.camera_options(simulcast=True)), 12
            )
            assert mic.sid.startswith("TR_") and cam.sid.startswith("TR_")

            for pub in (mic, cam):
                await bob.wait_event(
                    "track_published", lambda p, who, sid=pub.sid: p.sid == sid and who.identity == "alice"
                )
            cam_at_bob = (await bob.wait_event("track_published", lambda p, who: p.sid == cam.sid)).args[0]
            assert cam_at_bob.source == rtc.TrackSource.SOURCE_CAMERA
            assert cam_at_bob.simulcasted, "camera published with simulcast=True must show as simulcasted"

            a_sub = await bob.wait_event("track_subscribed", subscribed_from("alice", rtc.TrackKind.KIND_AUDIO))
            v_sub = await bob.wait_event("track_subscribed", subscribed_from("alice", rtc.TrackKind.KIND_VIDEO))
            assert a_sub.args[1].sid == mic.sid and v_sub.args[1].sid == cam.sid
            audio, video = lk.AudioProbe().start(a_sub.args[0]), lk.VideoProbe().start(v_sub.args[0])

            ok = await media.wait_until(lambda: audio.good() >= 100 and video.good() >= 30, 15.0)
            assert ok, f"at bob: audio {audio.describe()}; video {video.describe()}"
            assert tone.error is None

            # The protocol tells the publisher its tracks got a subscriber (SignalResponse.track_subscribed).
            await alice.wait_event("local_track_subscribed", timeout=5)
            assert alice.connected() and bob.connected()
        finally:
            for thing in (audio, video, tone, colour):
                if thing is not None:
                    await thing.stop()
            await lk.disconnect_all([alice, bob])

    lk.run_bounded(body(), 60)


SIX_TONES = [300.0, 400.0, 500.0, 600.0, 700.0, 800.0]


def test_six_participants_each_hear_the_other_five(sfu):
    """Six publishers of distinct tones; each decodes the right tone on each of its five subscriptions."""

    async def body():
        url, room = lk.lk_url(sfu), "six"
        names = [f"p{int(f)}" for f in SIX_TONES]
        freq_of = dict(zip(names, SIX_TONES))
        peers, tones = [], []
        probes: dict[tuple[str, str], lk.AudioProbe] = {}
        try:
            peers = await lk.connect_all(url, room, names)
            for peer in peers:
                tone = lk.ToneSource(freq_of[peer.identity]).start()
                tones.append(tone)
                await asyncio.wait_for(
                    peer.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12
                )

            def attach_probes() -> None:
                # 30 streams in one process: 16 kHz, 50 ms frames, analyse every other frame.
                for peer in peers:
                    for event in peer.named("track_subscribed"):
                        track, _, publisher = event.args
                        key = (peer.identity, publisher.identity)
                        if key not in probes:
                            probes[key] = lk.AudioProbe(sample_rate=16000, frame_size_ms=50, analyse_every=2).start(
                                track
                            )

            def all_heard() -> bool:
                attach_probes()
                return len(probes) == 30 and all(
                    p.good(freq_of[publisher]) >= 10 for (_, publisher), p in probes.items()
                )

            ok = await media.wait_until(all_heard, 30.0, interval=0.2)
            missing = sorted(
                f"{listener}<-{publisher}: "
                + (probes[(listener, publisher)].describe(freq_of[publisher]) if (listener, publisher) in probes else "not subscribed")
                for listener in names
                for publisher in names
                if listener != publisher
                and ((listener, publisher) not in probes or probes[(listener, publisher)].good(freq_of[publisher]) < 10)
            )
            assert ok, "not everyone hears everyone:\n" + "\n".join(missing)
            assert all(t.error is None for t in tones)
            # nobody hears itself, nobody left
            assert all((n, n) not in probes for n in names)
            assert all(not p.named("participant_disconnected") for p in peers)
        finally:
            for probe in probes.values():
                await probe.stop()
            for tone in tones:
                await tone.stop()
            await lk.disconnect_all(peers)

    lk.run_bounded(body(), 75)


@pytest.mark.parametrize("path", ["v1", "v0"])
def test_resume_after_signalling_socket_is_cut(sfu, path):
    """A's WebSocket runs through a TCP proxy; the test aborts it mid-call. The SDK resumes
    (v1: a JoinRequest with reconnect; v0: reconnect=1), A's audio reaches B again within 5 s,
    and B never sees A leave."""

    async def body():
        room = "resume"
        proxy = await lk.TcpProxy("127.0.0.1", sfu.http_port).start()
        single = None if path == "v1" else False
        bob, alice = lk.Peer("bob", single), lk.Peer("alice", single)
        tone = audio = None
        try:
            await bob.connect(lk.lk_url(sfu), lk.lk_token("bob", room))
            await alice.connect(proxy.url, lk.lk_token("alice", room))
            alice_sid = alice.room.local_participant.sid
            tone = lk.ToneSource(440.0).start()
            await asyncio.wait_for(alice.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12)
            sub = await bob.wait_event("track_subscribed", subscribed_from("alice", rtc.TrackKind.KIND_AUDIO))
            audio = lk.AudioProbe().start(sub.args[0])
            assert await media.wait_until(lambda: audio.good() >= 50, 10.0), f"before the cut: {audio.describe()}"

            requests_before = len(proxy.requests)
            assert proxy.live_connections() >= 1, "the SDK's signalling socket should be open through the proxy"
            t_cut = time.monotonic()
            assert proxy.cut() >= 1

            reconnected = await alice.wait_event("reconnected", timeout=15)
            t_back = reconnected.at
            later = proxy.requests[requests_before:]
            prefix = "GET /rtc/v1?" if path == "v1" else "GET /rtc?"
            assert any(r.startswith(prefix) and lk.is_resume_request(r) for r in later), (
                f"expected a {path} resume after the cut, saw {later}"
            )

            ok = await media.wait_until(lambda: audio.good(since=t_back) >= 50, 5.0)
            assert ok, (
                f"audio did not flow again within 5 s of the resume ({t_back - t_cut:.1f}s after the cut): "
                f"{audio.received(since=t_back)} frames since, {audio.describe()}"
            )
            assert not bob.named("participant_disconnected"), "B saw A leave during a resume"
            assert alice.connected() and bob.connected()
            assert alice.room.local_participant.sid == alice_sid, "a resume keeps the participant SID"
            assert bob.room.remote_participants["alice"].sid == alice_sid
        finally:
            for thing in (audio, tone):
                if thing is not None:
                    await thing.stop()
            await lk.disconnect_all([alice, bob])
            await proxy.close()

    lk.run_bounded(body(), 60)


def test_single_and_dual_peer_connection_participants_share_a_room(sfu):
    """A joins on /rtc/v1 (one PC), B on /rtc (two PCs): each hears the other's tone and gets
    the other's reliable data."""

    async def body():
        url, room = lk.lk_url(sfu), "mixed-modes"
        alice, bob = lk.Peer("alice"), lk.Peer("bob", single_peer_connection=False)
        tones, probes = [], []
        try:
            await alice.connect(url, lk.lk_token("alice", room))
            await bob.connect(url, lk.lk_token("bob", room))
            for peer, hz in ((alice, 440.0), (bob, 660.0)):
                tone = lk.ToneSource(hz).start()
                tones.append(tone)
                await asyncio.wait_for(peer.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12)
            at_bob = await bob.wait_event("track_subscribed", subscribed_from("alice", rtc.TrackKind.KIND_AUDIO), timeout=10)
            at_alice = await alice.wait_event("track_subscribed", subscribed_from("bob", rtc.TrackKind.KIND_AUDIO), timeout=10)
            probes = [lk.AudioProbe().start(at_bob.args[0]), lk.AudioProbe().start(at_alice.args[0])]
            heard = lambda: probes[0].good(440.0) >= 30 and probes[1].good(660.0) >= 30
            assert await media.wait_until(heard, 15.0), f"bob<-alice {probes[0].describe(440.0)}; alice<-bob {probes[1].describe(660.0)}"
            await alice.room.local_participant.publish_data(b"from-single", reliable=True)
            await bob.room.local_participant.publish_data(b"from-dual", reliable=True)
            got = await bob.wait_event("data_received", lambda p: p.data == b"from-single", timeout=5)
            assert got.args[0].participant.identity == "alice"
            got = await alice.wait_event("data_received", lambda p: p.data == b"from-dual", timeout=5)
            assert got.args[0].participant.identity == "bob"
        finally:
            for thing in probes + tones:
                await thing.stop()
            await lk.disconnect_all([alice, bob])

    lk.run_bounded(body(), 60)


def test_single_pc_subscriber_then_publishes_simulcast(sfu):
    """/rtc/v1: B's single PC already receives A's simulcast camera on one of its receive-only
    sections when B publishes its own simulcast camera; B's new offer must still negotiate
    simulcast (libwebrtc refuses it when the bundle's negotiated video extensions lack the RID
    extension), and each decodes the other's picture."""

    async def body():
        url, room = lk.lk_url(sfu), "sub-then-publish"
        alice, bob = lk.Peer("alice"), lk.Peer("bob")
        sources, probes = [], []
        try:
            await alice.connect(url, lk.lk_token("alice", room))
            colour = lk.ColourSource(width=640, height=480).start()
            sources.append(colour)
            await asyncio.wait_for(alice.room.local_participant.publish_track(colour.track, lk.camera_options(simulcast=True)), 12)
            await bob.connect(url, lk.lk_token("bob", room))
            at_bob = await bob.wait_event("track_subscribed", subscribed_from("alice", rtc.TrackKind.KIND_VIDEO), timeout=10)
            probes.append(lk.VideoProbe().start(at_bob.args[0]))
            assert await media.wait_until(lambda: probes[0].good() >= 5, 10.0), f"bob<-alice before: {probes[0].describe()}"
            blue = lk.ColourSource(width=640, height=480, rgb=(30, 30, 200)).start()
            sources.append(blue)
            cam = await asyncio.wait_for(bob.room.local_participant.publish_track(blue.track, lk.camera_options(simulcast=True)), 12)
            assert cam.sid.startswith("TR_")
            at_alice = await alice.wait_event("track_subscribed", subscribed_from("bob", rtc.TrackKind.KIND_VIDEO), timeout=10)
            probes.append(lk.VideoProbe().start(at_alice.args[0]))
            assert await media.wait_until(lambda: probes[1].good((30, 30, 200)) >= 5, 10.0), f"alice<-bob: {probes[1].describe()}"
            before = probes[0].good()
            assert await media.wait_until(lambda: probes[0].good() >= before + 5, 10.0), f"bob<-alice after: {probes[0].describe()}"
        finally:
            for thing in probes + sources:
                await thing.stop()
            await lk.disconnect_all([alice, bob])

    lk.run_bounded(body(), 60)
