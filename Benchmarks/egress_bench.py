"""Egress cost: one room of N `livekit` SDK publishers (tone + 640x360 colour with a moving bar
each), one 1280x720 15 fps room composite (H.264 + AAC, fragmented MP4, local storage).

Samples /proc every 0.5 s while recording:
  * the `sfu egress-worker` child: CPU (utime+stime of /proc/PID/stat) and peak RSS (VmHWM);
  * the `sfu serve` process: the same.
Prints cores = cpu-seconds / wall-seconds over the recording window, against the issue 5
target of at most 0.3 core and 250 MB for the egress work. Not a test: it asserts nothing
about time.

    SFU_BIN=.build/release/sfu .venv/bin/python Benchmarks/egress_bench.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "interop"))

import numpy as np  # noqa: E402
from livekit import api, rtc  # noqa: E402
from livekit.protocol import egress as egress_pb  # noqa: E402

import egress_helpers as eh  # noqa: E402
import lk_helpers as lk  # noqa: E402
from conftest import SfuServer, sfu_binary  # noqa: E402

TARGET_CORES, TARGET_MB = 0.3, 250.0
COLOURS = [(220, 40, 40), (40, 40, 220), (40, 180, 40), (220, 200, 40), (180, 40, 180), (40, 200, 200)]
TONES = [300.0, 500.0, 700.0, 900.0, 1100.0, 1300.0]


class MovingBarSource:
    """A solid colour with a white vertical bar sweeping across once a second: the encoders
    see real motion, not only skipped macroblocks. Frames are made once and cycled."""

    def __init__(self, rgb, width: int = 640, height: int = 360, fps: int = 15):
        self.width, self.height, self.fps = width, height, fps
        self.source = rtc.VideoSource(width, height)
        self.track = rtc.LocalVideoTrack.create_video_track("moving", self.source)
        bar = max(8, width // 16)
        self._frames = []
        for i in range(fps):
            pixels = np.empty((height, width, 4), dtype=np.uint8)
            pixels[:, :] = (*rgb, 255)
            x = (i * (width - bar)) // max(1, fps - 1)
            pixels[:, x : x + bar] = (255, 255, 255, 255)
            self._frames.append(bytearray(pixels.tobytes()))
        self.frames_sent = 0
        self._task = None

    def start(self) -> "MovingBarSource":
        self._task = asyncio.ensure_future(self._run())
        return self

    async def _run(self) -> None:
        start = time.monotonic()
        try:
            while True:
                data = self._frames[self.frames_sent % len(self._frames)]
                frame = rtc.VideoFrame(self.width, self.height, rtc.VideoBufferType.RGBA, data)
                self.source.capture_frame(frame, timestamp_us=int((time.monotonic() - start) * 1e6))
                self.frames_sent += 1
                await asyncio.sleep(max(0.0, start + self.frames_sent / self.fps - time.monotonic()))
        except asyncio.CancelledError:
            pass

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.source.aclose()


class Sampler:
    """CPU seconds and VmHWM of one pid over time; keeps the last good reading if it exits."""

    def __init__(self, name: str, pid: int):
        self.name, self.pid = name, pid
        self.samples: list[tuple[float, float]] = []  # (monotonic, cpu seconds)
        self.peak_mb = 0.0

    def sample(self) -> None:
        try:
            cpu, peak = eh.cpu_seconds(self.pid), eh.peak_rss_mb(self.pid)
        except (OSError, ValueError, IndexError):
            return
        self.samples.append((time.monotonic(), cpu))
        self.peak_mb = max(self.peak_mb, peak)

    def cores(self) -> tuple[float, float, float]:
        (t0, c0), (t1, c1) = self.samples[0], self.samples[-1]
        wall = max(t1 - t0, 1e-9)
        return (c1 - c0) / wall, c1 - c0, wall

    def report(self, target: bool) -> str:
        if len(self.samples) < 2:
            return f"{self.name}: not enough samples"
        cores, cpu, wall = self.cores()
        line = f"{self.name}: {cores:.2f} cores ({cpu:.2f} cpu-seconds / {wall:.1f} wall-seconds), peak RSS {self.peak_mb:.1f} MB"
        if target:
            ok = cores <= TARGET_CORES and self.peak_mb <= TARGET_MB
            line += f"  [target ≤ {TARGET_CORES} core, ≤ {TARGET_MB:.0f} MB: {'met' if ok else 'NOT met'}]"
        return line


async def run(server: SfuServer, args) -> int:
    url, room = lk.lk_url(server), "egress-bench"
    publishers = [
        eh.Publisher(
            f"p{i}", TONES[i % len(TONES)], COLOURS[i % len(COLOURS)],
            video=MovingBarSource(COLOURS[i % len(COLOURS)], 640, 360, args.publisher_fps),
        )
        for i in range(args.participants)
    ]
    client = eh.lkapi(server)
    try:
        for publisher in publishers:
            await publisher.join(url, room)
        # Let subscriptions settle (their keyframe requests) before the recording starts.
        await asyncio.sleep(3.0)

        info = await client.egress.start_room_composite_egress(
            api.RoomCompositeEgressRequest(
                room_name=room, file_outputs=[api.EncodedFileOutput(filepath="bench-{room_name}.mp4")]
            )
        )
        worker = Sampler("egress worker", await eh.wait_for_worker(server.proc.pid))
        sfu = Sampler("sfu process  ", server.proc.pid)
        await eh.wait_egress(client, info.egress_id, {egress_pb.EGRESS_ACTIVE}, timeout=10)
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            worker.sample()
            sfu.sample()
            await asyncio.sleep(0.5)
        worker.sample()
        sfu.sample()
        lifetime_cpu = worker.samples[-1][1] if worker.samples else float("nan")

        await client.egress.stop_egress(api.StopEgressRequest(egress_id=info.egress_id))
        final = await eh.wait_egress(
            client, info.egress_id, {egress_pb.EGRESS_COMPLETE, egress_pb.EGRESS_FAILED}, timeout=60
        )
    finally:
        await eh.leave_all(publishers)
        await client.aclose()

    print(f"binary: {sfu_binary()}")
    print(f"room: {args.participants} publishers (tone + 640x360 moving bar at {args.publisher_fps} fps), "
          f"composite 1280x720 15 fps, recorded {args.seconds:.0f} s")
    print(worker.report(target=True))
    print(sfu.report(target=False))
    print(f"egress worker CPU over its whole life until stop (incl. start-up): {lifetime_cpu:.2f} cpu-seconds")
    print(f"egress ended {eh.status_name(final.status)} {final.error or ''}".rstrip())
    recording = Path(final.file_results[0].location) if final.file_results else None
    if recording is not None and recording.exists():
        probe = eh.ffprobe(recording)
        video = eh.streams_of(probe, "video")
        summary = ", ".join(
            f"{s['codec_name']} {s.get('width', '')}x{s.get('height', '')} {s.get('avg_frame_rate', '')}".replace("x ", " ")
            if s["codec_type"] == "video" else f"{s['codec_name']} {s.get('sample_rate', '')} Hz"
            for s in probe["streams"]
        )
        print(f"file: {recording.name}, {recording.stat().st_size / 1e6:.2f} MB, {eh.duration_s(probe):.2f} s; {summary}")
        if video:
            image = eh.video_frame_rgb(recording, eh.duration_s(probe) / 2, int(video[0]["width"]), int(video[0]["height"]))
            tiles = sum(1 for rgb in COLOURS[: args.participants] if eh.colour_blocks(image, rgb, tolerance=60) >= 100)
            print(f"tiles of the publishers' colours found in the middle frame: {tiles}/{args.participants}")
    return 0 if final.status == egress_pb.EGRESS_COMPLETE else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="recording length (default 20)")
    parser.add_argument("--participants", type=int, default=4, help="publishers in the room (default 4)")
    parser.add_argument("--publisher-fps", type=int, default=15, help="frame rate of each publisher (default 15)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (config, log, recording)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*HMAC key.*")  # the dev secret is short on purpose
    logging.getLogger("livekit").setLevel(logging.ERROR)  # the SDK's /rtc/v1 → /rtc fallback notes

    workdir = Path(tempfile.mkdtemp(prefix="egress-bench-"))
    server = SfuServer(workdir, extra_toml=eh.egress_toml(workdir / "recordings"))
    server.start()
    try:
        return asyncio.run(asyncio.wait_for(run(server, args), args.seconds + 120))
    except BaseException:
        print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        server.stop()
        if args.keep:
            print(f"work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
