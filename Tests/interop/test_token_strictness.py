"""Issue 11, strict tokens and reasons on WebSocket refusals.

- A valid HMAC-SHA256 signature used to be accepted under any `alg` header (RS256, ES256,
  none, xyz, or none at all) and an unknown `kid` was ignored: only HS256 is accepted now, and
  a `kid`, when present, must name the API key of the token.
- An empty identity (`sub: ""`) used to join; LiveKit refuses it (400 "identity cannot be
  empty"). Server-API tokens (Twirp) need no identity.
- Refused upgrades on `/rtc`, `/rtc/v1` and `/agent` used to be 400 with an empty body: they
  are 401 (the token does not verify) or 403 (it lacks the grant), with the reason, as
  `/rtc/validate` gives it, and counted in /metrics.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import aiohttp
import pytest
import requests
from livekit import rtc

import cp_helpers as cp
import lk_helpers as lk
from conftest import API_KEY, API_SECRET

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_signed(header: dict, claims: dict, secret: str = API_SECRET) -> str:
    """A JWT with this exact header, always signed with HMAC-SHA256 whatever `alg` says."""
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def join_claims(identity: str = "alice", room: str = "strict", **video) -> dict:
    now = int(time.time())
    grant = {"roomJoin": True, "room": room, "canPublish": True, "canSubscribe": True, **video}
    return {"iss": API_KEY, "sub": identity, "nbf": now, "exp": now + 600, "video": grant}


def validate(sfu, token: str, path: str = "/rtc/validate") -> tuple[int, str]:
    response = requests.get(sfu.url(path), params={"access_token": token}, timeout=5)
    return response.status_code, response.text


async def upgrade(sfu, path: str, token: str, query: str = "") -> tuple[int, str]:
    """A WebSocket upgrade → (status, body) of the refusal; (101, "") when it upgrades."""
    async with aiohttp.ClientSession() as session:
        try:
            ws = await session.ws_connect(
                f"ws://127.0.0.1:{sfu.http_port}{path}{query}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=aiohttp.ClientWSTimeout(ws_receive=5),
            )
        except aiohttp.WSServerHandshakeError as error:
            return error.status, error.message
        await ws.close()
        return 101, ""


async def upgrade_raw(sfu, path: str, token: str) -> tuple[int, str]:
    """The refusal's status and body, read off the socket (aiohttp keeps no body)."""
    reader, writer = await lk.asyncio.open_connection("127.0.0.1", sfu.http_port)
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    data = await lk.asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body.decode(errors="replace")


BAD_HEADERS = {
    "RS256": {"alg": "RS256", "typ": "JWT"},
    "ES256": {"alg": "ES256", "typ": "JWT"},
    "none": {"alg": "none", "typ": "JWT"},
    "xyz": {"alg": "xyz", "typ": "JWT"},
    "no-alg": {"typ": "JWT"},
    "HS384": {"alg": "HS384", "typ": "JWT"},
    "unknown-kid": {"alg": "HS256", "typ": "JWT", "kid": "not-a-key"},
}


@pytest.mark.parametrize("case", list(BAD_HEADERS))
def test_only_hs256_and_a_known_kid_are_accepted(sfu, case):
    token = hs256_signed(BAD_HEADERS[case], join_claims())
    status, reason = validate(sfu, token)
    assert status == 401, f"{case}: /rtc/validate -> {status} {reason!r}"
    assert reason.strip(), f"{case}: no reason"
    # the server API refuses it too
    admin = hs256_signed(BAD_HEADERS[case], {**join_claims(identity=""), "video": {"roomList": True}})
    response = cp.twirp_post(sfu, cp.ROOM_SERVICE, "ListRooms", {}, token=admin)
    assert response.status_code == 401, f"{case}: ListRooms -> {response.status_code} {response.text!r}"


def test_hs256_with_the_right_kid_and_without_kid_is_accepted(sfu):
    for header in ({"alg": "HS256", "typ": "JWT"}, {"alg": "HS256", "typ": "JWT", "kid": API_KEY}, {"alg": "HS256"}):
        status, reason = validate(sfu, hs256_signed(header, join_claims()))
        assert status == 200, f"{header}: /rtc/validate -> {status} {reason!r}"


def test_empty_identity_may_not_join_but_may_call_the_server_api(sfu):
    token = hs256_signed({"alg": "HS256", "typ": "JWT"}, join_claims(identity=""))
    status, reason = validate(sfu, token)
    assert status == 400 and "identity" in reason, f"/rtc/validate -> {status} {reason!r}"
    missing = join_claims()
    del missing["sub"]
    status, reason = validate(sfu, hs256_signed({"alg": "HS256", "typ": "JWT"}, missing))
    assert status == 400 and "identity" in reason, f"/rtc/validate without sub -> {status} {reason!r}"

    async def body():
        assert await upgrade_raw(sfu, "/rtc", token) == (400, reason)
        peer = lk.Peer("")
        with pytest.raises(rtc.ConnectError) as info:
            await peer.connect(lk.lk_url(sfu), token, timeout=20)
        assert "identity" in info.value.message, info.value.message

    lk.run_bounded(body(), 30)
    response = cp.twirp_post(sfu, cp.ROOM_SERVICE, "ListRooms", {}, token=cp.server_token(room_list=True))
    assert response.status_code == 200, response.text


def test_upgrade_refusals_carry_status_and_reason(sfu):
    bad_signature = hs256_signed({"alg": "HS256", "typ": "JWT"}, join_claims(), secret="not-the-secret")
    no_join = hs256_signed({"alg": "HS256", "typ": "JWT"}, join_claims(roomJoin=False))
    agentless = hs256_signed({"alg": "HS256", "typ": "JWT"}, join_claims())
    expired = hs256_signed({"alg": "HS256", "typ": "JWT"}, {**join_claims(), "exp": int(time.time()) - 3600})

    async def body():
        before = sfu.metric("sfu_signal_upgrades_refused_total")
        cases = [
            ("/rtc", bad_signature, 401, "signature"),
            ("/rtc", expired, 401, "expired"),
            ("/rtc", no_join, 403, "roomJoin"),
            ("/rtc", "", 401, "token"),
            ("/rtc/v1", bad_signature, 401, "signature"),
            ("/rtc/v1", no_join, 403, "roomJoin"),
            ("/agent", bad_signature, 401, "signature"),
            ("/agent", agentless, 403, "agent"),
        ]
        for path, token, status, word in cases:
            got, reason = await upgrade_raw(sfu, path, token)
            assert got == status, f"{path}: upgrade -> {got} {reason!r}, expected {status}"
            assert word in reason, f"{path}: reason {reason!r} lacks {word!r}"
            got, _ = await upgrade(sfu, path, token)
            assert got == status, f"{path}: aiohttp upgrade -> {got}"
        # the same reason as /rtc/validate gives
        _, validate_reason = validate(sfu, no_join)
        assert (await upgrade_raw(sfu, "/rtc", no_join))[1] == validate_reason
        after = sfu.metric("sfu_signal_upgrades_refused_total")
        assert after - before >= 2 * len(cases) + 1, (before, after)

    lk.run_bounded(body(), 60)


def test_agent_with_the_grant_still_upgrades(sfu):
    now = int(time.time())
    token = hs256_signed(
        {"alg": "HS256", "typ": "JWT"},
        {"iss": API_KEY, "sub": "", "nbf": now, "exp": now + 600, "video": {"agent": True}},
    )

    async def body():
        assert (await upgrade(sfu, "/agent", token))[0] == 101

    lk.run_bounded(body(), 20)
