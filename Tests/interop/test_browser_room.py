"""Issue 6 acceptance: the built-in room page in a real Chromium (headless, fake camera and
microphone, driven through selenium and Debian's chromium-driver).

Two browsers join one room through the page's dev-mode form and each decodes the other's
video and audio (getStats: `framesDecoded` and `totalSamplesReceived` rising). A `livekit`
Python SDK participant joins the same room: it decodes both browsers' audio and video, and
each browser decodes its 440 Hz tone (Web Audio analyser) and its (200, 30, 30) picture
(mean colour of the tile), and marks its tile as speaking. The page with two participants is saved to docs/room-page.png.
Closing one browser removes its tile from the other within 5 s.
"""

import asyncio
import time

import pytest
from livekit import rtc

import browser_helpers as bh
import lk_helpers as lk
import media

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

ROOM = "browser-room"


def rising(page: bh.RoomPage, read, identity: str, by: int, within: float, what: str) -> None:
    """`read(identity)` grows by at least `by` within `within` seconds."""
    start = read(identity)
    bh.wait_for(f"{page.label}: {what} from {identity} to rise by {by} (from {start})",
                lambda: read(identity) >= start + by, within, describe=page.describe)


def decodes_each_other(page: bh.RoomPage, other: str) -> None:
    bh.wait_for(f"{page.label}: first video frames and audio from {other}",
                lambda: page.video_frames(other) >= 10 and page.audio_samples(other) >= 48000,
                20, describe=page.describe)
    rising(page, page.video_frames, other, 15, 5, "framesDecoded")
    rising(page, page.audio_samples, other, 48000, 5, "totalSamplesReceived")


def test_two_browsers_and_an_sdk_participant_see_and_hear_each_other(sfu):
    base_url, overlay = bh.page_base_url(sfu)
    pages: list[bh.RoomPage] = []

    async def body():
        sdk = lk.Peer("sdk-peer")
        tone = colour = None
        probes = []
        try:
            ada, bea = await asyncio.gather(
                asyncio.to_thread(bh.RoomPage, "ada"), asyncio.to_thread(bh.RoomPage, "bea")
            )
            pages.extend([ada, bea])
            await asyncio.gather(asyncio.to_thread(ada.open, base_url), asyncio.to_thread(bea.open, base_url))
            await asyncio.to_thread(ada.join, ROOM, "Ada")
            await asyncio.to_thread(bea.join, ROOM, "Bea")
            assert ada.identity.startswith("ada-") and bea.identity.startswith("bea-"), (ada.identity, bea.identity)

            # Each browser decodes the other's camera and microphone.
            await asyncio.gather(
                asyncio.to_thread(decodes_each_other, ada, bea.identity),
                asyncio.to_thread(decodes_each_other, bea, ada.identity),
            )

            # The page with two participants, once Bea's picture is on Ada's screen.
            await asyncio.to_thread(bh.wait_for, "ada: Bea's tile shows video",
                                    lambda: ada.colour(bea.identity) is not None, 10, 0.25, ada.describe)
            tiles = await asyncio.to_thread(ada.tiles)
            assert sorted(tiles) == ["Ada", "Bea"], tiles
            await asyncio.to_thread(ada.screenshot, bh.SCREENSHOT)
            assert bh.SCREENSHOT.stat().st_size > 10_000

            # An SDK participant joins and publishes a tone and a solid colour (simulcast).
            await sdk.connect(lk.lk_url(sfu), lk.lk_token(sdk.identity, ROOM))
            tone, colour = lk.ToneSource(440.0).start(), lk.ColourSource(width=640, height=480).start()
            await asyncio.wait_for(sdk.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12)
            await asyncio.wait_for(
                sdk.room.local_participant.publish_track(colour.track, lk.camera_options(simulcast=True)), 12
            )

            # The SDK receives and decodes both browsers' audio and video.
            for page in (ada, bea):
                for kind in (rtc.TrackKind.KIND_AUDIO, rtc.TrackKind.KIND_VIDEO):
                    event = await sdk.wait_event(
                        "track_subscribed",
                        lambda t, pub, who, i=page.identity, k=kind: who.identity == i and pub.kind == k,
                        timeout=10,
                    )
                    track = event.args[0]
                    probe = lk.AudioProbe().start(track) if kind == rtc.TrackKind.KIND_AUDIO else lk.VideoProbe().start(track)
                    probes.append((page.identity, kind, probe))

            def sdk_decoded() -> bool:
                return all(
                    (len(p.frames) >= 30 if k == rtc.TrackKind.KIND_VIDEO else sum(1 for _, f in p.frames if f) >= 50)
                    for _, k, p in probes
                )

            ok = await media.wait_until(sdk_decoded, 20.0, interval=0.2)
            assert ok, "SDK decoding: " + "; ".join(f"{i} {k}: {p.describe()}" for i, k, p in probes)

            # Each browser decodes the SDK's picture and tone.
            for page in (ada, bea):
                await asyncio.to_thread(rising, page, page.video_frames, sdk.identity, 15, 20, "framesDecoded")
                await asyncio.to_thread(rising, page, page.audio_samples, sdk.identity, 48000, 5, "totalSamplesReceived")

                def sees_red(page=page):
                    c = page.colour(sdk.identity)
                    return c is not None and media.colour_matches(c, lk.VIDEO_RGB, 40.0)

                await asyncio.to_thread(bh.wait_for, f"{page.label}: the SDK's (200, 30, 30) picture", sees_red,
                                        10, 0.25, lambda page=page: f"colour {page.colour(sdk.identity)}")

                def hears_tone(page=page):
                    return abs(page.frequency(sdk.identity) - 440.0) <= 15.0

                await asyncio.to_thread(bh.wait_for, f"{page.label}: the SDK's 440 Hz tone", hears_tone,
                                        10, 0.25, lambda page=page: f"frequency {page.frequency(sdk.identity)}")

                # The SDK participant's loud tone makes it a speaker: its tile says so.
                await asyncio.to_thread(bh.wait_for, f"{page.label}: the SDK's tile marked speaking",
                                        lambda page=page: sdk.identity in page.stats()["speaking"], 10, 0.25, page.describe)

            # Closing Bea's browser removes her tile from Ada's page within 5 s.
            assert "Bea" in await asyncio.to_thread(ada.tiles)
            closed_at = time.monotonic()
            await asyncio.to_thread(bea.close)
            await asyncio.to_thread(bh.wait_for, "ada: Bea's tile to go", lambda: "Bea" not in ada.tiles(),
                                    5.0 - (time.monotonic() - closed_at), 0.1, ada.describe)
            await sdk.wait_event("participant_disconnected", lk.from_identity(bea.identity), timeout=5)
            assert sorted(await asyncio.to_thread(ada.tiles)) == ["Ada", "sdk-peer"]
            assert tone.error is None
        finally:
            for _, _, probe in probes:
                await probe.stop()
            for source in (tone, colour):
                if source is not None:
                    await source.stop()
            await sdk.disconnect()

    try:
        lk.run_bounded(body(), 180)
    finally:
        for page in pages:
            page.close()
        if overlay is not None:
            overlay.close()
