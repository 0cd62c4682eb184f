"""A network namespace where UDP cannot reach the server, for the ICE-TCP test (issue 12).

`UdpBlockedNamespace` creates a namespace of its own (`ip netns add`; only `lo`, brought up)
and, for each server TCP port it is given, a forwarder: a child process (this module, run as
`python netns_helpers.py forward NAMESPACE PORT...`) that listens on 127.0.0.1:PORT *inside*
the namespace and relays each connection to 127.0.0.1:PORT in the test's own namespace.
The namespace also holds one end of a veth pair with a private address, because libwebrtc
does not gather candidates on loopback alone; nothing is routed over it.
A participant started in the namespace (`ip netns exec`) reaches the server's signalling and
its ICE-TCP port through them, but its UDP has nowhere to go: 127.0.0.1 in there is the
namespace's own loopback, where nothing listens on the media port. The namespace and the
forwarder are removed by `close()` (forwarder by its PID)."""

from __future__ import annotations

import asyncio
import ctypes
import os
import subprocess
import sys
import time
import uuid
from typing import Optional

CLONE_NEWNET = 0x40000000


def namespaces_available() -> bool:
    """Whether this process may create network namespaces (root, `ip` present)."""
    return os.geteuid() == 0 and subprocess.run(["ip", "-V"], capture_output=True).returncode == 0


class UdpBlockedNamespace:
    def __init__(self, tcp_ports: list[int]):
        self.name = "sfu-udpless-" + uuid.uuid4().hex[:8]
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        self.forwarder: Optional[subprocess.Popen] = None
        # libwebrtc gathers only on interfaces other than loopback: the namespace gets one end
        # of a veth pair with an address of its own (the other end stays in ours, with none).
        # Nothing is routed between them; every target is still 127.0.0.1.
        self.veth = "sfuv" + self.name[-8:]
        try:
            subprocess.run(["ip", "-n", self.name, "link", "set", "lo", "up"], check=True)
            subprocess.run(["ip", "link", "add", self.veth, "type", "veth", "peer", "name", "inner", "netns", self.name],
                           check=True)
            subprocess.run(["ip", "-n", self.name, "addr", "add", "10.231.0.2/24", "dev", "inner"], check=True)
            subprocess.run(["ip", "-n", self.name, "link", "set", "inner", "up"], check=True)
            subprocess.run(["ip", "link", "set", self.veth, "up"], check=True)
            self.forwarder = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "forward", self.name, *map(str, tcp_ports)],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            ready = self.forwarder.stdout.readline().decode().strip()
            assert ready == "ready", f"forwarder did not start: {ready!r}"
        except BaseException:
            self.close()
            raise

    def exec_prefix(self) -> list[str]:
        return ["ip", "netns", "exec", self.name]

    def close(self) -> None:
        if self.forwarder is not None:
            from conftest import stop_child  # here: the forwarder child imports this module too
            stop_child(self.forwarder, 5)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)  # removes its veth end
        subprocess.run(["ip", "link", "del", self.veth], capture_output=True)  # and ours, if still there


# -- the forwarder child ------------------------------------------------------------------

def _enter(namespace_fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(namespace_fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns failed")


async def _relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def _forward(namespace: str, ports: list[int]) -> None:
    import socket

    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    inside = os.open(f"/var/run/netns/{namespace}", os.O_RDONLY)
    listeners = []
    _enter(inside)  # the listening sockets are made inside the namespace ...
    for port in ports:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(64)
        sock.setblocking(False)
        listeners.append((port, sock))
    _enter(own)  # ... and the connections to the server outside it.

    def handler(port: int):
        async def handle(reader, writer):
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(_relay(reader, up_writer), _relay(up_reader, writer))
        return handle

    servers = [await asyncio.start_server(handler(port), sock=sock) for port, sock in listeners]
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "forward":
        sys.exit("usage: netns_helpers.py forward NAMESPACE PORT...")
    asyncio.run(_forward(sys.argv[2], [int(p) for p in sys.argv[3:]]))
