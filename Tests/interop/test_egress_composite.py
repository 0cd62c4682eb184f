"""Issue 5 acceptance: room composite egress to S3-compatible storage.

Two `livekit` SDK participants publish a tone and a solid colour each (red + 440 Hz,
blue + 1 kHz); `livekit-api` starts a RoomCompositeEgress with S3 output to a moto server
that checks SigV4 (conftest `moto_s3`). When both leave, the room ends after
`departure_timeout` = 1 s, the worker finalizes the fragmented MP4 and the server uploads it.

The recorded span is measured here: from just before StartRoomCompositeEgress was sent
until both participants had left.
"""

import asyncio
import time

import pytest
from livekit import api
from livekit.protocol import egress as egress_pb

import egress_helpers as eh
import lk_helpers as lk

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

RED, BLUE = (255, 0, 0), (0, 0, 255)
STARTING, ACTIVE = egress_pb.EGRESS_STARTING, egress_pb.EGRESS_ACTIVE
COMPLETE, FAILED = egress_pb.EGRESS_COMPLETE, egress_pb.EGRESS_FAILED


async def both_see_each_other(publishers) -> None:
    """Media really flows through the SFU: each peer got the other's audio and video."""
    for me in publishers:
        for other in publishers:
            if other is me:
                continue
            for pub in (other.mic, other.cam):
                await me.peer.wait_event(
                    "track_subscribed", lambda t, p, who, sid=pub.sid: p.sid == sid, timeout=15
                )


async def record_composite(sfu, room: str, s3: api.S3Upload, seconds: float, filepath: str):
    """Join red and blue, record `seconds`, leave; → (EgressInfo at the end, span, start latency)."""
    url = lk.lk_url(sfu)
    red, blue = eh.Publisher("red", 440.0, RED), eh.Publisher("blue", 1000.0, BLUE)
    client = eh.lkapi(sfu)
    try:
        await red.join(url, room)
        await blue.join(url, room)
        await both_see_each_other([red, blue])

        t_start = time.monotonic()
        info = await client.egress.start_room_composite_egress(
            api.RoomCompositeEgressRequest(
                room_name=room, file_outputs=[api.EncodedFileOutput(filepath=filepath, s3=s3)]
            )
        )
        latency = time.monotonic() - t_start
        assert info.egress_id.startswith("EG_"), info
        assert info.status in (STARTING, ACTIVE), info
        assert info.room_name == room
        await eh.wait_egress(client, info.egress_id, {ACTIVE}, timeout=10)
        assert eh.egress_workers(sfu.proc.pid), "the recording must run in an `sfu egress-worker` child"

        await asyncio.sleep(max(0.0, t_start + seconds - time.monotonic()))
        assert red.peer.connected() and blue.peer.connected()
        await eh.leave_all([red, blue])
        span = time.monotonic() - t_start

        final = await eh.wait_egress(client, info.egress_id, {COMPLETE, FAILED}, timeout=60)
        return final, span, latency
    finally:
        await eh.leave_all([red, blue])
        await client.aclose()


def test_egress_composite_s3(sfu_factory, moto_s3, tmp_path):
    local_dir = tmp_path / "recordings"
    sfu = sfu_factory(extra_toml=eh.egress_toml(local_dir))
    room = "composite-s3"

    final, span, latency = lk.run_bounded(
        record_composite(sfu, room, moto_s3.upload_request(), 10.0, "rec-{room_name}.mp4"), 120
    )
    assert final.status == COMPLETE, f"egress ended {eh.status_name(final.status)}: {final.error!r}\n{moto_s3.log_tail()}"
    assert not final.error

    key = f"rec-{room}.mp4"
    assert moto_s3.keys() == [key]
    assert len(final.file_results) == 1, final
    result = final.file_results[0]
    assert moto_s3.bucket in result.location and key in result.location, result
    recording = moto_s3.download(key, tmp_path / "downloaded.mp4")
    assert result.size == recording.stat().st_size, (result.size, recording.stat().st_size)

    probe = eh.ffprobe(recording)
    video, audio = eh.streams_of(probe, "video"), eh.streams_of(probe, "audio")
    assert [s["codec_name"] for s in video] == ["h264"], probe["streams"]
    assert [s["codec_name"] for s in audio] == ["aac"], probe["streams"]
    assert (video[0]["width"], video[0]["height"]) == (1280, 720)
    # The uploaded file is the local file.
    local = local_dir / key
    assert local.exists() and local.stat().st_size == recording.stat().st_size

    # The acceptance checks below are collected, so one run reports every miss at once.
    problems = []
    if video[0]["avg_frame_rate"] != "15/1":
        problems.append(f"avg_frame_rate {video[0]['avg_frame_rate']}, want 15/1")
    duration = eh.duration_s(probe)
    if abs(duration - span) > 0.5:
        problems.append(
            f"duration: file lasts {duration:.3f} s, recorded span {span:.3f} s "
            f"(StartRoomCompositeEgress took {latency:.3f} s)"
        )
    if result.duration and abs(result.duration / 1e9 - duration) > 0.5:
        problems.append(f"FileInfo.duration {result.duration / 1e9:.3f} s, ffprobe {duration:.3f} s")

    # Both tones are in the mix (skip the edges where a track may still be starting).
    samples = eh.decode_audio(recording)
    middle = samples[48000 : max(48000, samples.size - 48000)]
    shares = eh.tone_energy_fractions(middle, [440.0, 1000.0])
    if not (shares[440.0] >= 0.1 and shares[1000.0] >= 0.1):
        problems.append(f"audio: tone energy shares {shares}, rms {eh.rms(middle):.4f}")

    # A frame from the middle holds a red tile and a blue tile.
    image = eh.video_frame_rgb(recording, duration / 2, 1280, 720)
    red_blocks, blue_blocks = eh.colour_blocks(image, RED), eh.colour_blocks(image, BLUE)
    if not (red_blocks >= 200 and blue_blocks >= 200):
        problems.append(
            f"video: red 16x16 blocks {red_blocks}, blue {blue_blocks} (of {(1280 // 16) * (720 // 16)}) "
            f"in the frame at {duration / 2:.2f} s; mean colours per 160x160:\n{eh.colour_summary(image, 160)}"
        )
    assert not problems, "\n".join(problems)


def test_egress_wrong_s3_credentials(sfu_factory, moto_s3, tmp_path):
    local_dir = tmp_path / "recordings"
    sfu = sfu_factory(extra_toml=eh.egress_toml(local_dir))
    room = "wrong-s3"

    final, _, _ = lk.run_bounded(
        record_composite(sfu, room, moto_s3.upload_request(secret="wrong-" + moto_s3.secret), 4.0, "rec-{room_name}.mp4"),
        90,
    )
    assert final.status == FAILED, f"egress ended {eh.status_name(final.status)} with a wrong S3 secret: {final}"
    assert "SignatureDoesNotMatch" in final.error or "403" in final.error, final.error
    assert moto_s3.keys() == [], "nothing may land in the bucket with a wrong signature"

    local = local_dir / f"rec-{room}.mp4"
    assert local.exists(), f"local file gone: {eh.recordings_in(local_dir)}"
    assert str(local) in final.error or local.name in final.error, f"error must say where the file is: {final.error!r}"
    probe = eh.ffprobe(local)
    assert eh.streams_of(probe, "video") and eh.streams_of(probe, "audio")
    assert eh.duration_s(probe) > 2.0, probe["format"]
