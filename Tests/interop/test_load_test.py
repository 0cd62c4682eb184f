"""`sfu load-test` against a real server: simulated participants (our own ICE, DTLS, SRTP and
/rtc signalling, pre-encoded Opus and VP8 simulcast) join rooms and report what they received.

Small runs only: the figures that matter here are that every participant joins, every track is
subscribed and media arrives without loss; throughput is measured by hand (see the issue notes).
"""

from __future__ import annotations

import json
import subprocess

from conftest import API_KEY, API_SECRET, sfu_binary


def run_load_test(sfu, *args: str, timeout: float = 120.0) -> dict:
    command = [
        str(sfu_binary()), "load-test",
        "--url", sfu.base_url, "--api-key", API_KEY, "--api-secret", API_SECRET,
        "--json", *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"load-test exited with {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}\n{sfu.log_tail()}"
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines, f"no output\nstderr:\n{result.stderr}"
    report = json.loads(lines[-1])
    print(json.dumps(report, indent=2))
    return report


def test_voice_rooms(sfu):
    report = run_load_test(sfu, "--rooms", "3", "--profile", "voice", "--duration", "5s")
    assert report["participants"] == 6
    assert report["participants_joined"] == 6, report["failures"]
    assert report["tracks_subscribed"] == 6
    assert report["packets_received"] > 0
    assert report["loss_percent"] < 1
    # 6 Opus tracks at 50 packets/s for about 5 s.
    assert report["packets_received"] > 6 * 50 * 4
    assert report["join_ms_p99"] is not None and report["first_media_ms_p50"] is not None
    assert report["duration_s"] >= 5
    # What the participants received went through the server's forwarding path.
    assert sfu.metric("sfu_rtp_packets_sent_total") >= report["packets_received"]
    assert sfu.metric("sfu_dtls_handshakes_total") >= 12  # two peer connections each


def test_video_room_with_simulcast(sfu):
    report = run_load_test(
        sfu, "--rooms", "1", "--profile", "video", "--publishers", "1", "--subscribers", "2", "--duration", "4s"
    )
    assert report["participants"] == 3
    assert report["participants_joined"] == 3, report["failures"]
    # Each subscriber gets the publisher's microphone and camera.
    assert report["tracks_subscribed"] == 4
    assert report["packets_received"] > 0
    assert report["loss_percent"] < 1
    # The camera is simulcast (q/h/f); the subscribers get a video layer, not just audio:
    # well over the 2 x 33 kbit/s of Opus.
    assert report["bytes_received"] * 8 / report["duration_s"] > 1_000_000


def test_refuses_a_server_that_is_not_on_loopback():
    result = subprocess.run(
        [str(sfu_binary()), "load-test", "--url", "http://192.0.2.1:7880", "--api-key", API_KEY,
         "--api-secret", API_SECRET, "--duration", "5s"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode != 0
    assert "only loopback" in result.stderr


def test_refuses_runs_beyond_the_caps():
    result = subprocess.run(
        [str(sfu_binary()), "load-test", "--url", "http://127.0.0.1:9", "--api-key", API_KEY,
         "--api-secret", API_SECRET, "--rooms", "3000", "--duration", "5s"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode != 0
    assert "limit is 5000" in result.stderr
