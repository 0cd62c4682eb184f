"""What the benchmark scripts share: free loopback ports, a process's CPU time, `/metrics`,
and stopping a server process."""

from __future__ import annotations

import os
import socket
import subprocess
import urllib.request
from pathlib import Path
from typing import Optional

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port(kind: int) -> int:
    """A port the kernel just handed out on 127.0.0.1 (SOCK_STREAM or SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stat_user_system_seconds(stat: str) -> tuple[float, float]:
    """utime and stime from the text of a /proc/.../stat file (fields after the command name)."""
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) / CLOCK_TICKS, int(fields[12]) / CLOCK_TICKS


def stat_cpu_seconds(stat: str) -> float:
    """utime + stime from the text of a /proc/.../stat file."""
    return sum(stat_user_system_seconds(stat))


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process, all threads, from /proc/<pid>/stat."""
    return stat_cpu_seconds(Path(f"/proc/{pid}/stat").read_text())


def user_system_seconds(pid: int) -> tuple[float, float]:
    """utime and stime of the process, all threads, apart: stime is the kernel's share (system
    calls, and on loopback the receivers' delivery that a send runs in its own context)."""
    return stat_user_system_seconds(Path(f"/proc/{pid}/stat").read_text())


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """utime + stime per thread of the process, summed by thread name (/proc/<pid>/task)."""
    totals: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        key = name if name.startswith("NIO-ELT") else "other"
        totals[key] = totals.get(key, 0.0) + stat_cpu_seconds(stat)
    return totals


def metrics(base: str) -> dict[str, float]:
    """The server's /metrics, each name summed over its label sets."""
    values: dict[str, float] = {}
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line and not line.startswith("#"):
                name = line.split("{")[0].split()[0]
                values[name] = values.get(name, 0.0) + float(line.split()[-1])
    return values


def stop_process(process: Optional[subprocess.Popen]) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    if process is None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
