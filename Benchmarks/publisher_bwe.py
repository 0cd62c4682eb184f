"""Publisher bandwidth estimation against our SFU (issue 3 item 8).

One `livekit` SDK publisher (libwebrtc) sends a 1280x720 simulcast camera of changing noise
(6 pre-generated frames, 15 fps) for `--seconds`; every 3 s the script prints libwebrtc's own
view from `track.get_stats()`: per RID the encoder target bitrate, resolution, fps and the
quality limitation reason, and the candidate pair's availableOutgoingBitrate (its
send-side estimate, fed by our transport-cc feedback). Prints, asserts nothing.

    SFU_BIN=.build/debug/sfu .venv/bin/python Benchmarks/publisher_bwe.py
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "interop"))

import numpy as np  # noqa: E402
from livekit import rtc  # noqa: E402

import lk_helpers as lk  # noqa: E402
from conftest import SfuServer  # noqa: E402

WIDTH, HEIGHT, FPS = 1280, 720, 15


async def run(server: SfuServer, seconds: int) -> None:
    room = rtc.Room()
    await room.connect(lk.lk_url(server), lk.lk_token("publisher", "bwe"))
    source = rtc.VideoSource(WIDTH, HEIGHT)
    track = rtc.LocalVideoTrack.create_video_track("camera", source)
    await room.local_participant.publish_track(
        track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA, simulcast=True))
    rng = np.random.default_rng(1)
    frames = []
    for _ in range(6):
        pixels = rng.integers(0, 255, size=(HEIGHT, WIDTH, 4), dtype=np.uint8)
        pixels[..., 3] = 255
        frames.append(pixels.tobytes())
    for index in range(seconds * FPS):
        source.capture_frame(rtc.VideoFrame(WIDTH, HEIGHT, rtc.VideoBufferType.RGBA, frames[index % len(frames)]))
        await asyncio.sleep(1 / FPS)
        if index % (3 * FPS) == 3 * FPS - 1:
            lines = [f"t={(index + 1) // FPS:>3}s"]
            for stat in await track.get_stats():
                if stat.HasField("outbound_rtp"):
                    out = stat.outbound_rtp.outbound
                    lines.append(f"  rid={out.rid or '-'} target {out.target_bitrate / 1e3:.0f} kbps "
                                 f"{out.frame_width}x{out.frame_height} {out.frames_per_second:.0f} fps "
                                 f"limitation={out.quality_limitation_reason}")
                if stat.HasField("candidate_pair"):
                    pair = stat.candidate_pair.candidate_pair
                    lines.append(f"  available outgoing bitrate {pair.available_outgoing_bitrate / 1e3:.0f} kbps")
            print("\n".join(lines), flush=True)
    await room.disconnect()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*HMAC key.*")
    logging.getLogger("livekit").setLevel(logging.ERROR)
    server = SfuServer(Path(tempfile.mkdtemp(prefix="bwe-bench-")))
    server.start()
    try:
        asyncio.run(asyncio.wait_for(run(server, args.seconds), args.seconds + 60))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
