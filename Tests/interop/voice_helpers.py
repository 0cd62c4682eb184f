"""Helpers for the voice-call acceptance test (test_voice_call.py): a room created with an
agent dispatch by the control plane, an audio-only room composite recording to S3, and the
checks on what a LiveKit customer sees afterwards (webhook order, recording contents).

Everything goes through public interfaces: `livekit-api` (protobuf Twirp, as a control plane
sends it), the `livekit` SDK, the example `livekit-agents` worker's log, moto's S3 and ffprobe.
The checks return lists of problems (strings) rather than asserting, so one run of the test
reports every miss at once.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Iterable, Optional

from livekit import api

import agents_helpers as ag
import cp_helpers as cp
from conftest import API_KEY, API_SECRET

# The webhooks whose relative order a voice call fixes (others — track_published,
# participant_left, egress_updated — may interleave and are ignored).
CALL_LIFECYCLE = ("room_started", "participant_joined", "egress_started", "egress_ended", "room_finished")
EGRESS_EVENTS = ("egress_started", "egress_updated", "egress_ended")


# ---------------------------------------------------------------------------
# the control plane
# ---------------------------------------------------------------------------


def agent_dispatch(service: str, agent_name: str = ag.AGENT_NAME) -> api.RoomAgentDispatch:
    """One `CreateRoomRequest.agents` entry: the example worker, running `service`."""
    return api.RoomAgentDispatch(agent_name=agent_name, metadata=ag.simulation_metadata(service))


async def create_voice_room(
    client: api.LiveKitAPI, room: str, service: str, *, departure_timeout: int, empty_timeout: int = 60
) -> api.Room:
    """CreateRoom with one agent dispatch and the given timeouts."""
    return await client.room.create_room(
        api.CreateRoomRequest(
            name=room,
            departure_timeout=departure_timeout,
            empty_timeout=empty_timeout,
            agents=[agent_dispatch(service)],
        )
    )


async def start_audio_recording(client: api.LiveKitAPI, room: str, s3: api.S3Upload, filepath: str) -> api.EgressInfo:
    """StartRoomCompositeEgress, audio only, one MP4 file output to `s3`."""
    return await client.egress.start_room_composite_egress(
        api.RoomCompositeEgressRequest(
            room_name=room,
            audio_only=True,
            file_outputs=[api.EncodedFileOutput(file_type=api.EncodedFileType.MP4, filepath=filepath, s3=s3)],
        )
    )


def dependent_agent_token(identity: str, room: str) -> str:
    """A room token as LiveKit's agent token builder makes one (kind=agent, video.agent):
    a participant LiveKit counts as dependent (PROTOCOL.md §12)."""
    grants = api.VideoGrants(
        room_join=True, room=room, agent=True, can_publish=True, can_subscribe=True, can_publish_data=True,
        can_update_own_metadata=True,
    )
    token = api.AccessToken(API_KEY, API_SECRET).with_identity(identity).with_kind("agent").with_grants(grants)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns about the short dev secret
        return token.to_jwt()


# ---------------------------------------------------------------------------
# the agent worker's log
# ---------------------------------------------------------------------------

# examples/agent/agent.py logs this from the job process once it has parsed the job metadata.
_PIPELINE_LINE = re.compile(r"job (\S+) in room (\S+) runs the (\w+) pipeline")


def pipelines_started(worker_log: str, room: str) -> list[tuple[str, str]]:
    """(job id, pipeline) of every job the example worker started in `room`."""
    return [(m.group(1), m.group(3)) for m in _PIPELINE_LINE.finditer(worker_log) if m.group(2) == room]


# ---------------------------------------------------------------------------
# webhooks
# ---------------------------------------------------------------------------


def room_of(event: api.WebhookEvent) -> str:
    """The room an event is about (egress events name it in their EgressInfo)."""
    if event.event in EGRESS_EVENTS:
        return event.egress_info.room_name or event.room.name
    return event.room.name


def lifecycle_events(events: Iterable[api.WebhookEvent], room: str) -> list[api.WebhookEvent]:
    """The CALL_LIFECYCLE events of `room`, in arrival order (first arrival of each id)."""
    return [e for e in events if e.event in CALL_LIFECYCLE and room_of(e) == room]


def label(event: api.WebhookEvent) -> str:
    who = event.participant.identity if event.event == "participant_joined" else ""
    return f"{event.event}({who})" if who else event.event


def call_order_problems(events: list[api.WebhookEvent], identities: set[str]) -> list[str]:
    """`events` (lifecycle_events of one call) must be: room_started, participant_joined for
    each of `identities` (any order between them), egress_started, egress_ended, room_finished,
    each exactly once.  The server holds room_finished back until the room's recordings have
    ended (LiveKit itself promises no order there, livekit/egress#364)."""
    got = [label(e) for e in events]
    problems = []
    counts: dict[str, int] = {}
    for name in got:
        counts[name] = counts.get(name, 0) + 1
    expected = ["room_started", *(f"participant_joined({i})" for i in sorted(identities)),
                "egress_started", "egress_ended", "room_finished"]
    for name in expected:
        if counts.get(name, 0) != 1:
            problems.append(f"webhook {name} arrived {counts.get(name, 0)} times, want once")
    extra = sorted(set(got) - set(expected))
    if extra:
        problems.append(f"unexpected lifecycle webhooks {extra}")
    # rank: the position each step must hold; the joins share one rank
    rank = {"room_started": 0, "egress_started": 2, "egress_ended": 3, "room_finished": 4}
    ranks = [rank.get(name, 1 if name.startswith("participant_joined(") else -1) for name in got]
    if ranks != sorted(ranks):
        problems.append(
            "webhooks out of order: got " + " → ".join(got)
            + "; want room_started → participant_joined ×2 → egress_started → egress_ended → room_finished"
        )
    return problems


def first_arrival(sink: cp.WebhookSink, name: str, room: str, identity: Optional[str] = None) -> Optional[float]:
    """Monotonic arrival time of the first validated `name` webhook about `room` (and the
    participant `identity`, when given)."""
    for delivery in sink.snapshot():
        event = delivery.event
        if event is not None and event.event == name and room_of(event) == room and (
            identity is None or event.participant.identity == identity
        ):
            return delivery.at
    return None


async def wait_arrival(sink: cp.WebhookSink, name: str, room: str, timeout: float) -> Optional[float]:
    await sink.wait_for(lambda events: any(e.event == name and room_of(e) == room for e in events), timeout)
    return first_arrival(sink, name, room)


# ---------------------------------------------------------------------------
# the recording
# ---------------------------------------------------------------------------


@dataclass
class StoredRecording:
    key: str  # the object key the test analysed
    all_keys: list  # everything in the bucket
    under_prefix: bool  # whether `key` is under the wanted prefix


def find_recording(keys: list[str], prefix: str, suffix: str = ".mp4") -> Optional[StoredRecording]:
    """The recording under `prefix` if there is exactly one; else, so the media checks can
    still run, the only object in the bucket (marked not under the prefix)."""
    under = [k for k in keys if k.startswith(prefix) and k.endswith(suffix)]
    if len(under) == 1:
        return StoredRecording(under[0], keys, True)
    if len(keys) == 1:
        return StoredRecording(keys[0], keys, False)
    return None

