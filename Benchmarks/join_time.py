"""Join time on loopback: how long `connect` takes, as the user of an SDK sees it.

For each SDK and each signalling mode it makes N joins (default 20), each into a room of its
own, and reports p50 / p90 / max in milliseconds:

* Python `livekit` SDK (the main .venv): wall time around `await room.connect(url, token,
  RoomOptions(...))`, which returns once the SDK reports `connected`;
* JavaScript `livekit-client` 2.18.8 (/work/shared/peers, loaded from there by a page this
  script serves on its own HTTP port, i.e. another origin than the server, as a web app is)
  in headless Chromium driven by selenium: `performance.now()` around `await room.connect()`.

Modes:
* `single-pc`: the SDK default: the single peer connection path `/rtc/v1` (Python
  `RoomOptions()`, JS `new Room()` whose `singlePeerConnection` defaults to true). A server
  that answers `/rtc/v1` with 404 makes the SDK fall back to `/rtc` (dual PC), so then this
  figure is "v1 attempt + 404 + fallback join";
* `dual-pc`: forced `/rtc` (Python `RoomOptions(single_peer_connection=False)`, JS
  `new Room({singlePeerConnection: false})`).

One uncounted warm-up join per SDK comes first (the Python FFI and the page's first
connection set themselves up); after that the modes alternate run by run so that drift on a
busy machine affects both alike.  Each join ends with a disconnect before the next starts.
Percentiles are nearest-rank over the successful joins; failures are counted and their
first errors shown.  A mode that fails its first 3 joins in a row is abandoned.

It starts its own `sfu serve` ($SFU_BIN, else .build/debug/sfu) on free loopback ports with a
temporary config, as the interop tests do.

    SFU_BIN=.build/debug/sfu .venv/bin/python Benchmarks/join_time.py [--runs 20] [--sdk python,js]
        [--modes single-pc,dual-pc] [--json] [--keep]

`--json` prints one JSON document on stdout (the table then goes to stderr).
Not a test: it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import http.server
import json
import logging
import math
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "interop"))

from livekit import rtc  # noqa: E402

import lk_helpers as lk  # noqa: E402
from conftest import SfuServer, free_port, sfu_binary  # noqa: E402

JS_BUNDLE = Path(os.environ.get("LIVEKIT_CLIENT_JS", REPO.parent / "shared" / "peers" / "livekit-client-2.18.8.umd.min.js"))
MODES = ("single-pc", "dual-pc")
JOIN_TIMEOUT_S = 30.0
GIVE_UP_AFTER = 3  # consecutive failures with no success yet


@dataclass
class Series:
    sdk: str
    mode: str
    server: str = "default"
    samples_ms: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    abandoned: bool = False

    def record(self, ms: Optional[float], error: Optional[str]) -> None:
        if error is None and ms is not None:
            self.samples_ms.append(round(ms, 2))
        else:
            self.errors.append(error or "no result")

    @property
    def hopeless(self) -> bool:
        return not self.samples_ms and len(self.errors) >= GIVE_UP_AFTER

    def percentile(self, p: float) -> Optional[float]:
        if not self.samples_ms:
            return None
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(p / 100.0 * len(ordered)) - 1)]

    def summary(self) -> dict:
        return {
            "server": self.server,
            "sdk": self.sdk,
            "mode": self.mode,
            "ok": len(self.samples_ms),
            "failed": len(self.errors),
            "abandoned": self.abandoned,
            "p50_ms": self.percentile(50),
            "p90_ms": self.percentile(90),
            "max_ms": max(self.samples_ms) if self.samples_ms else None,
            "samples_ms": self.samples_ms,
            "errors": self.errors[:5],
        }


# ---------------------------------------------------------------------------
# Python SDK
# ---------------------------------------------------------------------------


def room_options(mode: str) -> rtc.RoomOptions:
    return rtc.RoomOptions() if mode == "single-pc" else rtc.RoomOptions(single_peer_connection=False)


async def python_join(url: str, room_name: str, identity: str, mode: str) -> tuple[Optional[float], Optional[str]]:
    room = rtc.Room()
    token = lk.lk_token(identity, room_name)
    options = room_options(mode)
    error = None
    start = time.perf_counter()
    try:
        await asyncio.wait_for(room.connect(url, token, options), JOIN_TIMEOUT_S)
        elapsed = (time.perf_counter() - start) * 1000.0
        if room.connection_state != rtc.ConnectionState.CONN_CONNECTED:
            error = f"connect returned in state {rtc.ConnectionState.Name(room.connection_state)}"
    except BaseException as exc:  # noqa: BLE001 (reported, not raised)
        if isinstance(exc, KeyboardInterrupt):
            raise
        elapsed, error = None, f"{type(exc).__name__}: {exc}"
    try:
        await asyncio.wait_for(room.disconnect(), 10.0)
    except Exception:
        pass
    return elapsed, error


async def python_series(url: str, runs: int, modes: list[str]) -> tuple[list[Series], Optional[float]]:
    series = {mode: Series("python", mode) for mode in modes}
    warm_ms, warm_error = await python_join(url, "warmup-py", "warmup", modes[-1])
    for run in range(runs):
        for mode in modes:
            s = series[mode]
            if s.abandoned:
                continue
            ms, error = await python_join(url, f"py-{mode}-{run}", f"py-{run}", mode)
            s.record(ms, error)
            if s.hopeless:
                s.abandoned = True
            await asyncio.sleep(0.1)
    if warm_error:
        series[modes[-1]].errors.insert(0, f"(warm-up) {warm_error}")
    return list(series.values()), warm_ms


# ---------------------------------------------------------------------------
# JS SDK in Chromium
# ---------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>join time</title>
<script src="/livekit-client.umd.min.js"></script></head>
<body><p>livekit-client join-time benchmark</p>
<script>
window.__join = async function (url, token, singlePeerConnection, timeoutMs) {
  const room = new LivekitClient.Room({ singlePeerConnection });
  let error = null, timer = null;
  const t0 = performance.now();
  try {
    await Promise.race([
      room.connect(url, token),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error("timeout after " + timeoutMs + " ms")), timeoutMs); }),
    ]);
  } catch (e) {
    error = (e && (e.name + ": " + e.message)) || String(e);
  }
  const ms = performance.now() - t0;
  clearTimeout(timer);
  const state = room.state;
  try { await room.disconnect(); } catch (e) {}
  if (!error && state !== "connected") error = "connect resolved in state " + state;
  return { ms, error, state };
};
window.__ready = typeof LivekitClient !== "undefined" ? LivekitClient.version || "loaded" : null;
</script></body></html>
"""


class PageServer:
    """Serves the page and, read from /work/shared/peers on each request, the SDK bundle."""

    def __init__(self, bundle: Path):
        self.bundle = bundle
        self.port = free_port(socket.SOCK_STREAM)
        page = PAGE.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path.split("?")[0] == "/":
                    body, kind = page, "text/html; charset=utf-8"
                elif self.path.split("?")[0] == "/livekit-client.umd.min.js":
                    body, kind = bundle.read_bytes(), "application/javascript"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> "PageServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def js_series(url: str, runs: int, modes: list[str]) -> tuple[list[Series], Optional[float], list[str]]:
    from browser_helpers import launch_chromium

    if not JS_BUNDLE.is_file():
        raise SystemExit(f"{JS_BUNDLE} missing (the livekit-client bundle in /work/shared/peers)")
    pages = PageServer(JS_BUNDLE).start()
    driver = launch_chromium()
    driver.set_script_timeout(JOIN_TIMEOUT_S + 15)
    console: list[str] = []
    series = {mode: Series("js", mode) for mode in modes}

    def join(room_name: str, identity: str, mode: str) -> tuple[Optional[float], Optional[str]]:
        token = lk.lk_token(identity, room_name)
        try:
            out = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "window.__join(arguments[0], arguments[1], arguments[2], arguments[3])"
                ".then(done, (e) => done({ms: null, error: String(e)}));",
                url, token, mode == "single-pc", int(JOIN_TIMEOUT_S * 1000),
            )
        except Exception as exc:  # selenium timeout or a dead page
            return None, f"{type(exc).__name__}: {exc}"
        finally:
            console.extend(entry["message"] for entry in driver.get_log("browser"))
        return out.get("ms"), out.get("error")

    try:
        driver.get(pages.url)
        deadline = time.monotonic() + 15
        while not driver.execute_script("return window.__ready"):
            if time.monotonic() > deadline:
                raise SystemExit(f"the page did not load livekit-client from {pages.url}")
            time.sleep(0.1)
        warm_ms, warm_error = join("warmup-js", "warmup", modes[-1])
        for run in range(runs):
            for mode in modes:
                s = series[mode]
                if s.abandoned:
                    continue
                s.record(*join(f"js-{mode}-{run}", f"js-{run}", mode))
                if s.hopeless:
                    s.abandoned = True
                time.sleep(0.1)
        if warm_error:
            series[modes[-1]].errors.insert(0, f"(warm-up) {warm_error}")
        return list(series.values()), warm_ms, console
    finally:
        try:
            driver.quit()
        finally:
            pages.stop()


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------


def fmt(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(results: list[dict]) -> str:
    head = f"{'server':<8} {'sdk':<7} {'mode':<10} {'ok':>4} {'fail':>4} {'p50 ms':>9} {'p90 ms':>9} {'max ms':>9}"
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r['server']:<8} {r['sdk']:<7} {r['mode']:<10} {r['ok']:>4} {r['failed']:>4} "
            f"{fmt(r['p50_ms']):>9} {fmt(r['p90_ms']):>9} {fmt(r['max_ms']):>9}"
            + ("  (abandoned)" if r["abandoned"] else "")
        )
    for r in results:
        for error in r["errors"][:2]:
            lines.append(f"  {r['server']}/{r['sdk']}/{r['mode']} error: {error[:300]}")
    return "\n".join(lines)


SERVER_CONFIGS = {
    "default": "",  # the binary's own defaults
    # `/rtc/v1` answered 404 (SDKs fall back to `/rtc`): the server before single-PC support.
    # Only binaries that know `[rtc] single_peer_connection` accept this.
    "v1-off": "single_peer_connection = false",
}


def start_server(label: str, root: Path) -> SfuServer:
    workdir = root / label
    workdir.mkdir()
    server = SfuServer(workdir)
    rtc_lines = SERVER_CONFIGS[label]
    if rtc_lines:  # into the [rtc] table SfuServer wrote (a second [rtc] table is not TOML)
        text = server.config_path.read_text()
        server.config_path.write_text(text.replace("[rtc]\n", f"[rtc]\n{rtc_lines}\n", 1))
    return server.start()


def v1_validate_status(server: SfuServer) -> int:
    """GET /rtc/v1/validate with a good token and no join_request: 404 when the server does
    not serve /rtc/v1 (the SDKs then fall back to /rtc), 400 or 200 when it does."""
    import requests

    token = lk.lk_token("probe", "probe-room")
    response = requests.get(server.url("/rtc/v1/validate"), headers={"Authorization": f"Bearer {token}"}, timeout=5)
    return response.status_code


async def run_all(args, sdks: list[str], modes: list[str], servers: list[str], root: Path) -> tuple[list, dict]:
    results: list[dict] = []
    extra: dict = {}
    for label in servers:
        server = start_server(label, root)
        url = lk.lk_url(server)
        extra[f"{label}/rtc_v1_validate_status"] = v1_validate_status(server)
        try:
            if "python" in sdks:
                series, warm = await python_series(url, args.runs, modes)
                for s in series:
                    s.server = label
                results += [s.summary() for s in series]
                extra[f"{label}/python_warmup_ms"] = None if warm is None else round(warm, 1)
            if "js" in sdks:
                series, warm, console = await asyncio.to_thread(js_series, url, args.runs, modes)
                for s in series:
                    s.server = label
                results += [s.summary() for s in series]
                extra[f"{label}/js_warmup_ms"] = None if warm is None else round(warm, 1)
                extra[f"{label}/js_console"] = [
                    re.sub(r"(access_token|join_request)=[^&\s']+", r"\1=…", line)[:240]
                    for line in console if "rror" in line or "CORS" in line or "arn" in line or "failed" in line
                ][:3]
        finally:
            server.stop()
    return results, extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="joins per SDK and mode (default 20)")
    parser.add_argument("--sdk", default="python,js", help="comma list of python, js")
    parser.add_argument("--modes", default=",".join(MODES), help="comma list of single-pc, dual-pc")
    parser.add_argument("--server", default="default",
                        help="comma list of server configs: default, v1-off (/rtc/v1 answered 404)")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout (table to stderr)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (sfu.toml, sfu.log)")
    args = parser.parse_args()
    sdks = [s.strip() for s in args.sdk.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    servers = [s.strip() for s in args.server.split(",") if s.strip()]
    for m in modes:
        if m not in MODES:
            parser.error(f"unknown mode {m!r}")
    for s in sdks:
        if s not in ("python", "js"):
            parser.error(f"unknown sdk {s!r}")
    for s in servers:
        if s not in SERVER_CONFIGS:
            parser.error(f"unknown server config {s!r}")

    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("livekit").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    root = Path(tempfile.mkdtemp(prefix="join-time-"))
    try:
        results, extra = asyncio.run(run_all(args, sdks, modes, servers, root))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    binary = sfu_binary()
    stat = binary.stat()
    document = {
        "binary": str(binary),
        "binary_mtime": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(stat.st_mtime)),
        "runs": args.runs,
        "results": results,
        **extra,
    }
    out = sys.stderr if args.json else sys.stdout
    print(f"join time on loopback, {args.runs} joins per row; sfu {binary} ({document['binary_mtime']})", file=out)
    print(table(results), file=out)
    for key, value in extra.items():
        if key.endswith("_warmup_ms"):
            print(f"{key}: {fmt(value)}", file=out)
        elif key.endswith("_status"):
            print(f"{key}: {value} ({'/rtc/v1 not served: single-pc = v1 attempt + 404 + /rtc fallback' if value == 404 else '/rtc/v1 served'})", file=out)
        elif isinstance(value, list):
            for line in value:
                print(f"  {key}: {line}", file=out)
    if args.json:
        print(json.dumps(document, indent=2))
    if args.keep:
        print(f"work folder kept: {root}", file=sys.stderr)


if __name__ == "__main__":
    main()
