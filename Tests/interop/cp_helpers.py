"""Helpers for the control-plane suites (issue 4): Twirp server API, webhooks, room lifecycle.

* `RoomApi`: RoomService calls either through livekit-api's `LiveKitAPI` (protobuf, as a
  LiveKit control plane sends them) or as JSON POSTs with `requests` (protobuf JSON mapping,
  alternating snake_case and lowerCamelCase field names), with the same results and errors;
* `twirp_post`: one raw Twirp request, for the grant/error tests;
* `WebhookSink`: an HTTP receiver on a reserved loopback port that validates every request
  with livekit-api's `WebhookReceiver`; `down()` closes it (connections refused, port kept),
  `up()` reopens it on the same port;
* `assert_in_order`: an expected event sequence must appear as a subsequence;
* `ChildParticipant`: an SDK participant in a child Python process that the test can
  SIGSTOP (its UDP goes silent while the kernel keeps its TCP signalling socket open).
  Run as `python cp_helpers.py participant URL TOKEN` the module is that child.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import requests
from google.protobuf.json_format import MessageToDict, ParseDict
from livekit import api

from conftest import API_KEY, API_SECRET

ROOM_SERVICE = "livekit.RoomService"
DISPATCH_SERVICE = "livekit.AgentDispatchService"

# RoomService method → (response type, grant livekit-api signs for it); see room_service.py.
ROOM_METHODS: dict[str, tuple[type, str]] = {
    "CreateRoom": (api.Room, "room_create"),
    "ListRooms": (api.ListRoomsResponse, "room_list"),
    "DeleteRoom": (api.DeleteRoomResponse, "room_create"),
    "ListParticipants": (api.ListParticipantsResponse, "room_admin"),
    "GetParticipant": (api.ParticipantInfo, "room_admin"),
    "RemoveParticipant": (api.RemoveParticipantResponse, "room_admin"),
    "MutePublishedTrack": (api.MuteRoomTrackResponse, "room_admin"),
    "UpdateParticipant": (api.ParticipantInfo, "room_admin"),
    "UpdateSubscriptions": (api.UpdateSubscriptionsResponse, "room_admin"),
    "SendData": (api.SendDataResponse, "room_admin"),
    "UpdateRoomMetadata": (api.Room, "room_admin"),
}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def api_url(sfu) -> str:
    return f"http://127.0.0.1:{sfu.http_port}"


def lkapi(sfu) -> api.LiveKitAPI:
    """livekit-api's client for our server, exactly as a control plane builds it (call in a loop)."""
    return api.LiveKitAPI(api_url(sfu), API_KEY, API_SECRET)


def server_token(secret: str = API_SECRET, identity: str = "", **grants: Any) -> str:
    """A server-API token minted by livekit-api's AccessToken with these VideoGrants."""
    token = api.AccessToken(API_KEY, secret).with_grants(api.VideoGrants(**grants))
    if identity:
        token = token.with_identity(identity)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns about the short dev secret
        return token.to_jwt()


def twirp_post(
    sfu,
    service: str,
    method: str,
    body: Optional[dict] = None,
    *,
    token: Optional[str] = None,
    raw: Optional[bytes] = None,
    content_type: str = "application/json",
) -> requests.Response:
    """POST /twirp/<service>/<method>; `token` None sends no Authorization header."""
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else json.dumps(body or {}).encode()
    return requests.post(f"{api_url(sfu)}/twirp/{service}/{method}", data=data, headers=headers, timeout=10)


def twirp_error(response: requests.Response) -> tuple[str, str]:
    """The (code, msg) of a Twirp error response; asserts it is Twirp's JSON error shape."""
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith("application/json"), f"error content type {content_type!r}: {response.text!r}"
    try:
        payload = response.json()
    except ValueError as exc:
        raise AssertionError(f"error body is not JSON: {response.text!r}") from exc
    assert isinstance(payload, dict) and isinstance(payload.get("code"), str), f"not a Twirp error: {payload!r}"
    assert isinstance(payload.get("msg", ""), str), f"Twirp msg is not a string: {payload!r}"
    return payload["code"], payload.get("msg", "")


class RoomApi:
    """RoomService through `LiveKitAPI` (mode "protobuf") or JSON over `requests` (mode "json").

    Both modes return the protobuf response type and raise `api.ServerError` on a Twirp
    error, so one scenario can run in both.  JSON requests alternate snake_case and
    lowerCamelCase field names; `json_calls` logs (method, request dict, response dict).
    """

    def __init__(self, sfu, client: api.LiveKitAPI, mode: str):
        assert mode in ("protobuf", "json"), mode
        self.sfu, self.client, self.mode = sfu, client, mode
        self.json_calls: list[tuple[str, dict, dict]] = []
        self._sent = 0

    async def call(self, method: str, request: Any) -> Any:
        if self.mode == "protobuf":
            return await getattr(self.client.room, snake(method))(request)
        return await asyncio.to_thread(self._call_json, method, request)

    def _call_json(self, method: str, request: Any) -> Any:
        response_type, grant = ROOM_METHODS[method]
        grants: dict[str, Any] = {grant: True}
        if grant == "room_admin":
            grants["room"] = request.room
        body = MessageToDict(request, preserving_proto_field_name=self._sent % 2 == 0)
        self._sent += 1
        response = twirp_post(self.sfu, ROOM_SERVICE, method, body, token=server_token(**grants))
        if response.status_code != 200:
            code, msg = twirp_error(response)
            raise api.ServerError(code, msg, status=response.status_code)
        content_type = response.headers.get("Content-Type", "")
        assert content_type.startswith("application/json"), f"{method}: JSON answered as {content_type!r}"
        payload = response.json()
        self.json_calls.append((method, body, payload))
        return ParseDict(payload, response_type(), ignore_unknown_fields=True)

    # -- the methods, by name ---------------------------------------------------

    async def room_names(self) -> list[str]:
        return [r.name for r in (await self.call("ListRooms", api.ListRoomsRequest())).rooms]

    async def identities(self, room: str) -> list[str]:
        listed = await self.call("ListParticipants", api.ListParticipantsRequest(room=room))
        return sorted(p.identity for p in listed.participants)


async def room_names(client: api.LiveKitAPI) -> list[str]:
    return [r.name for r in (await client.room.list_rooms(api.ListRoomsRequest())).rooms]


async def participant_identities(client: api.LiveKitAPI, room: str) -> list[str]:
    listed = await client.room.list_participants(api.ListParticipantsRequest(room=room))
    return sorted(p.identity for p in listed.participants)


async def poll(check: Callable[[], Any], timeout: float, interval: float = 0.25) -> bool:
    """Await the coroutine function `check` until it returns truthy or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(interval)


# ---------------------------------------------------------------------------
# webhooks
# ---------------------------------------------------------------------------


@dataclass
class Delivery:
    """One POST the sink received; `event` is set when WebhookReceiver accepted it."""

    at: float
    path: str
    body: str
    authorization: str
    content_type: str
    event: Optional[api.WebhookEvent]
    error: Optional[str]


def describe(event: api.WebhookEvent) -> str:
    who = event.participant.identity or event.track.sid
    return f"{event.event}({event.room.name}{'/' + who if who else ''})"


def logical_key(event: api.WebhookEvent) -> tuple:
    """What an event is about, ignoring its id: the same fact must not come with two ids."""
    return (event.event, event.room.name, event.participant.identity, event.track.sid)


class WebhookSink:
    """Receives webhooks on 127.0.0.1:<port>, validating each with `WebhookReceiver`.

    The port is reserved at construction by a bound socket that does not listen, so
    while the sink is down the server's connections are refused (RST) and nobody else
    can take the port.  `status` is what the sink answers (200 unless a test says so).
    """

    def __init__(self, path: str = "/hook", api_key: str = API_KEY, api_secret: str = API_SECRET):
        self.path = path
        self.status = 200
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._receiver = api.WebhookReceiver(api.TokenVerifier(api_key, api_secret))
        self._server: Optional[http.server.ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self._socket: Optional[socket.socket] = None
        self.port = 0
        self._reserve()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def toml(self, outbox_dir: Path) -> str:
        """A `[webhook]` table pointing the server at this sink, with its durable outbox."""
        return f'\n[webhook]\nurls = ["{self.url}"]\napi_key = "{API_KEY}"\noutbox_dir = "{outbox_dir}"\n'

    def _reserve(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        self._socket = sock

    def is_up(self) -> bool:
        return self._server is not None

    def up(self) -> "WebhookSink":
        if self._server is not None:
            return self
        server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler(), bind_and_activate=False)
        server.socket.close()
        server.socket, self._socket = self._socket, None
        server.server_activate()
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def down(self) -> "WebhookSink":
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None
            self._reserve()
        return self

    def close(self) -> None:
        self.down()
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _handler(self):
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self._read_body()
                sink._record(self.path, body, self.headers.get("Authorization", ""), self.headers.get("Content-Type", ""))
                self.send_response(sink.status)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True

            def _read_body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def _record(self, path: str, raw: bytes, authorization: str, content_type: str) -> None:
        event, error = None, None
        try:
            body = raw.decode("utf-8")
            event = self._receiver.receive(body, authorization)
        except Exception as exc:  # anything WebhookReceiver refuses is a failure the tests report
            body, error = raw.decode("utf-8", "replace"), f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.deliveries.append(Delivery(time.monotonic(), path, body, authorization, content_type, event, error))

    # -- reading what arrived ---------------------------------------------------

    def snapshot(self) -> list[Delivery]:
        with self._lock:
            return list(self.deliveries)

    def invalid(self) -> list[Delivery]:
        return [d for d in self.snapshot() if d.event is None]

    def events(self) -> list[api.WebhookEvent]:
        """Every validated event in arrival order, duplicates (same id) included."""
        return [d.event for d in self.snapshot() if d.event is not None]

    def unique_events(self) -> list[api.WebhookEvent]:
        """The first arrival of each id, in arrival order."""
        seen: set[str] = set()
        out = []
        for event in self.events():
            if event.id not in seen:
                seen.add(event.id)
                out.append(event)
        return out

    def for_room(self, room: str) -> list[api.WebhookEvent]:
        return [e for e in self.unique_events() if e.room.name == room]

    def summary(self) -> str:
        lines = [describe(d.event) if d.event else f"INVALID {d.error}" for d in self.snapshot()]
        return f"{len(lines)} deliveries: " + ", ".join(lines)

    async def wait_for(self, predicate: Callable[[list[api.WebhookEvent]], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate(self.unique_events()):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.1)
        return True


def has(name: str, room: Optional[str] = None, identity: Optional[str] = None) -> Callable[[api.WebhookEvent], bool]:
    def match(event: api.WebhookEvent) -> bool:
        return (
            event.event == name
            and (room is None or event.room.name == room)
            and (identity is None or event.participant.identity == identity)
        )

    return match


def assert_in_order(events: list[api.WebhookEvent], expected: list[Callable[[api.WebhookEvent], bool]], what: str) -> None:
    """Each matcher of `expected` must match a later event than the previous one did."""
    position = 0
    for index, matcher in enumerate(expected):
        while position < len(events) and not matcher(events[position]):
            position += 1
        assert position < len(events), (
            f"{what}: expected step {index} not found after the earlier ones; "
            f"got {[describe(e) for e in events]}"
        )
        position += 1


def room_toml(**settings: int) -> str:
    """A `[room]` table, e.g. room_toml(departure_timeout=1)."""
    return "[room]\n" + "".join(f"{key} = {value}\n" for key, value in settings.items())


def sign_webhook(body: str, api_key: str = API_KEY, secret: str = API_SECRET, ttl: int = 300) -> str:
    """An Authorization value as LiveKit signs webhooks (PROTOCOL.md §9), for sink self-checks."""
    import base64
    import hashlib

    import jwt

    now = int(time.time())
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    claims = {"iss": api_key, "nbf": now, "exp": now + ttl, "sha256": digest}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jwt.encode(claims, secret, algorithm="HS256")


# ---------------------------------------------------------------------------
# an SDK participant in a child process
# ---------------------------------------------------------------------------


class ChildParticipant:
    """`python cp_helpers.py participant URL TOKEN` as a child; it joins, publishes a tone and
    prints one JSON line {"identity", "sid", "track_sid"}.  Its stderr goes to `log_path`."""

    def __init__(self, url: str, token: str, log_path: Path, prefix: Optional[list[str]] = None):
        """`prefix`: a command the child runs under (e.g. `ip netns exec NAME`)."""
        self.url, self.token, self.log_path = url, token, log_path
        self.prefix = prefix or []
        self.proc: Optional[asyncio.subprocess.Process] = None
        self.info: dict = {}

    async def start(self, timeout: float = 30.0) -> dict:
        with open(self.log_path, "wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *self.prefix, sys.executable, str(Path(__file__).resolve()), "participant", self.url, self.token,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=log,
            )
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        except asyncio.TimeoutError:
            line = b""
        if not line:
            raise AssertionError(f"child participant never became ready; its log:\n{self.log_tail()}")
        self.info = json.loads(line)
        return self.info

    def freeze(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()  # SIGKILL works on a stopped process too
            await asyncio.wait_for(self.proc.wait(), 10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


async def _child_main(url: str, token: str) -> None:
    from livekit import rtc

    import lk_helpers as lk

    room = rtc.Room()
    await asyncio.wait_for(room.connect(url, token, rtc.RoomOptions(auto_subscribe=True)), 20)
    tone = lk.ToneSource().start()
    publication = await asyncio.wait_for(room.local_participant.publish_track(tone.track, lk.microphone_options()), 12)
    info = {"identity": room.local_participant.identity, "sid": room.local_participant.sid, "track_sid": publication.sid}
    print(json.dumps(info), flush=True)
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "participant":
        sys.exit("usage: cp_helpers.py participant URL TOKEN")
    asyncio.run(_child_main(sys.argv[2], sys.argv[3]))
