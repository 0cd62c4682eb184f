"""An offline `livekit-agents` worker for our SFU: agent_name "simulator", explicit dispatch.

Each job reads `simulation_service` from its metadata (service_selection.py) and runs
one plain-rtc pipeline inside the job: "echo" (echo_pipeline.py) or "tone"
(tone_pipeline.py).  No plugin, model, VAD or STT is loaded, so nothing is downloaded;
never run the `download-files` command, it is not needed.

    LIVEKIT_URL=ws://127.0.0.1:7880 LIVEKIT_API_KEY=devkey LIVEKIT_API_SECRET=secret \
        .venv-agents/bin/python examples/agent/agent.py start

SFU_URL / SFU_API_KEY / SFU_API_SECRET are accepted when the LIVEKIT_* ones are unset.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Union

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the pipelines beside this file

from livekit import rtc  # noqa: E402
from livekit.agents import AgentServer, AutoSubscribe, JobContext, cli  # noqa: E402

from echo_pipeline import EchoPipeline  # noqa: E402
from room_audio import is_caller  # noqa: E402
from service_selection import ECHO, TONE, parse_simulation_service  # noqa: E402
from tone_pipeline import TonePipeline  # noqa: E402

AGENT_NAME = "simulator"
logger = logging.getLogger("simulator")

Pipeline = Union[EchoPipeline, TonePipeline]
PIPELINES = {ECHO: EchoPipeline, TONE: TonePipeline}


def pipeline_for(metadata: str | None, room: rtc.Room) -> Pipeline:
    """The pipeline a job with this metadata runs (raises SimulationServiceError)."""
    return PIPELINES[parse_simulation_service(metadata)](room)


MAX_JOBS = 8  # jobs are light (plain rtc audio); the load reported is active jobs / MAX_JOBS


def job_count_load(worker: AgentServer) -> float:
    """Load by job count, not the default CPU average: on a machine busy with other work
    (a compiler, a test suite) a CPU-based load would mark this worker full and refuse
    jobs it could easily run."""
    return min(len(worker.active_jobs) / MAX_JOBS, 1.0)


def _env(name: str) -> str | None:
    return os.environ.get(f"LIVEKIT_{name}") or os.environ.get(f"SFU_{name}") or None


server = AgentServer(
    ws_url=_env("URL"),
    api_key=_env("API_KEY"),
    api_secret=_env("API_SECRET"),
    # One warm job process is plenty here (the default is one per core), and port 0
    # keeps the worker's health endpoint from colliding with another worker's 8081.
    num_idle_processes=1,
    port=0,
    initialize_process_timeout=30.0,
    load_fnc=job_count_load,
)


@server.rtc_session(agent_name=AGENT_NAME)
async def entrypoint(ctx: JobContext) -> None:
    pipeline = pipeline_for(ctx.job.metadata, ctx.room)
    logger.info("job %s in room %s runs the %s pipeline", ctx.job.id, ctx.job.room.name, pipeline.name)
    await ctx.connect(auto_subscribe=AutoSubscribe.AUDIO_ONLY)

    task = asyncio.create_task(pipeline.run(), name=f"{pipeline.name}-pipeline")

    def on_pipeline_done(done: asyncio.Task) -> None:
        if done.cancelled():
            return
        error = done.exception()
        if error is not None:
            logger.error("%s pipeline failed: %r", pipeline.name, error)
        ctx.shutdown(reason=f"{pipeline.name} pipeline ended")

    def on_participant_disconnected(participant: rtc.RemoteParticipant) -> None:
        if is_caller(participant) and not any(is_caller(p) for p in ctx.room.remote_participants.values()):
            ctx.shutdown(reason=f"last caller {participant.identity} left")

    async def stop_pipeline(_reason: str = "") -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    task.add_done_callback(on_pipeline_done)
    ctx.room.on("participant_disconnected", on_participant_disconnected)
    ctx.add_shutdown_callback(stop_pipeline)


if __name__ == "__main__":
    cli.run_app(server)
