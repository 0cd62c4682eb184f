"""Issue 12: TURN relays handed to clients. A `[turn]` section makes every JoinResponse carry
`ice_servers` with a credential minted per participant in coturn's REST scheme; a client that
may use only relayed candidates (`ice_transport_type` = relay, and no ICE servers of its own,
so the SDK uses ours) reaches the server through a coturn started here on loopback.

coturn is the arbiter of the credentials: it recomputes the password from the username and
the shared secret, and answers 401 to a wrong or expired one."""

import asyncio
import re
import time

import pytest
from livekit import rtc
from livekit.protocol import models as lk_models
from livekit.protocol import rtc as lk_proto

import lk_helpers as lk
import media
import turn_helpers as th
from raw_signal import RawParticipant

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

SECRET = "coturn-static-auth-secret"
RELAY_ONLY = rtc.RtcConfiguration(ice_transport_type=rtc.IceTransportType.TRANSPORT_RELAY)


@pytest.fixture
def coturn(tmp_path):
    relay = th.Coturn(tmp_path, SECRET)
    yield relay
    relay.stop()


def turn_toml(coturn, secret: str = SECRET) -> str:
    return f'[turn]\nurls = ["{coturn.url("udp")}", "{coturn.url("tcp")}"]\nsecret = "{secret}"\nttl = 600\n'


def test_the_join_response_carries_a_credential_coturn_accepts(sfu_factory, coturn):
    """ice_servers: our URLs, username "<expiry>:<identity>" about ttl ahead, and the password
    coturn's scheme gives for it."""
    import aiohttp

    sfu = sfu_factory(extra_toml=turn_toml(coturn))

    async def body():
        async with aiohttp.ClientSession() as session:
            raw = RawParticipant(session, sfu, "credentials", "carol")
            raw.ws = await session.ws_connect(lk.rtc_query_url(sfu),
                                              headers={"Authorization": f"Bearer {lk.lk_token('carol', 'credentials')}"})
            try:
                first = lk_proto.SignalResponse.FromString((await asyncio.wait_for(raw.ws.receive(), 5)).data)
                servers = list(first.join.ice_servers)
                assert len(servers) == 1, first.join
                assert list(servers[0].urls) == [coturn.url("udp"), coturn.url("tcp")]
                expiry, identity = servers[0].username.split(":", 1)
                assert identity == "carol"
                assert abs(int(expiry) - (time.time() + 600)) < 30
                assert servers[0].credential == th.rest_credential(SECRET, "carol", int(expiry))[1]
            finally:
                await raw.close()

    lk.run_bounded(body(), 30)


def test_a_relay_only_participant_is_heard_through_coturn(sfu_factory, coturn):
    sfu = sfu_factory(extra_toml=turn_toml(coturn))
    url = lk.lk_url(sfu)

    async def body():
        bob = alice = tone = probe = None
        try:
            bob = await lk.Peer("bob").connect(url, lk.lk_token("bob", "relayed"))
            alice = await lk.Peer("alice").connect(url, lk.lk_token("alice", "relayed"), rtc_config=RELAY_ONLY)
            tone = lk.ToneSource(440.0, amplitude=0.6).start()
            await asyncio.wait_for(alice.room.local_participant.publish_track(tone.track, lk.microphone_options()), 15)
            subscribed = await bob.wait_event("track_subscribed", lambda t, p, who: who.identity == "alice", timeout=15)
            probe = lk.AudioProbe().start(subscribed.args[0])
            heard = await media.wait_until(lambda: probe.good(440.0) >= 50, 20)
            assert heard, f"bob did not hear alice's relayed tone: {probe.describe(440.0)}"
            # coturn allocated a relay for alice's credential (and only relayed candidates were
            # allowed, so that is the path her media took).
            log = coturn.log_text()
            assert re.search(r"user <\d+:alice>: incoming packet ALLOCATE processed, success", log), log[-3000:]
            assert re.search(r"user <\d+:alice>: incoming packet CREATE_PERMISSION processed, success", log), log[-3000:]
        finally:
            if probe is not None:
                await probe.stop()
            if tone is not None:
                await tone.stop()
            await lk.disconnect_all([p for p in (alice, bob) if p is not None])

    lk.run_bounded(body(), 90)


@pytest.mark.parametrize("credential", ["wrong-secret", "expired"])
def test_a_wrong_or_expired_credential_gets_coturns_401_and_no_media(sfu_factory, coturn, credential):
    """With the server's secret not coturn's, or with a credential whose expiry has passed
    (given to the SDK directly, in coturn's scheme with the right secret), coturn answers the
    ALLOCATE 401 and the relay-only participant never gets a media path."""
    if credential == "wrong-secret":
        sfu = sfu_factory(extra_toml=turn_toml(coturn, secret="not-coturns-secret"))
        config = RELAY_ONLY
    else:
        sfu = sfu_factory()
        username, password = th.rest_credential(SECRET, "alice", int(time.time()) - 60)
        config = rtc.RtcConfiguration(ice_transport_type=rtc.IceTransportType.TRANSPORT_RELAY,
                                      ice_servers=[rtc.IceServer(urls=[coturn.url("udp")], username=username,
                                                                 password=password)])
    url = lk.lk_url(sfu)

    async def body():
        bob = await lk.Peer("bob").connect(url, lk.lk_token("bob", "refused"))
        alice = lk.Peer("alice")
        try:
            try:
                await alice.connect(url, lk.lk_token("alice", "refused"), timeout=25, rtc_config=config)
            except Exception:
                pass  # the SDK may give up on the join: what matters is below
            # (A first ALLOCATE without credentials is always answered 401 with a nonce, user <>:
            # the refusal that counts names alice's username.)
            refusal = re.compile(r"user <\d+:alice>: incoming packet \w+ processed, error 401")
            refused = await media.wait_until(lambda: bool(refusal.search(coturn.log_text())), 20)
            assert refused, coturn.log_text()[-3000:]
            assert not re.search(r"user <\d+:alice>: incoming packet ALLOCATE processed, success", coturn.log_text())
            # No media path: bob never gets a track from alice.
            assert not bob.named("track_subscribed", lambda t, p, who: who.identity == "alice")
            if credential == "wrong-secret":
                # No connectivity check reaches the server: it gives up on her transport after
                # 10 s, counts it and says why (LeaveRequest CONNECTION_TIMEOUT), before the
                # SDK stops waiting (15 s); no participant is left behind.
                gave_up = await media.wait_until(lambda: sfu.metric("sfu_transports_never_connected_total") >= 1, 30)
                assert gave_up, sfu.log_tail()
                left = await media.wait_until(lambda: sfu.metric("sfu_participants") == 1, 10)
                assert left, sfu.log_tail()
        finally:
            await lk.disconnect_all([alice, bob])

    lk.run_bounded(body(), 90)


def test_whip_answers_carry_the_relays_in_link_headers(sfu_factory, coturn):
    """RFC 9725 §4.6: one Link header per relay URL, with a credential coturn accepts."""
    sfu = sfu_factory(extra_toml=turn_toml(coturn))

    async def body():
        pc = media.make_peer_connection()
        try:
            pc.addTrack(media.ToneAudioTrack(440.0))
            await pc.setLocalDescription(await pc.createOffer())
            response = await asyncio.to_thread(
                media.post_sdp, sfu.url("/whip/linked"), pc.localDescription.sdp, sfu.publisher_token("linked"))
            assert response.status_code == 201, response.text
            links = response.raw.headers.getlist("Link")
            assert len(links) == 2, links
            for link, url in zip(links, [coturn.url("udp"), coturn.url("tcp")]):
                found = re.fullmatch(r'<([^>]+)>; rel="ice-server"; username="(\d+):([^"]+)"; '
                                     r'credential="([^"]+)"; credential-type="password"', link)
                assert found, link
                assert found.group(1) == url
                expiry, identity = int(found.group(2)), found.group(3)
                assert found.group(4) == th.rest_credential(SECRET, identity, expiry)[1]
            location = response.headers["Location"]
            await asyncio.to_thread(media.delete_session, sfu.url(location), sfu.publisher_token("linked"))
        finally:
            await pc.close()

    lk.run_bounded(body(), 30)


def test_a_participant_no_candidate_pair_reaches_is_told_why_and_let_go(sfu):
    """A participant that signals but whose connectivity checks never arrive (here: it does no
    ICE at all) is sent LeaveRequest CONNECTION_TIMEOUT about 10 s after joining, counted in
    sfu_transports_never_connected_total, and removed: no half-open transport is kept."""
    import aiohttp

    async def body():
        async with aiohttp.ClientSession() as session:
            raw = await RawParticipant(session, sfu, "unreachable", "stranded").join()
            try:
                told = await media.wait_until(lambda: bool(raw.leaves), 30)
                assert told, "no LeaveRequest within 30 s"
                assert raw.leaves[0].reason == lk_models.DisconnectReason.CONNECTION_TIMEOUT, raw.leaves[0]
                assert raw.leaves[0].action == lk_proto.LeaveRequest.DISCONNECT, raw.leaves[0]
                assert sfu.metric("sfu_transports_never_connected_total") >= 1
                gone = await media.wait_until(lambda: sfu.metric("sfu_participants") == 0, 10)
                assert gone, sfu.log_tail()
            finally:
                await raw.close()

    lk.run_bounded(body(), 60)
