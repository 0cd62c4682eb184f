"""The example agent's pipelines over our server, without dispatch (issue 4 item 6).

agents_pipeline_probe.py runs in .venv-agents (the SDK livekit-agents pins): a caller
publishes 440 Hz and a second participant runs the pipeline `agent.pipeline_for`
picks for the metadata. This checks the media side of the agent on its own, so a
failure of test_control_agents.py points at dispatch rather than at the pipelines.
"""

import json
import subprocess
from pathlib import Path

import pytest

import lk_helpers as lk
from agents_helpers import AGENTS_PYTHON
from conftest import REPO_ROOT

PROBE = Path(__file__).resolve().parent / "agents_pipeline_probe.py"


def run_probe(sfu, room: str, service: str) -> dict:
    done = subprocess.run(
        [str(AGENTS_PYTHON), str(PROBE), lk.lk_url(sfu), room, service],
        capture_output=True, text=True, timeout=90, cwd=REPO_ROOT,
    )
    assert done.returncode == 0, f"probe exit {done.returncode}\n{done.stderr[-4000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def near(frequencies, target, tolerance=10.0):
    return sum(1 for f in frequencies if abs(f - target) <= tolerance)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_echo_pipeline_returns_the_callers_tone(sfu):
    out = run_probe(sfu, "pipeline-echo", "echo")
    assert out["pipeline"] == "echo"
    freqs = out["frequencies"]
    assert near(freqs, 440.0) >= 20, f"echoed frequencies (100 ms windows): {freqs}"
    assert near(freqs, 660.0) == 0
    assert out["lines"] == []


def test_tone_pipeline_plays_660_hz_and_transcribes(sfu):
    out = run_probe(sfu, "pipeline-tone", "tone")
    assert out["pipeline"] == "tone"
    freqs = out["frequencies"]
    assert near(freqs, 660.0) >= 20, f"tone frequencies (100 ms windows): {freqs}"
    texts = [line["text"] for line in out["lines"] if line["sender"] == "agent-probe"]
    assert any("660" in t for t in texts), out["lines"]
    assert any("caller" in t for t in texts), out["lines"]
    assert all(line["attributes"].get("lk.transcription_final") == "true" for line in out["lines"])
