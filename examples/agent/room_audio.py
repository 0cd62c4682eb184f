"""Audio plumbing the pipelines share: a sine generator, a published audio track,
and "the caller's first audio track" (a remote track from a non-agent participant)."""

from __future__ import annotations

import asyncio
import math

import numpy as np
from livekit import rtc

SAMPLE_RATE = 48000
CHANNELS = 1
FRAME_MS = 10
SAMPLES_PER_FRAME = SAMPLE_RATE * FRAME_MS // 1000


class SineGenerator:
    """Consecutive 10 ms mono s16 frames of one sine tone, phase-continuous."""

    def __init__(self, frequency: float, amplitude: float = 0.4):
        if not (0.0 < frequency < SAMPLE_RATE / 2):
            raise ValueError(f"frequency {frequency} Hz is outside (0, {SAMPLE_RATE // 2})")
        self.frequency = frequency
        self.amplitude = amplitude
        self.samples_made = 0

    def next_samples(self) -> np.ndarray:
        n = np.arange(self.samples_made, self.samples_made + SAMPLES_PER_FRAME, dtype=np.float64)
        self.samples_made += SAMPLES_PER_FRAME
        wave = self.amplitude * 32767.0 * np.sin(2.0 * math.pi * self.frequency * n / SAMPLE_RATE)
        return np.round(wave).astype(np.int16)

    def next_frame(self) -> rtc.AudioFrame:
        frame = rtc.AudioFrame.create(SAMPLE_RATE, CHANNELS, SAMPLES_PER_FRAME)
        np.frombuffer(frame.data, dtype=np.int16)[:] = self.next_samples()
        return frame


async def publish_audio(room: rtc.Room, name: str) -> tuple[rtc.AudioSource, rtc.LocalTrackPublication]:
    """A new 48 kHz mono source published as this participant's microphone."""
    source = rtc.AudioSource(SAMPLE_RATE, CHANNELS, queue_size_ms=200)
    track = rtc.LocalAudioTrack.create_audio_track(name, source)
    options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
    publication = await room.local_participant.publish_track(track, options)
    return source, publication


def is_caller(participant: rtc.RemoteParticipant) -> bool:
    """Anyone but another agent counts as a caller."""
    return participant.kind != rtc.ParticipantKind.PARTICIPANT_KIND_AGENT


def _subscribed_caller_audio(room: rtc.Room) -> tuple[rtc.RemoteAudioTrack, rtc.RemoteParticipant] | None:
    for participant in room.remote_participants.values():
        if not is_caller(participant):
            continue
        for publication in participant.track_publications.values():
            track = publication.track
            if publication.kind == rtc.TrackKind.KIND_AUDIO and isinstance(track, rtc.RemoteAudioTrack):
                return track, participant
    return None


async def first_caller_audio_track(room: rtc.Room) -> tuple[rtc.RemoteAudioTrack, rtc.RemoteParticipant]:
    """The first subscribed audio track of a caller, waiting for one if none is there yet."""
    found = _subscribed_caller_audio(room)
    if found is not None:
        return found
    arrived: asyncio.Future[tuple[rtc.RemoteAudioTrack, rtc.RemoteParticipant]] = asyncio.Future()

    def on_track_subscribed(track: rtc.Track, _pub: rtc.RemoteTrackPublication, who: rtc.RemoteParticipant) -> None:
        if isinstance(track, rtc.RemoteAudioTrack) and is_caller(who) and not arrived.done():
            arrived.set_result((track, who))

    room.on("track_subscribed", on_track_subscribed)
    try:
        found = _subscribed_caller_audio(room)  # subscribed between the first look and `on`
        return found if found is not None else await arrived
    finally:
        room.off("track_subscribed", on_track_subscribed)
