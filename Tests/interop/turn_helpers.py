"""coturn (Debian's `turnserver`) on loopback for the TURN tests (issue 12).

`Coturn` starts one relay on free 127.0.0.1 ports with the TURN REST scheme on
(`--use-auth-secret --static-auth-secret`), relay addresses on 127.0.0.1 as well and
`--allow-loopback-peers` (coturn refuses loopback peers by default, and our server is one),
no TLS/DTLS listeners, no CLI, no other interface. It logs to a file in the test's
directory, which the tests read for allocations and 401s, and is stopped by its PID."""

from __future__ import annotations

import base64
import hashlib
import hmac
import shutil
import socket
import subprocess
import time
from pathlib import Path

from conftest import free_port, stop_child


def rest_credential(secret: str, identity: str, expiry: int) -> tuple[str, str]:
    """coturn's REST credential: username "<expiry>:<identity>", base64 HMAC-SHA1 password."""
    username = f"{expiry}:{identity}"
    password = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
    return username, password


class Coturn:
    def __init__(self, workdir: Path, secret: str, realm: str = "sfu.test"):
        binary = shutil.which("turnserver")
        assert binary, "coturn's turnserver is not installed (scripts/setup.sh --test installs it)"
        self.secret, self.realm = secret, realm
        self.port = free_port(socket.SOCK_DGRAM)
        low = 40000 + (self.port % 20000)
        self.relay_ports = (low, low + 200)
        self.log_path = workdir / "turnserver.log"
        self.process = subprocess.Popen(
            [binary, "-n", "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1",
             "--listening-port", str(self.port), "--min-port", str(self.relay_ports[0]),
             "--max-port", str(self.relay_ports[1]), "--use-auth-secret", "--static-auth-secret", secret,
             "--realm", realm, "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls",
             "--fingerprint", "--no-software-attribute", "--db", str(workdir / "turndb"),
             "--pidfile", str(workdir / "turnserver.pid"), "--log-file", str(self.log_path), "--simple-log",
             "--verbose"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            self._wait_listening()
        except BaseException:
            self.stop()
            raise

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"turnserver exited:\n{self.log_text()[-2000:]}"
            if self.log_path.exists() and "UDP listener opened on: 127.0.0.1:%d" % self.port in self.log_text():
                return
            time.sleep(0.1)
        raise AssertionError(f"turnserver did not open 127.0.0.1:{self.port}:\n{self.log_text()[-2000:]}")

    def url(self, transport: str = "udp") -> str:
        return f"turn:127.0.0.1:{self.port}?transport={transport}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        stop_child(self.process, 10)
