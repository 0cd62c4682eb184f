"""Proves the egress test harness without our server: moto's S3 enforces SigV4 after the
bootstrap, and the ffprobe/ffmpeg analysis finds tones and colour tiles in a file that
ffmpeg's own lavfi sources made (so a failing egress test points at the recording, not at
the analysis)."""

import subprocess

import botocore.exceptions
import pytest

import egress_helpers as eh


@pytest.fixture
def moto(tmp_path):
    server = eh.MotoS3(tmp_path).start()
    yield server
    server.stop()


def test_moto_bootstrap_then_sigv4_is_enforced(moto, tmp_path):
    moto.bootstrap()
    assert moto.access_key and moto.secret
    moto.s3().put_object(Bucket=moto.bucket, Key="hello.txt", Body=b"hi")
    assert moto.keys() == ["hello.txt"]
    got = moto.download("hello.txt", tmp_path / "hello.txt").read_bytes()
    assert got == b"hi"

    with pytest.raises(botocore.exceptions.ClientError) as wrong_secret:
        moto.s3(secret="not-the-secret").put_object(Bucket=moto.bucket, Key="x", Body=b"x")
    assert wrong_secret.value.response["Error"]["Code"] == "SignatureDoesNotMatch", wrong_secret.value.response

    unknown = eh.MotoS3._client(moto, "s3", "AKIAUNKNOWN000000000", "whatever")
    with pytest.raises(botocore.exceptions.ClientError) as unknown_key:
        unknown.put_object(Bucket=moto.bucket, Key="x", Body=b"x")
    assert unknown_key.value.response["Error"]["Code"] == "InvalidAccessKeyId", unknown_key.value.response
    assert moto.keys() == ["hello.txt"]


def synthetic_recording(path, seconds=4):
    """1280x720 15 fps: left half red, right half blue; audio 440 Hz + 1 kHz; H.264 + AAC fMP4."""
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"color=c=0xFF0000:s=640x720:r=15:d={seconds}",
            "-f", "lavfi", "-i", f"color=c=0x0000FF:s=640x720:r=15:d={seconds}",
            "-f", "lavfi", "-i", f"sine=f=440:r=48000:d={seconds}",
            "-f", "lavfi", "-i", f"sine=f=1000:r=48000:d={seconds}",
            "-filter_complex", "[0:v][1:v]hstack[v];[2:a][3:a]amix=inputs=2[a]",
            "-map", "[v]", "-map", "[a]",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            # AAC priming gives the first audio packet pts -1024; in an fMP4 (no edit list) ffmpeg
            # then stretches the video track by 21 ms and avg_frame_rate reads 115200/7721.
            # Starting the audio at pts 0 keeps 15/1, which the server's muxer must do as well.
            "-c:a", "aac", "-bsf:a", "setts=pts=PTS+1024:dts=DTS+1024", "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def test_analysis_finds_tones_and_tiles_in_a_synthetic_recording(tmp_path):
    path = synthetic_recording(tmp_path / "synthetic.mp4")
    probe = eh.ffprobe(path)
    video, audio = eh.streams_of(probe, "video"), eh.streams_of(probe, "audio")
    assert [v["codec_name"] for v in video] == ["h264"] and [a["codec_name"] for a in audio] == ["aac"]
    assert video[0]["avg_frame_rate"] == "15/1"
    assert abs(eh.duration_s(probe) - 4.0) < 0.2, eh.duration_s(probe)

    samples = eh.decode_audio(path)
    shares = eh.tone_energy_fractions(samples, [440.0, 1000.0, 700.0])
    assert shares[440.0] > 0.2 and shares[1000.0] > 0.2, shares
    assert shares[700.0] < 0.01, shares  # the analysis can also say "no"

    image = eh.video_frame_rgb(path, 2.0, 1280, 720)
    assert eh.colour_blocks(image, (255, 0, 0)) >= 1000, eh.colour_summary(image)
    assert eh.colour_blocks(image, (0, 0, 255)) >= 1000, eh.colour_summary(image)
    assert eh.colour_blocks(image, (0, 255, 0)) == 0


def test_truncated_fragmented_mp4_still_probes(tmp_path):
    """What the worker-kill test relies on: a fragmented MP4 cut mid-fragment stays readable."""
    path = synthetic_recording(tmp_path / "whole.mp4", seconds=6)
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    probe = eh.ffprobe(cut)
    assert eh.streams_of(probe, "video") and eh.decoded_duration_s(cut, "v") > 2.0


def test_ogg_opus_duration(tmp_path):
    path = tmp_path / "tone.ogg"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=3", "-c:a", "libopus", str(path)],
        check=True,
        timeout=60,
    )
    probe = eh.ffprobe(path)
    assert [a["codec_name"] for a in eh.streams_of(probe, "audio")] == ["opus"]
    assert abs(eh.duration_s(probe) - 3.0) < 0.1
