"""Self-check of the control-plane helpers with no server: the webhook sink validates what
LiveKit's signing produces and refuses what it must, refuses connections while down without
losing its port, and the ordering helper finds (and misses) subsequences."""

import json
import socket
import time

import pytest
import requests
from livekit import api

import cp_helpers as cp

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def webhook_body(event: str, room: str, event_id: str, identity: str = "") -> str:
    body = {"event": event, "room": {"name": room, "sid": "RM_x"}, "id": event_id, "createdAt": str(int(time.time()))}
    if identity:
        body["participant"] = {"identity": identity, "sid": "PA_x"}
    return json.dumps(body)


def post(sink, body: str, authorization: str, content_type: str = "application/webhook+json") -> int:
    headers = {"Content-Type": content_type, "Authorization": authorization}
    return requests.post(sink.url, data=body.encode(), headers=headers, timeout=5).status_code


def test_sink_validates_signed_webhooks_and_records_bad_ones(webhook_sink):
    good = webhook_body("participant_joined", "r1", "EV_1", "alice")
    assert post(webhook_sink, good, cp.sign_webhook(good)) == 200
    tampered = webhook_body("participant_joined", "r1", "EV_2", "mallory")
    assert post(webhook_sink, tampered, cp.sign_webhook(good)) == 200  # hash of another body
    assert post(webhook_sink, good, cp.sign_webhook(good, secret="wrong")) == 200
    assert post(webhook_sink, good, "Bearer " + cp.sign_webhook(good)) == 200  # LiveKit sends no Bearer prefix

    deliveries = webhook_sink.snapshot()
    assert len(deliveries) == 4
    assert deliveries[0].event is not None and deliveries[0].error is None
    assert deliveries[0].event.event == "participant_joined" and deliveries[0].event.participant.identity == "alice"
    assert deliveries[0].content_type == "application/webhook+json" and deliveries[0].path == "/hook"
    assert [d.event is None for d in deliveries] == [False, True, True, True]
    assert "hash mismatch" in deliveries[1].error
    assert [e.id for e in webhook_sink.events()] == ["EV_1"]


def test_sink_down_refuses_connections_and_keeps_its_port(webhook_sink):
    port = webhook_sink.port
    webhook_sink.down()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with socket.socket() as other, pytest.raises(OSError):
        other.bind(("127.0.0.1", port))  # reserved while down
    webhook_sink.up()
    assert webhook_sink.port == port
    body = webhook_body("room_started", "r2", "EV_9")
    assert post(webhook_sink, body, cp.sign_webhook(body)) == 200
    assert [e.id for e in webhook_sink.events()] == ["EV_9"]


def test_sink_deduplicates_by_id_and_order_helper_checks_subsequences(webhook_sink):
    bodies = [
        webhook_body("room_started", "r", "EV_a"),
        webhook_body("participant_joined", "r", "EV_b", "alice"),
        webhook_body("participant_joined", "r", "EV_b", "alice"),  # an at-least-once retry
        webhook_body("track_published", "r", "EV_c", "alice"),
        webhook_body("participant_left", "r", "EV_d", "alice"),
        webhook_body("room_finished", "r", "EV_e"),
    ]
    for body in bodies:
        assert post(webhook_sink, body, cp.sign_webhook(body)) == 200
    assert len(webhook_sink.events()) == 6
    unique = webhook_sink.unique_events()
    assert [e.id for e in unique] == ["EV_a", "EV_b", "EV_c", "EV_d", "EV_e"]
    assert [e.event for e in webhook_sink.for_room("r")][0] == "room_started"
    cp.assert_in_order(unique, [cp.has("room_started"), cp.has("participant_joined", identity="alice"), cp.has("room_finished")], "ok")
    with pytest.raises(AssertionError):
        cp.assert_in_order(unique, [cp.has("room_finished"), cp.has("room_started")], "reversed")
    with pytest.raises(AssertionError):
        cp.assert_in_order(unique, [cp.has("participant_joined"), cp.has("participant_joined")], "only one join")
    assert isinstance(unique[0], api.WebhookEvent)
