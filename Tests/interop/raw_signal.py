"""A participant that is only a signalling WebSocket speaking livekit.protocol (binary
frames): it sends exactly what a test tells it to, unpaced, and keeps every RequestResponse,
PongResp and LeaveRequest it receives. No SDK sits between the test and the server."""

import asyncio

import aiohttp
from livekit.protocol import rtc as lk_proto

import lk_helpers as lk


class RawParticipant:
    """A participant that is only a signalling WebSocket: it sends what it is told to."""

    def __init__(self, session: aiohttp.ClientSession, sfu, room: str, identity: str):
        self.session, self.sfu, self.room, self.identity = session, sfu, room, identity
        self.ws = None
        self.responses: list = []
        self.pongs: list = []
        self.leaves: list = []
        self.reader = None

    async def join(self):
        self.ws = await self.session.ws_connect(
            lk.rtc_query_url(self.sfu),
            headers={"Authorization": f"Bearer {lk.lk_token(self.identity, self.room)}"},
            timeout=aiohttp.ClientWSTimeout(ws_receive=30),
            max_msg_size=0,
        )
        first = lk_proto.SignalResponse.FromString((await asyncio.wait_for(self.ws.receive(), 5)).data)
        assert first.WhichOneof("message") == "join", first
        self.reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self):
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.BINARY:
                continue
            response = lk_proto.SignalResponse.FromString(message.data)
            kind = response.WhichOneof("message")
            if kind == "request_response":
                self.responses.append(response.request_response)
            elif kind == "pong_resp":
                self.pongs.append(response.pong_resp)
            elif kind == "leave":
                self.leaves.append(response.leave)

    async def send(self, request: lk_proto.SignalRequest):
        await self.ws.send_bytes(request.SerializeToString())

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


def metadata_update(request_id: int) -> lk_proto.SignalRequest:
    request = lk_proto.SignalRequest()
    request.update_metadata.metadata = f'{{"n":{request_id}}}'
    request.update_metadata.request_id = request_id
    return request
