"""Voice-AI call acceptance: the whole flow a LiveKit customer runs, with real peers.

1. The control plane (`livekit-api`, protobuf Twirp) creates the room with an agent dispatch
   (`CreateRoomRequest.agents`: agent "simulator", metadata `{"simulation_service": "tone"}`)
   and a short departure timeout (3 s).
2. The example `livekit-agents` worker (examples/agent, `.venv-agents`), registered under that
   name before the room exists, gets the job, parses the metadata (it logs
   `job <id> in room <room> runs the tone pipeline`; without the metadata it would run "echo")
   and joins as kind AGENT, playing 660 Hz.
3. A caller (`livekit` SDK) joins, publishes 440 Hz and hears the agent's 660 Hz.
4. The control plane starts an audio-only room composite egress to moto S3 (SigV4 enforced)
   with `filepath = "calls/{room_name}/{time}.mp4"`.
5. The caller talks for a few seconds and leaves.

Then: `room_finished` arrives within departure_timeout + 5 s of the caller leaving; the
recording is one object under `calls/<room>/`, audio only (ffprobe), holding both voices
(440 Hz and 660 Hz in the spectrum of the decoded PCM); the lifecycle webhooks, validated
with livekit-api's WebhookReceiver, come as room_started, participant_joined ×2 (any order),
egress_started, egress_ended, room_finished (other events ignored).

The checks are collected, so one run reports every miss.  When room_finished does not come
in time the test deletes the room (DeleteRoom) so that the recording still ends and its
checks still run.

`test_dependent_participant_does_not_hold_the_room_open` checks the same departure rule with
a participant that never leaves on its own: a plain SDK peer with a kind=agent token
(video.agent), which LiveKit counts as dependent (PROTOCOL.md §12).
"""

from __future__ import annotations

import asyncio
import time

import pytest
from livekit import api, rtc
from livekit.protocol import egress as egress_pb

import agents_helpers as ag
import cp_helpers as cp
import egress_helpers as eh
import lk_helpers as lk
import media
import voice_helpers as vh

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

CALLER_HZ = 440.0
AGENT_HZ = 660.0  # examples/agent/tone_pipeline.py TONE_HZ
SERVICE = "tone"
DEPARTURE_TIMEOUT_S = 3
FINISH_MARGIN_S = 5.0  # room_finished must arrive within departure_timeout + this
FINISH_WAIT_S = 25.0  # how long the test waits before it gives up and deletes the room
TALK_S = 6.0
FILEPATH = "calls/{room_name}/{time}.mp4"
AGENT_JOIN_TIMEOUT_S = 30.0
COMPLETE, FAILED = egress_pb.EGRESS_COMPLETE, egress_pb.EGRESS_FAILED
ACTIVE = egress_pb.EGRESS_ACTIVE


def server_toml(sink: cp.WebhookSink, tmp_path) -> str:
    return sink.toml(tmp_path / "outbox") + f'\n[storage]\nlocal_dir = "{tmp_path / "recordings"}"\n'


@pytest.fixture
def agent_worker_factory(request, tmp_path):
    workers: list[ag.AgentWorker] = []

    def start(sfu) -> ag.AgentWorker:
        worker = ag.AgentWorker(lk.lk_url(sfu), tmp_path / f"agent-worker{len(workers)}.log").start()
        workers.append(worker)
        return worker

    yield start
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for worker in workers:
        worker.stop()
        if failed:
            print(worker.log_tail(120))


def from_agent_audio(identity: str):
    return lambda track, publication, participant: (
        participant.identity == identity and publication.kind == rtc.TrackKind.KIND_AUDIO
    )


def test_voice_call_with_agent_recording_and_webhooks(sfu_factory, webhook_sink, moto_s3, agent_worker_factory, tmp_path):
    sfu = sfu_factory(extra_toml=server_toml(webhook_sink, tmp_path))
    worker = agent_worker_factory(sfu)
    room = "voice-call"
    problems: list[str] = []
    facts: dict = {}

    async def body():
        caller = tone = probe = None
        client = eh.lkapi(sfu)
        try:
            await worker.wait_registered()

            # 1. the control plane creates the room with its agent
            created = await vh.create_voice_room(client, room, SERVICE, departure_timeout=DEPARTURE_TIMEOUT_S)
            assert created.name == room and created.sid.startswith("RM_"), created
            assert created.departure_timeout == DEPARTURE_TIMEOUT_S, created

            # 2./3. the caller joins and publishes; the agent shows up as kind AGENT
            caller = lk.Peer("caller")
            await caller.connect(lk.lk_url(sfu), lk.lk_token("caller", room))
            tone = lk.ToneSource(CALLER_HZ).start()
            await asyncio.wait_for(caller.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12)
            agent = await ag.wait_for_agent(caller.room, AGENT_JOIN_TIMEOUT_S)
            facts["agent"] = agent.identity
            assert agent.kind == ag.AGENT_KIND, rtc.ParticipantKind.Name(agent.kind)

            # the job metadata reached the job: it picked the tone pipeline and plays 660 Hz
            sub = await caller.wait_event("track_subscribed", from_agent_audio(agent.identity), timeout=15)
            probe = lk.AudioProbe().start(sub.args[0])
            heard = await media.wait_until(lambda: probe.good(AGENT_HZ) >= 50, 20.0)
            assert heard, f"caller did not hear the agent's {AGENT_HZ} Hz: {probe.describe(AGENT_HZ)}"
            started = await media.wait_until(lambda: bool(vh.pipelines_started(worker.log_text(), room)), 10.0)
            jobs = vh.pipelines_started(worker.log_text(), room)
            assert started and [p for _, p in jobs] == [SERVICE], (
                f"the worker's jobs in {room}: {jobs} (want one {SERVICE!r} job: the metadata "
                f"{ag.simulation_metadata(SERVICE)} selects it)\n{worker.log_tail()}"
            )

            # 4. the recording starts once both voices are in the room
            egress = await vh.start_audio_recording(client, room, moto_s3.upload_request(), FILEPATH)
            assert egress.egress_id.startswith("EG_"), egress
            await eh.wait_egress(client, egress.egress_id, {ACTIVE}, timeout=10)

            # 5. the caller talks, then leaves
            await asyncio.sleep(TALK_S)
            assert caller.connected() and tone.error is None
            await probe.stop()
            probe = None
            await tone.stop()
            tone = None
            await caller.disconnect()
            left = time.monotonic()

            finished = await vh.wait_arrival(webhook_sink, "room_finished", room, FINISH_WAIT_S)
            agent_left = vh.first_arrival(webhook_sink, "participant_left", room, facts["agent"])
            facts["agent_left_after_s"] = None if agent_left is None else round(agent_left - left, 2)
            facts["room_finished_after_s"] = None if finished is None else round(finished - left, 2)
            if finished is None or finished - left > DEPARTURE_TIMEOUT_S + FINISH_MARGIN_S:
                problems.append(
                    f"room_finished {'never came' if finished is None else f'came {finished - left:.1f} s'} "
                    f"after the caller left (want ≤ {DEPARTURE_TIMEOUT_S + FINISH_MARGIN_S:.0f} s: departure_timeout "
                    f"{DEPARTURE_TIMEOUT_S} s + {FINISH_MARGIN_S:.0f} s); the agent's participant_left came "
                    f"{facts['agent_left_after_s']} s after; rooms now {await cp.room_names(client)}"
                )
            if finished is None:  # end the call so the recording can still be checked
                try:
                    await client.room.delete_room(api.DeleteRoomRequest(room=room))
                except api.TwirpError as exc:
                    problems.append(f"DeleteRoom({room}) failed: {exc}")

            final = await eh.wait_egress(client, egress.egress_id, {COMPLETE, FAILED}, timeout=60)
            await webhook_sink.wait_for(lambda evs: any(e.event == "egress_ended" for e in evs), 10)
            await webhook_sink.wait_for(lambda evs: any(cp.has("room_finished", room)(e) for e in evs), 10)
            await asyncio.sleep(1.0)  # late or duplicated webhooks show up now
            return final
        finally:
            for thing in (probe, tone):
                if thing is not None:
                    await thing.stop()
            await lk.disconnect_all([caller])
            await client.aclose()

    try:
        final = lk.run_bounded(body(), 240)
    except BaseException:
        print(f"voice call facts: {facts}")
        raise

    # the recording
    assert final.status == COMPLETE, f"egress ended {eh.status_name(final.status)}: {final.error!r}\n{moto_s3.log_tail()}"
    prefix = f"calls/{room}/"
    keys = moto_s3.keys()
    found = vh.find_recording(keys, prefix)
    assert found is not None, f"no single recording in the bucket: {keys}"
    if not found.under_prefix:
        problems.append(f"the recording is not under {prefix!r}: bucket holds {keys} (filepath {FILEPATH!r})")
    results = [r.location for r in final.file_results]
    if not any(found.key in location for location in results):
        problems.append(f"EgressInfo.file_results {results} do not name the object {found.key!r}")
    facts["key"] = found.key
    recording = moto_s3.download(found.key, tmp_path / "call.mp4")
    probe = eh.ffprobe(recording)
    audio, video = eh.streams_of(probe, "audio"), eh.streams_of(probe, "video")
    if [s["codec_name"] for s in audio] != ["aac"] or video:
        problems.append(f"want one AAC audio stream and no video: {[(s['codec_type'], s['codec_name']) for s in probe['streams']]}")
    samples = eh.decode_audio(recording)
    middle = samples[48000 : max(48000, samples.size - 48000)]  # skip the edges
    shares = eh.tone_energy_fractions(middle, [CALLER_HZ, AGENT_HZ])
    facts["energy_shares"] = {f: round(v, 3) for f, v in shares.items()}
    facts["duration_s"] = round(eh.duration_s(probe), 2)
    if not (shares[CALLER_HZ] >= 0.1 and shares[AGENT_HZ] >= 0.1):
        problems.append(
            f"both voices must be in the recording: energy shares {shares} "
            f"(rms {eh.rms(middle):.4f}, {eh.duration_s(probe):.1f} s)"
        )

    # the webhooks
    invalid = webhook_sink.invalid()
    assert not invalid, f"webhooks refused by WebhookReceiver: {[(d.error, d.body[:200]) for d in invalid]}"
    lifecycle = vh.lifecycle_events(webhook_sink.unique_events(), room)
    problems += vh.call_order_problems(lifecycle, {"caller", facts["agent"]})
    facts["lifecycle"] = [vh.label(e) for e in lifecycle]
    ended = [e for e in lifecycle if e.event == "egress_ended"]
    if ended and ended[0].egress_info.status != COMPLETE:
        problems.append(f"egress_ended carries status {eh.status_name(ended[0].egress_info.status)}")

    print(f"voice call facts: {facts}")
    assert not problems, "\n".join(problems) + f"\nall webhooks: {webhook_sink.summary()}"


def test_dependent_participant_does_not_hold_the_room_open(sfu_factory, webhook_sink, tmp_path):
    """A kind=agent participant that stays: the room still finishes departure_timeout after
    the last independent participant (the caller) left, and the agent is told to leave."""
    sfu = sfu_factory(extra_toml=webhook_sink.toml(tmp_path / "outbox"))
    room = "dependent-stays"

    async def body():
        client = eh.lkapi(sfu)
        caller = lk.Peer("caller")
        bot = lk.Peer("bot")
        try:
            await client.room.create_room(
                api.CreateRoomRequest(name=room, departure_timeout=DEPARTURE_TIMEOUT_S, empty_timeout=60)
            )
            await caller.connect(lk.lk_url(sfu), lk.lk_token("caller", room))
            await bot.connect(lk.lk_url(sfu), vh.dependent_agent_token("bot", room))
            seen = await caller.wait_event("participant_connected", lk.from_identity("bot"), timeout=10)
            assert seen.args[0].kind == ag.AGENT_KIND, rtc.ParticipantKind.Name(seen.args[0].kind)

            await caller.disconnect()
            left = time.monotonic()
            finished = await vh.wait_arrival(webhook_sink, "room_finished", room, FINISH_WAIT_S)
            bot_disconnected = await media.wait_until(lambda: not bot.connected(), 5.0)
            return left, finished, bot_disconnected
        finally:
            await lk.disconnect_all([caller, bot])
            await client.aclose()

    left, finished, bot_disconnected = lk.run_bounded(body(), 90)
    limit = DEPARTURE_TIMEOUT_S + FINISH_MARGIN_S
    print(f"room_finished {None if finished is None else round(finished - left, 2)} s after the caller left")
    assert finished is not None and finished - left <= limit, (
        f"room_finished {'never came' if finished is None else f'came {finished - left:.1f} s'} after the caller "
        f"left while only a kind=agent participant stayed (want ≤ {limit:.0f} s); {webhook_sink.summary()}"
    )
    assert finished - left >= DEPARTURE_TIMEOUT_S - 0.5, f"room_finished {finished - left:.1f} s after: too early"
    assert bot_disconnected, "the dependent participant must be disconnected when the room closes"
