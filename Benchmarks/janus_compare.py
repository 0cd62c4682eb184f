#!/usr/bin/env python3
"""Server CPU per forwarded packet: our SFU against Janus 1.1.2 (VideoRoom), same load, same run
(issue 13, "Benchmarks", the Janus bullet). Measures; asserts nothing.

    apt-get install -y janus          # Debian 12: Janus 1.1.2
    .venv/bin/python Benchmarks/janus_compare.py --bin /tmp/sfu-release --subscribers 10,40 \
        --media-threads 1 --janus-event-loops default,2 [--video] [--json]

Load: one aiortc publisher sending Opus (with `--video` also VP8, 320x240 30 fps) into one
room, N aiortc subscribers receiving it, all on loopback, all in this Python process. Our
server is driven over WHIP/WHEP (LiveKit JWTs, devkey/secret), Janus over its HTTP API
(session, attach janus.plugin.videoroom, create room, joinandconfigure as publisher with the
offer; per subscriber a handle, join as subscriber, answer Janus's offer with `start`; one
long poll per session for the events).

- The server runs under `taskset -c <--server-cpus>`; this process pins itself (and so every
  client) to `--client-cpus`.
- The clients accept only SRTP_AEAD_AES_128_GCM (aiortc's profile list is patched), so both
  servers run the same cipher; the negotiated profiles are printed.
- The clients do not decode (aiortc's decoder thread is replaced by one that drops the
  frames; `--decode` keeps it) so more subscribers fit on the client core.
- Window: from `--warmup` s after the last subscriber received its first packet, `--window` s
  long. Server CPU = utime + stime of the server process (all threads) from /proc/<pid>/stat.
  Packets forwarded = RTP packets the subscribers received (counted in
  RTCRtpReceiver._handle_rtp_packet, after SRTP), the same figure for both servers; for ours
  the delta of `sfu_rtp_packets_sent_total` is printed beside it.
- Janus gets 127.0.0.1 as a host candidate through an LD_PRELOAD shim
  (Benchmarks/janus/getifaddrs_noloopback.c, compiled here with gcc) that clears IFF_LOOPBACK
  on "lo", plus `-i 127.0.0.1` and ice_enforce_list = "lo"; only its HTTP transport is loaded,
  on a free loopback port; configs are written to a temp folder (`-F`, `-C`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import warnings
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "interop"))

import jwt  # noqa: E402
import requests  # noqa: E402
import aiortc.rtcdtlstransport as rtcdtlstransport  # noqa: E402
import aiortc.rtcrtpreceiver as rtcrtpreceiver  # noqa: E402
from aiortc import RTCSessionDescription  # noqa: E402

import media  # noqa: E402  (patches aioice to gather 127.0.0.1 only)

from bench_common import cpu_seconds, free_port, metrics, stop_process, user_system_seconds  # noqa: E402
JANUS_LIB = Path("/usr/lib/x86_64-linux-gnu/janus")
SHIM_SOURCE = Path(__file__).resolve().parent / "janus" / "getifaddrs_noloopback.c"

# --------------------------------------------------------------------------------------------
# Client-side patches: one SRTP profile, no decoding, a count of RTP packets per receiver
# --------------------------------------------------------------------------------------------

# RTCDtlsTransport.__init__ copies the module's SRTP_PROFILES; the DTLS use_srtp extension and
# the keying are built from that copy, so this restricts both the offer and the choice.
rtcdtlstransport.SRTP_PROFILES = [rtcdtlstransport.SRTP_AEAD_AES_128_GCM]

RECEIVED = {"audio": 0, "video": 0}


def _drop_frames_worker(loop, input_q, output_q, decode_error) -> None:
    while input_q.get() is not None:
        pass
    asyncio.run_coroutine_threadsafe(output_q.put(None), loop)


_original_handle_rtp = rtcrtpreceiver.RTCRtpReceiver._handle_rtp_packet


async def _counting_handle_rtp(self, packet, arrival_time_ms):
    RECEIVED[self._RTCRtpReceiver__kind] += 1
    self._bench_rtp = getattr(self, "_bench_rtp", 0) + 1
    return await _original_handle_rtp(self, packet, arrival_time_ms)


rtcrtpreceiver.RTCRtpReceiver._handle_rtp_packet = _counting_handle_rtp


def srtp_profile(pc) -> str:
    for transceiver in pc.getTransceivers():
        ssl = transceiver.receiver.transport._ssl
        if ssl is not None:
            name = ssl.get_selected_srtp_profile()
            return name.decode() if name else "none"
    return "none"


def ice_state(pc) -> str:
    return f"ice={pc.iceConnectionState} conn={pc.connectionState}"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def thread_count(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def mint_token(identity: str, room: str, publish: bool) -> str:
    now = int(time.time())
    claims = {"iss": "devkey", "sub": identity, "nbf": now, "exp": now + 3600,
              "video": {"roomJoin": True, "room": room, "canPublish": publish, "canSubscribe": not publish}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jwt.encode(claims, "secret", algorithm="HS256")


def default_binary() -> str:
    for candidate in ("/tmp/sfu-release", str(ROOT / ".build-release/release/sfu"), str(ROOT / ".build/release/sfu"),
                      str(ROOT / ".build/debug/sfu"),
                      "/tmp/sfu-dbg"):
        if Path(candidate).exists():
            return candidate
    return "/tmp/sfu-release"


def add_publisher_tracks(pc, video: bool) -> None:
    media.prefer_codec(pc.addTransceiver(media.ToneAudioTrack(), direction="sendonly"), "audio/opus")
    if video:
        media.prefer_codec(pc.addTransceiver(media.SolidColourVideoTrack(), direction="sendonly"), "video/VP8")


def consume_tracks(pc, tasks: list) -> None:
    for transceiver in pc.getTransceivers():
        track = transceiver.receiver.track

        async def drain(track=track):
            try:
                while True:
                    await track.recv()
            except Exception:
                pass

        tasks.append(asyncio.ensure_future(drain()))


# --------------------------------------------------------------------------------------------
# Our server: WHIP / WHEP
# --------------------------------------------------------------------------------------------


class OurServer:
    kind = "ours"

    def __init__(self, binary: str, media_threads: int, cpus: str, work: Path):
        self.binary, self.media_threads, self.cpus, self.work = binary, media_threads, cpus, work
        self.label = f"ours (media_threads={media_threads})"
        self.process: Optional[subprocess.Popen] = None
        self.sessions: list[tuple[object, Optional[str], str]] = []

    def start(self) -> None:
        http_port, udp_port = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
        config = self.work / "sfu.toml"
        config.write_text(
            f'[server]\nbind = "127.0.0.1"\nport = {http_port}\n\n'
            f'[rtc]\nudp_port = {udp_port}\ntcp_port = 0\nnode_ip = "127.0.0.1"\nmedia_threads = {self.media_threads}\n\n'
            f'[keys]\ndevkey = "secret"\n\n[logging]\nlevel = "warning"\n')
        self.base = f"http://127.0.0.1:{http_port}"
        self.log = open(self.work / "sfu.log", "w")
        self.process = subprocess.Popen(["taskset", "-c", self.cpus, self.binary, "serve", "--config", str(config)],
                                        cwd=self.work, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"sfu did not come up; see {self.work / 'sfu.log'}")

    async def _negotiate(self, pc, path: str, token: str) -> None:
        await pc.setLocalDescription(await pc.createOffer())
        response = await asyncio.to_thread(media.post_sdp, f"{self.base}/{path}", pc.localDescription.sdp, token)
        if response.status_code != 201:
            raise RuntimeError(f"POST /{path} -> {response.status_code}: {response.text[:300]}")
        location = response.headers.get("Location")
        self.sessions.append((pc, self.base + location if location else None, token))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=response.text, type="answer"))

    async def publish(self, room: str, video: bool):
        pc = media.make_peer_connection()
        add_publisher_tracks(pc, video)
        await self._negotiate(pc, f"whip/{room}", mint_token("publisher", room, True))
        return pc

    async def subscribe(self, room: str, index: int, video: bool, tasks: list):
        pc = media.make_peer_connection()
        media.prefer_codec(pc.addTransceiver("audio", direction="recvonly"), "audio/opus")
        if video:
            media.prefer_codec(pc.addTransceiver("video", direction="recvonly"), "video/VP8")
        await self._negotiate(pc, f"whep/{room}", mint_token(f"viewer-{index}", room, False))
        return pc

    def sample_extra(self) -> dict:
        m = metrics(self.base)
        return {"sent": m.get("sfu_rtp_packets_sent_total", 0.0), "received": m.get("sfu_rtp_packets_received_total", 0.0)}

    async def close_clients(self) -> None:
        for pc, location, token in self.sessions:
            if location:
                try:
                    await asyncio.to_thread(media.delete_session, location, token, 3.0)
                except requests.RequestException:
                    pass
            await pc.close()
        self.sessions.clear()

    def stop(self) -> None:
        stop_process(self.process)


# --------------------------------------------------------------------------------------------
# Janus: HTTP API, VideoRoom
# --------------------------------------------------------------------------------------------


def build_shim(work: Path) -> Path:
    out = work / "getifaddrs_noloopback.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(out), str(SHIM_SOURCE), "-ldl"], check=True)
    return out


class JanusSession:
    """One Janus session over HTTP with one long-poll thread routing events by transaction."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.waiting: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Future]] = {}
        self.lock = threading.Lock()
        self.running = True
        self.events: list[dict] = []
        reply = self.post(self.base, {"janus": "create"})
        self.id = reply["data"]["id"]
        self.url = f"{self.base}/{self.id}"
        self.poller = threading.Thread(target=self._poll, daemon=True)
        self.poller.start()

    @staticmethod
    def transaction() -> str:
        return "%016x" % random.getrandbits(64)

    def post(self, url: str, body: dict) -> dict:
        body = dict(body, transaction=body.get("transaction") or self.transaction())
        reply = self.http.post(url, json=body, timeout=15).json()
        if reply.get("janus") == "error":
            raise RuntimeError(f"Janus {body.get('janus')}: {reply.get('error')}")
        return reply

    def _poll(self) -> None:
        poll = requests.Session()
        while self.running:
            try:
                events = poll.get(f"{self.url}?maxev=20&rid={int(time.time() * 1000)}", timeout=40).json()
            except (requests.RequestException, ValueError):
                if self.running:
                    time.sleep(0.2)
                continue
            for event in events if isinstance(events, list) else [events]:
                self.events.append(event)
                with self.lock:
                    pending = self.waiting.pop(event.get("transaction"), None)
                if pending:
                    loop, future = pending
                    loop.call_soon_threadsafe(lambda f=future, e=event: f.done() or f.set_result(e))

    def attach(self) -> str:
        reply = self.post(self.url, {"janus": "attach", "plugin": "janus.plugin.videoroom"})
        return f"{self.url}/{reply['data']['id']}"

    async def message(self, handle: str, body: dict, jsep: Optional[dict] = None, timeout: float = 20.0) -> dict:
        """A plugin request answered asynchronously (ack, then an event with the same transaction)."""
        transaction = self.transaction()
        future = asyncio.get_running_loop().create_future()
        with self.lock:
            self.waiting[transaction] = (asyncio.get_running_loop(), future)
        request = {"janus": "message", "body": body, "transaction": transaction}
        if jsep:
            request["jsep"] = jsep
        reply = await asyncio.to_thread(self.post, handle, request)
        if reply.get("janus") == "success":  # synchronous plugin reply
            with self.lock:
                self.waiting.pop(transaction, None)
            return reply
        event = await asyncio.wait_for(future, timeout)
        data = event.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise RuntimeError(f"VideoRoom {body.get('request')}: {data}")
        return event

    def close(self) -> None:
        self.running = False
        try:
            self.post(self.url, {"janus": "destroy"})
        except Exception:
            pass


class JanusServer:
    kind = "janus"

    def __init__(self, event_loops: Optional[int], cpus: str, work: Path, shim: Path, debug_level: int):
        self.event_loops, self.cpus, self.shim, self.debug_level = event_loops, cpus, shim, debug_level
        self.work = work
        self.label = f"janus (event_loops={event_loops})" if event_loops else "janus (default: thread per handle)"
        self.process: Optional[subprocess.Popen] = None
        self.session: Optional[JanusSession] = None
        self.pcs: list = []

    def write_configs(self, port: int) -> Path:
        conf = self.work / "janus-conf"
        conf.mkdir(exist_ok=True)
        loops = f"\tevent_loops = {self.event_loops}\n" if self.event_loops else ""
        (conf / "janus.jcfg").write_text(
            "general: {\n"
            f'\tconfigs_folder = "{conf}"\n'
            f'\tplugins_folder = "{JANUS_LIB}/plugins"\n'
            f'\ttransports_folder = "{JANUS_LIB}/transports"\n'
            f'\tevents_folder = "{JANUS_LIB}/events"\n'
            f'\tloggers_folder = "{JANUS_LIB}/loggers"\n'
            f"\tdebug_level = {self.debug_level}\n"
            "\tsession_timeout = 0\n"
            f"{loops}"
            "}\n"
            "certificates: {\n}\n"
            "media: {\n\tipv6 = false\n}\n"
            'nat: {\n\tnice_debug = false\n\tice_enforce_list = "lo"\n}\n'
            "plugins: {\n\tdisable = \"" + ",".join(
                p.name for p in sorted((JANUS_LIB / "plugins").glob("libjanus_*.so")) if p.name != "libjanus_videoroom.so"
            ) + "\"\n}\n"
            "transports: {\n\tdisable = \"" + ",".join(
                p.name for p in sorted((JANUS_LIB / "transports").glob("libjanus_*.so")) if p.name != "libjanus_http.so"
            ) + "\"\n}\n"
            "loggers: {\n\tdisable = \"" + ",".join(
                p.name for p in sorted((JANUS_LIB / "loggers").glob("libjanus_*.so"))) + "\"\n}\n"
            "events: {\n\tbroadcast = false\n}\n")
        (conf / "janus.transport.http.jcfg").write_text(
            'general: {\n\tjson = "plain"\n\tbase_path = "/janus"\n\thttp = true\n'
            f'\tport = {port}\n\tip = "127.0.0.1"\n\thttps = false\n}}\n'
            "admin: {\n\tadmin_http = false\n\tadmin_https = false\n}\ncors: {\n}\n")
        (conf / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n")
        return conf

    def start(self) -> None:
        port = free_port(socket.SOCK_STREAM)
        conf = self.write_configs(port)
        self.base = f"http://127.0.0.1:{port}/janus"
        self.log = open(self.work / "janus.log", "w")
        env = dict(os.environ, LD_PRELOAD=str(self.shim))
        self.process = subprocess.Popen(
            ["taskset", "-c", self.cpus, "janus", "-F", str(conf), "-C", str(conf / "janus.jcfg"),
             "-P", str(JANUS_LIB / "plugins"), "-i", "127.0.0.1", "-E", "lo", "-o"],
            cwd=self.work, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        for _ in range(300):
            try:
                requests.get(self.base + "/info", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                if self.process.poll() is not None:
                    raise RuntimeError(f"janus exited with {self.process.returncode}; see {self.work / 'janus.log'}")
                time.sleep(0.1)
        else:
            raise RuntimeError(f"janus did not come up; see {self.work / 'janus.log'}")
        self.session = JanusSession(self.base)
        self.admin = self.session.attach()

    async def publish(self, room: str, video: bool):
        self.room = abs(hash(room)) % 1_000_000_000 + 1
        await asyncio.to_thread(self.session.post, self.admin, {"janus": "message", "body": {
            "request": "create", "room": self.room, "publishers": 1, "audiocodec": "opus", "videocodec": "vp8",
            "bitrate": 0, "notify_joining": False, "audiolevel_event": False}})
        handle = await asyncio.to_thread(self.session.attach)
        pc = media.make_peer_connection()
        self.pcs.append(pc)
        add_publisher_tracks(pc, video)
        await pc.setLocalDescription(await pc.createOffer())
        event = await self.session.message(
            handle, {"request": "joinandconfigure", "room": self.room, "ptype": "publisher", "display": "publisher",
                     "audio": True, "video": video},
            jsep={"type": "offer", "sdp": pc.localDescription.sdp, "trickle": False})
        self.feed = event["plugindata"]["data"]["id"]
        await pc.setRemoteDescription(RTCSessionDescription(sdp=event["jsep"]["sdp"], type="answer"))
        return pc

    async def subscribe(self, room: str, index: int, video: bool, tasks: list):
        handle = await asyncio.to_thread(self.session.attach)
        event = await self.session.message(
            handle, {"request": "join", "room": self.room, "ptype": "subscriber", "streams": [{"feed": self.feed}]})
        pc = media.make_peer_connection()
        self.pcs.append(pc)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=event["jsep"]["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.session.message(handle, {"request": "start", "room": self.room},
                                   jsep={"type": "answer", "sdp": pc.localDescription.sdp, "trickle": False})
        return pc

    def sample_extra(self) -> dict:
        return {}

    async def close_clients(self) -> None:
        for pc in self.pcs:
            await pc.close()
        self.pcs.clear()
        if self.session:
            await asyncio.to_thread(self.session.close)

    def stop(self) -> None:
        stop_process(self.process)


# --------------------------------------------------------------------------------------------
# One measurement
# --------------------------------------------------------------------------------------------


async def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return predicate()


async def measure(server, subscribers: int, args) -> dict:
    room = f"bench-{server.kind}-{subscribers}-{random.getrandbits(24):06x}"
    tasks: list = []
    pcs = []
    try:
        publisher = await server.publish(room, args.video)
        if not await wait_for(lambda: publisher.connectionState == "connected", 15):
            raise RuntimeError(f"publisher did not connect: {ice_state(publisher)}")
        for index in range(subscribers):
            pc = await server.subscribe(room, index, args.video, tasks)
            if args.decode:
                consume_tracks(pc, tasks)
            pcs.append(pc)
        ok = await wait_for(lambda: all(pc.connectionState == "connected" for pc in pcs), 30)
        connected = sum(pc.connectionState == "connected" for pc in pcs)
        if not ok:
            print(f"  {server.label}: only {connected}/{subscribers} subscribers connected", file=sys.stderr)

        def all_receiving() -> bool:
            return all(any(t.receiver._RTCRtpReceiver__remote_streams for t in pc.getTransceivers()) for pc in pcs)

        if not await wait_for(all_receiving, 20):
            receiving = sum(1 for pc in pcs if any(t.receiver._RTCRtpReceiver__remote_streams for t in pc.getTransceivers()))
            print(f"  {server.label}: only {receiving}/{subscribers} subscribers receive RTP", file=sys.stderr)
        await asyncio.sleep(args.warmup)

        pid = server.process.pid

        def sample():
            return (time.monotonic(), user_system_seconds(pid), dict(RECEIVED), server.sample_extra(), cpu_seconds(os.getpid()),
                    published(), os.getloadavg()[0], per_subscriber())

        def per_subscriber() -> list[int]:
            return [sum(getattr(t.receiver, "_bench_rtp", 0) for t in pc.getTransceivers()) for pc in pcs]

        def published() -> int:
            return sum(s._RTCRtpSender__packet_count for s in publisher.getSenders())

        lag = [0.0]

        async def watch_loop():  # how late the client event loop wakes up: a starved client core shows here
            while True:
                before = time.monotonic()
                await asyncio.sleep(0.05)
                lag[0] = max(lag[0], time.monotonic() - before - 0.05)

        watcher = asyncio.ensure_future(watch_loop())
        tasks.append(watcher)
        t0, c0, r0, e0, k0, p0, l0, s0 = await asyncio.to_thread(sample)
        await asyncio.sleep(args.window)
        t1, c1, r1, e1, k1, p1, l1, s1 = await asyncio.to_thread(sample)
        watcher.cancel()
        each = [b - a for a, b in zip(s0, s1)]
        user, system = c1[0] - c0[0], c1[1] - c0[1]
        wall, cpu = t1 - t0, user + system
        received = sum(r1.values()) - sum(r0.values())
        result = {
            "server": server.label, "kind": server.kind, "subscribers": subscribers, "connected": connected,
            "video": args.video, "window_s": round(wall, 2), "server_cpu_s": round(cpu, 3),
            "server_cpu_cores": round(cpu / wall, 4),
            "packets_received_by_clients": received,
            "audio_packets": r1["audio"] - r0["audio"], "video_packets": r1["video"] - r0["video"],
            "forwarded_per_s": round(received / wall, 1),
            "cpu_us_per_forwarded_packet": round(cpu / received * 1e6, 2) if received else None,
            # The split of the figure above: the kernel's part (stime) holds each send system call
            # and, on loopback, the receivers' delivery it runs; the rest is the server's own work.
            "user_us_per_forwarded_packet": round(user / received * 1e6, 2) if received else None,
            "system_us_per_forwarded_packet": round(system / received * 1e6, 2) if received else None,
            "server_threads": thread_count(pid),
            "client_cpu_cores": round((k1 - k0) / wall, 3),
            "published_per_s": round((p1 - p0) / wall, 1),
            "received_of_published_x_n": round(received / ((p1 - p0) * subscribers), 4) if p1 > p0 else None,
            "load_average_1m": [round(l0, 1), round(l1, 1)],
            "per_subscriber_min_max": [min(each), max(each)] if each else None,
            "subscribers_short": sum(1 for n in each if n < 0.9 * (p1 - p0)),
            "client_loop_lag_max_ms": round(lag[0] * 1000, 1),
            "srtp_profiles": sorted({srtp_profile(pc) for pc in [publisher, *pcs]}),
        }
        if "sent" in e0:
            sent = e1["sent"] - e0["sent"]
            result["server_rtp_sent_metric"] = sent
            result["server_rtp_received_metric"] = e1["received"] - e0["received"]
            result["cpu_us_per_metric_packet_sent"] = round(cpu / sent * 1e6, 2) if sent else None
        return result
    finally:
        for task in tasks:
            task.cancel()
        await server.close_clients()


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def format_table(results: list[dict]) -> str:
    header = (f"{'server':36} {'N':>3} {'pub pkt/s':>9} {'rx/(pub*N)':>10} {'fwd pkt/s':>9} {'CPU cores':>9} "
              f"{'µs/pkt':>7} {'user/sys':>11} {'µs/pkt(metric)':>14} {'ours/janus':>10} {'client cores':>12} {'load':>9}  srtp")
    lines = [header, "-" * len(header)]
    for r in results:
        ours = next((o for o in results if o["kind"] == "ours" and o["subscribers"] == r["subscribers"]
                     and o.get("cpu_us_per_forwarded_packet")), None)
        ratio = ""
        if r["kind"] == "janus" and ours and r.get("cpu_us_per_forwarded_packet"):
            ratio = f"{ours['cpu_us_per_forwarded_packet'] / r['cpu_us_per_forwarded_packet']:.2f}"

        def show(value, spec=""):
            return "-" if value is None else format(value, spec)

        def split(row):
            user, system = row.get("user_us_per_forwarded_packet"), row.get("system_us_per_forwarded_packet")
            return "-" if user is None or system is None else f"{user:.1f}/{system:.1f}"

        lines.append(
            f"{r['server']:36} {r['subscribers']:>3} {r['published_per_s']:>9.1f} "
            f"{show(r['received_of_published_x_n'], '.3f'):>10} {r['forwarded_per_s']:>9.0f} "
            f"{r['server_cpu_cores']:>9.3f} {show(r.get('cpu_us_per_forwarded_packet'), '.1f'):>7} {split(r):>11} "
            f"{show(r.get('cpu_us_per_metric_packet_sent'), '.1f'):>14} {ratio:>10} {r['client_cpu_cores']:>12.2f} "
            f"{r['load_average_1m'][1]:>9.1f}  {','.join(p.replace('SRTP_', '') for p in r['srtp_profiles'])}")
    for r in results:
        if r.get("client_loop_lag_max_ms", 0) > 200:
            lines.append(f"note: {r['server']}, N={r['subscribers']}: the client event loop stalled up to "
                         f"{r['client_loop_lag_max_ms']:.0f} ms in the window (client core starved?)")
        if r.get("subscribers_short"):
            lines.append(f"note: {r['server']}, N={r['subscribers']}: {r['subscribers_short']} subscriber(s) received under 90 % "
                         f"of the published packets (per subscriber min/max {r['per_subscriber_min_max']})")
    return "\n".join(lines)


async def run_all(args, work: Path, shim: Optional[Path]) -> list[dict]:
    results = []
    variants = []
    if "ours" in args.servers:
        for threads in args.media_threads:
            variants.append(lambda t=threads: OurServer(args.bin, t, args.server_cpus, work))
    if "janus" in args.servers:
        for loops in args.janus_event_loops:
            variants.append(lambda l=loops: JanusServer(l, args.server_cpus, work, shim, args.janus_debug_level))
    for subscribers in args.subscribers:
        for make in variants:
            server = make()
            print(f"== {server.label}, {subscribers} subscribers{' (+video)' if args.video else ''}", file=sys.stderr)
            try:
                await asyncio.to_thread(server.start)
                result = await measure(server, subscribers, args)
                results.append(result)
                print("  " + json.dumps(result), file=sys.stderr)
            except Exception as exc:
                print(f"  FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
                results_log = work / ("janus.log" if server.kind == "janus" else "sfu.log")
                if results_log.exists():
                    print("  log tail:\n    " + "\n    ".join(results_log.read_text().splitlines()[-15:]), file=sys.stderr)
            finally:
                await asyncio.to_thread(server.stop)
                await asyncio.sleep(1)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=default_binary(), help="our sfu binary (default: /tmp/sfu-release if present)")
    parser.add_argument("--servers", default="ours,janus")
    parser.add_argument("--subscribers", default="10,40", help="comma-separated N")
    parser.add_argument("--media-threads", default="1", help="comma-separated [rtc] media_threads values for ours")
    parser.add_argument("--janus-event-loops", default="default,2",
                        help="comma-separated: 'default' (no event_loops, a thread per handle) or a number")
    parser.add_argument("--video", action="store_true", help="the publisher also sends VP8 320x240 30 fps")
    parser.add_argument("--decode", action="store_true", help="let the clients decode (costs client CPU)")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--client-cpus", default="1")
    parser.add_argument("--janus-debug-level", type=int, default=3, help="Janus debug_level (3 = warnings)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (configs, logs)")
    args = parser.parse_args()
    args.servers = args.servers.split(",")
    args.subscribers = [int(n) for n in args.subscribers.split(",")]
    args.media_threads = [int(n) for n in args.media_threads.split(",")]
    args.janus_event_loops = [None if v == "default" else int(v) for v in args.janus_event_loops.split(",")]
    args.bin = os.path.abspath(args.bin)

    if not args.decode:
        rtcrtpreceiver.decoder_worker = _drop_frames_worker  # looked up at RTCRtpReceiver.receive()
    if "ours" in args.servers and not Path(args.bin).exists():
        print(f"no sfu binary at {args.bin} (use --bin)", file=sys.stderr)
        return 2
    shim = None
    work = Path(tempfile.mkdtemp(prefix="janus-compare-"))
    if "janus" in args.servers:
        if not shutil.which("janus") or not (JANUS_LIB / "plugins" / "libjanus_videoroom.so").exists():
            print("Janus is not installed: apt-get install -y janus   (Debian 12 ships 1.1.2)", file=sys.stderr)
            return 2
        if not shutil.which("gcc"):
            print("gcc is needed to build the getifaddrs shim: apt-get install -y gcc", file=sys.stderr)
            return 2
        shim = build_shim(work)
    os.sched_setaffinity(0, {int(c) for c in args.client_cpus.split(",")})

    version = subprocess.run(["janus", "--version"], capture_output=True, text=True).stdout.split("\n")[0] \
        if shim else ""
    print(f"ours: {args.bin}; {version}; server cpus {args.server_cpus}, clients cpus {args.client_cpus}; "
          f"window {args.window:g} s after {args.warmup:g} s; work folder {work}", file=sys.stderr)
    try:
        results = asyncio.run(run_all(args, work, shim))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(format_table(results), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main())
