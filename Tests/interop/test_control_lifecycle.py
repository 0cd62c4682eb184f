"""Issue 4 acceptance, room lifecycle: departure_timeout and empty_timeout close rooms (with
room_finished), max_participants refuses the extra join, and a participant whose UDP media
path goes silent is removed within 40 s although its signalling socket stays open.
"""

import asyncio
import time

import pytest
from livekit import api

import cp_helpers as cp
import lk_helpers as lk

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


async def listed(client, room: str) -> bool:
    return room in await cp.room_names(client)


async def seconds_until_gone(client, room: str, timeout: float) -> float:
    start = time.monotonic()

    async def gone():
        return not await listed(client, room)

    assert await cp.poll(gone, timeout, interval=0.2), f"room {room!r} still listed after {timeout}s"
    return time.monotonic() - start


def test_idle_rooms_close_after_departure_and_empty_timeouts(sfu_factory, webhook_sink, tmp_path):
    sfu = sfu_factory(extra_toml=cp.room_toml(departure_timeout=3, empty_timeout=300) + webhook_sink.toml(tmp_path / "outbox"))

    async def body():
        async with cp.lkapi(sfu) as client:
            # a room created by the first join, closed departure_timeout after the last one left
            peers = await lk.connect_all(lk.lk_url(sfu), "left-behind", ["alice", "bob"])
            assert await listed(client, "left-behind")
            await lk.disconnect_all(peers)
            await asyncio.sleep(1.0)
            assert await listed(client, "left-behind"), "room closed before departure_timeout (3 s) elapsed"
            waited = 1.0 + await seconds_until_gone(client, "left-behind", 9)
            assert waited >= 2.5, f"room closed {waited:.1f}s after everyone left, departure_timeout is 3 s"

            # a room created by the API that nobody joins closes after its own empty_timeout
            await client.room.create_room(api.CreateRoomRequest(name="never-joined", empty_timeout=2))
            assert await listed(client, "never-joined")
            waited = await seconds_until_gone(client, "never-joined", 10)
            assert waited >= 1.0, f"never-joined closed after {waited:.1f}s, empty_timeout is 2 s"

            for room in ("left-behind", "never-joined"):
                finished = await webhook_sink.wait_for(lambda evs: any(cp.has("room_finished", room)(e) for e in evs), 10)
                assert finished, f"no room_finished for {room}; {webhook_sink.summary()}"
            assert not webhook_sink.invalid()
            # a room with the same name later is a new room
            again = await lk.connect_all(lk.lk_url(sfu), "left-behind", ["carol"])
            try:
                rooms = (await client.room.list_rooms(api.ListRoomsRequest(names=["left-behind"]))).rooms
                first = next(e for e in webhook_sink.unique_events() if cp.has("room_finished", "left-behind")(e))
                assert rooms and rooms[0].sid != first.room.sid, "a reopened room kept the closed room's sid"
            finally:
                await lk.disconnect_all(again)

    lk.run_bounded(body(), 60)


def test_max_participants_refuses_the_extra_join(sfu_factory):
    sfu = sfu_factory(extra_toml=cp.room_toml(max_participants=1))  # default for rooms created without one

    async def refused(room: str, identity: str) -> None:
        peer = lk.Peer(identity)
        started = time.monotonic()
        try:
            with pytest.raises(Exception) as caught:
                await peer.connect(lk.lk_url(sfu), lk.lk_token(identity, room), timeout=20)
            assert not isinstance(caught.value, asyncio.TimeoutError), (
                f"{identity}'s join into full {room} hung for {time.monotonic() - started:.0f}s instead of being refused"
            )
        finally:
            await peer.disconnect()

    async def body():
        async with cp.lkapi(sfu) as client:
            await client.room.create_room(api.CreateRoomRequest(name="pair", max_participants=2))
            await client.room.create_room(api.CreateRoomRequest(name="solo", max_participants=1))
            peers = []
            try:
                peers += await lk.connect_all(lk.lk_url(sfu), "solo", ["alice"])
                await refused("solo", "bob")
                peers += await lk.connect_all(lk.lk_url(sfu), "by-join", ["carol"])  # config default 1
                await refused("by-join", "dave")
                peers += await lk.connect_all(lk.lk_url(sfu), "pair", ["erin", "frank"])  # explicit 2 beats default
                await refused("pair", "grace")

                assert await cp.participant_identities(client, "solo") == ["alice"]
                assert await cp.participant_identities(client, "by-join") == ["carol"]
                assert await cp.participant_identities(client, "pair") == ["erin", "frank"]
                await asyncio.sleep(0.5)
                for peer in peers:
                    assert peer.connected(), f"{peer.identity} lost its connection when someone was refused"
                    strangers = {"bob", "dave", "grace"}
                    assert not [e for e in peer.named("participant_connected") if e.args[0].identity in strangers]
            finally:
                await lk.disconnect_all(peers)

    lk.run_bounded(body(), 90)


def test_participant_with_silent_udp_path_is_removed(sfu, tmp_path):
    room = "frozen"

    async def body():
        watcher = await lk.Peer("watcher").connect(lk.lk_url(sfu), lk.lk_token("watcher", room))
        child = cp.ChildParticipant(lk.lk_url(sfu), lk.lk_token("ghost", room), tmp_path / "child.log")
        try:
            info = await child.start()
            assert info["identity"] == "ghost" and info["track_sid"]
            await watcher.wait_event("track_subscribed", lambda t, pub, p: pub.sid == info["track_sid"], timeout=15)
            async with cp.lkapi(sfu) as client:
                assert await cp.participant_identities(client, room) == ["ghost", "watcher"]

                child.freeze()  # SIGSTOP: no more UDP (no ICE consent, no media); its TCP socket stays open
                frozen_at = time.monotonic()
                await watcher.wait_event("participant_disconnected", lk.from_identity("ghost"), timeout=40)
                took = time.monotonic() - frozen_at
                disturbed = [
                    (round(e.at - frozen_at, 1), e.name)
                    for e in watcher.events
                    if e.at >= frozen_at and e.name in ("reconnecting", "reconnected", "disconnected")
                ]
                # otherwise the participant_disconnected above is the SDK's own reconnect, not a removal
                assert not disturbed, f"the healthy watcher's own connection broke after the freeze: {disturbed}"
                assert child.proc.returncode is None, "the child exited instead of hanging"

                async def ghost_gone():
                    return "ghost" not in await cp.participant_identities(client, room)

                assert await cp.poll(ghost_gone, 5), "ListParticipants still lists the frozen participant"
                assert await cp.participant_identities(client, room) == ["watcher"]
                assert watcher.connected(), "the healthy participant was dropped too"
                print(f"frozen participant removed {took:.1f}s after SIGSTOP")
        finally:
            await child.kill()
            await watcher.disconnect()

    lk.run_bounded(body(), 100)
