"""Fixtures that run the built `sfu` binary on free loopback ports.

`sfu`       – a server with no test loss.
`sfu_lossy` – the same with 5 % inbound and 5 % outbound RTP loss (test-only knobs),
              so NACK/retransmission paths in both directions get exercised.
`sfu_factory(inbound_loss_percent=..., outbound_loss_percent=..., extra_toml=..., media_threads=...)` – start one
              yourself; `extra_toml` is appended to the config (whole tables such as
              `[room]` or `[webhook]`); `single_peer_connection=False` switches `/rtc/v1` off
              (it then answers 404, as before single-PC signalling). `SfuServer.restart()` stops the process and starts
              it again on the same ports, config and working directory.
`webhook_sink` – a listening webhook receiver (cp_helpers.WebhookSink) that validates every
              request with livekit-api's WebhookReceiver; `.down()` / `.up()` close and
              reopen it on the same port (while down, connections are refused).

The binary is `$SFU_BIN` if set, else <repo>/.build/debug/sfu.  A missing binary or a
server that dies or never becomes healthy fails the test with the server log attached;
nothing is skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import warnings
from pathlib import Path
from typing import Optional

import jwt
import pytest
import requests

import media  # noqa: F401  (installs the loopback-only ICE patch before any peer is created)

REPO_ROOT = Path(__file__).resolve().parents[2]
API_KEY = "devkey"
API_SECRET = "secret"
HEALTH_TIMEOUT_S = 20.0


def sfu_binary() -> Path:
    return Path(os.environ.get("SFU_BIN") or REPO_ROOT / ".build" / "debug" / "sfu")


def stop_child(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM a child we started, then SIGKILL it if it has not exited within `timeout`."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


def free_port(kind: int) -> int:
    """A port the kernel just handed out on 127.0.0.1 (SOCK_STREAM or SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mint_token(
    identity: str,
    room: Optional[str],
    *,
    can_publish: bool = False,
    can_subscribe: bool = False,
    room_join: bool = True,
    api_key: str = API_KEY,
    secret: str = API_SECRET,
    ttl: int = 600,
    not_before_offset: int = 0,
) -> str:
    """A LiveKit-style access token (HS256; claims iss/sub/nbf/exp/video)."""
    now = int(time.time())
    grant = {"roomJoin": room_join, "canPublish": can_publish, "canSubscribe": can_subscribe}
    if room is not None:
        grant["room"] = room
    claims = {
        "iss": api_key,
        "sub": identity,
        "nbf": now + not_before_offset,
        "exp": now + ttl,
        "video": grant,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns about the short dev secret
        return jwt.encode(claims, secret, algorithm="HS256")


def parse_prometheus(text: str) -> dict[str, float]:
    """Prometheus text exposition → {metric name: value summed over label sets}."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "{" in line:
            name = line[: line.index("{")]
            rest = line[line.rindex("}") + 1 :].split()
        else:
            name, *rest = line.split()
        if not rest:
            continue
        try:
            value = float(rest[0])
        except ValueError:
            continue
        values[name] = values.get(name, 0.0) + value
    return values


class SfuServer:
    """A running `sfu serve` process and helpers to talk to it."""

    def __init__(
        self,
        workdir: Path,
        inbound_loss_percent: float = 0.0,
        outbound_loss_percent: float = 0.0,
        extra_toml: str = "",
        single_peer_connection: Optional[bool] = None,
        media_threads: Optional[int] = None,
    ):
        self.http_port = free_port(socket.SOCK_STREAM)
        self.udp_port = free_port(socket.SOCK_DGRAM)
        # $SFU_TEST_NO_TCP_PORT leaves `tcp_port` out (for binaries older than ICE-TCP).
        self.tcp_port = free_port(socket.SOCK_STREAM)
        self.base_url = f"http://127.0.0.1:{self.http_port}"
        self.inbound_loss_percent = inbound_loss_percent
        self.outbound_loss_percent = outbound_loss_percent
        self.workdir = workdir
        self.config_path = workdir / "sfu.toml"
        self.log_path = workdir / "sfu.log"
        self.starts = 0
        rtc_extra = "" if single_peer_connection is None else f"single_peer_connection = {str(single_peer_connection).lower()}"
        # Unset: the server's default (one media thread per core); $SFU_TEST_MEDIA_THREADS runs the suite with another.
        if media_threads is None and os.environ.get("SFU_TEST_MEDIA_THREADS"):
            media_threads = int(os.environ["SFU_TEST_MEDIA_THREADS"])
        if media_threads is not None:
            rtc_extra += f"\nmedia_threads = {media_threads}"
        self.config_path.write_text(
            f"""[server]
bind = "127.0.0.1"
port = {self.http_port}

[rtc]
udp_port = {self.udp_port}
{"" if os.environ.get("SFU_TEST_NO_TCP_PORT") else f"tcp_port = {self.tcp_port}"}
node_ip = "127.0.0.1"
{rtc_extra}

[keys]
{API_KEY} = "{API_SECRET}"

[logging]
level = "{os.environ.get("SFU_TEST_LOG_LEVEL", "info")}"

[testing]
inbound_loss_percent = {float(inbound_loss_percent)}
outbound_loss_percent = {float(outbound_loss_percent)}
"""
            + (f"\n{extra_toml.strip()}\n" if extra_toml.strip() else "")
        )
        self.proc: Optional[subprocess.Popen] = None
        self.became_healthy = False

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> "SfuServer":
        binary = sfu_binary()
        if not binary.is_file() or not os.access(binary, os.X_OK):
            pytest.fail(
                f"sfu binary not found or not executable at {binary}; build it "
                "(swift build --product sfu) or set SFU_BIN",
                pytrace=False,
            )
        log = open(self.log_path, "ab" if self.starts else "wb")
        if self.starts:
            log.write(f"\n----- restart {self.starts} -----\n".encode())
            log.flush()
        self.starts += 1
        try:
            self.proc = subprocess.Popen(
                [str(binary), "serve", "--config", str(self.config_path)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.config_path.parent,
            )
        finally:
            log.close()
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        last_error = "no attempt"
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                pytest.fail(f"sfu exited with status {rc} before becoming healthy\n{self.log_tail()}", pytrace=False)
            try:
                response = requests.get(f"{self.base_url}/healthz", timeout=1.0)
                if response.status_code == 200:
                    self.became_healthy = True
                    return
                last_error = f"HTTP {response.status_code}"
            except requests.RequestException as exc:
                last_error = repr(exc)
            time.sleep(0.1)
        self.stop()
        pytest.fail(
            f"sfu not healthy after {HEALTH_TIMEOUT_S}s (last: {last_error})\n{self.log_tail()}", pytrace=False
        )

    def stop(self) -> Optional[int]:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            # The first SIGTERM drains (calls carry on); a node left with no participant stops
            # within a second, and a second SIGTERM stops it at once.
            self.proc.terminate()
            try:
                self.proc.wait(timeout=1.5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=5)
        return self.proc.returncode

    def restart(self, graceful: bool = True) -> "SfuServer":
        """Stop the process (SIGTERM, or SIGKILL when not `graceful`) and start it again with
        the same config, ports and working directory; waits until healthy again."""
        if self.proc is not None and self.proc.poll() is None:
            if graceful:
                self.stop()
            else:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.became_healthy = False
        return self.start()

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"----- sfu log ({self.log_path}) -----\n{tail}\n-----"

    # -- helpers -----------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def token(self, identity: str, room: Optional[str], **grants) -> str:
        return mint_token(identity, room, **grants)

    def publisher_token(self, room: str, identity: str = "publisher") -> str:
        return mint_token(identity, room, can_publish=True)

    def viewer_token(self, room: str, identity: str = "viewer") -> str:
        return mint_token(identity, room, can_subscribe=True)

    def healthy(self) -> bool:
        try:
            return requests.get(self.url("/healthz"), timeout=2.0).status_code == 200
        except requests.RequestException:
            return False

    def metrics(self) -> dict[str, float]:
        response = requests.get(self.url("/metrics"), timeout=5.0)
        assert response.status_code == 200, f"/metrics -> {response.status_code}"
        return parse_prometheus(response.text)

    def metric(self, name: str) -> float:
        return self.metrics().get(name, 0.0)


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def sfu_factory(request, tmp_path):
    servers: list[SfuServer] = []

    def start(
        inbound_loss_percent: float = 0.0, outbound_loss_percent: float = 0.0, extra_toml: str = "",
        single_peer_connection: Optional[bool] = None, media_threads: Optional[int] = None,
    ) -> SfuServer:
        workdir = tmp_path / f"sfu{len(servers)}"
        workdir.mkdir()
        server = SfuServer(workdir, inbound_loss_percent, outbound_loss_percent, extra_toml, single_peer_connection,
                           media_threads)
        servers.append(server)
        return server.start()

    yield start

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for server in servers:
        crashed = server.became_healthy and server.proc.poll() is not None
        server.stop()
        if failed or crashed:
            print(server.log_tail())
        if crashed and not failed:
            pytest.fail(f"sfu died during the test (status {server.proc.returncode})\n{server.log_tail()}")


@pytest.fixture
def sfu(sfu_factory) -> SfuServer:
    return sfu_factory()


@pytest.fixture
def sfu_lossy(sfu_factory) -> SfuServer:
    return sfu_factory(inbound_loss_percent=5.0, outbound_loss_percent=5.0)


@pytest.fixture
def webhook_sink():
    """A webhook receiver on a reserved loopback port, listening; closed after the test."""
    import cp_helpers  # here, not at the top: cp_helpers imports this module

    sink = cp_helpers.WebhookSink().up()
    yield sink
    sink.close()


@pytest.fixture
def moto_s3(tmp_path):
    """moto's S3 server on a free loopback port, bootstrapped (IAM user + keys with s3:*,
    bucket `recordings`) and enforcing SigV4 from then on (egress_helpers.MotoS3)."""
    import egress_helpers  # here, not at the top: egress_helpers imports this module

    server = egress_helpers.MotoS3(tmp_path).start()
    try:
        server.bootstrap()
        yield server
    finally:
        server.stop()
