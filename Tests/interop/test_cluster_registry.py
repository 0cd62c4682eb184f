"""Nodes of one deployment register in Redis (issue 10 part 1): each `sfu` with `[redis]`
writes its record (where to reach it, rooms, participants, CPU, draining) every second with
a TTL; a node killed with SIGKILL drops out within a few seconds, a clean stop at once, a
draining node says so at once, and a Redis restart is survived (the nodes write themselves
again). A real `redis-server` and real SDK participants."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

import lk_helpers as lk
import media
from redis_helpers import RedisServer, make_tls_files


def wait_for(predicate, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


def redis_toml(redis: RedisServer) -> str:
    return f'[redis]\naddress = "{redis.address}"\n'


def test_nodes_register_report_load_and_drop_out(redis, sfu_factory):
    a = sfu_factory(extra_toml=redis_toml(redis))
    b = sfu_factory(extra_toml=redis_toml(redis))
    assert wait_for(lambda: redis.node_at(a) is not None and redis.node_at(b) is not None, 10), redis.live_nodes()
    record = redis.node_at(a)
    assert record["id"].startswith("ND_") and record["id"] != redis.node_at(b)["id"]
    assert record["media"] == f"127.0.0.1:{a.udp_port}"
    assert record["draining"] == "0"
    ttl = int(redis.cli("PTTL", f"sfu:node:{record['id']}"))
    assert 0 < ttl <= 5000, ttl

    async def call():
        peers = [lk.Peer("caller"), lk.Peer("agent")]
        try:
            for peer in peers:
                await peer.connect(lk.lk_url(a), lk.lk_token(peer.identity, "registered-room"))
            # The heartbeat carries the load within a couple of seconds.
            assert await media.wait_until(lambda: redis.node_at(a).get("participants") == "2", 6.0), redis.node_at(a)
            assert redis.node_at(a)["rooms"] == "1"
            assert redis.node_at(b)["participants"] == "0"
            # SIGTERM on b (no call there): it says so, then leaves the deployment at once.
            b.proc.send_signal(signal.SIGTERM)
            assert await media.wait_until(lambda: redis.node_at(b) is None, 6.0), redis.live_nodes()
            assert b.proc.wait(timeout=10) == 0
            b.became_healthy = False
        finally:
            await lk.disconnect_all(peers)

    lk.run_bounded(call(), 60)

    # Redis restarts empty: the node writes itself again.
    port = redis.port
    redis.stop()
    redis.__init__(redis.workdir, port)
    redis.start()
    assert wait_for(lambda: redis.node_at(a) is not None, 10), "node did not re-register after a Redis restart"

    # SIGKILL: no goodbye, the record expires within the TTL.
    a.proc.kill()
    a.proc.wait(timeout=5)
    a.became_healthy = False
    started = time.monotonic()
    assert wait_for(lambda: redis.node_at(a) is None, 10), redis.live_nodes()
    assert time.monotonic() - started < 7.5


def test_a_draining_node_says_so(redis, sfu_factory):
    node = sfu_factory(extra_toml=redis_toml(redis))
    assert wait_for(lambda: redis.node_at(node) is not None, 10)

    async def body():
        peer = lk.Peer("stays")
        try:
            await peer.connect(lk.lk_url(node), lk.lk_token("stays", "drain-visible"))
            node.proc.send_signal(signal.SIGTERM)
            assert await media.wait_until(lambda: (redis.node_at(node) or {}).get("draining") == "1", 3.0), redis.live_nodes()
        finally:
            await peer.disconnect()

    lk.run_bounded(body(), 30)
    assert node.proc.wait(timeout=15) == 0
    node.became_healthy = False
    assert wait_for(lambda: redis.node_at(node) is None, 3)


def test_a_node_joins_over_tls_and_refuses_a_server_it_cannot_verify(tmp_path, sfu_factory):
    """`[redis] tls = true`: the node verifies Redis's certificate against `ca_file`."""
    trusted = make_tls_files(tmp_path, "trusted")
    stranger = make_tls_files(tmp_path, "stranger")
    server = RedisServer(tmp_path, tls=trusted).start()
    try:
        def toml(ca) -> str:
            return f'[redis]\naddress = "{server.address}"\ntls = true\nca_file = "{ca}"\n'

        good = sfu_factory(extra_toml=toml(trusted["ca"]))
        assert wait_for(lambda: server.node_at(good) is not None, 10), server.live_nodes()
        # Another CA's node never gets in, and says why in its log.
        bad = sfu_factory(extra_toml=toml(stranger["ca"]))
        time.sleep(3)
        assert server.node_at(bad) is None, server.live_nodes()
        assert len(server.live_nodes()) == 1
        log = bad.log_path.read_text()
        assert "CERTIFICATE_VERIFY_FAILED" in log, log[-2000:]
    finally:
        server.stop()
