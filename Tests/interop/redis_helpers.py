"""A `redis-server` (Debian's) on a free loopback port, started and stopped by PID, and
`redis-cli` to read what the nodes wrote."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Optional

import pytest

from conftest import free_port


def make_tls_files(workdir: Path, name: str = "ca") -> dict[str, Path]:
    """A throwaway CA and a server certificate it signed for 127.0.0.1 / localhost (openssl CLI)."""
    files = {k: workdir / f"{name}-{k}.pem" for k in ("ca", "ca-key", "cert", "key")}
    csr, ext = workdir / f"{name}-server.csr", workdir / f"{name}-san.ext"
    ext.write_text("subjectAltName = IP:127.0.0.1, DNS:localhost\n")
    steps = [
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN=test {name} CA",
         "-keyout", files["ca-key"], "-out", files["ca"]],
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", files["key"], "-out", csr],
        ["openssl", "x509", "-req", "-in", csr, "-CA", files["ca"], "-CAkey", files["ca-key"], "-CAcreateserial",
         "-days", "2", "-extfile", ext, "-out", files["cert"]],
    ]
    for step in steps:
        subprocess.run([str(a) for a in step], check=True, capture_output=True, timeout=30)
    return files


class RedisServer:
    def __init__(self, workdir: Path, port: Optional[int] = None, tls: Optional[dict[str, Path]] = None):
        self.tls = tls
        if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
            pytest.fail("redis-server / redis-cli missing: scripts/setup.sh installs Debian's redis-server", pytrace=False)
        self.port = port or free_port(socket.SOCK_STREAM)
        self.workdir = workdir
        self.log_path = workdir / f"redis-{self.port}.log"
        self.proc: Optional[subprocess.Popen] = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "RedisServer":
        listen = ["--port", str(self.port)]
        if self.tls:
            listen = ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(self.tls["cert"]),
                      "--tls-key-file", str(self.tls["key"]), "--tls-ca-cert-file", str(self.tls["ca"]),
                      "--tls-auth-clients", "no"]
        self.proc = subprocess.Popen(
            ["redis-server", *listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.cli("PING") == "PONG":
                    return self
            except subprocess.SubprocessError:
                pass
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"redis-server did not answer on {self.port}", pytrace=False)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def cli(self, *args: str) -> str:
        tls = ["--tls", "--cacert", str(self.tls["ca"])] if self.tls else []
        done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *tls, *args],
                              capture_output=True, text=True, timeout=5)
        return done.stdout.strip()

    def hash(self, key: str) -> dict[str, str]:
        lines = self.cli("HGETALL", key).splitlines()
        return dict(zip(lines[0::2], lines[1::2]))

    def live_nodes(self) -> dict[str, dict[str, str]]:
        """Node records whose hash has not expired, by node id."""
        nodes = {}
        for node_id in self.cli("ZRANGE", "sfu:nodes", "0", "-1").splitlines():
            record = self.hash(f"sfu:node:{node_id}")
            if record:
                nodes[node_id] = record
        return nodes

    def node_at(self, sfu) -> Optional[dict[str, str]]:
        for record in self.live_nodes().values():
            if record.get("http") == f"127.0.0.1:{sfu.http_port}":
                return record
        return None
