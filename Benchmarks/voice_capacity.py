#!/usr/bin/env python3
"""Server CPU per forwarded packet under `sfu load-test`, with the server and the tester pinned
to separate cores (issue 13). Measures; asserts nothing.

    swift build -Xcxx -DNDEBUG -c release --scratch-path .build-release --product sfu
    python3 Benchmarks/voice_capacity.py --bin .build-release/release/sfu --rooms 1000 \
        --media-threads 1 --server-cpus 0 --tester-cpus 1

It starts `sfu serve` (its own config: loopback, free ports, `media_threads`) under `taskset`,
runs `sfu load-test --json` under `taskset`, and samples the server's /proc/<pid>/stat and
/metrics over the steady window (from 5 s after the last join to 2 s before the media stops):

- server CPU per forwarded packet = server CPU-seconds / RTP packets sent (all-in: receive,
  decrypt, RTCP, timers, forward, encrypt, send; divided by packets sent), and its split into
  the kernel's part (stime) and the server's own (utime);
- packets/s in and out, and the server's CPU share of its cores;
- the server's participant and subscribed-track gauges at the end of the window (with
  `--extra=--muted` nothing flows, so the CPU figure is what connected, subscribed peers cost
  at rest);
- the tester's own figures: loss, join p50/p99, first media, jitter.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench_common import free_port, metrics, stop_process, thread_cpu_seconds, user_system_seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build-release/release/sfu")
    parser.add_argument("--tester-bin", default=None,
                        help="binary whose `load-test` drives the load (default: --bin); keeps the tester fixed "
                             "while comparing two servers")
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--profile", default="voice")
    parser.add_argument("--ramp", type=int, default=50, help="joins per second")
    parser.add_argument("--duration", type=int, default=60, help="seconds of media after the last join")
    parser.add_argument("--media-threads", type=int, default=1)
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--tester-cpus", default="1")
    parser.add_argument("--extra", nargs="*", default=[], help="more load-test arguments")
    args = parser.parse_args()

    binary = str(Path(args.bin).resolve())
    tester_binary = str(Path(args.tester_bin or args.bin).resolve())
    work = Path(tempfile.mkdtemp(prefix="voice-capacity-"))
    http_port, udp_port = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
    (work / "sfu.toml").write_text(
        f'[server]\nbind = "127.0.0.1"\nport = {http_port}\n\n'
        f'[rtc]\nudp_port = {udp_port}\ntcp_port = 0\nnode_ip = "127.0.0.1"\nmedia_threads = {args.media_threads}\n\n'
        f'[keys]\ndevkey = "secret"\n\n[logging]\nlevel = "warning"\n'
    )
    base = f"http://127.0.0.1:{http_port}"
    log = open(work / "sfu.log", "w")
    server = subprocess.Popen(["taskset", "-c", args.server_cpus, binary, "serve", "--config", str(work / "sfu.toml")],
                              cwd=work, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        participants = args.rooms * 2 if args.profile == "voice" else None
        tester = subprocess.Popen(
            ["taskset", "-c", args.tester_cpus, tester_binary, "load-test", "--url", base, "--api-key", "devkey",
             "--api-secret", "secret", "--rooms", str(args.rooms), "--profile", args.profile,
             "--ramp", str(args.ramp), "--duration", f"{args.duration}s", "--json", *args.extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stderr_lines: list[str] = []
        threading.Thread(target=lambda: stderr_lines.extend(tester.stderr), daemon=True).start()
        started = time.monotonic()
        ramp_s = (participants or args.rooms * 3) / args.ramp
        window = (started + ramp_s + 5, started + ramp_s + args.duration - 2)
        samples = []
        threads: list[dict[str, float]] = []
        for at in window:
            time.sleep(max(0.0, at - time.monotonic()))
            samples.append((time.monotonic(), user_system_seconds(server.pid), metrics(base)))
            threads.append(thread_cpu_seconds(server.pid))
        out, _ = tester.communicate(timeout=ramp_s + args.duration + 600)
        report = json.loads([line for line in out.splitlines() if line.strip()][-1])
        (t0, c0, m0), (t1, c1, m1) = samples
        thread_cpu = {name: seconds - threads[0].get(name, 0.0) for name, seconds in threads[1].items()}
        user, system = c1[0] - c0[0], c1[1] - c0[1]
        wall, cpu = t1 - t0, user + system
        sent = m1["sfu_rtp_packets_sent_total"] - m0["sfu_rtp_packets_sent_total"]
        received = m1["sfu_rtp_packets_received_total"] - m0["sfu_rtp_packets_received_total"]
        result = {
            "rooms": args.rooms, "profile": args.profile, "media_threads": args.media_threads,
            "server_cpus": args.server_cpus, "window_s": round(wall, 1),
            "server_cpu_cores": round(cpu / wall, 3),
            # Event-loop threads by name (the media loops and NIO's others), the rest together.
            "server_thread_cores": {name: round(thread_cpu[name] / wall, 3)
                                    for name in sorted(thread_cpu) if thread_cpu[name] >= 0.01 * wall},
            "packets_in_per_s": round(received / wall), "packets_out_per_s": round(sent / wall),
            "server_cpu_us_per_packet_out": round(cpu / sent * 1e6, 2) if sent else None,
            "server_cpu_us_per_packet_in_and_out": round(cpu / (sent + received) * 1e6, 2) if sent else None,
            # The kernel's part of the per-packet figure (stime: the system calls, and on loopback
            # the tester's receive path that our sends run) and our own (utime).
            "server_system_us_per_packet_out": round(system / sent * 1e6, 2) if sent else None,
            "server_user_us_per_packet_out": round(user / sent * 1e6, 2) if sent else None,
            "handovers": m1.get("sfu_media_shard_handovers_total", 0),
            "server_participants": m1.get("sfu_participants"),
            "server_subscribed_tracks": m1.get("sfu_subscribed_tracks"),
            "tester": {k: report.get(k) for k in ("participants", "participants_joined", "tracks_subscribed", "loss_percent",
                                                  "join_ms_p50", "join_ms_p99", "first_media_ms_p50", "jitter_ms_p99",
                                                  "packets_expected", "packets_received", "duration_s")},
        }
        if report.get("failures"):
            result["tester"]["failures"] = report["failures"][:5]
        print(json.dumps(result, indent=2))
        return 0
    finally:
        stop_process(server)


if __name__ == "__main__":
    sys.exit(main())
