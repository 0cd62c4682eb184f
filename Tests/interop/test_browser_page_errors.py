"""Issue 6, the page's behaviour beyond the happy path, in a real Chromium: a refused token,
a full room and a removal are explained in the page; muting reaches the other participants; the
record button starts and stops a room recording; and when the server goes away the page
reconnects by itself and publishes again.
"""

import asyncio
import time

import pytest
import requests
from livekit import api, rtc

import browser_helpers as bh
import lk_helpers as lk
import media
from conftest import API_KEY, API_SECRET

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


async def remove_participant(sfu, room: str, identity: str) -> None:
    client = api.LiveKitAPI(sfu.base_url, API_KEY, API_SECRET)
    try:
        await client.room.remove_participant(api.RoomParticipantIdentity(room=room, identity=identity))
    finally:
        await client.aclose()


def test_refused_token_full_room_and_removal_are_explained(sfu_factory):
    sfu = sfu_factory(extra_toml="[room]\nmax_participants = 1")
    base_url, overlay = bh.page_base_url(sfu)
    pages = []
    try:
        ada = bh.RoomPage("ada").open(base_url)
        pages.append(ada)

        # A token signed with the wrong secret: the page shows /rtc/validate's status and reason.
        forged = lk.lk_token("mallory", "small-room", secret="not-the-secret")
        reason = requests.get(sfu.url("/rtc/validate"), params={"access_token": forged}, timeout=5)
        assert reason.status_code == 401, (reason.status_code, reason.text)
        ada.submit(token=forged)
        stats = ada.wait_phase("failed", 10)
        assert "401" in stats["error"] and reason.text.strip() in stats["error"], stats["error"]
        assert ada.visible("banner") and ada.visible("join-form")

        # The room takes one participant: Ada gets in, Bea is told the room is full.
        ada.join("small-room", "Ada")
        assert ada.text("banner") == "" and not ada.visible("banner")
        bea = bh.RoomPage("bea").open(base_url)
        pages.append(bea)
        bea.submit("small-room", "Bea")
        stats = bea.wait_phase("failed", 15)
        assert "full" in stats["error"], stats["error"]
        assert bea.visible("banner")
        assert ada.stats()["phase"] == "connected"

        # Removed through RoomService: the page says so and does not come back by itself.
        asyncio.run(remove_participant(sfu, "small-room", ada.identity))
        stats = ada.wait_phase("failed", 10)
        assert "removed" in stats["error"], stats["error"]
        time.sleep(3)
        assert ada.stats()["phase"] == "failed"
    finally:
        for page in pages:
            page.close()
        if overlay is not None:
            overlay.close()


def test_mute_record_and_reconnect_after_server_restart(sfu):
    base_url, overlay = bh.page_base_url(sfu)
    room = "comeback"
    pages = []

    async def body():
        watcher = lk.Peer("watcher")
        second = lk.Peer("second-watcher")
        probe = None
        try:
            ada = await asyncio.to_thread(bh.RoomPage, "ada")
            pages.append(ada)
            await asyncio.to_thread(ada.open, base_url)
            await asyncio.to_thread(ada.join, room, "Ada")

            await watcher.connect(lk.lk_url(sfu), lk.lk_token(watcher.identity, room))
            mic = await watcher.wait_event(
                "track_subscribed", lambda t, pub, who: who.identity == ada.identity and pub.kind == rtc.TrackKind.KIND_AUDIO
            )
            mic_sid = mic.args[1].sid

            # Mute and unmute the microphone: the others see it.
            await asyncio.to_thread(ada.click, "mic")
            await watcher.wait_event("track_muted", lambda who, pub: pub.sid == mic_sid, timeout=5)
            assert await asyncio.to_thread(ada.text, "mic") == "Unmute mic"
            await asyncio.to_thread(ada.click, "mic")
            await watcher.wait_event("track_unmuted", lambda who, pub: pub.sid == mic_sid, timeout=5)

            # Record (the dev token carries roomRecord): start, then stop, through the page.
            assert await asyncio.to_thread(ada.visible, "record")
            await asyncio.to_thread(ada.click, "record")
            await asyncio.to_thread(
                bh.wait_for, "ada: recording started", lambda: ada.text("record-state").startswith("Recording to"),
                10, 0.25, ada.describe,
            )
            await asyncio.to_thread(ada.click, "record")
            await asyncio.to_thread(
                bh.wait_for, "ada: recording stopped", lambda: ada.text("record") == "Record", 10, 0.25, ada.describe
            )
            assert (await asyncio.to_thread(ada.stats))["error"] == ""
            await watcher.disconnect()

            # The server goes away and comes back: the page says so and reconnects by itself.
            await asyncio.to_thread(sfu.restart)
            stats = await asyncio.to_thread(
                bh.wait_for, "ada: re-joined and publishing again",
                lambda: (lambda s: s if any(e.endswith(" reconnected") for e in s["events"]) else None)(ada.stats()),
                30, 0.25, ada.describe,
            )
            assert stats["phase"] == "connected", stats
            assert any("reconnecting" in e for e in stats["events"]), stats["events"]
            assert stats["identity"] == ada.identity and stats["error"] == ""

            # After the re-join Ada publishes again: a new participant decodes her camera.
            await second.connect(lk.lk_url(sfu), lk.lk_token(second.identity, room))
            cam = await second.wait_event(
                "track_subscribed", lambda t, pub, who: who.identity == ada.identity and pub.kind == rtc.TrackKind.KIND_VIDEO,
                timeout=15,
            )
            probe = lk.VideoProbe().start(cam.args[0])
            assert await media.wait_until(lambda: len(probe.frames) >= 20, 15.0), probe.describe()
        finally:
            if probe is not None:
                await probe.stop()
            await lk.disconnect_all([watcher, second])

    try:
        lk.run_bounded(body(), 150)
    finally:
        for page in pages:
            page.close()
        if overlay is not None:
            overlay.close()
