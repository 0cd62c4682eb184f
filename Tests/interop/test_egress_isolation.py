"""Issue 5 acceptance, isolation: SIGKILL the `sfu egress-worker` child mid-recording.

The call must go on (both SDK participants stay connected and keep decoding each other's
audio and video), the egress must end FAILED within a few seconds, and the fragmented MP4
recorded so far must stay readable by ffprobe.
"""

import asyncio
import time

import pytest
from livekit import api, rtc
from livekit.protocol import egress as egress_pb

import egress_helpers as eh
import lk_helpers as lk
import media

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

RED, BLUE = (255, 0, 0), (0, 0, 255)


def subscribed(identity, kind):
    return lambda track, publication, participant: participant.identity == identity and publication.kind == kind


def test_egress_worker_killed(sfu_factory, tmp_path):
    local_dir = tmp_path / "recordings"
    sfu = sfu_factory(extra_toml=eh.egress_toml(local_dir))
    room = "worker-killed"

    async def body():
        url = lk.lk_url(sfu)
        red, blue = eh.Publisher("red", 440.0, RED), eh.Publisher("blue", 1000.0, BLUE)
        client = eh.lkapi(sfu)
        probes = []
        try:
            await red.join(url, room)
            await blue.join(url, room)
            a_sub = await blue.peer.wait_event("track_subscribed", subscribed("red", rtc.TrackKind.KIND_AUDIO), 15)
            v_sub = await blue.peer.wait_event("track_subscribed", subscribed("red", rtc.TrackKind.KIND_VIDEO), 15)
            audio = lk.AudioProbe().start(a_sub.args[0])
            video = lk.VideoProbe().start(v_sub.args[0])
            probes += [audio, video]

            info = await client.egress.start_room_composite_egress(
                api.RoomCompositeEgressRequest(
                    room_name=room, file_outputs=[api.EncodedFileOutput(filepath="killed.mp4")]
                )
            )
            await eh.wait_egress(client, info.egress_id, {egress_pb.EGRESS_ACTIVE}, timeout=10)
            worker = await eh.wait_for_worker(sfu.proc.pid)
            await asyncio.sleep(4.0)
            eh.kill_process(worker)
            killed_at = time.monotonic()

            final = await eh.wait_egress(
                client, info.egress_id, {egress_pb.EGRESS_FAILED, egress_pb.EGRESS_COMPLETE}, timeout=5
            )
            assert final.status == egress_pb.EGRESS_FAILED, final
            assert final.error, final

            # The call goes on: new audio and video decoded after the kill, nobody left.
            ok = await media.wait_until(
                lambda: audio.good(440.0, since=killed_at) >= 100
                and video.good(RED, tolerance=70) > 0
                and sum(1 for t, _, _ in video.frames if t >= killed_at) >= 30,
                10.0,
            )
            assert ok, f"after the kill: audio {audio.describe(440.0)}; video {video.describe()}"
            assert red.peer.connected() and blue.peer.connected()
            assert not red.peer.named("participant_disconnected") and not blue.peer.named("participant_disconnected")
            assert not red.peer.named("reconnecting") and not blue.peer.named("reconnecting")
            assert sfu.is_running() and sfu.healthy()
            return final
        finally:
            for probe in probes:
                await probe.stop()
            await eh.leave_all([red, blue])
            await client.aclose()

    final = lk.run_bounded(body(), 90)
    partial = local_dir / "killed.mp4"
    assert partial.exists(), f"partial recording missing; local_dir holds {eh.recordings_in(local_dir)}"
    assert "killed.mp4" in final.error, f"error must say where the partial file is: {final.error!r}"
    probe = eh.ffprobe(partial)
    assert [s["codec_name"] for s in eh.streams_of(probe, "video")] == ["h264"], probe["streams"]
    recorded = eh.decoded_duration_s(partial, "v")
    assert recorded > 2.0, f"only {recorded:.2f} s of video decodes from the partial file"
