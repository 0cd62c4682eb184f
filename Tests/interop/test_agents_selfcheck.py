"""Self-check of the example agent (examples/agent/) without a server.

Everything runs in the agent's own environment (.venv-agents/bin/python, a subprocess):
metadata → pipeline selection, the fuzzed metadata parser, the sine generator's
frequency, the transcription attributes, that the worker registers as "simulator" with
no plugin or inference runner (so nothing would ever be downloaded), and `agent.py --help`.
"""

import json
import subprocess
import textwrap

from agents_helpers import AGENT_SCRIPT, AGENTS_PYTHON
from conftest import REPO_ROOT

AGENT_DIR = AGENT_SCRIPT.parent


def run_agents_python(code: str, timeout: float = 60.0) -> dict:
    """Runs `code` in .venv-agents with examples/agent importable; it prints one JSON object."""
    assert AGENTS_PYTHON.exists(), f"{AGENTS_PYTHON} missing; run scripts/setup-agents.sh"
    prelude = f"import sys, json\nsys.path.insert(0, {str(AGENT_DIR)!r})\n"
    done = subprocess.run(
        [str(AGENTS_PYTHON), "-c", prelude + textwrap.dedent(code)],
        capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT,
    )
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_metadata_selects_pipeline():
    out = run_agents_python(
        """
        from service_selection import parse_simulation_service, SimulationServiceError
        cases = ['{"simulation_service": "echo"}', '{"simulation_service": "tone"}',
                 '{"simulation_service": " Tone "}', '', None, '{}', '{"other": 1}']
        picked = [parse_simulation_service(c) for c in cases]
        rejected = []
        for bad in ['{"simulation_service": "gemini_live"}', '[1, 2]', 'not json', '"echo"',
                    '{"simulation_service": 3}', '{"simulation_service": null}', '{"simulation_service": "echo"']:
            try:
                parse_simulation_service(bad)
                rejected.append(False)
            except SimulationServiceError:
                rejected.append(True)
        print(json.dumps({"picked": picked, "rejected": rejected}))
        """
    )
    assert out["picked"] == ["echo", "tone", "tone", "echo", "echo", "echo", "echo"]
    assert out["rejected"] == [True] * 7


def test_metadata_parser_fuzz_never_raises_anything_else():
    out = run_agents_python(
        """
        import random
        from service_selection import parse_simulation_service, SimulationServiceError, SERVICES
        rng = random.Random(4)
        seeds = ['{"simulation_service": "echo"}', '{"simulation_service": "tone", "x": [1, {"y": 2}]}']
        alphabet = '{}[]":,0123456789 abcdeghilmnorstuvxyz\\\\\\u00e9\\x00'
        inputs = []
        for seed in seeds:
            inputs += [seed[:n] for n in range(len(seed) + 1)]
        for _ in range(3000):
            if rng.random() < 0.5:
                s = list(rng.choice(seeds))
                for _ in range(rng.randint(1, 4)):
                    s[rng.randrange(len(s))] = rng.choice(alphabet)
                inputs.append(''.join(s))
            else:
                inputs.append(''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))))
        inputs.append('[' * 100000)  # deep nesting: RecursionError inside json must not escape
        ok = errors = 0
        other = []
        for text in inputs:
            try:
                assert parse_simulation_service(text) in SERVICES
                ok += 1
            except SimulationServiceError:
                errors += 1
            except Exception as exc:
                other.append(f"{text[:60]!r}: {exc!r}")
        print(json.dumps({"ok": ok, "errors": errors, "other": other[:5], "total": len(inputs)}))
        """
    )
    assert out["other"] == [], out["other"]
    assert out["ok"] + out["errors"] == out["total"]
    assert out["ok"] > 0 and out["errors"] > 0


def test_pipeline_for_builds_the_named_pipeline():
    out = run_agents_python(
        """
        import asyncio
        import agent
        from livekit import rtc
        from service_selection import SimulationServiceError

        async def main():
            room = rtc.Room()
            echo = agent.pipeline_for('{"simulation_service": "echo"}', room)
            tone = agent.pipeline_for('{"simulation_service": "tone"}', room)
            default = agent.pipeline_for('', room)
            try:
                agent.pipeline_for('{"simulation_service": "nope"}', room)
                unknown = "accepted"
            except SimulationServiceError:
                unknown = "rejected"
            return {"echo": type(echo).__name__, "tone": type(tone).__name__, "default": default.name,
                    "tone_hz": tone.generator.frequency, "unknown": unknown, "same_room": echo.room is room}

        print(json.dumps(asyncio.run(main())))
        """
    )
    assert out == {
        "echo": "EchoPipeline", "tone": "TonePipeline", "default": "echo",
        "tone_hz": 660.0, "unknown": "rejected", "same_room": True,
    }


def test_sine_generator_and_transcription_attributes():
    out = run_agents_python(
        """
        import numpy as np
        from room_audio import SineGenerator, SAMPLE_RATE, SAMPLES_PER_FRAME
        from tone_pipeline import transcription_attributes, TRANSCRIPTION_TOPIC
        gen = SineGenerator(660.0)
        pcm = np.concatenate([gen.next_samples() for _ in range(20)]).astype(np.float64)  # 200 ms
        spectrum = np.abs(np.fft.rfft(pcm * np.hanning(pcm.size)))
        peak = float(np.fft.rfftfreq(pcm.size, 1.0 / SAMPLE_RATE)[int(np.argmax(spectrum))])
        # phase continuity: frame 20 starts where a 21-frame block would continue
        joined = SineGenerator(660.0)
        whole = np.concatenate([joined.next_samples() for _ in range(21)])
        frame = gen.next_samples()
        frame_obj = SineGenerator(660.0).next_frame()
        bad = []
        for f in (0.0, -5.0, 24000.0):
            try:
                SineGenerator(f)
            except ValueError:
                bad.append(f)
        a, b = transcription_attributes("TR_x"), transcription_attributes("TR_x")
        print(json.dumps({"peak": peak, "continuous": bool(np.array_equal(whole[-SAMPLES_PER_FRAME:], frame)),
                          "peak_amp": int(np.abs(pcm).max()), "frame": [frame_obj.sample_rate, frame_obj.num_channels,
                          frame_obj.samples_per_channel], "bad": bad, "attrs": a,
                          "distinct_segments": a["lk.segment_id"] != b["lk.segment_id"], "topic": TRANSCRIPTION_TOPIC}))
        """
    )
    assert abs(out["peak"] - 660.0) <= 5.0, out["peak"]
    assert out["continuous"]
    assert 0.35 * 32767 < out["peak_amp"] <= 0.45 * 32767
    assert out["frame"] == [48000, 1, 480]
    assert out["bad"] == [0.0, -5.0, 24000.0]
    assert out["topic"] == "lk.transcription"
    assert out["attrs"]["lk.transcribed_track_id"] == "TR_x"
    assert out["attrs"]["lk.transcription_final"] == "true"
    assert out["attrs"]["lk.segment_id"].startswith("SG_") and out["distinct_segments"]


def test_worker_is_simulator_with_nothing_to_download():
    out = run_agents_python(
        """
        import agent
        from livekit.agents import Plugin
        from livekit.agents.inference_runner import _InferenceRunner
        print(json.dumps({"agent_name": agent.server._agent_name, "entrypoint": agent.server._entrypoint_fnc is agent.entrypoint,
                          "plugins": [p.package for p in Plugin.registered_plugins],
                          "runners": list(_InferenceRunner.registered_runners),
                          "load_by_jobs": agent.server.load_fnc is agent.job_count_load}))
        """
    )
    assert out == {"agent_name": "simulator", "entrypoint": True, "plugins": [], "runners": [], "load_by_jobs": True}


def test_agent_cli_help():
    done = subprocess.run(
        [str(AGENTS_PYTHON), str(AGENT_SCRIPT), "--help"], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "start" in done.stdout and "dev" in done.stdout
