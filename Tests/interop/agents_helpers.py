"""Helpers for the agent acceptance tests (issue 4): the example `livekit-agents` worker
(examples/agent/agent.py, run by .venv-agents' python) as a subprocess, the
AgentDispatchService through `livekit-api`, and a collector for `lk.transcription`
text streams.

The worker runs in its own session (process group) so the test can SIGKILL it together
with the job processes it forked, the way a crashed host takes both down.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from livekit import api, rtc

import media
from conftest import API_KEY, API_SECRET, REPO_ROOT

AGENTS_PYTHON = REPO_ROOT / ".venv-agents" / "bin" / "python"
AGENT_SCRIPT = REPO_ROOT / "examples" / "agent" / "agent.py"
AGENT_NAME = "simulator"
REGISTERED_LINE = "registered worker"  # livekit-agents logs this after RegisterWorkerResponse
TRANSCRIPTION_TOPIC = "lk.transcription"
AGENT_KIND = rtc.ParticipantKind.PARTICIPANT_KIND_AGENT


def simulation_metadata(service: str) -> str:
    return json.dumps({"simulation_service": service})


# ---------------------------------------------------------------------------
# the worker process
# ---------------------------------------------------------------------------


class AgentWorker:
    """`.venv-agents/bin/python examples/agent/agent.py start` against one server."""

    def __init__(self, ws_url: str, log_path: Path):
        self.ws_url = ws_url
        self.log_path = log_path
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> "AgentWorker":
        for needed in (AGENTS_PYTHON, AGENT_SCRIPT):
            if not needed.exists():
                raise AssertionError(f"{needed} is missing; run scripts/setup-agents.sh")
        env = {
            **os.environ,
            "LIVEKIT_URL": self.ws_url,
            "LIVEKIT_API_KEY": API_KEY,
            "LIVEKIT_API_SECRET": API_SECRET,
            "PYTHONUNBUFFERED": "1",
        }
        for inherited in ("LIVEKIT_AGENT_NAME", "LIVEKIT_AGENT_NAME_OVERRIDE", "LIVEKIT_WORKER_TOKEN"):
            env.pop(inherited, None)
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [str(AGENTS_PYTHON), str(AGENT_SCRIPT), "start", "--log-level", "debug"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=REPO_ROOT,
                env=env,
                start_new_session=True,
            )
        finally:
            log.close()
        return self

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        tail = "\n".join(self.log_text().splitlines()[-lines:])
        return f"----- agent worker log ({self.log_path}) -----\n{tail}\n-----"

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def wait_registered(self, timeout: float = 45.0) -> None:
        """Until the worker logged its RegisterWorkerResponse; fails if it exits first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if REGISTERED_LINE in self.log_text():
                return
            if not self.running():
                raise AssertionError(f"agent worker exited ({self.proc.returncode}) before registering\n{self.log_tail()}")
            await asyncio.sleep(0.2)
        raise AssertionError(f"agent worker did not register within {timeout}s\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the worker and every process of its group (its job processes)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL of the whole group after 8 s, for teardown."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=8)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:  # job processes may outlive a worker that exited on its own
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=5)


# ---------------------------------------------------------------------------
# the AgentDispatchService
# ---------------------------------------------------------------------------


def server_api(sfu) -> api.LiveKitAPI:
    """A livekit-api client for our server (open it inside the running event loop)."""
    return api.LiveKitAPI(url=sfu.base_url, api_key=API_KEY, api_secret=API_SECRET)


async def create_dispatch(sfu, room: str, service: str) -> api.AgentDispatch:
    async with server_api(sfu) as lkapi:
        return await lkapi.agent_dispatch.create_dispatch(
            api.CreateAgentDispatchRequest(agent_name=AGENT_NAME, room=room, metadata=simulation_metadata(service))
        )


async def list_dispatch(sfu, room: str) -> list[api.AgentDispatch]:
    async with server_api(sfu) as lkapi:
        return await lkapi.agent_dispatch.list_dispatch(room_name=room)


def job_statuses(dispatches: list[api.AgentDispatch], dispatch_id: str) -> list[int]:
    return [job.state.status for d in dispatches if d.id == dispatch_id for job in d.state.jobs]


def status_names(statuses: list[int]) -> list[str]:
    return [api.JobStatus.Name(s) for s in statuses]


def server_logged_job_failure(sfu_log: str) -> bool:
    """The lead's server logs `agent job <id> failed: <reason>`."""
    return re.search(r"agent job \S+ failed", sfu_log) is not None or "job failed" in sfu_log


# ---------------------------------------------------------------------------
# what a caller sees of the agent
# ---------------------------------------------------------------------------


def agents_in(room: rtc.Room) -> list[rtc.RemoteParticipant]:
    return [p for p in room.remote_participants.values() if p.kind == AGENT_KIND]


async def wait_for_agent(room: rtc.Room, timeout: float = 30.0) -> rtc.RemoteParticipant:
    """The first remote participant of kind AGENT."""
    if not await media.wait_until(lambda: bool(agents_in(room)), timeout):
        seen = {p.identity: rtc.ParticipantKind.Name(p.kind) for p in room.remote_participants.values()}
        raise AssertionError(f"no agent participant joined within {timeout}s; remote participants: {seen}")
    return agents_in(room)[0]


@dataclass
class TextLine:
    sender: str
    text: str
    attributes: dict
    at: float


@dataclass
class TranscriptionCollector:
    """Reads every text stream on `lk.transcription` a room receives."""

    lines: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    _tasks: set = field(default_factory=set)

    def attach(self, room: rtc.Room) -> "TranscriptionCollector":
        room.register_text_stream_handler(TRANSCRIPTION_TOPIC, self._on_stream)
        return self

    def _on_stream(self, reader: rtc.TextStreamReader, sender: str) -> None:
        task = asyncio.ensure_future(self._read(reader, sender))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self, reader: rtc.TextStreamReader, sender: str) -> None:
        try:
            text = await reader.read_all()
            self.lines.append(TextLine(sender, text, dict(reader.info.attributes or {}), time.monotonic()))
        except Exception as exc:  # recorded, asserted on by the test
            self.errors.append(exc)

    def from_sender(self, identity: str) -> list[TextLine]:
        return [line for line in self.lines if line.sender == identity]

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
