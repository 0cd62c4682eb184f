"""Cross-origin access as a LiveKit server allows it (PROTOCOL.md §12, livekit/livekit
`pkg/service/server.go`): a web app on its own origin reads `/rtc/validate`,
`/rtc/v1/validate` and `/twirp/…` with `fetch`, so every answer, errors and unknown paths
included, carries `Access-Control-Allow-Origin`, and `OPTIONS` preflights are answered with
the methods LiveKit allows, the requested headers echoed (a `*` does not cover
`Authorization`) and a one-day max-age. Plain HTTP requests, as a browser would send them.
"""

import pytest
import requests

import lk_helpers as lk

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

ORIGIN = "http://127.0.0.1:5173"
METHODS = {"OPTIONS", "HEAD", "GET", "POST", "PATCH", "DELETE"}
PATHS = ("/rtc/validate", "/rtc/v1/validate", "/twirp/livekit.RoomService/ListRooms", "/no/such/path", "/healthz")


def preflight(sfu, path: str, method: str, headers: str) -> requests.Response:
    return requests.options(sfu.url(path), timeout=5, headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers})


@pytest.mark.parametrize("path", PATHS)
def test_preflight_allows_livekits_methods_and_the_requested_headers(sfu, path):
    method = "POST" if path.startswith("/twirp/") else "GET"
    response = preflight(sfu, path, method, "authorization,content-type,x-livekit-request-id")
    assert response.status_code in (200, 204), (response.status_code, response.text)
    h = response.headers
    assert h.get("Access-Control-Allow-Origin") in (ORIGIN, "*"), dict(h)
    assert {m.strip() for m in h.get("Access-Control-Allow-Methods", "").split(",")} >= METHODS, dict(h)
    allowed = {x.strip().lower() for x in h.get("Access-Control-Allow-Headers", "").split(",")}
    assert {"authorization", "content-type", "x-livekit-request-id"} <= allowed, dict(h)
    assert h.get("Access-Control-Max-Age") == "86400", dict(h)


def test_validate_answers_carry_the_origin_and_expose_headers(sfu):
    token = lk.lk_token("cors", "cors-room")
    query = lk.SDK_QUERY
    ok = requests.get(sfu.url(f"/rtc/validate?{query}&access_token={token}"), headers={"Origin": ORIGIN}, timeout=5)
    assert ok.status_code == 200 and ok.text.strip() == "success", (ok.status_code, ok.text)
    assert ok.headers.get("Access-Control-Allow-Origin") == ORIGIN, dict(ok.headers)
    assert ok.headers.get("Access-Control-Expose-Headers") == "*", dict(ok.headers)

    bearer = requests.get(sfu.url(f"/rtc/validate?{query}"), timeout=5,
                          headers={"Origin": ORIGIN, "Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200, (bearer.status_code, bearer.text)
    assert bearer.headers.get("Access-Control-Allow-Origin") == ORIGIN

    refused = requests.get(sfu.url(f"/rtc/validate?{query}"), headers={"Origin": ORIGIN}, timeout=5)
    assert refused.status_code == 401, (refused.status_code, refused.text)
    assert refused.headers.get("Access-Control-Allow-Origin") == ORIGIN, dict(refused.headers)

    wrong = lk.lk_token("cors", "cors-room", secret="not-the-secret")
    forbidden = requests.get(sfu.url(f"/rtc/validate?{query}&access_token={wrong}"), headers={"Origin": ORIGIN}, timeout=5)
    assert forbidden.status_code in (401, 403), (forbidden.status_code, forbidden.text)
    assert forbidden.headers.get("Access-Control-Allow-Origin") == ORIGIN


def test_v1_validate_and_unknown_paths_are_readable_cross_origin(sfu):
    """livekit-client 2.18 reads `/rtc/v1/validate` to decide whether to fall back to `/rtc`:
    whatever the status (404 without single peer connection signalling), the browser must be
    allowed to read it."""
    token = lk.lk_token("cors", "cors-room")
    v1 = requests.get(sfu.url(f"/rtc/v1/validate?access_token={token}"), headers={"Origin": ORIGIN}, timeout=5)
    # No join_request here: 404 (no single peer connection), or 400/200 from a server that has it.
    assert v1.status_code in (200, 400, 404), (v1.status_code, v1.text)
    assert v1.headers.get("Access-Control-Allow-Origin") == ORIGIN, dict(v1.headers)
    if v1.status_code == 404:
        assert "requested room does not exist" not in v1.text  # that text would mean NotAllowed, not fallback

    missing = requests.get(sfu.url("/no/such/path"), headers={"Origin": ORIGIN}, timeout=5)
    assert missing.status_code == 404
    assert missing.headers.get("Access-Control-Allow-Origin") == ORIGIN, dict(missing.headers)

    anonymous = requests.get(sfu.url("/no/such/path"), timeout=5)
    assert anonymous.headers.get("Access-Control-Allow-Origin") == "*", dict(anonymous.headers)


def test_twirp_answers_and_errors_carry_the_origin(sfu):
    url = sfu.url("/twirp/livekit.RoomService/ListRooms")
    unauthenticated = requests.post(url, data="{}", timeout=5,
                                    headers={"Origin": ORIGIN, "Content-Type": "application/json"})
    assert unauthenticated.status_code == 401, (unauthenticated.status_code, unauthenticated.text)
    assert unauthenticated.headers.get("Access-Control-Allow-Origin") == ORIGIN, dict(unauthenticated.headers)

    # A room token has no roomList grant: permission_denied (403), still readable cross-origin.
    denied = requests.post(url, data="{}", timeout=5, headers={
        "Origin": ORIGIN, "Content-Type": "application/json", "Authorization": f"Bearer {lk.lk_token('cors', 'r')}"})
    assert denied.status_code == 403, (denied.status_code, denied.text)
    assert denied.headers.get("Access-Control-Allow-Origin") == ORIGIN

    admin = lk.raw_token({"sub": "", "video": {"roomList": True}})
    listed = requests.post(url, data="{}", timeout=5, headers={
        "Origin": ORIGIN, "Content-Type": "application/json", "Authorization": f"Bearer {admin}"})
    assert listed.status_code == 200, (listed.status_code, listed.text)
    assert listed.headers.get("Access-Control-Allow-Origin") == ORIGIN
    assert listed.headers.get("Access-Control-Expose-Headers") == "*"
