"""Issue 12: ICE over TCP (RFC 6544, passive). Every offer and answer carries a `tcptype
passive` host candidate on `[rtc] tcp_port` besides the UDP one; a client whose UDP cannot
reach the server connects over TCP (RFC 4571 framing) and media flows.

The UDP-less client is real: an SDK participant in a network namespace the test creates
(netns_helpers), which reaches the server's signalling and ICE-TCP ports through TCP
forwarders and nothing else."""

import asyncio
import socket
import struct
import time

import pytest

import cp_helpers as cp
import lk_helpers as lk
import media
import netns_helpers as nh

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_offers_carry_a_passive_tcp_candidate_below_the_udp_one(sfu):
    """The subscriber offer of a join lists both candidates; UDP has the higher priority."""
    import aiohttp
    from livekit.protocol import rtc as lk_proto

    async def body():
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(lk.rtc_query_url(sfu),
                                          headers={"Authorization": f"Bearer {lk.lk_token('dora', 'candidates')}"})
            try:
                offer = None
                deadline = time.monotonic() + 10
                while offer is None and time.monotonic() < deadline:
                    response = lk_proto.SignalResponse.FromString((await asyncio.wait_for(ws.receive(), 5)).data)
                    if response.WhichOneof("message") == "offer":
                        offer = response.offer.sdp
                assert offer, "no subscriber offer"
                candidates = [line.split(":", 1)[1].split() for line in offer.splitlines() if line.startswith("a=candidate:")]
                udp = [c for c in candidates if c[2].lower() == "udp"]
                tcp = [c for c in candidates if c[2].lower() == "tcp"]
                assert udp and tcp, candidates
                assert tcp[0][5] == str(sfu.tcp_port) and tcp[0][7] == "host" and tcp[0][8:10] == ["tcptype", "passive"], tcp
                assert int(udp[0][3]) > int(tcp[0][3]), "UDP must be preferred"
            finally:
                await ws.close()

    lk.run_bounded(body(), 30)


def test_a_participant_whose_udp_is_unusable_connects_over_ice_tcp(sfu, tmp_path):
    assert nh.namespaces_available(), "the ICE-TCP test needs root and iproute2 to create its network namespace"
    namespace = nh.UdpBlockedNamespace([sfu.http_port, sfu.tcp_port])

    async def body():
        bob = child = probe = None
        try:
            bob = await lk.Peer("bob").connect(lk.lk_url(sfu), lk.lk_token("bob", "tcp-only"))
            child = cp.ChildParticipant(lk.lk_url(sfu), lk.lk_token("alice", "tcp-only"), tmp_path / "alice.log",
                                        prefix=namespace.exec_prefix())
            await child.start(timeout=45)
            subscribed = await bob.wait_event("track_subscribed", lambda t, p, who: who.identity == "alice", timeout=20)
            probe = lk.AudioProbe().start(subscribed.args[0])
            heard = await media.wait_until(lambda: probe.good() >= 50, 20)
            assert heard, f"bob did not hear alice over ICE-TCP: {probe.describe()}\n{child.log_tail()}"
            assert sfu.metric("sfu_ice_tcp_connections") >= 1, "no ICE-TCP connection open"
            assert sfu.metric("sfu_ice_tcp_connections_accepted_total") >= 1
        finally:
            if probe is not None:
                await probe.stop()
            if child is not None:
                await child.kill()
            if bob is not None:
                await bob.disconnect()

    try:
        lk.run_bounded(body(), 120)
    finally:
        namespace.close()


def test_junk_and_silence_on_the_tcp_port_are_refused_and_counted(sfu):
    """A first frame that is no STUN check is refused at once; a connection that sends
    nothing is closed after 10 s. Both are counted; the server carries on."""
    junk = socket.create_connection(("127.0.0.1", sfu.tcp_port), timeout=5)
    silent = socket.create_connection(("127.0.0.1", sfu.tcp_port), timeout=30)
    try:
        junk.sendall(struct.pack("!H", 5) + b"hello")
        junk.settimeout(5)
        assert junk.recv(100) == b"", "the junk connection stays open"
        silent.settimeout(30)
        started = time.monotonic()
        assert silent.recv(100) == b"", "the silent connection got data"
        assert time.monotonic() - started < 25
        refused = sfu.metric("sfu_ice_tcp_connections_refused_total")
        assert refused >= 2, refused
        assert sfu.metric("sfu_ice_tcp_connections") == 0
        assert sfu.healthy()
    finally:
        junk.close()
        silent.close()
