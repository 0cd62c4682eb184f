"""Runs one example-agent pipeline over a real server without the dispatch machinery.

Executed by .venv-agents/bin/python (the agent's own SDK) from test_agents_pipelines.py:

    agents_pipeline_probe.py <ws url> <room> <echo|tone>

Joins a caller (publishing 440 Hz, reading `lk.transcription`) and an "agent" room
whose pipeline is built by examples/agent/agent.py's `pipeline_for`, then prints one
JSON line: frequencies the caller decoded from the agent's track, transcription lines.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import numpy as np
from livekit import api, rtc

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "agent"))

import agent as example_agent  # noqa: E402
from room_audio import SAMPLE_RATE, SineGenerator  # noqa: E402

API_KEY, API_SECRET = "devkey", "secret"


def token(identity: str, room: str) -> str:
    grants = api.VideoGrants(room_join=True, room=room, can_publish=True, can_subscribe=True, can_publish_data=True)
    return api.AccessToken(API_KEY, API_SECRET).with_identity(identity).with_grants(grants).to_jwt()


def dominant(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    spectrum[0] = 0.0
    return float(np.fft.rfftfreq(samples.size, 1.0 / SAMPLE_RATE)[int(np.argmax(spectrum))])


async def main(url: str, room_name: str, service: str) -> dict:
    caller, agent_room = rtc.Room(), rtc.Room()
    lines: list[dict] = []
    readers: set = set()

    def on_text(reader: rtc.TextStreamReader, sender: str) -> None:
        async def read() -> None:
            lines.append({"sender": sender, "text": await reader.read_all(), "attributes": dict(reader.info.attributes)})

        readers.add(asyncio.ensure_future(read()))

    caller.register_text_stream_handler("lk.transcription", on_text)
    await caller.connect(url, token("caller", room_name))
    source = rtc.AudioSource(SAMPLE_RATE, 1, queue_size_ms=200)
    await caller.local_participant.publish_track(
        rtc.LocalAudioTrack.create_audio_track("mic", source),
        rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE),
    )
    sine = SineGenerator(440.0)

    async def play() -> None:
        start, sent = time.monotonic(), 0
        while True:
            await source.capture_frame(sine.next_frame())
            sent += 1
            await asyncio.sleep(max(0.0, start + (sent - 5) * 0.01 - time.monotonic()))

    player = asyncio.ensure_future(play())
    await agent_room.connect(url, token("agent-probe", room_name))
    pipeline = example_agent.pipeline_for(json.dumps({"simulation_service": service}), agent_room)
    runner = asyncio.ensure_future(pipeline.run())

    heard: asyncio.Future = asyncio.Future()

    def on_sub(track, _pub, who) -> None:
        if who.identity == "agent-probe" and isinstance(track, rtc.RemoteAudioTrack) and not heard.done():
            heard.set_result(track)

    caller.on("track_subscribed", on_sub)
    track = await asyncio.wait_for(heard, 15)
    frequencies: list[float] = []
    buffer = np.zeros(0)
    stream = rtc.AudioStream(track, sample_rate=SAMPLE_RATE, num_channels=1)
    deadline = time.monotonic() + 6.0
    async for event in stream:
        pcm = np.frombuffer(event.frame.data, dtype=np.int16).astype(np.float64) / 32768.0
        buffer = np.concatenate([buffer, pcm])
        if buffer.size >= SAMPLE_RATE // 10:
            if np.abs(buffer).max() > 0.01:
                frequencies.append(round(dominant(buffer), 1))
            buffer = np.zeros(0)
        if time.monotonic() > deadline:
            break
    await stream.aclose()
    runner.cancel()
    player.cancel()
    await asyncio.gather(runner, player, *readers, return_exceptions=True)
    await agent_room.disconnect()
    await caller.disconnect()
    return {"frequencies": frequencies, "lines": lines, "pipeline": pipeline.name}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(asyncio.wait_for(main(*sys.argv[1:4]), 60))))
