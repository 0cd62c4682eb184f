"""Issue 11, finding 4: the server shuts down in a documented order (docs/shutdown.md), and
no recording is cut or orphaned by it.

A track egress is recording when the node is told to stop at once (SIGTERM twice). The
recordings end first, while media and webhooks still run: the worker finishes the file, the
server reports egress_ended (COMPLETE) and exits 0, with no egress worker left behind.
"""

import asyncio
import signal

import pytest
from livekit import api
from livekit.protocol import egress as egress_pb

import cp_helpers as cp
import egress_helpers as eh
import lk_helpers as lk

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_an_immediate_stop_finishes_recordings_and_reports_them(sfu_factory, webhook_sink, tmp_path):
    local_dir = tmp_path / "recordings"
    sfu = sfu_factory(extra_toml=eh.egress_toml(local_dir) + webhook_sink.toml(tmp_path / "outbox"))
    room = "stop-while-recording"

    async def body():
        # The publisher lives in a child process, killed once the server is gone: an SDK left
        # reconnecting to a dead server can crash its FFI when the test process exits.
        red = cp.ChildParticipant(lk.lk_url(sfu), lk.lk_token("red", room), tmp_path / "red.log")
        client = eh.lkapi(sfu)
        try:
            track_sid = (await red.start())["track_sid"]
            await asyncio.sleep(1.0)
            info = await client.egress.start_track_egress(
                api.TrackEgressRequest(room_name=room, track_id=track_sid,
                                       file=api.DirectFileOutput(filepath="stopped-{track_id}")))
            await eh.wait_egress(client, info.egress_id, {egress_pb.EGRESS_ACTIVE}, timeout=10)
            worker = await eh.wait_for_worker(sfu.proc.pid)
            await asyncio.sleep(2.0)
            sfu.proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.3)
            sfu.proc.send_signal(signal.SIGTERM)  # the second one: stop now, the call still on
            status = await asyncio.to_thread(sfu.proc.wait, 40)
            return info.egress_id, worker, status
        finally:
            await client.aclose()
            await red.kill()

    egress_id, worker, status = lk.run_bounded(body(), 90)
    sfu.became_healthy = False  # an exit we asked for, not a crash
    assert status == 0, f"exit status {status}\n{sfu.log_tail()}"
    assert not eh.children_of(sfu.proc.pid) and not _alive(worker), f"egress worker {worker} outlived the server"

    files = eh.recordings_in(local_dir)
    assert len(files) == 1 and files[0].suffix == ".ogg", files
    probe = eh.ffprobe(files[0])
    assert [s["codec_name"] for s in eh.streams_of(probe, "audio")] == ["opus"], probe
    assert eh.duration_s(probe) >= 1.5, probe["format"]

    def ended(events):
        return any(e.event == "egress_ended" and e.egress_info.egress_id == egress_id for e in events)

    if not ended(webhook_sink.unique_events()):
        sfu.restart()  # what was journaled before the exit is delivered by the next run
    assert lk.run_bounded(webhook_sink.wait_for(ended, 20), 30), webhook_sink.summary()
    final = next(e for e in webhook_sink.unique_events() if e.event == "egress_ended" and e.egress_info.egress_id == egress_id)
    assert final.egress_info.status == egress_pb.EGRESS_COMPLETE, (final.egress_info.status, final.egress_info.error)
    assert final.egress_info.file_results and final.egress_info.file_results[0].size > 0


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1].split()[0] != "Z"
    except OSError:
        return False
