"""Media sources, sinks and analysis for the interop tests, plus WHIP/WHEP clients.

Everything here is peer-side code built on aiortc (a WebRTC stack nobody in this
project wrote).  The sources produce signals whose decoded form can be checked
unambiguously after a trip through a lossy codec:

* audio: a continuous 440 Hz sine, 48 kHz mono s16, 20 ms frames, paced in real time;
* video: solid-colour 320x240 frames at 30 fps, encoded as VP8.

The sinks decode what arrives and keep per-frame measurements (dominant audio
frequency over a 100 ms window, mean RGB of each video frame) with arrival times.

Importing this module makes aioice gather a 127.0.0.1 host candidate (see
`use_loopback_only`): the tests on this machine must use loopback addresses only.
"""

from __future__ import annotations

import asyncio
import fractions
import inspect
import math
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Optional, Union
from urllib.parse import urljoin

import aioice.ice
import numpy as np
import requests
from av import AudioFrame, VideoFrame
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack

# ---------------------------------------------------------------------------
# Loopback-only ICE
# ---------------------------------------------------------------------------

LOOPBACK = "127.0.0.1"


def _loopback_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    # aioice.ice.get_host_addresses deliberately skips 127.0.0.1; on this machine
    # the tests must talk over loopback only, so it is the *only* address we offer.
    return [LOOPBACK] if use_ipv4 else []


def use_loopback_only() -> None:
    """Make aioice gather exactly one IPv4 host candidate: 127.0.0.1.

    aioice's Connection.gather_candidates looks the function up as a module
    global of aioice.ice at call time, so replacing the attribute is enough.
    """
    aioice.ice.get_host_addresses = _loopback_host_addresses


use_loopback_only()


def make_peer_connection() -> RTCPeerConnection:
    """A peer connection with no STUN/TURN servers (aiortc defaults to Google's STUN)."""
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


def host_candidate_addresses(sdp: str) -> list[str]:
    """Connection addresses of all `a=candidate` lines (RFC 8839 §5.1)."""
    addresses = []
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            parts = line.split()
            if len(parts) >= 6:
                addresses.append(parts[4])
    return addresses


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------

AUDIO_SAMPLE_RATE = 48000
AUDIO_PTIME = 0.020
TONE_HZ = 440.0
VIDEO_COLOUR = (200, 30, 30)
VIDEO_SIZE = (320, 240)


class ToneAudioTrack(MediaStreamTrack):
    """A continuous sine tone: 48 kHz mono s16, 20 ms frames, real-time paced."""

    kind = "audio"

    def __init__(
        self,
        frequency: float = TONE_HZ,
        sample_rate: int = AUDIO_SAMPLE_RATE,
        ptime: float = AUDIO_PTIME,
        amplitude: float = 0.3,
    ) -> None:
        super().__init__()
        self.frequency = frequency
        self.sample_rate = sample_rate
        self.samples_per_frame = int(round(sample_rate * ptime))
        self.amplitude = amplitude
        self._start: Optional[float] = None
        self._pts = 0  # in samples; continuous phase across frames
        self.frames_produced = 0

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            self._pts += self.samples_per_frame
            wait = self._start + self._pts / self.sample_rate - time.time()
            if wait > 0:
                await asyncio.sleep(wait)

        n = np.arange(self._pts, self._pts + self.samples_per_frame, dtype=np.float64)
        wave = self.amplitude * np.sin(2.0 * math.pi * self.frequency * n / self.sample_rate)
        pcm = np.round(wave * 32767.0).astype(np.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, self.sample_rate)
        self.frames_produced += 1
        return frame


class SolidColourVideoTrack(VideoStreamTrack):
    """Solid-colour frames at 30 fps (VideoStreamTrack.next_timestamp paces them, 90 kHz clock)."""

    def __init__(self, colour: tuple[int, int, int] = VIDEO_COLOUR, size: tuple[int, int] = VIDEO_SIZE):
        super().__init__()
        self.colour = colour
        width, height = size
        rgb = np.empty((height, width, 3), dtype=np.uint8)
        rgb[:, :] = colour
        # Convert once; every frame is a fresh VideoFrame built from the same planes.
        self._yuv = VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p").to_ndarray()
        self.frames_produced = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame.from_ndarray(self._yuv, format="yuv420p")
        frame.pts = pts
        frame.time_base = time_base
        self.frames_produced += 1
        return frame


def prefer_codec(transceiver, mime_type: str) -> None:
    """Restrict a transceiver to one codec (e.g. "video/VP8", "audio/opus")."""
    capabilities = RTCRtpSender.getCapabilities(transceiver.kind)
    codecs = [c for c in capabilities.codecs if c.mimeType.lower() == mime_type.lower()]
    if not codecs:
        raise RuntimeError(f"aiortc does not support {mime_type}")
    transceiver.setCodecPreferences(codecs)


# ---------------------------------------------------------------------------
# Analysis
# ---------------------------------------------------------------------------


def audio_frame_to_mono(frame: AudioFrame) -> np.ndarray:
    """Decoded audio frame → float64 mono samples in [-1, 1].

    Handles packed (interleaved, e.g. aiortc's Opus decoder: s16 stereo, shape
    (1, samples*channels)) and planar (shape (channels, samples)) layouts.
    """
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if frame.format.is_planar:
        samples = data.reshape(channels, -1).astype(np.float64)
        mono = samples.mean(axis=0)
    else:
        samples = data.reshape(-1, channels).astype(np.float64)
        mono = samples.mean(axis=1)
    name = frame.format.name.rstrip("p")
    if name == "s16":
        mono /= 32768.0
    elif name == "s32":
        mono /= 2147483648.0
    elif name == "u8":
        mono = (mono - 128.0) / 128.0
    return mono


def dominant_frequency(samples: np.ndarray, sample_rate: int, min_rms: float = 1e-3) -> float:
    """Frequency (Hz) of the strongest spectral peak; 0.0 for (near) silence.

    Hann window, zero-padded FFT, parabolic interpolation around the peak bin.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.size < 16:
        return 0.0
    x = x - x.mean()
    if math.sqrt(float(np.mean(x * x))) < min_rms:
        return 0.0
    n_fft = 1 << int(math.ceil(math.log2(x.size * 4)))
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size), n=n_fft))
    spectrum[0] = 0.0
    k = int(np.argmax(spectrum))
    offset = 0.0
    if 0 < k < spectrum.size - 1:
        a, b, c = spectrum[k - 1], spectrum[k], spectrum[k + 1]
        denom = a - 2.0 * b + c
        if denom != 0.0:
            offset = 0.5 * (a - c) / denom
    return (k + offset) * sample_rate / n_fft


def mean_rgb(frame: VideoFrame) -> tuple[float, float, float]:
    rgb = frame.to_ndarray(format="rgb24").reshape(-1, 3).astype(np.float64)
    r, g, b = rgb.mean(axis=0)
    return (float(r), float(g), float(b))


def colour_matches(measured, expected, tolerance: float = 40.0) -> bool:
    return all(abs(m - e) <= tolerance for m, e in zip(measured, expected))


# ---------------------------------------------------------------------------
# Sinks
# ---------------------------------------------------------------------------


@dataclass
class AudioSink:
    """Consumes a remote audio track; records the dominant frequency per frame.

    Each frame's frequency is measured over the last `window_s` (100 ms) of audio
    ending with that frame; frames before the window first fills are recorded
    with frequency None.
    """

    window_s: float = 0.100
    frames: list = field(default_factory=list)  # (arrival monotonic, frequency or None)
    sample_rate: int = AUDIO_SAMPLE_RATE
    error: Optional[BaseException] = None
    _buffer: np.ndarray = field(default_factory=lambda: np.zeros(0))

    async def consume(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                self.sample_rate = frame.sample_rate
                window = int(self.window_s * self.sample_rate)
                self._buffer = np.concatenate([self._buffer, audio_frame_to_mono(frame)])[-window:]
                freq = dominant_frequency(self._buffer, self.sample_rate) if self._buffer.size >= window else None
                self.frames.append((time.monotonic(), freq))
        except MediaStreamError:
            pass
        except Exception as exc:  # surfaced by the tests, never swallowed
            self.error = exc

    def good_frames(self, frequency: float = TONE_HZ, tolerance: float = 10.0) -> int:
        return sum(1 for _, f in self.frames if f is not None and abs(f - frequency) <= tolerance)

    def frequencies(self) -> list:
        return [f for _, f in self.frames]


@dataclass
class VideoSink:
    """Consumes a remote video track; records mean RGB and size of every decoded frame."""

    frames: list = field(default_factory=list)  # (arrival monotonic, (r,g,b), (w,h))
    error: Optional[BaseException] = None

    async def consume(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                self.frames.append((time.monotonic(), mean_rgb(frame), (frame.width, frame.height)))
        except MediaStreamError:
            pass
        except Exception as exc:
            self.error = exc

    def good_frames(self, colour=VIDEO_COLOUR, tolerance: float = 40.0) -> int:
        return sum(1 for _, rgb, _ in self.frames if colour_matches(rgb, colour, tolerance))

    def first_frame_time(self) -> Optional[float]:
        return self.frames[0][0] if self.frames else None


async def wait_until(predicate: Callable[[], Union[bool, Awaitable[bool]]], timeout: float, interval: float = 0.05) -> bool:
    """Poll `predicate` (plain or async) until true or `timeout` seconds pass; returns the final value."""

    async def check() -> bool:
        result = predicate()
        return bool(await result) if inspect.isawaitable(result) else bool(result)

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(interval)
    return await check()


# ---------------------------------------------------------------------------
# WHIP / WHEP clients (RFC 9725)
# ---------------------------------------------------------------------------


class WhipError(Exception):
    def __init__(self, url: str, status: int, body: str):
        super().__init__(f"POST {url} -> {status}: {body[:500]}")
        self.status = status
        self.body = body


def post_sdp(url: str, body: str, token: Optional[str], timeout: float = 10.0) -> requests.Response:
    """POST an SDP offer the WHIP/WHEP way (RFC 9725 §4.2): application/sdp, Bearer token."""
    headers = {"Content-Type": "application/sdp"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(url, data=body.encode(), headers=headers, timeout=timeout)


def delete_session(url: str, token: Optional[str], timeout: float = 10.0) -> requests.Response:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.delete(url, headers=headers, timeout=timeout)


@dataclass
class WebRtcSession:
    """One WHIP or WHEP session: the peer connection and the server's resource URL."""

    pc: RTCPeerConnection
    endpoint: str
    location: Optional[str]
    token: Optional[str]
    answer_sdp: str
    audio: Optional[AudioSink] = None
    video: Optional[VideoSink] = None
    tasks: list = field(default_factory=list)
    closed: bool = False

    async def close(self, delete: bool = True) -> Optional[int]:
        """DELETE the session resource (RFC 9725 §4.3) and close the peer connection."""
        if self.closed:
            return None
        self.closed = True
        status = None
        if delete and self.location:
            try:
                response = await asyncio.to_thread(delete_session, self.location, self.token)
                status = response.status_code
            except requests.RequestException:
                status = None
        await self.pc.close()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        return status


async def _negotiate(pc: RTCPeerConnection, endpoint: str, token: Optional[str]) -> tuple[str, Optional[str]]:
    offer = await pc.createOffer()
    await pc.setLocalDescription(offer)  # aiortc completes ICE gathering here: non-trickle
    response = await asyncio.to_thread(post_sdp, endpoint, pc.localDescription.sdp, token)
    if response.status_code != 201:
        await pc.close()
        raise WhipError(endpoint, response.status_code, response.text)
    location = response.headers.get("Location")
    await pc.setRemoteDescription(RTCSessionDescription(sdp=response.text, type="answer"))
    return response.text, (urljoin(endpoint, location) if location else None)


async def whip_publish(
    base_url: str,
    room: str,
    token: Optional[str],
    audio_track: Optional[MediaStreamTrack] = None,
    video_track: Optional[MediaStreamTrack] = None,
) -> WebRtcSession:
    """Publish over WHIP: sendonly Opus audio and VP8 video."""
    pc = make_peer_connection()
    if audio_track is not None:
        prefer_codec(pc.addTransceiver(audio_track, direction="sendonly"), "audio/opus")
    if video_track is not None:
        prefer_codec(pc.addTransceiver(video_track, direction="sendonly"), "video/VP8")
    endpoint = f"{base_url}/whip/{room}"
    answer, location = await _negotiate(pc, endpoint, token)
    return WebRtcSession(pc=pc, endpoint=endpoint, location=location, token=token, answer_sdp=answer)


async def whep_subscribe(base_url: str, room: str, token: Optional[str]) -> WebRtcSession:
    """View over WHEP: one recvonly audio and one recvonly video transceiver, with sinks attached."""
    pc = make_peer_connection()
    audio_tr = pc.addTransceiver("audio", direction="recvonly")
    video_tr = pc.addTransceiver("video", direction="recvonly")
    prefer_codec(audio_tr, "audio/opus")
    prefer_codec(video_tr, "video/VP8")
    endpoint = f"{base_url}/whep/{room}"
    answer, location = await _negotiate(pc, endpoint, token)
    session = WebRtcSession(pc=pc, endpoint=endpoint, location=location, token=token, answer_sdp=answer)
    session.audio = AudioSink()
    session.video = VideoSink()
    session.tasks.append(asyncio.ensure_future(session.audio.consume(audio_tr.receiver.track)))
    session.tasks.append(asyncio.ensure_future(session.video.consume(video_tr.receiver.track)))
    return session
