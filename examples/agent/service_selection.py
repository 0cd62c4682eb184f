"""Which offline pipeline a job runs: `simulation_service` in the job metadata.

The control plane dispatches the agent with JSON metadata such as
`{"simulation_service": "echo"}` (AgentDispatchService.CreateDispatch, or
`roomConfig.agents` in a token).  This module is plain Python, no LiveKit import,
so it can be checked on its own.
"""

from __future__ import annotations

import json

ECHO = "echo"
TONE = "tone"
SERVICES = (ECHO, TONE)
DEFAULT_SERVICE = ECHO


class SimulationServiceError(ValueError):
    """The job metadata names no pipeline we have, or is not a JSON object."""


def parse_simulation_service(metadata: str | None) -> str:
    """The pipeline name from a job's metadata.

    Empty metadata, or an object without `simulation_service`, means DEFAULT_SERVICE.
    Metadata that is not a JSON object, a non-string value or an unknown name raise
    SimulationServiceError: a typo must fail the job visibly, not pick another pipeline.
    """
    if metadata is None or not metadata.strip():
        return DEFAULT_SERVICE
    try:
        document = json.loads(metadata)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise SimulationServiceError(f"job metadata is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise SimulationServiceError(f"job metadata must be a JSON object, got {type(document).__name__}")
    service = document.get("simulation_service", DEFAULT_SERVICE)
    if not isinstance(service, str):
        raise SimulationServiceError(f"simulation_service must be a string, got {type(service).__name__}")
    service = service.strip().lower()
    if service not in SERVICES:
        raise SimulationServiceError(f"unknown simulation_service {service!r}; expected one of {', '.join(SERVICES)}")
    return service
