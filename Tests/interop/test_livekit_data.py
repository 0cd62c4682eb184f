"""Issue 3 acceptance, data: DataPacket relay (reliable/lossy, topic, destinations, sender),
RPC through the relay, and text/byte streams, all with the unmodified `livekit` SDK.

Three participants (alice, bob, carol) so a packet addressed to one can be shown not to
reach the other.
"""

import asyncio
import os

import pytest
from livekit import rtc

import lk_helpers as lk
import media

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def payloads(peer: lk.Peer) -> list[bytes]:
    return [e.args[0].data for e in peer.named("data_received")]


def test_publish_data_reaches_only_the_named_participants(sfu):
    async def body():
        peers = await lk.connect_all(lk.lk_url(sfu), "data", ["alice", "bob", "carol"])
        alice, bob, carol = peers
        try:
            await media.wait_until(lambda: len(alice.room.remote_participants) == 2, 5)
            send = alice.room.local_participant.publish_data
            await send(b"reliable-for-bob", reliable=True, topic="t-rel", destination_identities=["bob"])
            for i in range(5):  # lossy may drop; five tries on loopback is plenty
                await send(f"lossy-for-carol-{i}".encode(), reliable=False, topic="t-lossy", destination_identities=["carol"])
                await asyncio.sleep(0.05)
            await send(b"to-everyone", reliable=True, topic="t-all")

            rel = await bob.wait_event("data_received", lambda p: p.data == b"reliable-for-bob", timeout=5)
            packet = rel.args[0]
            assert packet.participant is not None and packet.participant.identity == "alice"
            assert packet.topic == "t-rel"
            assert packet.kind == rtc.DataPacketKind.KIND_RELIABLE

            lossy = await carol.wait_event("data_received", lambda p: p.data.startswith(b"lossy-for-carol"), timeout=5)
            packet = lossy.args[0]
            assert packet.participant is not None and packet.participant.identity == "alice"
            assert packet.topic == "t-lossy"
            assert packet.kind == rtc.DataPacketKind.KIND_LOSSY

            for peer in (bob, carol):
                everyone = await peer.wait_event("data_received", lambda p: p.data == b"to-everyone", timeout=5)
                assert everyone.args[0].participant.identity == "alice" and everyone.args[0].topic == "t-all"
            await asyncio.sleep(0.5)  # give any misrouted lossy packet time to show up

            assert b"reliable-for-bob" not in payloads(carol), "a packet for bob reached carol"
            assert not any(p.startswith(b"lossy-for-carol") for p in payloads(bob)), "a packet for carol reached bob"
            assert not alice.named("data_received"), f"the sender got its own data back: {payloads(alice)}"
            assert payloads(bob).count(b"reliable-for-bob") == 1 and payloads(bob).count(b"to-everyone") == 1
        finally:
            await lk.disconnect_all(peers)

    lk.run_bounded(body(), 40)


def test_rpc_round_trip_and_error_response(sfu):
    async def body():
        peers = await lk.connect_all(lk.lk_url(sfu), "rpc", ["alice", "bob"])
        alice, bob = peers
        calls = []
        try:

            async def reverse(data: rtc.RpcInvocationData) -> str:
                calls.append((data.caller_identity, data.method, data.payload))
                return data.payload[::-1]

            async def refuse(data: rtc.RpcInvocationData) -> str:
                raise rtc.RpcError(4001, "not today", '{"why":"test"}')

            bob.room.local_participant.register_rpc_method("reverse", reverse)
            bob.room.local_participant.register_rpc_method("refuse", refuse)
            await media.wait_until(lambda: "bob" in alice.room.remote_participants, 5)

            result = await asyncio.wait_for(
                alice.room.local_participant.perform_rpc(destination_identity="bob", method="reverse", payload="hello rpc"),
                15,
            )
            assert result == "cpr olleh"
            assert calls == [("alice", "reverse", "hello rpc")]

            with pytest.raises(rtc.RpcError) as info:
                await asyncio.wait_for(
                    alice.room.local_participant.perform_rpc(destination_identity="bob", method="refuse", payload="x"),
                    15,
                )
            assert info.value.code == 4001 and info.value.message == "not today"
            assert info.value.data == '{"why":"test"}'

            with pytest.raises(rtc.RpcError) as info:
                await asyncio.wait_for(
                    alice.room.local_participant.perform_rpc(destination_identity="bob", method="nope", payload=""),
                    15,
                )
            assert info.value.code == rtc.RpcError.ErrorCode.UNSUPPORTED_METHOD
        finally:
            await lk.disconnect_all(peers)

    lk.run_bounded(body(), 60)


def test_text_and_byte_streams_arrive_whole(sfu, tmp_path):
    async def body():
        peers = await lk.connect_all(lk.lk_url(sfu), "streams", ["alice", "bob"])
        alice, bob = peers
        texts: list[tuple[str, str, str]] = []
        blobs: list[tuple[str, str, bytes]] = []
        readers: list[asyncio.Task] = []

        def on_text(reader: rtc.TextStreamReader, sender: str) -> None:
            async def read():
                texts.append((sender, reader.info.topic, await reader.read_all()))

            readers.append(asyncio.ensure_future(read()))

        def on_bytes(reader: rtc.ByteStreamReader, sender: str) -> None:
            async def read():
                chunks = [chunk async for chunk in reader]
                blobs.append((sender, reader.info.name, b"".join(chunks)))

            readers.append(asyncio.ensure_future(read()))

        bob.room.register_text_stream_handler("chat", on_text)
        bob.room.register_byte_stream_handler("files", on_bytes)
        try:
            await media.wait_until(lambda: "bob" in alice.room.remote_participants, 5)
            me = alice.room.local_participant
            short = "hello, stream ✓"
            long_text = "".join(f"line {i}: the quick brown fox ✓\n" for i in range(3000))  # ~100 kB, many chunks
            await asyncio.wait_for(me.send_text(short, topic="chat", destination_identities=["bob"]), 15)
            await asyncio.wait_for(me.send_text(long_text, topic="chat"), 20)
            writer = await asyncio.wait_for(me.stream_text(topic="chat", destination_identities=["bob"]), 10)
            for part in ("streamed ", "in ", "parts"):
                await writer.write(part)
            await writer.aclose()

            blob = os.urandom(200_000)
            path = tmp_path / "blob.bin"
            path.write_bytes(blob)
            await asyncio.wait_for(me.send_file(str(path), topic="files", destination_identities=["bob"]), 20)
            bytes_writer = await asyncio.wait_for(me.stream_bytes("pieces.bin", topic="files"), 10)
            pieces = [os.urandom(30_000) for _ in range(4)]
            for piece in pieces:
                await bytes_writer.write(piece)
            await bytes_writer.aclose()

            ok = await media.wait_until(lambda: len(texts) >= 3 and len(blobs) >= 2, 15)
            assert ok, f"texts {[(s, t, len(x)) for s, t, x in texts]}, blobs {[(s, n, len(b)) for s, n, b in blobs]}"
            got_texts = sorted(x for _, _, x in texts)
            assert got_texts == sorted([short, long_text, "streamed in parts"]), [len(x) for x in got_texts]
            assert all(sender == "alice" and topic == "chat" for sender, topic, _ in texts)
            by_name = {name: data for _, name, data in blobs}
            assert by_name.get("blob.bin") == blob, "send_file content differs"
            assert by_name.get("pieces.bin") == b"".join(pieces), "stream_bytes content differs"
            assert all(sender == "alice" for sender, _, _ in blobs)
        finally:
            for task in readers:
                task.cancel()
            await lk.disconnect_all(peers)

    lk.run_bounded(body(), 60)
