"""Helpers for driving our server with the unmodified `livekit` Python SDK (issue 3).

* tokens: `lk_token` mints exactly as livekit-api does; `raw_token` signs hand-made claims
  (for tokens livekit-api refuses to build, e.g. roomJoin without a room);
* `Peer`: an `rtc.Room` plus a log of every room event it emitted, with waiting helpers;
* media: `ToneSource` (sine into `rtc.AudioSource`, 10 ms frames), `ColourSource`
  (solid RGBA frames into `rtc.VideoSource`), `AudioProbe` / `VideoProbe` that decode a
  track through `rtc.AudioStream` / `rtc.VideoStream` and measure tone and colour;
* `TcpProxy`: an asyncio TCP relay whose live connections the test can cut while it keeps
  listening (how test 5 drops the SDK's signalling WebSocket under it);
* raw signalling: `/rtc` query string, `/rtc/validate` GET, a raw aiohttp WebSocket.

Analysis reuses `media.dominant_frequency`.  Nothing here talks to our server except
through public endpoints; the SDK is used as shipped, with `rtc.RoomOptions()` defaults.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import aiohttp
import jwt
import numpy as np
from livekit import api, rtc

import media
from conftest import API_KEY, API_SECRET

SAMPLE_RATE = 48000
FRAME_MS = 10
SAMPLES_PER_FRAME = SAMPLE_RATE * FRAME_MS // 1000
TONE_HZ = 440.0
VIDEO_RGB = (200, 30, 30)
VIDEO_W, VIDEO_H = 320, 240
# The query string the Python SDK 1.2.1 sends on /rtc (PROTOCOL.md §1), for raw clients.
SDK_QUERY = (
    "sdk=python&os=Debian&os_version=12.0.0&device_model=Unknown&protocol=18&client_protocol=2"
    "&auto_subscribe=1&adaptive_stream=0&version=1.2.1"
)

ALL_ROOM_EVENTS = (
    "participant_connected", "participant_disconnected", "participant_active",
    "local_track_published", "local_track_unpublished", "local_track_subscribed",
    "track_published", "track_unpublished", "track_subscribed", "track_unsubscribed",
    "track_subscription_failed", "track_muted", "track_unmuted", "active_speakers_changed",
    "room_metadata_changed", "participant_metadata_changed", "participant_name_changed",
    "participant_attributes_changed", "connection_quality_changed",
    "participant_permissions_changed", "data_received", "connection_state_changed",
    "connected", "disconnected", "reconnecting", "reconnected", "room_updated", "token_refreshed",
)


# ---------------------------------------------------------------------------
# tokens and URLs
# ---------------------------------------------------------------------------


def lk_url(sfu) -> str:
    return f"ws://127.0.0.1:{sfu.http_port}"


def lk_token(
    identity: str,
    room: str,
    *,
    can_publish: bool = True,
    can_subscribe: bool = True,
    can_publish_data: bool = True,
    can_update_own_metadata: bool = True,
    room_join: bool = True,
    ttl: datetime.timedelta = datetime.timedelta(minutes=10),
    secret: str = API_SECRET,
    name: Optional[str] = None,
) -> str:
    """A token minted by livekit-api's AccessToken, the way a LiveKit control plane does."""
    grants = api.VideoGrants(
        room_join=room_join,
        room=room,
        can_publish=can_publish,
        can_subscribe=can_subscribe,
        can_publish_data=can_publish_data,
        can_update_own_metadata=can_update_own_metadata,
    )
    token = api.AccessToken(API_KEY, secret).with_identity(identity).with_grants(grants).with_ttl(ttl)
    if name is not None:
        token = token.with_name(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns about the short dev secret
        return token.to_jwt()


def raw_token(claims: dict, secret: str = API_SECRET, ttl: int = 600) -> str:
    """HS256 over hand-made claims; iss/nbf/exp are filled in unless given."""
    now = int(time.time())
    body = {"iss": API_KEY, "nbf": now, "exp": now + ttl, **claims}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jwt.encode(body, secret, algorithm="HS256")


def rtc_query_url(sfu, path: str = "/rtc", scheme: str = "ws") -> str:
    return f"{scheme}://127.0.0.1:{sfu.http_port}{path}?{SDK_QUERY}"


async def validate(sfu, token: str) -> tuple[int, str, str]:
    """GET /rtc/validate the way the SDK does after a failed upgrade → (status, content type, body)."""
    async with aiohttp.ClientSession() as session:
        async with session.get(
            rtc_query_url(sfu, "/rtc/validate", "http"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=aiohttp.ClientTimeout(total=5),
        ) as response:
            return response.status, response.headers.get("Content-Type", ""), await response.text()


# ---------------------------------------------------------------------------
# a participant with an event log
# ---------------------------------------------------------------------------


@dataclass
class Event:
    name: str
    at: float
    args: tuple


class Peer:
    """One SDK participant: `room`, and `events`, every room event in order."""

    def __init__(self, identity: str, single_peer_connection: Optional[bool] = None):
        """`single_peer_connection`: None keeps the SDK default (`/rtc/v1`); False forces `/rtc`."""
        self.identity = identity
        self.single_peer_connection = single_peer_connection
        self.room = rtc.Room()
        self.events: list[Event] = []
        for name in ALL_ROOM_EVENTS:
            self.room.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[..., None]:
        def record(*args: Any) -> None:
            self.events.append(Event(name, time.monotonic(), args))

        return record

    async def connect(self, url: str, token: str, timeout: float = 20.0,
                      rtc_config: Optional[rtc.RtcConfiguration] = None) -> "Peer":
        options = rtc.RoomOptions(auto_subscribe=True)
        if rtc_config is not None:
            options.rtc_config = rtc_config
        if self.single_peer_connection is not None:
            options.single_peer_connection = self.single_peer_connection
        await asyncio.wait_for(self.room.connect(url, token, options), timeout)
        return self

    async def disconnect(self) -> None:
        try:
            await asyncio.wait_for(self.room.disconnect(), 10.0)
        except Exception:
            pass

    def named(self, name: str, where: Callable[..., bool] = lambda *a: True) -> list[Event]:
        return [e for e in self.events if e.name == name and where(*e.args)]

    async def wait_event(self, name: str, where: Callable[..., bool] = lambda *a: True, timeout: float = 10.0) -> Event:
        """The first `name` event whose args satisfy `where` (past or future)."""
        if not await media.wait_until(lambda: bool(self.named(name, where)), timeout):
            seen = [e.name for e in self.events]
            raise AssertionError(f"{self.identity}: no matching {name!r} within {timeout}s; events seen: {seen}")
        return self.named(name, where)[0]

    def connected(self) -> bool:
        return self.room.connection_state == rtc.ConnectionState.CONN_CONNECTED


def join_request_of(request_line: str):
    """The `JoinRequest` a `GET /rtc/v1?join_request=…` request line carries, else None."""
    import gzip
    import urllib.parse
    from livekit.protocol import rtc as proto

    target = request_line.split(" ")[1] if " " in request_line else request_line
    path, _, query = target.partition("?")
    if path != "/rtc/v1":
        return None
    values = urllib.parse.parse_qs(query).get("join_request")
    if not values:
        return None
    text = values[0]
    wrapped = proto.WrappedJoinRequest()
    wrapped.ParseFromString(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    inner = wrapped.join_request
    if wrapped.compression == proto.WrappedJoinRequest.GZIP:
        inner = gzip.decompress(inner)
    request = proto.JoinRequest()
    request.ParseFromString(inner)
    return request


def is_resume_request(request_line: str) -> bool:
    """A resume: `/rtc?…reconnect=1`, or `/rtc/v1` whose JoinRequest says reconnect."""
    if request_line.startswith("GET /rtc?"):
        return "reconnect=1" in request_line
    join = join_request_of(request_line)
    return join is not None and join.reconnect


def from_identity(identity: str) -> Callable[..., bool]:
    """A `where` for events whose args contain a participant with this identity."""

    def match(*args: Any) -> bool:
        return any(getattr(a, "identity", None) == identity for a in args)

    return match


async def connect_all(url: str, room: str, identities: list[str], **grants) -> list[Peer]:
    peers = [Peer(i) for i in identities]
    await asyncio.gather(*(p.connect(url, lk_token(p.identity, room, **grants)) for p in peers))
    return peers


async def disconnect_all(peers) -> None:
    await asyncio.gather(*(p.disconnect() for p in peers if p is not None), return_exceptions=True)


# ---------------------------------------------------------------------------
# media sources
# ---------------------------------------------------------------------------


def tone_samples(frequency: float, start: int, count: int, amplitude: float = 0.5) -> np.ndarray:
    n = np.arange(start, start + count, dtype=np.float64)
    return np.round(amplitude * 32767.0 * np.sin(2.0 * math.pi * frequency * n / SAMPLE_RATE)).astype(np.int16)


class ToneSource:
    """A sine tone pushed into an `rtc.AudioSource` in 10 ms frames, paced in real time."""

    def __init__(self, frequency: float = TONE_HZ, amplitude: float = 0.5):
        self.frequency = frequency
        self.amplitude = amplitude
        self.source = rtc.AudioSource(SAMPLE_RATE, 1, queue_size_ms=200)
        self.track = rtc.LocalAudioTrack.create_audio_track(f"tone-{int(frequency)}", self.source)
        self.frames_sent = 0
        self.error: Optional[BaseException] = None
        self._task: Optional[asyncio.Task] = None

    def frame(self, index: int) -> rtc.AudioFrame:
        frame = rtc.AudioFrame.create(SAMPLE_RATE, 1, SAMPLES_PER_FRAME)
        pcm = np.frombuffer(frame.data, dtype=np.int16)
        pcm[:] = tone_samples(self.frequency, index * SAMPLES_PER_FRAME, SAMPLES_PER_FRAME, self.amplitude)
        return frame

    def start(self) -> "ToneSource":
        self._task = asyncio.ensure_future(self._run())
        return self

    async def _run(self) -> None:
        try:
            start = time.monotonic()
            prefill = 5  # 50 ms ahead so the 10 ms pull never underruns
            while True:
                await self.source.capture_frame(self.frame(self.frames_sent))
                self.frames_sent += 1
                due = start + (self.frames_sent - prefill) * FRAME_MS / 1000.0
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            self.error = exc

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.source.aclose()


class ColourSource:
    """Solid-colour RGBA frames into an `rtc.VideoSource` at `fps`."""

    def __init__(self, rgb=VIDEO_RGB, width: int = VIDEO_W, height: int = VIDEO_H, fps: int = 30):
        self.rgb, self.width, self.height, self.fps = rgb, width, height, fps
        self.source = rtc.VideoSource(width, height)
        self.track = rtc.LocalVideoTrack.create_video_track("colour", self.source)
        pixels = np.empty((height, width, 4), dtype=np.uint8)
        pixels[:, :] = (*rgb, 255)
        self._data = bytearray(pixels.tobytes())
        self.frames_sent = 0
        self._task: Optional[asyncio.Task] = None

    def frame(self) -> rtc.VideoFrame:
        return rtc.VideoFrame(self.width, self.height, rtc.VideoBufferType.RGBA, self._data)

    def start(self) -> "ColourSource":
        self._task = asyncio.ensure_future(self._run())
        return self

    async def _run(self) -> None:
        start = time.monotonic()
        try:
            while True:
                self.source.capture_frame(self.frame(), timestamp_us=int((time.monotonic() - start) * 1e6))
                self.frames_sent += 1
                delay = start + self.frames_sent / self.fps - time.monotonic()
                await asyncio.sleep(max(delay, 0.0))
        except asyncio.CancelledError:
            pass

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.source.aclose()


def camera_options(simulcast: bool = True) -> rtc.TrackPublishOptions:
    return rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, simulcast=simulcast)


def microphone_options() -> rtc.TrackPublishOptions:
    return rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)


# ---------------------------------------------------------------------------
# media probes
# ---------------------------------------------------------------------------


def frame_samples(frame: rtc.AudioFrame) -> np.ndarray:
    """An SDK audio frame (interleaved s16) → float mono in [-1, 1]."""
    pcm = np.frombuffer(frame.data, dtype=np.int16).astype(np.float64)
    if frame.num_channels > 1:
        pcm = pcm.reshape(-1, frame.num_channels).mean(axis=1)
    return pcm / 32768.0


@dataclass
class AudioProbe:
    """Reads a track through `rtc.AudioStream` (48 kHz mono) and measures the tone.

    `sample_rate` / `frame_size_ms` are asked of the SDK's resampler and framer.
    `analyse_every` = 1 measures the dominant frequency of the last `window_s` after every
    frame (`frames` holds (arrival, frequency or None)); larger values measure only every
    n-th frame (for many simultaneous streams) and record None for the others.
    """

    window_s: float = 0.100
    analyse_every: int = 1
    sample_rate: int = SAMPLE_RATE
    frame_size_ms: Optional[int] = None
    frames: list = field(default_factory=list)
    error: Optional[BaseException] = None
    _buffer: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _task: Optional[asyncio.Task] = None
    _stream: Any = None

    def start(self, track) -> "AudioProbe":
        self._stream = rtc.AudioStream(
            track, sample_rate=self.sample_rate, num_channels=1, frame_size_ms=self.frame_size_ms
        )
        self._task = asyncio.ensure_future(self._run())
        return self

    def feed(self, samples: np.ndarray) -> Optional[float]:
        window = int(self.window_s * self.sample_rate)
        self._buffer = np.concatenate([self._buffer, samples])[-window:]
        freq = None
        if self._buffer.size >= window and len(self.frames) % self.analyse_every == 0:
            freq = media.dominant_frequency(self._buffer, self.sample_rate)
        self.frames.append((time.monotonic(), freq))
        return freq

    async def _run(self) -> None:
        try:
            async for event in self._stream:
                self.feed(frame_samples(event.frame))
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            self.error = exc

    def good(self, frequency: float = TONE_HZ, tolerance: float = 10.0, since: float = 0.0) -> int:
        """Frames (arriving at or after `since`) whose window measured `frequency`±`tolerance`."""
        return sum(1 for t, f in self.frames if t >= since and f is not None and abs(f - frequency) <= tolerance)

    def received(self, since: float = 0.0) -> int:
        return sum(1 for t, _ in self.frames if t >= since)

    def current_frequency(self) -> Optional[float]:
        window = int(self.window_s * self.sample_rate)
        return media.dominant_frequency(self._buffer, self.sample_rate) if self._buffer.size >= window else None

    def describe(self, frequency: float = TONE_HZ) -> str:
        recent = [round(float(f), 1) for _, f in self.frames[-200:] if f is not None][-5:]
        return f"{self.good(frequency)}/{len(self.frames)} frames at {frequency}±10 Hz, last {recent}, err {self.error!r}"

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._stream is not None:
            await self._stream.aclose()


async def inbound_video(peer: "Peer") -> list:
    """The peer's libwebrtc inbound-rtp stats of each video stream it receives."""
    stats = await asyncio.wait_for(peer.room.get_rtc_stats(), 5)
    return [s.inbound_rtp for s in stats.subscriber_stats + stats.publisher_stats
            if s.WhichOneof("stats") == "inbound_rtp" and s.inbound_rtp.stream.kind == "video"]


async def inbound_video_stats(peer: "Peer") -> str:
    """What the peer's libwebrtc says of each video stream it receives (for failure messages):
    ssrc, mid, packets, frames received/decoded/rendered and key frames, PLIs and NACKs it sent."""
    try:
        streams = await inbound_video(peer)
    except Exception as exc:  # the failure message must not hide the original failure
        return f"no stats: {exc!r}"
    lines = [
        f"ssrc {r.stream.ssrc} mid {r.inbound.mid} packets {r.received.packets_received} lost {r.received.packets_lost} "
        f"frames {r.inbound.frames_received}/{r.inbound.frames_decoded}/{r.inbound.frames_rendered} key {r.inbound.key_frames_decoded} "
        f"{r.inbound.frame_width}x{r.inbound.frame_height} pli {r.inbound.pli_count} nack {r.inbound.nack_count} "
        f"dropped {r.inbound.frames_dropped} discarded {r.inbound.packets_discarded} decoder {r.inbound.decoder_implementation!r}"
        for r in streams
    ]
    return "; ".join(lines) or "no inbound video"


def track_events(peer: "Peer") -> str:
    """The peer's track (un)subscription and (un)publication events, in order, with times
    relative to the first event (for failure messages)."""
    start = peer.events[0].at if peer.events else 0.0
    lines = []
    for e in peer.events:
        if e.name in ("track_subscribed", "track_unsubscribed"):  # (track, publication, participant)
            lines.append(f"{e.at - start:.2f} {e.name} {e.args[2].identity} {e.args[1].sid} track {e.args[0].sid}")
        elif e.name == "track_subscription_failed":  # (participant, track sid, error)
            lines.append(f"{e.at - start:.2f} {e.name} {e.args[0].identity} {e.args[1]}: {e.args[2]}")
        elif e.name in ("track_published", "track_unpublished"):  # (publication, participant)
            lines.append(f"{e.at - start:.2f} {e.name} {e.args[1].identity} {e.args[0].sid} {e.args[0].kind}")
    return "; ".join(lines) or "none"


def mean_rgb(frame: rtc.VideoFrame) -> tuple[float, float, float]:
    """Mean (R, G, B) of a decoded SDK frame, converted to RGBA; every 4th row and column."""
    rgba = frame.convert(rtc.VideoBufferType.RGBA)
    pixels = np.frombuffer(rgba.data, dtype=np.uint8).reshape(rgba.height, rgba.width, 4)
    r, g, b = pixels[::4, ::4, :3].reshape(-1, 3).astype(np.float64).mean(axis=0)
    return float(r), float(g), float(b)


@dataclass
class VideoProbe:
    """Reads a track through `rtc.VideoStream`; records (arrival, mean RGB, (w, h)) per frame."""

    frames: list = field(default_factory=list)
    error: Optional[BaseException] = None
    _task: Optional[asyncio.Task] = None
    _stream: Any = None

    def start(self, track) -> "VideoProbe":
        self._stream = rtc.VideoStream(track)
        self._task = asyncio.ensure_future(self._run())
        return self

    async def _run(self) -> None:
        try:
            async for event in self._stream:
                self.frames.append((time.monotonic(), mean_rgb(event.frame), (event.frame.width, event.frame.height)))
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            self.error = exc

    def good(self, rgb=VIDEO_RGB, tolerance: float = 40.0) -> int:
        return sum(1 for _, c, _ in self.frames if media.colour_matches(c, rgb, tolerance))

    def describe(self) -> str:
        last = self.frames[-1][1:] if self.frames else None
        ended = "" if self._task is None or not self._task.done() else ", stream ended"
        return f"{self.good()}/{len(self.frames)} frames of {VIDEO_RGB}±40, last {last}, err {self.error!r}{ended}"

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._stream is not None:
            await self._stream.aclose()


# ---------------------------------------------------------------------------
# a TCP relay whose connections the test can cut
# ---------------------------------------------------------------------------


class TcpProxy:
    """Relays 127.0.0.1:<port> to a target; `cut()` drops the live connections, keeps listening.

    `requests` holds the first line of each connection's first bytes (the HTTP request
    line for WebSocket upgrades), so a test can see e.g. `reconnect=1` on a resume.
    """

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = 0
        self.requests: list[str] = []
        self.cuts = 0
        self._server: Optional[asyncio.base_events.Server] = None
        self._live: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> "TcpProxy":
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self._live.update((client_writer, upstream_writer))
        first = {"seen": False}

        async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, sniff: bool) -> None:
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    if sniff and not first["seen"]:
                        first["seen"] = True
                        self.requests.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
                    writer.write(data)
                    await writer.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                try:
                    writer.close()
                except Exception:
                    pass

        tasks = [
            asyncio.ensure_future(pump(client_reader, upstream_writer, True)),
            asyncio.ensure_future(pump(upstream_reader, client_writer, False)),
        ]
        self._tasks.update(tasks)
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.difference_update(tasks)
        self._live.difference_update((client_writer, upstream_writer))

    def live_connections(self) -> int:
        return len(self._live) // 2

    def cut(self) -> int:
        """Abort every relayed connection (both sides, no TCP FIN niceties). Returns how many."""
        count = self.live_connections()
        for writer in list(self._live):
            transport = writer.transport
            if transport is not None:
                transport.abort()
        self._live.clear()
        self.cuts += 1
        return count

    async def close(self) -> None:
        self.cut()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


# ---------------------------------------------------------------------------
# bounded test bodies
# ---------------------------------------------------------------------------


def run_bounded(coro, timeout: float):
    """asyncio.run with a hard upper bound on the whole test body."""
    return asyncio.run(asyncio.wait_for(coro, timeout))
