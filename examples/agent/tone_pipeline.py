"""The "tone" pipeline: answers with a tone and says so on `lk.transcription`.

Publishes a 660 Hz sine and sends text streams on the `lk.transcription` topic with the
attributes LiveKit agents put on their own transcriptions (segment id, transcribed
track id, final flag), so a front end that shows agent transcripts shows these lines:
one when the tone starts, and one each time a caller's audio track is heard.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from livekit import rtc

from room_audio import FRAME_MS, SineGenerator, is_caller, publish_audio

logger = logging.getLogger("simulator.tone")

TONE_HZ = 660.0
TRANSCRIPTION_TOPIC = "lk.transcription"
PREFILL_FRAMES = 5  # keep 50 ms queued so the SDK's 10 ms pull never runs dry


def transcription_attributes(track_sid: str) -> dict[str, str]:
    return {
        "lk.segment_id": f"SG_{uuid.uuid4().hex[:12]}",
        "lk.transcribed_track_id": track_sid,
        "lk.transcription_final": "true",
    }


class TonePipeline:
    name = "tone"

    def __init__(self, room: rtc.Room, frequency: float = TONE_HZ):
        self.room = room
        self.generator = SineGenerator(frequency)
        self.lines_sent: list[str] = []
        self._track_sid = ""
        self._announced: set[str] = set()  # caller track sids already mentioned
        self._pending: set[asyncio.Task] = set()

    async def say(self, text: str) -> None:
        await self.room.local_participant.send_text(
            text, topic=TRANSCRIPTION_TOPIC, attributes=transcription_attributes(self._track_sid)
        )
        self.lines_sent.append(text)
        logger.info("transcription: %s", text)

    def _on_track_subscribed(self, track: rtc.Track, _pub: rtc.RemoteTrackPublication, who: rtc.RemoteParticipant) -> None:
        if isinstance(track, rtc.RemoteAudioTrack) and is_caller(who) and track.sid not in self._announced:
            self._announced.add(track.sid)
            hz = f"{self.generator.frequency:g}"
            self._spawn(self.say(f"I hear an audio track from {who.identity}; answering with a {hz} Hz tone."))

    def _announce_subscribed_tracks(self) -> None:
        """Tracks subscribed before `run` began listening (auto-subscribe races the pipeline)."""
        for participant in list(self.room.remote_participants.values()):
            for publication in list(participant.track_publications.values()):
                if publication.track is not None:
                    self._on_track_subscribed(publication.track, publication, participant)

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def run(self) -> None:
        """Plays the tone in real time until cancelled (job shutdown)."""
        source, publication = await publish_audio(self.room, f"tone-{int(self.generator.frequency)}")
        self._track_sid = publication.sid
        self.room.on("track_subscribed", self._on_track_subscribed)
        try:
            callers = sorted(p.identity for p in self.room.remote_participants.values() if is_caller(p))
            self._spawn(self.say(
                f"Tone pipeline: playing {self.generator.frequency:g} Hz for {', '.join(callers) or 'the room'}."
            ))
            self._announce_subscribed_tracks()
            start = time.monotonic()
            sent = 0
            while True:
                await source.capture_frame(self.generator.next_frame())
                sent += 1
                delay = start + (sent - PREFILL_FRAMES) * FRAME_MS / 1000.0 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
        finally:
            self.room.off("track_subscribed", self._on_track_subscribed)
            for task in list(self._pending):
                task.cancel()
            await asyncio.gather(*self._pending, return_exceptions=True)
            await source.aclose()
