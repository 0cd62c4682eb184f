"""Rooms shared across the nodes of one deployment (issue 10 part 2): a room lives on one
node, recorded in Redis, and a participant reaching another node is relayed to it over Redis
pub/sub, with the room node's ICE candidates so media goes straight there. A real
`redis-server`, three `sfu` nodes and real SDK participants (libwebrtc)."""

from __future__ import annotations

import asyncio
import signal

import requests
from livekit import api, rtc

import cp_helpers as cp
import lk_helpers as lk
import media
from redis_helpers import RedisServer
from test_cluster_registry import redis, redis_toml, wait_for  # noqa: F401  (the fixture)


def heard_from(identity: str):
    return lambda track, publication, participant: participant.identity == identity and track.kind == rtc.TrackKind.KIND_AUDIO


def node_id(redis: RedisServer, sfu) -> str:
    return redis.node_at(sfu)["id"]


async def call(url_a: str, url_b: str, room: str, names: tuple[str, str]):
    """Two participants of `room`, joined through two URLs, each publishing a tone; returns
    them, their tones and a probe of what each hears."""
    first, second = lk.Peer(names[0]), lk.Peer(names[1])
    await first.connect(url_a, lk.lk_token(names[0], room))
    await second.connect(url_b, lk.lk_token(names[1], room))
    tones = [lk.ToneSource(440.0).start(), lk.ToneSource(660.0).start()]
    await first.room.local_participant.publish_track(tones[0].track, lk.microphone_options())
    await second.room.local_participant.publish_track(tones[1].track, lk.microphone_options())
    heard_by_second = await second.wait_event("track_subscribed", heard_from(names[0]), timeout=15)
    heard_by_first = await first.wait_event("track_subscribed", heard_from(names[1]), timeout=15)
    probes = [lk.AudioProbe().start(heard_by_second.args[0]), lk.AudioProbe().start(heard_by_first.args[0])]
    return [first, second], tones, probes


def test_one_room_across_nodes_then_drain_relays_new_rooms(redis, sfu_factory):
    nodes = [sfu_factory(extra_toml=redis_toml(redis)) for _ in range(3)]
    assert wait_for(lambda: all(redis.node_at(n) is not None for n in nodes), 10), redis.live_nodes()
    a, b, c = nodes
    room = "across-nodes"

    async def body():
        peers, tones, probes = [], [], []
        try:
            # Joined through a and b: one room, one owner, and both hear each other.
            peers, tones, probes = await call(lk.lk_url(a), lk.lk_url(b), room, ("caller", "agent"))
            assert await media.wait_until(lambda: probes[0].good(440.0) >= 20 and probes[1].good(660.0) >= 20, 12.0), \
                (probes[0].describe(440.0), probes[1].describe(660.0))
            owner_id = redis.cli("GET", f"sfu:room:{room}")
            owner = next((n for n in nodes if node_id(redis, n) == owner_id), None)
            assert owner is not None, (owner_id, redis.live_nodes())
            # Only the owner hosts it: its record carries both participants, the others none.
            assert await media.wait_until(lambda: redis.node_at(owner).get("participants") == "2", 6.0), redis.node_at(owner)
            for other in nodes:
                if other is not owner:
                    assert redis.node_at(other)["participants"] == "0", redis.node_at(other)
                    assert other.metric("sfu_rooms") == 0
            assert owner.metric("sfu_rooms") == 1
            # At least one of the two sessions reached another node than the room's: it is relayed.
            edge = sum(n.metric("sfu_relay_edge_sessions") for n in nodes)
            hosted = sum(n.metric("sfu_relay_hosted_sessions") for n in nodes)
            assert edge == hosted >= 1, (edge, hosted)
            assert owner.metric("sfu_relay_edge_sessions") == 0
            assert all(n.metric("sfu_relay_malformed_frames_total") == 0 for n in nodes)

            # SIGTERM on the room's node: it says so, its call keeps flowing...
            owner.proc.send_signal(signal.SIGTERM)
            assert await media.wait_until(lambda: requests.get(owner.url("/healthz"), timeout=2).status_code == 503, 5.0)
            assert await media.wait_until(lambda: redis.node_at(owner).get("draining") == "1", 5.0), redis.node_at(owner)
            before = probes[0].good(440.0)
            assert await media.wait_until(lambda: probes[0].good(440.0) >= before + 50, 10.0), probes[0].describe(440.0)
            # ...and a new room joined through it is placed on another node and carries media.
            fresh, fresh_tones, fresh_probes = await call(lk.lk_url(owner), lk.lk_url(owner), "after-drain", ("late-1", "late-2"))
            peers += fresh
            tones += fresh_tones
            probes += fresh_probes
            assert await media.wait_until(lambda: fresh_probes[0].good(440.0) >= 20 and fresh_probes[1].good(660.0) >= 20, 12.0), \
                (fresh_probes[0].describe(440.0), fresh_probes[1].describe(660.0))
            placed = redis.cli("GET", "sfu:room:after-drain")
            assert placed and placed != owner_id, (placed, owner_id)
            assert owner.metric("sfu_rooms") == 1
            assert owner.proc.poll() is None, "the draining node left while its call was on"
            return owner
        finally:
            for thing in probes + tones:
                await thing.stop()
            await lk.disconnect_all(peers)

    owner = lk.run_bounded(body(), 120)
    # Its last room finished: the node exits by itself, with status 0, and leaves the deployment.
    try:
        status = owner.proc.wait(timeout=20)
    except Exception:
        status = None
    assert status == 0, f"exit status {status}\n{owner.log_tail()}"
    owner.became_healthy = False
    assert wait_for(lambda: redis.cli("GET", f"sfu:room:{room}") == "", 5), redis.cli("GET", f"sfu:room:{room}")


def test_server_api_through_any_node_and_webhooks_once(redis, sfu_factory, tmp_path):
    sink = cp.WebhookSink().up()
    try:
        nodes = [sfu_factory(extra_toml=redis_toml(redis) + sink.toml(tmp_path / f"outbox-{i}")) for i in range(3)]
        assert wait_for(lambda: all(redis.node_at(n) is not None for n in nodes), 10), redis.live_nodes()
        a, b, c = nodes
        room = "api-across"

        async def body():
            peers, tones, probes = [], [], []
            try:
                peers, tones, probes = await call(lk.lk_url(a), lk.lk_url(b), room, ("caller", "agent"))
                owner_id = redis.cli("GET", f"sfu:room:{room}")
                # Through the node that hosts nothing of it: a room created there lands on some
                # node, and the listing of every node shows both rooms.
                async with cp.lkapi(c) as client:
                    await client.room.create_room(api.CreateRoomRequest(name="made-through-c"))
                    assert redis.cli("GET", "sfu:room:made-through-c") != "", "CreateRoom placed nothing"
                    listed = await cp.room_names(client)
                    assert sorted(listed) == sorted([room, "made-through-c"]), listed
                    assert sorted(await cp.participant_identities(client, room)) == ["agent", "caller"]
                    # SendData and RemoveParticipant reach the room's node.
                    got = asyncio.get_running_loop().create_future()
                    peers[0].room.on("data_received", lambda packet: got.done() or got.set_result(packet.data))
                    await client.room.send_data(api.SendDataRequest(room=room, data=b"from-c", kind=api.DataPacket.RELIABLE))
                    assert await asyncio.wait_for(got, 10) == b"from-c"
                    await client.room.remove_participant(api.RoomParticipantIdentity(room=room, identity="agent"))
                    assert await media.wait_until(lambda: peers[1].room.connection_state == rtc.ConnectionState.CONN_DISCONNECTED, 10.0)
                    assert await cp.participant_identities(client, room) == ["caller"]
                    # A room that exists nowhere is not_found, from any node.
                    try:
                        await client.room.list_participants(api.ListParticipantsRequest(room="nowhere"))
                        raise AssertionError("ListParticipants of a missing room succeeded")
                    except api.TwirpError as error:
                        assert error.code == "not_found", error
                    await client.room.delete_room(api.DeleteRoomRequest(room="made-through-c"))
                return owner_id
            finally:
                for thing in probes + tones:
                    await thing.stop()
                await lk.disconnect_all(peers)

        lk.run_bounded(body(), 120)

        # Each event once: unique ids, one participant_joined per participant, one
        # room_finished per room, although three nodes saw the room's sessions.
        def finished() -> bool:
            names = [e.event for e in sink.for_room(room)]
            return "room_finished" in names

        assert wait_for(finished, 40, 0.25), sink.summary()
        events = sink.events()
        assert len({e.id for e in events}) == len(events), sink.summary()
        keys = [cp.logical_key(e) for e in sink.unique_events()]
        assert len(set(keys)) == len(keys), sink.summary()
        joined = [e.participant.identity for e in sink.for_room(room) if e.event == "participant_joined"]
        assert sorted(joined) == ["agent", "caller"], sink.summary()
        assert [e.event for e in sink.for_room(room)].count("room_finished") == 1, sink.summary()
    finally:
        sink.close()


def test_an_agent_worker_on_one_node_answers_a_dispatch_for_a_room_on_another(redis, sfu_factory, tmp_path):
    import agents_helpers as ag

    nodes = [sfu_factory(extra_toml=redis_toml(redis)) for _ in range(3)]
    assert wait_for(lambda: all(redis.node_at(n) is not None for n in nodes), 10), redis.live_nodes()
    room = "agent-across"
    worker = None

    async def body():
        nonlocal worker
        caller = lk.Peer("caller")
        tone = probe = None
        try:
            await caller.connect(lk.lk_url(nodes[0]), lk.lk_token("caller", room))
            owner_id = redis.cli("GET", f"sfu:room:{room}")
            owner = next(n for n in nodes if node_id(redis, n) == owner_id)
            other = next(n for n in nodes if n is not owner)
            # The worker registers on the node that does not host the room.
            worker = ag.AgentWorker(lk.lk_url(other), tmp_path / "agent-worker.log").start()
            await worker.wait_registered()
            assert await media.wait_until(lambda: f"0:{ag.AGENT_NAME}" in redis.node_at(other).get("agents", ""), 6.0), \
                redis.node_at(other)
            tone = lk.ToneSource(440.0).start()
            await caller.room.local_participant.publish_track(tone.track, lk.microphone_options())
            dispatch = await ag.create_dispatch(owner, room, "echo")
            assert dispatch.id and dispatch.room == room, dispatch
            agent = await ag.wait_for_agent(caller.room, 30.0)
            assert agent.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
            sub = await caller.wait_event("track_subscribed", heard_from(agent.identity), timeout=15)
            probe = lk.AudioProbe().start(sub.args[0])
            assert await media.wait_until(lambda: probe.good(440.0) >= 50, 20.0), probe.describe(440.0)
            # The agent joined the room's node (through the worker's node, relayed there).
            assert owner.metric("sfu_participants") == 2
            assert all(n.metric("sfu_participants") == 0 for n in nodes if n is not owner)
            assert other.metric("sfu_agent_jobs_active") == 1 and owner.metric("sfu_agent_jobs_active") == 0
            # DeleteDispatch on the room's node ends the job on the worker's node: the agent leaves.
            async with ag.server_api(owner) as client:
                await client.agent_dispatch.delete_dispatch(dispatch.id, room)
            assert await media.wait_until(lambda: agent.identity not in caller.room.remote_participants, 20.0), \
                list(caller.room.remote_participants)
        finally:
            for thing in (probe, tone):
                if thing is not None:
                    await thing.stop()
            await lk.disconnect_all([caller])

    try:
        lk.run_bounded(body(), 120)
    finally:
        if worker is not None:
            worker.stop()


def test_whip_to_a_node_without_the_room_is_redirected_to_its_node(redis, sfu_factory):
    nodes = [sfu_factory(extra_toml=redis_toml(redis)) for _ in range(2)]
    assert wait_for(lambda: all(redis.node_at(n) is not None for n in nodes), 10), redis.live_nodes()
    room = "whip-across"

    async def create():
        async with cp.lkapi(nodes[0]) as client:
            await client.room.create_room(api.CreateRoomRequest(name=room))

    lk.run_bounded(create(), 30)
    owner_id = redis.cli("GET", f"sfu:room:{room}")
    owner = next(n for n in nodes if node_id(redis, n) == owner_id)
    other = next(n for n in nodes if n is not owner)
    headers = {"Content-Type": "application/sdp", "Authorization": f"Bearer {lk.lk_token('ingest', room)}"}
    # RFC 9725 §4.5: a 307 to the room's node, the offer left for it to answer.
    reply = requests.post(other.url(f"/whip/{room}"), data=b"v=0\r\n", headers=headers, timeout=5, allow_redirects=False)
    assert reply.status_code == 307, (reply.status_code, reply.text)
    assert reply.headers["Location"] == owner.url(f"/whip/{room}"), reply.headers
    # The owner answers for itself (this offer is not valid SDP: a 400 with the reason, not a redirect).
    reply = requests.post(owner.url(f"/whip/{room}"), data=b"v=0\r\n", headers=headers, timeout=5, allow_redirects=False)
    assert reply.status_code == 400, (reply.status_code, reply.text)
    # A bad token is refused where it lands, before any redirect.
    reply = requests.post(other.url(f"/whip/{room}"), data=b"v=0\r\n", timeout=5, allow_redirects=False,
                          headers={"Content-Type": "application/sdp", "Authorization": "Bearer nope"})
    assert reply.status_code == 401, (reply.status_code, reply.text)
