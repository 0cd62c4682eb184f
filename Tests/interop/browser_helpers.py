"""Helpers for driving the built-in room page (Sources/Server/Web) in Debian's Chromium.

* `launch_chromium()`: headless Chromium through chromium-driver with a fake camera and
  microphone, permission prompts auto-accepted, autoplay allowed, and WebRTC allowed to use
  the loopback interface (the server's only ICE candidate is 127.0.0.1);
* `RoomPage`: one browser on the page: join through the form, read `window.__stats()`,
  the dominant audio frequency and mean video colour of a participant, take a screenshot;
* `WebOverlay`: serves `/` and `/web/<file>` from the Web folder on disk and relays every
  other connection (HTTP and the `/rtc` WebSocket) to the server. Set
  `BROWSER_WEB_FROM_DISK=1` to test page edits against a binary that bundles older files.

Everything is bounded in time; a missing browser or driver fails the test, nothing skips.
"""

from __future__ import annotations

import os
import socket
import socketserver
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from conftest import REPO_ROOT

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
WEB_DIR = REPO_ROOT / "Sources" / "Server" / "Web"
SCREENSHOT = REPO_ROOT / "docs" / "room-page.png"

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # the tests run as root
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--mute-audio",  # decode and play, but not to a sound card
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--window-size=1280,800",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
)


def launch_chromium() -> webdriver.Chrome:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).is_file() and os.access(path, os.X_OK)):
            pytest.fail(f"{path} missing: run scripts/setup-browser.sh (Debian chromium + chromium-driver)", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(10)
    return driver


def wait_for(what: str, predicate: Callable[[], Any], timeout: float, interval: float = 0.25,
             describe: Optional[Callable[[], str]] = None) -> Any:
    """Polls `predicate` until it returns something truthy; fails with `what` (and
    `describe()`) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = f"\n{describe()}" if describe else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}{detail}")
        time.sleep(interval)


class RoomPage:
    """One Chromium on the room page."""

    def __init__(self, label: str):
        self.label = label
        self.driver = launch_chromium()
        self.identity = ""
        self.closed = False

    def open(self, base_url: str) -> "RoomPage":
        self.driver.get(f"{base_url}/")
        wait_for(f"{self.label}: page script", lambda: self.driver.execute_script("return typeof window.__stats === 'function'"), 10)
        return self

    def submit(self, room: str = "", name: str = "", token: str = "") -> "RoomPage":
        """Fills the join form (room and name need dev mode; a token goes in the token box)
        and clicks Join, without waiting for the outcome."""
        find = self.driver.find_element
        wait_for(f"{self.label}: dev-mode form", lambda: find(By.ID, "dev-fields").is_displayed(), 10)
        for field, value in (("room", room), ("name", name)):
            find(By.ID, field).clear()
            find(By.ID, field).send_keys(value)
        self.driver.execute_script(
            "document.getElementById('token-fields').open = true; document.getElementById('token').value = arguments[0];",
            token,
        )
        find(By.ID, "join-button").click()
        return self

    def join(self, room: str, name: str, timeout: float = 20.0) -> "RoomPage":
        """Joins `room` as `name` through the dev-mode form; waits until joined and publishing."""
        self.submit(room, name)
        wait_for(f"{self.label}: joined and publishing", self._publishing, timeout, describe=self.describe)
        self.identity = self.stats()["identity"]
        return self

    def wait_phase(self, phase: str, timeout: float) -> dict:
        """Waits until the page is in `phase` (idle, connecting, connected, reconnecting, failed)."""
        return wait_for(f"{self.label}: phase {phase}",
                        lambda: (lambda s: s if s["phase"] == phase else None)(self.stats()), timeout,
                        describe=self.describe)

    def text(self, element_id: str) -> str:
        return self.driver.execute_script("return document.getElementById(arguments[0]).textContent;", element_id)

    def visible(self, element_id: str) -> bool:
        return self.driver.find_element(By.ID, element_id).is_displayed()

    def click(self, element_id: str) -> None:
        self.driver.find_element(By.ID, element_id).click()

    def _publishing(self) -> bool:
        stats = self.stats()
        if stats["phase"] == "failed":
            raise AssertionError(f"{self.label}: join failed: {stats['error']}\n{self.describe()}")
        return stats["phase"] == "connected" and any(layer["packetsSent"] > 0 for layer in stats["sent"])

    def stats(self) -> dict:
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.__stats().then(done, (e) => done({phase: 'error', error: String(e), tiles: [], remote: {}, sent: [], events: []}));"
        )

    def remote(self, identity: str) -> dict:
        return self.stats()["remote"].get(identity) or {}

    def video_frames(self, identity: str) -> int:
        return (self.remote(identity).get("video") or {}).get("framesDecoded", 0)

    def audio_samples(self, identity: str) -> int:
        return (self.remote(identity).get("audio") or {}).get("totalSamplesReceived", 0)

    def frequency(self, identity: str) -> float:
        return float(self.driver.execute_script("return window.__frequency(arguments[0]);", identity) or 0.0)

    def colour(self, identity: str) -> Optional[list]:
        return self.driver.execute_script("return window.__colour(arguments[0]);", identity)

    def tiles(self) -> list:
        return self.stats()["tiles"]

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        assert self.driver.save_screenshot(str(path)), f"screenshot to {path} failed"

    def describe(self) -> str:
        try:
            stats = self.stats()
            logs = [entry["message"] for entry in self.driver.get_log("browser")][-15:]
        except WebDriverException as exc:
            return f"{self.label}: no stats ({exc.msg})"
        events = "\n  ".join(stats.get("events", []))
        console = "\n  ".join(logs)
        return (f"{self.label} ({stats.get('identity')}): phase {stats.get('phase')}, error {stats.get('error')!r}, "
                f"tiles {stats.get('tiles')}, remote {stats.get('remote')}, sent {stats.get('sent')}\n"
                f"  events:\n  {events}\n  console:\n  {console}")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            # Close the window the way a user does (the page's pagehide handler says `leave`),
            # then end the browser.
            self.driver.close()
        except Exception:
            pass
        try:
            self.driver.quit()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# serve the Web folder from disk in front of the server
# ---------------------------------------------------------------------------


class _OverlayHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(30)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                return
            head += chunk
            if len(head) > 65536:
                return
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split()
        path = parts[1].split("?", 1)[0] if len(parts) > 1 else ""
        if parts and parts[0] == "GET" and (path == "/" or path.startswith("/web/")):
            self.serve_file("index.html" if path == "/" else path[len("/web/"):])
            return
        self.relay(head)

    def serve_file(self, name: str) -> None:
        file = WEB_DIR / name
        types = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
        if "/" in name or name.startswith(".") or not file.is_file():
            body, status, ctype = b"not found", "404 Not Found", "text/plain"
        else:
            body, status, ctype = file.read_bytes(), "200 OK", types.get(file.suffix, "application/octet-stream")
        self.request.sendall(
            f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            f"Cache-Control: no-cache\r\nConnection: close\r\n\r\n".encode() + body
        )

    def relay(self, head: bytes) -> None:
        if b"upgrade: websocket" not in head.lower():
            # One request per relayed connection, so the next page file is served from disk.
            lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
            head = b"\r\n".join(lines[:1] + [b"Connection: close"] + lines[1:])
        upstream = socket.create_connection(self.server.target, timeout=10)
        upstream.settimeout(None)
        self.request.settimeout(None)
        upstream.sendall(head)

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        back = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
        back.start()
        pump(self.request, upstream)
        back.join(5)
        upstream.close()


class WebOverlay(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target_port: int):
        super().__init__(("127.0.0.1", 0), _OverlayHandler)
        self.target = ("127.0.0.1", target_port)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def page_base_url(sfu) -> tuple[str, Optional[WebOverlay]]:
    """Where the browsers open the page: the server itself, or (BROWSER_WEB_FROM_DISK=1)
    an overlay that serves the Web folder from disk in front of it."""
    if os.environ.get("BROWSER_WEB_FROM_DISK") == "1":
        overlay = WebOverlay(sfu.http_port)
        return overlay.url, overlay
    return sfu.base_url, None

