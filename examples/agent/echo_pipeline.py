"""The "echo" pipeline: the caller hears itself.

Publishes one audio track and copies into it, frame by frame, the decoded audio of the
first audio track a caller publishes (resampled by the SDK to 48 kHz mono).
"""

from __future__ import annotations

import logging

from livekit import rtc

from room_audio import CHANNELS, SAMPLE_RATE, first_caller_audio_track, publish_audio

logger = logging.getLogger("simulator.echo")


class EchoPipeline:
    name = "echo"

    def __init__(self, room: rtc.Room):
        self.room = room
        self.frames_echoed = 0

    async def run(self) -> None:
        """Runs until cancelled (job shutdown) or the caller's track ends."""
        source, publication = await publish_audio(self.room, "echo")
        stream = None
        try:
            track, caller = await first_caller_audio_track(self.room)
            logger.info("echoing %s's track %s on %s", caller.identity, track.sid, publication.sid)
            stream = rtc.AudioStream(track, sample_rate=SAMPLE_RATE, num_channels=CHANNELS)
            async for event in stream:
                await source.capture_frame(event.frame)
                self.frames_echoed += 1
            logger.info("caller's track ended after %d frames", self.frames_echoed)
        finally:
            if stream is not None:
                await stream.aclose()
            await source.aclose()
