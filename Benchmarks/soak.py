#!/usr/bin/env python3
"""A bounded soak (issue acceptance: "participants keep joining, publishing, recording and
leaving. RSS stays within ±10% after warm-up, descriptors stay flat, and no room is left when
it ends"). Not for CI: 30 minutes by default, loopback only.

    scripts/setup.sh --test                      # the interop .venv (livekit-api)
    swift build -Xcxx -DNDEBUG -c release --scratch-path .build-release --product sfu
    .venv/bin/python Benchmarks/soak.py --bin .build-release/release/sfu --minutes 30

It starts its own `sfu serve` (loopback, free ports, `[room]` timeouts of a few seconds,
`[storage] local_dir` in its work folder) and runs cycles until `--minutes` would be exceeded.
Each cycle:

1. `sfu load-test --profile voice --rooms N --duration Ds --ramp R --json` (two participants
   per room, each publishing Opus and subscribed to the other), in a subprocess;
2. while its rooms are live: a room composite egress of room 0 and a track egress of the first
   audio track of room 1 (MP4 / Ogg to local storage), each stopped with StopEgress before the
   load test ends; ListEgress must then say EGRESS_COMPLETE;
3. once the load test has exited (its participants left): wait up to `--settle-seconds` for
   ListRooms to reach 0 and the `sfu egress-worker` children to exit, then sample the server:
   VmRSS, open descriptors (/proc/PID/fd), threads, children, rooms, CPU seconds, and the
   /metrics gauges (rooms, participants, tracks, active egress).

Criteria, over the samples taken after `--warmup-minutes`: RSS within ±`--rss-tolerance`%
of the baseline (mean of the first two post-warm-up samples); descriptors max - min <=
`--fd-slack`; no room left at the end; no recording failed; every load-test run exited 0 with
every participant joined; no egress worker left after a cycle. It prints PASS/MISS per
criterion and exits 0 only if all are met. It asserts nothing about time.

Options: `--rooms-per-cycle 20`, `--cycle-seconds 60` (the load test's `--duration`),
`--ramp 10`, `--record-seconds 20`, `--json` (one JSON object on stdout; the lines and the
table go to stderr), `--keep` (keep the work folder: sfu.toml, sfu.log, load-test-*.log and
the recordings, which are otherwise deleted after each cycle).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

from bench_common import cpu_seconds, free_port, metrics, stop_process

try:
    from livekit import api
    from livekit.protocol import egress as egress_pb
except ImportError:  # pragma: no cover - a hint, not a feature
    sys.exit("soak.py needs livekit-api: run it with .venv/bin/python (scripts/setup.sh --test)")

API_KEY = "soakkey"
API_SECRET = "soak-secret-at-least-32-characters-long"
GAUGES = ("sfu_rooms", "sfu_participants", "sfu_published_tracks", "sfu_subscribed_tracks", "sfu_egress_active",
          # Summed over kinds: 0 when the cycle's calls have all ended and nothing leaked.
          "sfu_live_objects",
          # glibc's heap: in use growing is a leak; free or heap growing with in use flat is the allocator.
          "sfu_malloc_in_use_bytes", "sfu_malloc_heap_bytes", "sfu_malloc_free_bytes")
OUT = sys.stdout


def say(text: str = "") -> None:
    print(text, file=OUT, flush=True)


# ---------------------------------------------------------------------------
# /proc
# ---------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS (kB) and Threads from /proc/PID/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "Threads"):
            values[key] = int(rest.split()[0])
    return values


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_kinds(pid: int) -> dict[str, int]:
    """Open descriptors by kind (socket, pipe, anon_inode:[eventfd], a file's folder, ...), to say what grew."""
    kinds: dict[str, int] = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if ":[" in target and not target.startswith("anon_inode"):
            kind = target.split(":[")[0]          # socket:[123], pipe:[456]
        elif target.startswith("/"):
            kind = str(Path(target).parent)        # files: their folder
        else:
            kind = target
        kinds[kind] = kinds.get(kind, 0) + 1
    return dict(sorted(kinds.items()))


def children(pid: int) -> list[tuple[int, str, str]]:
    """(pid, state, command line) of every child of `pid`, zombies included."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[1]) != pid:
                continue
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            found.append((int(entry), fields[0], command))
        except (OSError, ValueError, IndexError):
            continue
    return found


# ---------------------------------------------------------------------------
# Twirp (sync, one connection per call: nothing of ours stays open while the server is sampled)
# ---------------------------------------------------------------------------


def token() -> str:
    grants = api.VideoGrants(room_list=True, room_record=True, room_admin=True, room_create=True)
    return api.AccessToken(API_KEY, API_SECRET).with_grants(grants).to_jwt()


def twirp(base: str, service: str, method: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{base}/twirp/livekit.{service}/{method}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token()}", "Connection": "close"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def room_names(base: str) -> list[str]:
    return [room.get("name", "") for room in twirp(base, "RoomService", "ListRooms", {}).get("rooms", [])]


# ---------------------------------------------------------------------------
# one cycle
# ---------------------------------------------------------------------------


def status_name(value: int) -> str:
    return egress_pb.EgressStatus.Name(value)


async def egress_status(client: api.LiveKitAPI, egress_id: str):
    response = await client.egress.list_egress(api.ListEgressRequest(egress_id=egress_id))
    return next((e for e in response.items if e.egress_id == egress_id), None)


async def wait_status(client: api.LiveKitAPI, egress_id: str, wanted: set[int], timeout: float):
    deadline = time.monotonic() + timeout
    info = None
    while time.monotonic() < deadline:
        info = await egress_status(client, egress_id)
        if info is not None and info.status in wanted:
            return info
        await asyncio.sleep(0.25)
    return info


async def find_run(base_client: api.LiveKitAPI, seen: set[str], until: float) -> Optional[str]:
    """The run ID of the load test just started: the first `load-test-<id>-<index>` room not seen before."""
    while time.monotonic() < until:
        try:
            rooms = (await base_client.room.list_rooms(api.ListRoomsRequest())).rooms
        except Exception:
            rooms = []  # counted as "no load-test room appeared" if it lasts
        for room in rooms:
            if room.name.startswith("load-test-") and room.name not in seen:
                return room.name[len("load-test-"):].rsplit("-", 1)[0]
        await asyncio.sleep(0.25)
    return None


async def wait_published(client: api.LiveKitAPI, room: str, until: float) -> Optional[str]:
    """The sid of the first published track once both voice participants publish, else None."""
    while time.monotonic() < until:
        try:
            response = await client.room.list_participants(api.ListParticipantsRequest(room=room))
            published = [p for p in response.participants if p.tracks]
            if len(published) >= 2:
                return published[0].tracks[0].sid
        except Exception:
            pass  # the room is not there yet
        await asyncio.sleep(0.25)
    return None


async def record(client: api.LiveKitAPI, kind: str, room: str, cycle: int, args, server_pid: int,
                 stop_by: float, load_samples: list) -> dict:
    """Start one recording, keep it `--record-seconds` (or until `stop_by`), stop it, and wait for its end."""
    result = {"kind": kind, "room": room, "status": None, "error": "", "bytes": 0}
    try:
        track = await wait_published(client, room, stop_by - 3)
        if track is None:
            result["error"] = "the room's participants never published"
            return result
        if kind == "composite":
            info = await client.egress.start_room_composite_egress(api.RoomCompositeEgressRequest(
                room_name=room, audio_only=args.composite_audio_only,
                file_outputs=[api.EncodedFileOutput(filepath=f"soak-{cycle:03d}-composite-{{room_name}}.mp4")]))
        else:
            info = await client.egress.start_track_egress(api.TrackEgressRequest(
                room_name=room, track_id=track, file=api.DirectFileOutput(filepath=f"soak-{cycle:03d}-track-{{track_id}}")))
        result["egress_id"] = info.egress_id
        active = await wait_status(client, info.egress_id, {egress_pb.EGRESS_ACTIVE}, timeout=15)
        if active is None or active.status != egress_pb.EGRESS_ACTIVE:
            result["note"] = f"not ACTIVE after 15 s ({status_name(active.status) if active else 'unknown'})"
        await asyncio.sleep(max(0.0, min(time.monotonic() + args.record_seconds, stop_by) - time.monotonic()))
        status = proc_status(server_pid)
        load_samples.append({"rss_kb": status["VmRSS"], "fds": fd_count(server_pid), "threads": status["Threads"],
                             "children": len(children(server_pid))})
        await client.egress.stop_egress(api.StopEgressRequest(egress_id=info.egress_id))
        final = await wait_status(client, info.egress_id, {egress_pb.EGRESS_COMPLETE, egress_pb.EGRESS_FAILED,
                                                           egress_pb.EGRESS_ABORTED, egress_pb.EGRESS_LIMIT_REACHED},
                                  timeout=30)
        if final is None:
            result["error"] = "not in ListEgress"
        else:
            result["status"] = status_name(final.status)
            result["error"] = final.error
            result["bytes"] = sum(f.size for f in final.file_results)
            if final.status == egress_pb.EGRESS_COMPLETE and not final.file_results:
                result["error"] = "COMPLETE without a file result"
    except Exception as error:  # a failed recording is counted, and the soak goes on
        result["error"] = f"{type(error).__name__}: {error}"
    return result


def load_test_command(args, port: int) -> list[str]:
    return [args.bin, "load-test", "--url", f"ws://127.0.0.1:{port}", "--api-key", API_KEY, "--api-secret", API_SECRET,
            "--rooms", str(args.rooms_per_cycle), "--profile", "voice", "--duration", f"{args.cycle_seconds}s",
            "--ramp", f"{args.ramp:g}", "--json"]


async def run_cycle(args, cycle: int, port: int, server_pid: int, seen: set[str], work: Path,
                    holder: dict) -> dict:
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with open(work / f"load-test-{cycle:03d}.log", "w") as log, open(work / f"load-test-{cycle:03d}.json", "w") as out:
        tester = subprocess.Popen(load_test_command(args, port), stdout=out, stderr=log, stdin=subprocess.DEVNULL,
                                  cwd=work)
    holder["tester"] = tester
    ramp_s = 2 * args.rooms_per_cycle / args.ramp
    stop_by = started + ramp_s + args.cycle_seconds - 5  # the recordings end before the media does
    recordings: list[dict] = []
    load_samples: list[dict] = []
    rooms_seen: list[str] = []
    client = api.LiveKitAPI(base, API_KEY, API_SECRET)
    try:
        run_id = await find_run(client, seen, started + ramp_s + 15)
        if run_id is None:
            recordings = [{"kind": k, "room": None, "status": None, "error": "no load-test room appeared", "bytes": 0}
                          for k in args.recordings]
        else:
            names = [f"load-test-{run_id}-{i}" for i in range(args.rooms_per_cycle)]
            rooms_seen = names
            targets = [(kind, names[i % len(names)]) for i, kind in enumerate(args.recordings)]
            recordings = list(await asyncio.gather(*(record(client, kind, room, cycle, args, server_pid, stop_by,
                                                            load_samples) for kind, room in targets)))
    finally:
        await client.aclose()
    give_up = started + ramp_s + args.cycle_seconds + 120
    while tester.poll() is None and time.monotonic() < give_up:
        await asyncio.sleep(0.5)
    if tester.poll() is None:
        stop_process(tester)
    holder["tester"] = None
    seen.update(rooms_seen)
    report = {}
    lines = [line for line in (work / f"load-test-{cycle:03d}.json").read_text().splitlines() if line.strip()]
    if lines:
        try:
            report = json.loads(lines[-1])
        except json.JSONDecodeError:
            report = {"unparsed": lines[-1][:200]}
    return {"load_test_rc": tester.returncode, "load_test": report, "recordings": recordings,
            "load": load_samples[0] if load_samples else None, "cycle_wall_s": round(time.monotonic() - started, 1),
            "base": base}


def settle(base: str, server_pid: int, seconds: float) -> tuple[int, list[str], float]:
    """Wait until no room is listed and no egress worker is alive; returns (rooms, names, seconds waited)."""
    started = time.monotonic()
    names: list[str] = []
    while True:
        try:
            names = room_names(base)
        except (OSError, urllib.error.URLError, json.JSONDecodeError) as error:
            names = [f"(ListRooms failed: {error})"]
        workers = [c for c in children(server_pid) if c[1] != "Z"]
        if (not names and not workers) or time.monotonic() - started >= seconds:
            return len(names), names, time.monotonic() - started
        time.sleep(0.5)


def sample(base: str, server_pid: int, rooms: int) -> dict:
    status = proc_status(server_pid)
    kids = children(server_pid)
    try:
        gauges = {k: v for k, v in metrics(base).items() if k in GAUGES}
    except (OSError, urllib.error.URLError) as error:
        gauges = {"error": str(error)}
    return {"rss_kb": status["VmRSS"], "hwm_kb": status.get("VmHWM"), "fds": fd_count(server_pid),
            "fd_kinds": fd_kinds(server_pid),
            "threads": status["Threads"], "children": len(kids), "zombies": sum(1 for c in kids if c[1] == "Z"),
            "child_commands": [c[2][:80] for c in kids], "rooms": rooms, "cpu_s": round(cpu_seconds(server_pid), 2),
            "gauges": gauges}


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------


def trend(xs: list[float], ys: list[float]) -> Optional[float]:
    """Least-squares slope of ys over xs, to one decimal; None when every x is the same."""
    try:
        return round(statistics.linear_regression(xs, ys).slope, 1)
    except statistics.StatisticsError:
        return None


def summarise(args, cycles: list[dict], final_rooms: int, final_names: list[str]) -> tuple[list[tuple], dict]:
    warmup_s = args.warmup_minutes * 60
    post = [c for c in cycles if c["at_s"] >= warmup_s]
    criteria = []
    figures: dict = {"cycles": len(cycles), "post_warmup_samples": len(post)}

    if len(post) >= 1:
        baseline_rss = statistics.mean(c["sample"]["rss_kb"] for c in post[:2])
        deviations = [(c["sample"]["rss_kb"] - baseline_rss) / baseline_rss * 100 for c in post]
        worst = max(deviations, key=abs)
        figures.update(rss_baseline_mb=round(baseline_rss / 1024, 1), rss_max_deviation_percent=round(worst, 2),
                       rss_post_warmup_mb=[round(c["sample"]["rss_kb"] / 1024, 1) for c in post])
        enough = len(post) >= 2
        criteria.append(("RSS within ±%g%% of baseline after warm-up" % args.rss_tolerance,
                         enough and abs(worst) <= args.rss_tolerance,
                         f"baseline {baseline_rss / 1024:.1f} MB (mean of first {min(2, len(post))} post-warm-up samples), "
                         f"max deviation {worst:+.2f}% over {len(post)} samples"
                         + ("" if enough else " — too few samples (need >= 2)")))
        if len(post) >= 2:
            hours = [c["at_s"] / 3600 for c in post]
            figures["rss_trend_mb_per_hour"] = trend(hours, [c["sample"]["rss_kb"] / 1024 for c in post])
            # The same trend for what glibc says is in use and what it holds (servers with the gauges).
            for gauge, key in (("sfu_malloc_in_use_bytes", "malloc_in_use_trend_mb_per_hour"),
                               ("sfu_malloc_heap_bytes", "malloc_heap_trend_mb_per_hour")):
                values = [c["sample"]["gauges"].get(gauge) for c in post]
                if all(v is not None for v in values):
                    figures[key] = trend(hours, [v / 1e6 for v in values])
        live = [c["sample"]["gauges"].get("sfu_live_objects") for c in post]
        if all(v is not None for v in live):
            figures["live_objects_after_each_cycle"] = live
        fds = [c["sample"]["fds"] for c in post]
        first_kinds, last_kinds = post[0]["sample"]["fd_kinds"], post[-1]["sample"]["fd_kinds"]
        figures.update(fds_post_warmup=fds, fd_baseline=fds[0],
                       fd_kinds_changed={k: [first_kinds.get(k, 0), last_kinds.get(k, 0)]
                                         for k in sorted(set(first_kinds) | set(last_kinds))
                                         if first_kinds.get(k, 0) != last_kinds.get(k, 0)})
        criteria.append((f"descriptors flat after warm-up (max - min <= {args.fd_slack})",
                         enough and max(fds) - min(fds) <= args.fd_slack,
                         f"baseline {fds[0]}, min {min(fds)}, max {max(fds)}, samples {fds}"
                         + ("" if enough else " — too few samples (need >= 2)")
                         + (f"; changed kinds first→last {figures['fd_kinds_changed']}" if figures["fd_kinds_changed"] else "")))
    else:
        criteria.append(("RSS within ±%g%% of baseline after warm-up" % args.rss_tolerance, False,
                         "no sample after the warm-up: raise --minutes or lower --warmup-minutes"))
        criteria.append((f"descriptors flat after warm-up (max - min <= {args.fd_slack})", False, "no sample after the warm-up"))

    criteria.append(("no room left at the end", final_rooms == 0,
                     f"{final_rooms} rooms listed after {args.settle_seconds:g} s" + (f": {final_names[:5]}" if final_names else "")))
    slow_rooms = [c["cycle"] for c in cycles if c["sample"]["rooms"] != 0]
    figures["cycles_with_rooms_left"] = slow_rooms

    recordings = [r for c in cycles for r in c["recordings"]]
    done = [r for r in recordings if r["status"] == "EGRESS_COMPLETE" and not r["error"]]
    failed = [r for r in recordings if r not in done]
    figures.update(recordings=len(recordings), recordings_complete=len(done), recordings_failed=len(failed),
                   recording_failures=[{k: r.get(k) for k in ("kind", "room", "status", "error")} for r in failed[:10]])
    # With --recordings "" none is asked for: the criterion holds when none failed.
    asked = bool(args.recordings)
    criteria.append(("every recording ended COMPLETE", (bool(recordings) or not asked) and not failed,
                     f"{len(done)} complete, {len(failed)} failed of {len(recordings)}, "
                     f"{sum(r['bytes'] for r in recordings) / 1e6:.1f} MB written"
                     + (f"; first: {failed[0]['kind']} {failed[0]['status']} {failed[0]['error']!r}" if failed else "")))

    workers_left = [c["cycle"] for c in cycles if c["sample"]["children"]]
    criteria.append(("no egress worker left after a cycle", not workers_left,
                     "none" if not workers_left else f"children left after cycles {workers_left}"))

    bad_runs = [c["cycle"] for c in cycles
                if c["load_test_rc"] != 0 or c["load_test"].get("join_failures", 1) != 0
                or c["load_test"].get("participants_joined") != c["load_test"].get("participants")]
    losses = [c["load_test"].get("loss_percent") for c in cycles if c["load_test"].get("loss_percent") is not None]
    joined = sum(c["load_test"].get("participants_joined", 0) for c in cycles)
    total = sum(c["load_test"].get("participants", 0) for c in cycles)
    figures.update(participants_joined=joined, participants=total,
                   loss_percent_max=max(losses) if losses else None,
                   loss_percent_mean=round(statistics.mean(losses), 4) if losses else None)
    criteria.append(("every load test exited 0 with every participant joined", bool(cycles) and not bad_runs,
                     f"{joined}/{total} joined; loss mean {figures['loss_percent_mean']}% max {figures['loss_percent_max']}%"
                     + (f"; bad cycles {bad_runs}" if bad_runs else "")))
    return criteria, figures


def cycle_line(c: dict) -> str:
    s, lt = c["sample"], c["load_test"]
    recs = " ".join(f"{r['kind'][0]}:{(r['status'] or 'none').replace('EGRESS_', '')}" for r in c["recordings"])
    load = c.get("load") or {}
    phase = "warm" if c["warmup"] else "soak"
    return (f"{c['cycle']:>3} {phase} {c['at_s'] / 60:6.1f} {s['rss_kb'] / 1024:8.1f} "
            f"{(load.get('rss_kb') or 0) / 1024:8.1f} {s['fds']:5d} {load.get('fds', 0):5d} {s['threads']:4d} "
            f"{s['children']:3d} {s['rooms']:5d} {c['settle_s']:6.1f} {c['cpu_delta_s']:7.1f} "
            f"{lt.get('participants_joined', '-')!s:>4}/{lt.get('participants', '-')!s:<4} "
            f"{lt.get('loss_percent', '-')!s:>7} {recs}")


CYCLE_HEADER = ("cyc phase    min  rss MB  load MB   fds  ldfd thr kid rooms settle  cpu s  joined     loss% recordings")


def main() -> int:
    global OUT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build-release/release/sfu")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--warmup-minutes", type=float, default=5)
    parser.add_argument("--rooms-per-cycle", type=int, default=20)
    parser.add_argument("--cycle-seconds", type=int, default=60, help="the load test's --duration (media after the last join)")
    parser.add_argument("--ramp", type=float, default=10, help="joins per second")
    parser.add_argument("--record-seconds", type=float, default=20, help="how long each recording runs (less if the cycle ends)")
    parser.add_argument("--recordings", default="composite,track",
                        help="recordings per cycle, comma-separated: composite (room 0), track (room 1), ...")
    parser.add_argument("--composite-audio-only", action="store_true", help="room composite with audio_only (no video encode)")
    parser.add_argument("--settle-seconds", type=float, default=15,
                        help="after a cycle, how long to wait for the rooms to close before sampling")
    parser.add_argument("--departure-timeout", type=int, default=2, help="[room] departure_timeout and empty_timeout")
    parser.add_argument("--rss-tolerance", type=float, default=10.0, help="percent")
    parser.add_argument("--fd-slack", type=int, default=2, help="descriptors max - min allowed after warm-up")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout; lines and table on stderr")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    args.bin = str(Path(args.bin).resolve())
    args.recordings = [k.strip() for k in args.recordings.split(",") if k.strip()]
    if any(k not in ("composite", "track") for k in args.recordings):
        parser.error("--recordings takes composite and track")
    if not Path(args.bin).is_file():
        parser.error(f"no binary at {args.bin}")
    if args.json:
        OUT = sys.stderr

    work = Path(tempfile.mkdtemp(prefix="soak-"))
    recordings_dir = work / "recordings"
    http_port, udp_port = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
    (work / "sfu.toml").write_text(
        f'[server]\nbind = "127.0.0.1"\nport = {http_port}\n\n'
        f'[rtc]\nudp_port = {udp_port}\ntcp_port = 0\nnode_ip = "127.0.0.1"\n\n'
        f'[keys]\n{API_KEY} = "{API_SECRET}"\n\n'
        f'[room]\nempty_timeout = {args.departure_timeout}\ndeparture_timeout = {args.departure_timeout}\n\n'
        f'[storage]\nlocal_dir = "{recordings_dir}"\n\n'
        f'[logging]\nlevel = "{args.log_level}"\n'
    )
    base = f"http://127.0.0.1:{http_port}"
    server: Optional[subprocess.Popen] = None
    holder: dict = {"tester": None}
    cycles: list[dict] = []
    interrupted = ""

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    say(f"soak: {args.bin}\n  work {work}, http {http_port}, udp {udp_port}; {args.minutes:g} min "
        f"(warm-up {args.warmup_minutes:g}), {args.rooms_per_cycle} voice rooms x {args.cycle_seconds} s per cycle, "
        f"ramp {args.ramp:g}/s, recordings {','.join(args.recordings)} of {args.record_seconds:g} s")
    with open(work / "sfu.log", "w") as log:
        server = subprocess.Popen([args.bin, "serve", "--config", str(work / "sfu.toml")], cwd=work,
                                  stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    final_rooms, final_names = -1, []
    server_rc = None
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise RuntimeError(f"sfu serve exited with {server.returncode}; see {work / 'sfu.log'}")
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("sfu serve not healthy after 30 s")
        time.sleep(1.0)
        first = sample(base, server.pid, 0)
        say(f"  start: rss {first['rss_kb'] / 1024:.1f} MB, fds {first['fds']}, threads {first['threads']}")
        say("  columns: rss/fds after the cycle (rooms closed); load MB/ldfd while recording; settle = s until 0 rooms")
        say(CYCLE_HEADER)
        soak_start = time.monotonic()
        budget = args.minutes * 60
        estimate = 2 * args.rooms_per_cycle / args.ramp + args.cycle_seconds + 10
        seen: set[str] = set()
        last_cpu = cpu_seconds(server.pid)
        cycle = 0
        while time.monotonic() - soak_start + estimate <= budget:
            cycle += 1
            began = time.monotonic()
            result = asyncio.run(run_cycle(args, cycle, http_port, server.pid, seen, work, holder))
            if server.poll() is not None:
                raise RuntimeError(f"sfu serve exited with {server.returncode} during cycle {cycle}")
            rooms, names, waited = settle(base, server.pid, args.settle_seconds)
            time.sleep(1.0)
            result.update(cycle=cycle, settle_s=round(waited, 1), room_names_left=names[:5])
            result["sample"] = sample(base, server.pid, rooms)
            result["at_s"] = round(time.monotonic() - soak_start, 1)
            result["warmup"] = result["at_s"] < args.warmup_minutes * 60
            result["cpu_delta_s"] = result["sample"]["cpu_s"] - last_cpu
            last_cpu = result["sample"]["cpu_s"]
            cycles.append(result)
            say(cycle_line(result))
            for r in result["recordings"]:
                if r["status"] != "EGRESS_COMPLETE" or r["error"]:
                    say(f"      recording {r['kind']} in {r['room']}: {r['status']} {r['error']!r} {r.get('note', '')}")
            if result["load_test_rc"] != 0:
                say(f"      load-test exited {result['load_test_rc']}; see {work / f'load-test-{cycle:03d}.log'}")
            if result["sample"]["children"]:
                say(f"      children after the cycle: {result['sample']['child_commands']}")
            if names:
                say(f"      rooms still listed after {waited:.1f} s: {names[:5]}")
            if not args.keep and recordings_dir.exists():
                shutil.rmtree(recordings_dir, ignore_errors=True)
            estimate = max(estimate, time.monotonic() - began)
        final_rooms, final_names, _ = settle(base, server.pid, args.settle_seconds)
    except KeyboardInterrupt:
        interrupted = "interrupted"
        say("soak: interrupted")
    except Exception as error:
        interrupted = f"{type(error).__name__}: {error}"
        say(f"soak: stopped: {interrupted}")
    finally:
        tester = holder.get("tester")
        if tester is not None and tester.poll() is None:
            stop_process(tester)
        if server is not None:
            stop_process(server)
            server_rc = server.returncode
    if not cycles:
        say(f"soak: no cycle completed ({interrupted or 'budget too small'}); work folder {work}")
        return 1

    criteria, figures = summarise(args, cycles, final_rooms, final_names)
    if interrupted:
        criteria.append(("the soak ran to its end", False, interrupted))
    criteria.append(("server stopped on SIGTERM (exit 0)", server_rc == 0, f"exit status {server_rc}"))
    say()
    say(f"summary: {len(cycles)} cycles, {figures['post_warmup_samples']} after the {args.warmup_minutes:g} min warm-up")
    post = [c for c in cycles if not c["warmup"]]
    if post:
        threads = [c["sample"]["threads"] for c in post]
        say(f"  threads after warm-up {min(threads)}..{max(threads)}; server CPU {sum(c['cpu_delta_s'] for c in post):.1f} s "
            f"over {len(post)} cycles; peak RSS (VmHWM) {cycles[-1]['sample']['hwm_kb'] / 1024:.1f} MB; "
            f"RSS trend {figures.get('rss_trend_mb_per_hour')} MB/h (least squares, post-warm-up)")
        say(f"  descriptors by kind, start → end: {first['fd_kinds']} → {cycles[-1]['sample']['fd_kinds']}")
    width = max(len(name) for name, _, _ in criteria)
    for name, ok, detail in criteria:
        say(f"  {'PASS' if ok else 'MISS'}  {name:<{width}}  {detail}")
    passed = all(ok for _, ok, _ in criteria)
    keep = args.keep or not passed
    say(f"soak: {'PASS' if passed else 'MISS'}" + (f"; work folder kept: {work}" if keep else ""))
    if args.json:
        print(json.dumps({"passed": passed, "criteria": [{"name": n, "pass": ok, "detail": d} for n, ok, d in criteria],
                          "figures": figures, "cycles": [{k: v for k, v in c.items() if k != "base"} for c in cycles]},
                         indent=2, default=str))
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
