"""Issue 5 acceptance, track egress: the Opus track written without transcoding to Ogg.

StartTrackEgress of the microphone publication (its sid from the SDK), ~5 s, StopEgress;
the server picks the container from the codec, so the filepath has no extension. The span
is measured here: from just before StartTrackEgress until just before StopEgress.
"""

import asyncio
import time

import pytest
from livekit import api
from livekit.protocol import egress as egress_pb

import egress_helpers as eh
import lk_helpers as lk
import media

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_egress_track_ogg(sfu_factory, tmp_path):
    local_dir = tmp_path / "recordings"
    sfu = sfu_factory(extra_toml=eh.egress_toml(local_dir))
    room = "track-egress"

    async def body():
        url = lk.lk_url(sfu)
        red = eh.Publisher("red", 440.0, (255, 0, 0))
        client = eh.lkapi(sfu)
        try:
            await red.join(url, room)
            assert red.mic.sid.startswith("TR_")
            await asyncio.sleep(1.0)  # the tone is flowing into the SFU

            t_start = time.monotonic()
            info = await client.egress.start_track_egress(
                api.TrackEgressRequest(
                    room_name=room, track_id=red.mic.sid, file=api.DirectFileOutput(filepath="track-{track_id}")
                )
            )
            assert info.egress_id.startswith("EG_"), info
            assert info.status in (egress_pb.EGRESS_STARTING, egress_pb.EGRESS_ACTIVE), info
            await eh.wait_egress(client, info.egress_id, {egress_pb.EGRESS_ACTIVE}, timeout=10)
            await asyncio.sleep(max(0.0, t_start + 5.0 - time.monotonic()))
            t_stop = time.monotonic()
            stopped = await client.egress.stop_egress(api.StopEgressRequest(egress_id=info.egress_id))
            span = t_stop - t_start
            assert stopped.egress_id == info.egress_id
            final = await eh.wait_egress(
                client, info.egress_id, {egress_pb.EGRESS_COMPLETE, egress_pb.EGRESS_FAILED}, timeout=20
            )
            assert red.peer.connected(), "stopping a track egress must not touch the call"
            return final, span
        finally:
            await eh.leave_all([red])
            await client.aclose()

    final, span = lk.run_bounded(body(), 60)
    assert final.status == egress_pb.EGRESS_COMPLETE, f"{eh.status_name(final.status)}: {final.error!r}"
    files = eh.recordings_in(local_dir)
    assert len(files) == 1 and files[0].suffix == ".ogg", files
    recording = files[0]
    assert recording.name.startswith("track-TR_"), recording.name
    assert final.file_results and final.file_results[0].location.endswith(recording.name), final.file_results

    probe = eh.ffprobe(recording)
    audio = eh.streams_of(probe, "audio")
    assert [s["codec_name"] for s in audio] == ["opus"], probe["streams"]
    assert probe["format"]["format_name"] == "ogg", probe["format"]
    assert not eh.streams_of(probe, "video")
    duration = eh.duration_s(probe)
    assert abs(duration - span) <= 0.5, f"file lasts {duration:.3f} s, recorded span {span:.3f} s"

    samples = eh.decode_audio(recording)
    assert abs(media.dominant_frequency(samples[24000:], 48000) - 440.0) <= 10.0
    shares = eh.tone_energy_fractions(samples[24000:], [440.0])
    assert shares[440.0] >= 0.5, shares
