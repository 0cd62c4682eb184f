"""LiveKit issue "Recordings land under the wrong key": filepath templates and directories.

* A room composite with LiveKit's usual `calls/{room_name}/{time}.mp4` lands in moto S3
  (SigV4 on) under `calls/<room>/<time>.mp4`, and the local copy sits at the same relative
  path under `storage.local_dir`; `file_results[0]` (and the deprecated `file`) carry
  filename = the key, location = the object URL, size, duration, started_at/ended_at.
* A track egress expands the track variables (`{publisher_identity}`, `{track_type}`,
  `{track_source}`, `{track_id}`) into folders; without upload its location is the local file.
* Paths that are absolute, climb out with `..`, or have over-long names are refused by
  Start*Egress itself with Twirp invalid_argument (HTTP 400); no recording starts.
"""

import asyncio
import re
import time
from datetime import datetime, timezone

import pytest
from livekit import api
from livekit.protocol import egress as egress_pb

import egress_helpers as eh
import lk_helpers as lk

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

ACTIVE = egress_pb.EGRESS_ACTIVE
COMPLETE, FAILED = egress_pb.EGRESS_COMPLETE, egress_pb.EGRESS_FAILED
TIME_RE = r"\d{4}-\d{2}-\d{2}T\d{6}"  # LiveKit's {time}: Go layout 2006-01-02T150405


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H%M%S").replace(tzinfo=timezone.utc)


def test_composite_template_keeps_directories(sfu_factory, moto_s3, tmp_path):
    local_dir = tmp_path / "recordings"
    sfu = sfu_factory(extra_toml=eh.egress_toml(local_dir))
    room = "naming-composite"

    async def body():
        red = eh.Publisher("red", 440.0, (255, 0, 0))
        client = eh.lkapi(sfu)
        try:
            await red.join(lk.lk_url(sfu), room)
            await asyncio.sleep(1.0)
            rooms = await client.room.list_rooms(api.ListRoomsRequest(names=[room]))
            before = datetime.now(timezone.utc).replace(microsecond=0)
            info = await client.egress.start_room_composite_egress(
                api.RoomCompositeEgressRequest(
                    room_name=room,
                    file_outputs=[
                        api.EncodedFileOutput(filepath="calls/{room_name}/{time}.mp4", s3=moto_s3.upload_request())
                    ],
                )
            )
            await eh.wait_egress(client, info.egress_id, {ACTIVE}, timeout=10)
            await asyncio.sleep(4.0)
            await client.egress.stop_egress(api.StopEgressRequest(egress_id=info.egress_id))
            final = await eh.wait_egress(client, info.egress_id, {COMPLETE, FAILED}, timeout=60)
            after = datetime.now(timezone.utc)
            return final, rooms.rooms[0].sid, before, after
        finally:
            await eh.leave_all([red])
            await client.aclose()

    final, room_sid, before, after = lk.run_bounded(body(), 90)
    assert final.status == COMPLETE, f"{eh.status_name(final.status)}: {final.error!r}\n{moto_s3.log_tail()}"
    assert final.room_id == room_sid, (final.room_id, room_sid)

    keys = moto_s3.keys()
    assert len(keys) == 1, keys
    key = keys[0]
    match = re.fullmatch(rf"calls/{room}/({TIME_RE})\.mp4", key)
    assert match, f"object key {key!r} is not calls/{room}/<time>.mp4"
    stamp = parse_time(match.group(1))
    assert before <= stamp <= after, (before, stamp, after)

    assert len(final.file_results) == 1, final
    result = final.file_results[0]
    assert result.filename == key, result
    assert result.location == f"{moto_s3.endpoint}/{moto_s3.bucket}/{key}", result
    downloaded = moto_s3.download(key, tmp_path / "downloaded.mp4")
    assert result.size == downloaded.stat().st_size > 0, (result.size, downloaded.stat().st_size)
    probe_duration = eh.duration_s(eh.ffprobe(downloaded))
    assert result.duration > 0 and abs(result.duration / 1e9 - probe_duration) <= 0.5, (result.duration, probe_duration)
    assert 0 < result.started_at <= result.ended_at, result
    assert final.started_at <= result.started_at and result.ended_at <= final.ended_at, (final, result)
    assert final.file == result, "the deprecated EgressInfo.file must mirror file_results[0]"

    local = local_dir / key
    assert local.is_file(), f"no local copy at {local}; local_dir holds {eh.recordings_in(local_dir)}"
    assert local.stat().st_size == downloaded.stat().st_size
    assert eh.recordings_in(local_dir) == [local]


def test_track_template_variables_local_only(sfu_factory, tmp_path):
    local_dir = tmp_path / "recordings"
    sfu = sfu_factory(extra_toml=eh.egress_toml(local_dir))
    room = "naming-track"

    async def body():
        red = eh.Publisher("red", 440.0, (255, 0, 0))
        client = eh.lkapi(sfu)
        try:
            await red.join(lk.lk_url(sfu), room)
            await asyncio.sleep(1.0)
            info = await client.egress.start_track_egress(
                api.TrackEgressRequest(
                    room_name=room,
                    track_id=red.mic.sid,
                    file=api.DirectFileOutput(
                        filepath="{room_name}/{publisher_identity}/{track_type}-{track_source}-{track_id}"
                    ),
                )
            )
            await eh.wait_egress(client, info.egress_id, {ACTIVE}, timeout=10)
            await asyncio.sleep(3.0)
            await client.egress.stop_egress(api.StopEgressRequest(egress_id=info.egress_id))
            final = await eh.wait_egress(client, info.egress_id, {COMPLETE, FAILED}, timeout=30)
            return final, red.mic.sid
        finally:
            await eh.leave_all([red])
            await client.aclose()

    final, track_sid = lk.run_bounded(body(), 60)
    assert final.status == COMPLETE, f"{eh.status_name(final.status)}: {final.error!r}"
    expected = f"{room}/red/audio-microphone-{track_sid}.ogg"
    local = local_dir / expected
    assert eh.recordings_in(local_dir) == [local], eh.recordings_in(local_dir)
    result = final.file_results[0]
    assert result.filename == expected, result
    assert result.location == str(local), result
    assert result.size == local.stat().st_size > 0, result
    assert result.duration > 0, result
    assert eh.streams_of(eh.ffprobe(local), "audio")


REFUSED = {
    "../x.mp4": "..",
    "/abs.mp4": "absolute",
    "calls/{room_name}/../../x.mp4": "..",
    "calls/" + "n" * 300 + ".mp4": "255",
    "/".join(["d" * 200] * 6) + "/x.mp4": "1024",
}


def test_bad_filepaths_refused_up_front(sfu_factory, tmp_path):
    local_dir = tmp_path / "recordings"
    sfu = sfu_factory(extra_toml=eh.egress_toml(local_dir, departure_timeout=30))
    room = "naming-refused"

    async def body():
        red = eh.Publisher("red", 440.0, (255, 0, 0))
        client = eh.lkapi(sfu)
        outcomes = {}
        try:
            await red.join(lk.lk_url(sfu), room)
            for filepath in REFUSED:
                try:
                    info = await client.egress.start_room_composite_egress(
                        api.RoomCompositeEgressRequest(
                            room_name=room, file_outputs=[api.EncodedFileOutput(filepath=filepath)]
                        )
                    )
                    outcomes[filepath] = ("accepted", eh.status_name(info.status), info.egress_id)
                except api.TwirpError as error:
                    outcomes[filepath] = (error.code, error.status, error.message)
            try:
                info = await client.egress.start_track_egress(
                    api.TrackEgressRequest(
                        room_name=room, track_id=red.mic.sid, file=api.DirectFileOutput(filepath="../{track_id}")
                    )
                )
                outcomes["track ../{track_id}"] = ("accepted", eh.status_name(info.status), info.egress_id)
            except api.TwirpError as error:
                outcomes["track ../{track_id}"] = (error.code, error.status, error.message)
            listed = await client.egress.list_egress(api.ListEgressRequest(room_name=room))
            return outcomes, list(listed.items), eh.egress_workers(sfu.proc.pid)
        finally:
            await eh.leave_all([red])
            await client.aclose()

    started = time.monotonic()
    outcomes, listed, workers = lk.run_bounded(body(), 60)
    problems = []
    for filepath, outcome in outcomes.items():
        if outcome[:2] != ("invalid_argument", 400):
            problems.append(f"{filepath[:60]!r}: {outcome}, want invalid_argument / 400")
            continue
        hint = REFUSED.get(filepath, "..")
        if hint not in outcome[2] or "filepath" not in outcome[2]:
            problems.append(f"{filepath[:60]!r}: message {outcome[2]!r} does not say why ({hint!r})")
    assert not problems, "\n".join(problems)
    assert time.monotonic() - started < 30
    assert listed == [], f"refused requests must not create egresses: {listed}"
    assert workers == [], "a refused request must not start a worker"
    assert not (tmp_path / "x.mp4").exists() and not (tmp_path.parent / "x.mp4").exists()
    assert eh.recordings_in(local_dir) == []
