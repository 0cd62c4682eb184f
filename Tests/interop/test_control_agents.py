"""Issue 4 acceptance, agents: a real `livekit-agents` worker (examples/agent/) against our server.

Each test starts its own `sfu` (conftest.py) and the example worker
(`.venv-agents/bin/python examples/agent/agent.py start`, agent_name "simulator",
explicit dispatch), waits for the worker's "registered worker" log line, then dispatches
with `livekit-api`'s AgentDispatchService (CreateDispatch with metadata
`{"simulation_service": ...}`).  A caller using the `livekit` SDK (main .venv) is in the
room first, publishing a 440 Hz tone:

* "echo": the agent joins as kind AGENT and the caller decodes its own 440 Hz back;
* "tone": the caller decodes 660 Hz from the agent and reads an `lk.transcription` text stream;
* SIGKILL of the worker (with its job processes) mid-job: the dispatch's job shows
  JS_FAILED in ListDispatch or the server logs `agent job <id> failed`, and the agent
  participant leaves the room.

Audio is measured as in test_livekit_media.py: dominant frequency ±10 Hz over 100 ms windows.
"""

import asyncio
import time

import pytest
from livekit import api, rtc

import agents_helpers as ag
import lk_helpers as lk
import media

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

AGENT_JOIN_TIMEOUT_S = 30.0  # job process start + token + /rtc join on a busy 2-core machine
AGENT_LEAVE_TIMEOUT_S = 40.0  # a killed peer's transport is declared dead within 40 s (issue 4)


@pytest.fixture
def agent_worker(request, sfu, tmp_path):
    worker = ag.AgentWorker(lk.lk_url(sfu), tmp_path / "agent-worker.log").start()
    yield worker
    worker.stop()
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        print(worker.log_tail(120))


def audio_from(identity):
    return lambda track, publication, participant: (
        participant.identity == identity and publication.kind == rtc.TrackKind.KIND_AUDIO
    )


async def join_caller(sfu, room: str) -> tuple[lk.Peer, lk.ToneSource, ag.TranscriptionCollector]:
    """The caller: in the room, publishing 440 Hz, collecting `lk.transcription` streams."""
    caller = lk.Peer("caller")
    transcripts = ag.TranscriptionCollector().attach(caller.room)
    await caller.connect(lk.lk_url(sfu), lk.lk_token("caller", room))
    tone = lk.ToneSource(440.0).start()
    await asyncio.wait_for(caller.room.local_participant.publish_track(tone.track, lk.microphone_options()), 12)
    return caller, tone, transcripts


async def dispatch_and_meet_agent(sfu, worker, caller: lk.Peer, room: str, service: str):
    await worker.wait_registered()
    dispatch = await ag.create_dispatch(sfu, room, service)
    assert dispatch.id, f"CreateDispatch returned no id: {dispatch}"
    assert (dispatch.agent_name, dispatch.room) == (ag.AGENT_NAME, room), dispatch
    assert dispatch.metadata == ag.simulation_metadata(service), dispatch

    agent = await ag.wait_for_agent(caller.room, AGENT_JOIN_TIMEOUT_S)
    assert agent.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT, rtc.ParticipantKind.Name(agent.kind)
    listed = [d.id for d in await ag.list_dispatch(sfu, room)]
    assert dispatch.id in listed, f"ListDispatch({room}) -> {listed}, expected {dispatch.id}"
    return dispatch, agent


async def probe_agent_audio(caller: lk.Peer, agent_identity: str) -> lk.AudioProbe:
    sub = await caller.wait_event("track_subscribed", audio_from(agent_identity), timeout=15)
    return lk.AudioProbe().start(sub.args[0])


def test_echo_dispatch_agent_joins_as_agent_and_caller_hears_itself(sfu, agent_worker):
    async def body():
        room = "agent-echo"
        caller = tone = transcripts = probe = None
        try:
            caller, tone, transcripts = await join_caller(sfu, room)
            _, agent = await dispatch_and_meet_agent(sfu, agent_worker, caller, room, "echo")
            probe = await probe_agent_audio(caller, agent.identity)

            ok = await media.wait_until(lambda: probe.good(440.0) >= 100, 20.0)
            assert ok, f"caller did not hear its 440 Hz echoed by {agent.identity}: {probe.describe(440.0)}"
            assert probe.good(660.0) == 0, "the echo pipeline must not play the tone pipeline's 660 Hz"
            assert tone.error is None
            assert caller.connected() and agent_worker.running()
        finally:
            await _cleanup(caller, tone, transcripts, probe)

    lk.run_bounded(body(), 120)


def test_tone_dispatch_caller_hears_660_hz_and_reads_transcription(sfu, agent_worker):
    async def body():
        room = "agent-tone"
        caller = tone = transcripts = probe = None
        try:
            caller, tone, transcripts = await join_caller(sfu, room)
            _, agent = await dispatch_and_meet_agent(sfu, agent_worker, caller, room, "tone")
            probe = await probe_agent_audio(caller, agent.identity)

            ok = await media.wait_until(lambda: probe.good(660.0) >= 100, 20.0)
            assert ok, f"caller did not hear 660 Hz from {agent.identity}: {probe.describe(660.0)}"

            got_text = await media.wait_until(lambda: bool(transcripts.from_sender(agent.identity)), 15.0)
            seen = [(line.sender, line.text) for line in transcripts.lines]
            assert got_text, f"no lk.transcription text stream from {agent.identity}; got {seen}, errors {transcripts.errors}"
            line = transcripts.from_sender(agent.identity)[0]
            assert "660" in line.text, line.text
            assert line.attributes.get("lk.transcription_final") == "true", line.attributes
            assert transcripts.errors == []
            # the agent heard the caller's track too and said so
            heard = await media.wait_until(
                lambda: any("caller" in l.text for l in transcripts.from_sender(agent.identity)), 15.0
            )
            assert heard, f"the agent never said it heard the caller: {seen}"
        finally:
            await _cleanup(caller, tone, transcripts, probe)

    lk.run_bounded(body(), 120)


def test_killing_the_worker_mid_job_fails_the_job_and_the_agent_leaves(sfu, agent_worker):
    async def body():
        room = "agent-kill"
        caller = tone = transcripts = probe = None
        try:
            caller, tone, transcripts = await join_caller(sfu, room)
            dispatch, agent = await dispatch_and_meet_agent(sfu, agent_worker, caller, room, "echo")
            probe = await probe_agent_audio(caller, agent.identity)
            assert await media.wait_until(lambda: probe.good(440.0) >= 50, 20.0), probe.describe(440.0)

            running = await _wait_for_statuses(sfu, room, dispatch.id, lambda s: api.JS_RUNNING in s, 10.0)
            assert api.JS_RUNNING in running, f"before the kill, ListDispatch job states: {ag.status_names(running)}"

            t_kill = time.monotonic()
            agent_worker.kill()
            assert not agent_worker.running()

            left = await caller.wait_event(
                "participant_disconnected", lk.from_identity(agent.identity), timeout=AGENT_LEAVE_TIMEOUT_S
            )
            assert agent.identity not in caller.room.remote_participants
            assert not ag.agents_in(caller.room), "an agent is still in the room after its worker was killed"

            def failure_visible(statuses):
                return api.JS_FAILED in statuses or ag.server_logged_job_failure(sfu.log_path.read_text(errors="replace"))

            statuses = await _wait_for_statuses(
                sfu, room, dispatch.id, lambda s: failure_visible(s) and api.JS_RUNNING not in s, 20.0
            )
            sfu_log = sfu.log_path.read_text(errors="replace")
            assert failure_visible(statuses), (
                f"the killed job is not reported failed: ListDispatch job states {ag.status_names(statuses)}, "
                f"and no 'agent job <id> failed' in the server log"
            )
            assert api.JS_RUNNING not in statuses, (
                f"the killed job still shows as running: {ag.status_names(statuses)}; "
                f"server logged a failure: {ag.server_logged_job_failure(sfu_log)}"
            )
            assert caller.connected(), "the caller must stay in the call when the agent's worker dies"
            print(f"agent left {left.at - t_kill:.1f}s after the kill; job states {ag.status_names(statuses)}")
        finally:
            await _cleanup(caller, tone, transcripts, probe)

    lk.run_bounded(body(), 150)


async def _cleanup(caller, tone, transcripts, probe) -> None:
    for thing in (probe, tone):
        if thing is not None:
            await thing.stop()
    if transcripts is not None:
        await transcripts.close()
    await lk.disconnect_all([caller])


async def _wait_for_statuses(sfu, room, dispatch_id, done, timeout):
    """Polls ListDispatch until `done(job statuses of dispatch_id)`; returns the last statuses."""
    deadline = time.monotonic() + timeout
    while True:
        statuses = ag.job_statuses(await ag.list_dispatch(sfu, room), dispatch_id)
        if done(statuses) or time.monotonic() >= deadline:
            return statuses
        await asyncio.sleep(0.5)
