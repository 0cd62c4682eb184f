"""Helpers for the egress interop tests (issue 5) and Benchmarks/egress_bench.py.

* `MotoS3`: moto's standalone server (`python -m moto.server`) on a free loopback port with
  request authentication on: `INITIAL_NO_AUTH_ACTION_COUNT=4` lets exactly four requests in
  unsigned, which `bootstrap()` spends on IAM CreateUser, CreateAccessKey, PutUserPolicy
  (s3:*) and S3 CreateBucket; every later request must carry a valid AWS SigV4 signature made
  with the created keys, so a wrong secret gives a real `SignatureDoesNotMatch`.
* recordings: `ffprobe` as JSON, audio decoded by `ffmpeg` to mono s16 48 kHz, tone energy
  in the spectrum, one video frame decoded to rgb24 and searched for solid-colour regions.
* processes: the `sfu egress-worker` child of a server pid, CPU seconds and peak RSS from /proc.
* Egress API: `wait_egress` polls ListEgress until a status is reached.
* `Publisher`: one SDK participant publishing a tone and a solid colour.

Nothing here talks to our server except through its public endpoints (Twirp via
`livekit-api`, `/rtc` via the `livekit` SDK).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Optional

import numpy as np
from livekit import api

import lk_helpers as lk
from conftest import API_KEY, API_SECRET, free_port, stop_child

MOTO_BOOT_TIMEOUT_S = 20.0


def status_name(value: int) -> str:
    from livekit.protocol import egress as egress_pb

    return egress_pb.EgressStatus.Name(value)


# ---------------------------------------------------------------------------
# moto S3 with SigV4 checking
# ---------------------------------------------------------------------------


class MotoS3:
    """A `moto.server` process; `bootstrap()` makes an IAM user, its keys and a bucket."""

    REGION = "us-east-1"

    def __init__(self, workdir: Path, bucket: str = "recordings"):
        self.port = free_port(socket.SOCK_STREAM)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.bucket = bucket
        self.log_path = workdir / "moto.log"
        self.proc: Optional[subprocess.Popen] = None
        self.access_key = ""
        self.secret = ""

    def start(self) -> "MotoS3":
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="4", AWS_DEFAULT_REGION=self.REGION)
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            log.close()
        # Wait for the TCP listener only: an HTTP probe could use up one of the unsigned requests.
        deadline = time.monotonic() + MOTO_BOOT_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"moto server exited with {self.proc.returncode}\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"moto server not listening after {MOTO_BOOT_TIMEOUT_S}s\n{self.log_tail()}")

    def _client(self, service: str, access_key: str, secret: str):
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.REGION,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", retries={"max_attempts": 1}),
        )

    def bootstrap(self) -> "MotoS3":
        """The four unsigned requests: CreateUser, CreateAccessKey, PutUserPolicy, CreateBucket."""
        iam = self._client("iam", "bootstrap", "bootstrap")
        iam.create_user(UserName="egress")
        key = iam.create_access_key(UserName="egress")["AccessKey"]
        self.access_key, self.secret = key["AccessKeyId"], key["SecretAccessKey"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
        iam.put_user_policy(UserName="egress", PolicyName="s3-all", PolicyDocument=json.dumps(policy))
        # Still unsigned-allowed (4th request); moto checks nothing about these credentials yet.
        self._client("s3", self.access_key, self.secret).create_bucket(Bucket=self.bucket)
        return self

    def s3(self, secret: Optional[str] = None):
        """A SigV4-signing S3 client with the bootstrapped keys (or a different secret)."""
        return self._client("s3", self.access_key, self.secret if secret is None else secret)

    def keys(self) -> list[str]:
        response = self.s3().list_objects_v2(Bucket=self.bucket)
        return [o["Key"] for o in response.get("Contents", [])]

    def download(self, key: str, dest: Path) -> Path:
        self.s3().download_file(self.bucket, key, str(dest))
        return dest

    def upload_request(self, secret: Optional[str] = None) -> api.S3Upload:
        return api.S3Upload(
            access_key=self.access_key,
            secret=self.secret if secret is None else secret,
            region=self.REGION,
            endpoint=self.endpoint,
            bucket=self.bucket,
            force_path_style=True,
        )

    def stop(self) -> None:
        if self.proc is not None:
            stop_child(self.proc, 5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no moto log)"
        return "----- moto log -----\n" + "\n".join(text.splitlines()[-lines:]) + "\n-----"


# ---------------------------------------------------------------------------
# recording analysis (ffprobe / ffmpeg)
# ---------------------------------------------------------------------------


def ffprobe(path: Path) -> dict:
    """`ffprobe -show_format -show_streams` as JSON; raises AssertionError with stderr on failure."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if result.returncode != 0:
        raise AssertionError(f"ffprobe rejected {path}: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout)


def streams_of(probe: dict, kind: str) -> list[dict]:
    return [s for s in probe.get("streams", []) if s.get("codec_type") == kind]


def duration_s(probe: dict) -> float:
    """The container duration, else the longest stream duration."""
    value = probe.get("format", {}).get("duration")
    if value not in (None, "N/A"):
        return float(value)
    durations = [float(s["duration"]) for s in probe.get("streams", []) if s.get("duration") not in (None, "N/A")]
    if not durations:
        raise AssertionError(f"no duration in ffprobe output: {json.dumps(probe)[:1000]}")
    return max(durations)


def decoded_duration_s(path: Path, kind: str = "a") -> float:
    """Duration of what really decodes: last packet pts+duration of the first `kind` stream."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", f"{kind}:0", "-show_entries",
         "packet=pts_time,duration_time", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    if result.returncode != 0:
        raise AssertionError(f"ffprobe packets of {path}: {result.stderr.strip()[-2000:]}")
    ends = []
    for line in result.stdout.splitlines():
        parts = line.strip().strip(",").split(",")
        try:
            ends.append(float(parts[0]) + (float(parts[1]) if len(parts) > 1 and parts[1] not in ("", "N/A") else 0.0))
        except ValueError:
            continue
    if not ends:
        raise AssertionError(f"no {kind} packets in {path}")
    return max(ends)


def decode_audio(path: Path, sample_rate: int = 48000) -> np.ndarray:
    """All audio of `path` as mono float in [-1, 1] at `sample_rate` (ffmpeg → s16le)."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vn", "-ac", "1", "-ar", str(sample_rate),
         "-f", "s16le", "-acodec", "pcm_s16le", "-"],
        capture_output=True, timeout=60,
    )
    if result.returncode != 0:
        raise AssertionError(f"ffmpeg could not decode audio of {path}: {result.stderr.decode(errors='replace')[-2000:]}")
    return np.frombuffer(result.stdout, dtype=np.int16).astype(np.float64) / 32768.0


def tone_energy_fractions(
    samples: np.ndarray, frequencies: Iterable[float], sample_rate: int = 48000, band_hz: float = 15.0
) -> dict[float, float]:
    """Share of the total spectral energy (DC excluded) within ±band_hz of each frequency."""
    if samples.size < sample_rate // 10:
        raise AssertionError(f"only {samples.size} audio samples decoded")
    windowed = samples * np.hanning(samples.size)
    power = np.abs(np.fft.rfft(windowed)) ** 2
    freqs = np.fft.rfftfreq(samples.size, 1.0 / sample_rate)
    power[freqs < 20.0] = 0.0
    total = float(power.sum()) or 1e-30
    return {f: float(power[(freqs >= f - band_hz) & (freqs <= f + band_hz)].sum()) / total for f in frequencies}


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def video_frame_rgb(path: Path, at_s: float, width: int, height: int) -> np.ndarray:
    """The first frame at or after `at_s` as an (height, width, 3) uint8 array."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{at_s:.3f}", "-i", str(path), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, timeout=60,
    )
    expected = width * height * 3
    if result.returncode != 0 or len(result.stdout) < expected:
        raise AssertionError(
            f"ffmpeg gave {len(result.stdout)}/{expected} bytes for the frame at {at_s:.2f}s of {path}: "
            f"{result.stderr.decode(errors='replace')[-2000:]}"
        )
    return np.frombuffer(result.stdout[:expected], dtype=np.uint8).reshape(height, width, 3)


def colour_blocks(image: np.ndarray, rgb, tolerance: float = 70.0, block: int = 16) -> int:
    """How many block×block tiles of `image` have a mean colour within `tolerance` of `rgb` per channel."""
    h, w = (image.shape[0] // block) * block, (image.shape[1] // block) * block
    tiles = image[:h, :w].reshape(h // block, block, w // block, block, 3).astype(np.float64).mean(axis=(1, 3))
    return int((np.abs(tiles - np.asarray(rgb, dtype=np.float64)) <= tolerance).all(axis=2).sum())


def colour_summary(image: np.ndarray, block: int = 80) -> str:
    """A coarse map of mean colours, for assertion messages."""
    h, w = (image.shape[0] // block) * block, (image.shape[1] // block) * block
    tiles = image[:h, :w].reshape(h // block, block, w // block, block, 3).mean(axis=(1, 3)).astype(int)
    return "\n".join(" ".join(f"{r:3d},{g:3d},{b:3d}" for r, g, b in row) for row in tiles)


# ---------------------------------------------------------------------------
# processes (/proc)
# ---------------------------------------------------------------------------


def _proc_stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    # comm may contain spaces: split after its closing parenthesis.
    return text[text.rindex(")") + 2 :].split()


def children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_proc_stat(int(entry.name))[1]) == pid:
                out.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return out


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def egress_workers(server_pid: int) -> list[int]:
    """Live `sfu egress-worker` children of the server process (zombies excluded)."""
    found = []
    for pid in children_of(server_pid):
        try:
            state = _proc_stat(pid)[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and "egress-worker" in cmdline(pid):
            found.append(pid)
    return found


async def wait_for_worker(server_pid: int, timeout: float = 15.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = egress_workers(server_pid)
        if workers:
            return workers[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no `sfu egress-worker` child of pid {server_pid} within {timeout}s")


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` in seconds (fields 14 and 15 of /proc/PID/stat)."""
    fields = _proc_stat(pid)
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def kill_process(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


# ---------------------------------------------------------------------------
# Egress API
# ---------------------------------------------------------------------------


def lkapi(sfu) -> api.LiveKitAPI:
    """A Twirp client signed with the server's key (admin grants include roomRecord)."""
    return api.LiveKitAPI(sfu.base_url, API_KEY, API_SECRET)


async def egress_info(client: api.LiveKitAPI, egress_id: str):
    response = await client.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))
    matches = [e for e in response.items if e.egress_id == egress_id]
    return matches[0] if matches else None


async def wait_egress(client: api.LiveKitAPI, egress_id: str, statuses: Iterable[int], timeout: float):
    """Poll ListEgress until the egress has one of `statuses`; the EgressInfo, or AssertionError
    with the statuses seen."""
    wanted = set(statuses)
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    info = None
    while time.monotonic() < deadline:
        info = await egress_info(client, egress_id)
        if info is not None:
            name = status_name(info.status)
            if not seen or seen[-1] != name:
                seen.append(name)
            if info.status in wanted:
                return info
        await asyncio.sleep(0.25)
    raise AssertionError(
        f"egress {egress_id} did not reach {[status_name(s) for s in wanted]} within {timeout}s; "
        f"statuses seen {seen}; last info {info}"
    )


# ---------------------------------------------------------------------------
# publishers
# ---------------------------------------------------------------------------


class Publisher:
    """One SDK participant publishing a tone (microphone) and a solid colour (camera)."""

    def __init__(
        self, identity: str, frequency: float, rgb, width: int = 640, height: int = 360, fps: int = 30, video=None
    ):
        """`video`: another source with `.track`, `.start()`, `.stop()` instead of the solid colour."""
        self.peer = lk.Peer(identity)
        self.tone = lk.ToneSource(frequency)
        self.colour = video if video is not None else lk.ColourSource(rgb=rgb, width=width, height=height, fps=fps)
        self.mic = None
        self.cam = None

    async def join(self, url: str, room: str, simulcast: bool = False) -> "Publisher":
        await self.peer.connect(url, lk.lk_token(self.peer.identity, room))
        self.tone.start()
        self.colour.start()
        participant = self.peer.room.local_participant
        self.mic = await asyncio.wait_for(participant.publish_track(self.tone.track, lk.microphone_options()), 12)
        self.cam = await asyncio.wait_for(
            participant.publish_track(self.colour.track, lk.camera_options(simulcast=simulcast)), 12
        )
        return self

    async def leave(self) -> None:
        await self.peer.disconnect()
        for source in (self.tone, self.colour):
            try:
                await source.stop()
            except Exception:
                pass


async def leave_all(publishers: list[Publisher]) -> None:
    await asyncio.gather(*(p.leave() for p in publishers), return_exceptions=True)


def egress_toml(local_dir: Path, departure_timeout: int = 1) -> str:
    return f"""
[room]
empty_timeout = {departure_timeout}
departure_timeout = {departure_timeout}

[storage]
local_dir = "{local_dir}"
"""


def recordings_in(local_dir: Path) -> list[Path]:
    return sorted(p for p in local_dir.rglob("*") if p.is_file()) if local_dir.exists() else []
