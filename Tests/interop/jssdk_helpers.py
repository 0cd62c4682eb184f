"""Helpers for driving the LiveKit JavaScript SDK (`livekit-client`) in Debian's Chromium.

* `PageServer`: the test's own web app on its own loopback port (another origin than the
  `sfu` server, as a real app on its own domain is): `/` is `jssdk_page.html`, `/jssdk_page.js`
  drives the room, `/livekit-client.umd.js` is the unmodified bundle from `../shared/peers`
  (`LIVEKIT_CLIENT_JS` overrides the path; it is never copied into this repository);
* `SdkPage`: one Chromium on that page: `call(method, *args)` runs `window.app.<method>` and
  returns its result (or raises `PageError`), `snapshot()` reads what the room saw, and
  `console()` keeps every browser console line seen so far;
* `LoopThread`: an asyncio loop on its own thread, so the Python `livekit` SDK participant
  (which needs a running loop) lives for a whole test module while selenium calls block.

Everything is bounded in time; a missing browser, driver or bundle fails, nothing skips.
"""

from __future__ import annotations

import asyncio
import base64
import http.server
import json
import os
import threading
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import browser_helpers as bh
from conftest import REPO_ROOT

HERE = Path(__file__).resolve().parent
BUNDLE = Path(os.environ.get("LIVEKIT_CLIENT_JS") or REPO_ROOT.parent / "shared" / "peers" / "livekit-client-2.18.8.umd.min.js")
# What the SDK logs when /rtc/v1/validate sends it back to /rtc (livekit-client 2.18.8,
# RTCEngine.join: "Initial connection failed: v1 RTC path not found … – Retrying").
V0_FALLBACK_MARKERS = ("v1 RTC path not found", "Initial connection failed")


class PageServer(http.server.ThreadingHTTPServer):
    """Serves the test page and the SDK bundle on 127.0.0.1:<free port>."""

    daemon_threads = True

    def __init__(self):
        if not BUNDLE.is_file():
            pytest.fail(f"livekit-client bundle missing at {BUNDLE} (set LIVEKIT_CLIENT_JS)", pytrace=False)
        self.files = {
            "/": (HERE / "jssdk_page.html", "text/html; charset=utf-8"),
            "/jssdk_page.js": (HERE / "jssdk_page.js", "text/javascript; charset=utf-8"),
            "/livekit-client.umd.js": (BUNDLE, "text/javascript; charset=utf-8"),
        }
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _PageHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _PageHandler(http.server.BaseHTTPRequestHandler):
    server: PageServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.requests.append(self.path)
        entry = self.server.files.get(self.path.split("?", 1)[0])
        if entry is None:
            self.send_error(404)
            return
        body = entry[0].read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", entry[1])
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class PageError(AssertionError):
    """A `window.app` method rejected."""


class SdkPage:
    """One Chromium on the test page."""

    def __init__(self, label: str, script_timeout: float = 45.0):
        self.label = label
        self.driver = bh.launch_chromium()
        self.driver.set_script_timeout(script_timeout)
        self.identity = ""
        self.lines: list[dict] = []
        self.closed = False

    def open(self, page_url: str, log_level: str = "info") -> "SdkPage":
        self.driver.get(f"{page_url}/")
        bh.wait_for(f"{self.label}: page script", lambda: self.driver.execute_script(
            "return typeof window.app === 'object' && typeof window.LivekitClient === 'object'"), 10)
        self.call("logLevel", log_level)
        return self

    def call(self, method: str, *args: Any) -> Any:
        """`await window.app[method](...args)`; a rejection raises PageError with the page state."""
        outcome = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "const [method, args] = [arguments[0], arguments[1]];"
            "Promise.resolve().then(() => window.app[method](...args)).then("
            "  (value) => done({ok: true, value: value === undefined ? null : value}),"
            "  (e) => done({ok: false, error: String(e && e.stack || e), name: e && e.name, message: e && e.message}));",
            method, list(args),
        )
        if not outcome["ok"]:
            raise PageError(f"{self.label}: app.{method} failed: {outcome['error']}\n{self.describe()}")
        return outcome["value"]

    def snapshot(self) -> dict:
        return self.call("snapshot")

    def remote(self, identity: str) -> dict:
        return self.snapshot()["remote"].get(identity) or {}

    def video_frames(self, identity: str) -> int:
        return (self.remote(identity).get("video") or {}).get("framesDecoded", 0)

    def audio_samples(self, identity: str) -> int:
        return (self.remote(identity).get("audio") or {}).get("totalSamplesReceived", 0)

    def frequency(self, identity: str) -> float:
        return float(self.call("frequency", identity) or 0.0)

    def colour(self, identity: str) -> Optional[list]:
        return self.call("colour", identity)

    def record(self) -> dict:
        return self.snapshot()["record"]

    def console(self) -> list[dict]:
        """Every console line so far (chromedriver hands each one out once; we keep them)."""
        try:
            self.lines.extend(self.driver.get_log("browser"))
        except Exception:
            pass
        return self.lines

    def console_text(self) -> list[str]:
        return [line.get("message", "") for line in self.console()]

    def fallback_lines(self) -> list[str]:
        return [m for m in self.console_text() if any(marker in m for marker in V0_FALLBACK_MARKERS)]

    def describe(self, console_lines: int = 25) -> str:
        try:
            shot = self.driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "window.app.snapshot().then(done, (e) => done({error: String(e)}));")
        except Exception as exc:
            return f"{self.label}: no snapshot ({exc})"
        record = shot.get("record") or {}
        events = "\n    ".join((record.get("events") or [])[-30:])
        console = "\n    ".join(self.console_text()[-console_lines:])
        summary = {k: shot.get(k) for k in ("state", "identity", "remote", "participants", "sent", "transports")}
        return (f"{self.label}: {json.dumps(summary)}\n  errors: {record.get('errors')}\n"
                f"  events:\n    {events}\n  console:\n    {console}")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.driver.quit()
        except Exception:
            pass


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def wait_for(what: str, predicate: Callable[[], Any], timeout: float, interval: float = 0.25,
             describe: Optional[Callable[[], str]] = None) -> Any:
    return bh.wait_for(what, predicate, timeout, interval, describe)


def rising(page: SdkPage, read: Callable[[str], float], identity: str, by: float, within: float, what: str) -> None:
    """`read(identity)` grows by at least `by` within `within` seconds."""
    start = read(identity)
    wait_for(f"{page.label}: {what} from {identity} to rise by {by} (from {start})",
             lambda: read(identity) >= start + by, within, describe=page.describe)


class LoopThread:
    """An asyncio event loop running on a daemon thread; `run(coro, timeout)` waits for one
    coroutine from the calling (test) thread."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 30.0) -> Any:
        future = asyncio.run_coroutine_threadsafe(asyncio.wait_for(coro, timeout), self.loop)
        return future.result(timeout + 5)

    def close(self) -> None:
        async def drain() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self.run(drain(), 10)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
