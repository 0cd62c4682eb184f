"""Proves the harness itself, without our server: two aiortc peers over loopback.

If this fails, failures of the SFU acceptance tests mean nothing.
"""

import asyncio
import time

import numpy as np
import pytest
from av import AudioFrame

import media


def test_dominant_frequency_on_known_signals():
    sr = 48000
    t = np.arange(4800) / sr
    for f in (300.0, 440.0, 1000.0):
        assert abs(media.dominant_frequency(np.sin(2 * np.pi * f * t), sr) - f) < 2.0
    assert media.dominant_frequency(np.zeros(4800), sr) == 0.0
    # A 440 Hz tone must not be mistaken for 880 Hz and vice versa.
    assert abs(media.dominant_frequency(np.sin(2 * np.pi * 880 * t), sr) - 440) > 10


def test_audio_frame_to_mono_handles_interleaved_stereo():
    # Interleaved s16 stereo (aiortc's Opus decoder output). L and R ramps run in
    # opposite directions, so averaging the right pairs gives a constant 2000.
    left = np.array([1000, 2000, 3000], dtype=np.int16)
    right = np.array([3000, 2000, 1000], dtype=np.int16)
    packed = np.stack([left, right], axis=1).reshape(1, -1)
    frame = AudioFrame.from_ndarray(packed, format="s16", layout="stereo")
    mono = media.audio_frame_to_mono(frame)
    assert np.allclose(mono * 32768.0, [2000, 2000, 2000])
    planar = AudioFrame.from_ndarray(np.stack([left, right]), format="s16p", layout="stereo")
    assert np.allclose(media.audio_frame_to_mono(planar) * 32768.0, [2000, 2000, 2000])


def test_sources_produce_expected_signal():
    async def run():
        tone = media.ToneAudioTrack()
        video = media.SolidColourVideoTrack()
        frames = [await tone.recv() for _ in range(5)]
        assert [f.pts for f in frames] == [0, 960, 1920, 2880, 3840]
        samples = np.concatenate([media.audio_frame_to_mono(f) for f in frames])
        assert abs(media.dominant_frequency(samples, 48000) - 440) < 2
        vf = await video.recv()
        assert (vf.width, vf.height) == (320, 240)
        assert media.colour_matches(media.mean_rgb(vf), media.VIDEO_COLOUR, tolerance=3)
        tone.stop()
        video.stop()

    asyncio.run(run())


def test_two_aiortc_peers_over_loopback_decode_tone_and_colour():
    async def run():
        sender = media.make_peer_connection()
        receiver = media.make_peer_connection()
        tone = media.ToneAudioTrack()
        colour = media.SolidColourVideoTrack()
        media.prefer_codec(sender.addTransceiver(tone, direction="sendonly"), "audio/opus")
        media.prefer_codec(sender.addTransceiver(colour, direction="sendonly"), "video/VP8")
        audio_sink, video_sink = media.AudioSink(), media.VideoSink()
        tasks = []
        try:
            await sender.setLocalDescription(await sender.createOffer())
            offer_sdp = sender.localDescription.sdp
            # Loopback only: the patched gatherer offers 127.0.0.1 and nothing else.
            assert set(media.host_candidate_addresses(offer_sdp)) == {"127.0.0.1"}, offer_sdp
            assert "VP8/90000" in offer_sdp and "H264" not in offer_sdp

            await receiver.setRemoteDescription(sender.localDescription)
            await receiver.setLocalDescription(await receiver.createAnswer())
            assert set(media.host_candidate_addresses(receiver.localDescription.sdp)) == {"127.0.0.1"}
            await sender.setRemoteDescription(receiver.localDescription)

            kinds = {t.kind: t.receiver.track for t in receiver.getTransceivers()}
            tasks.append(asyncio.ensure_future(audio_sink.consume(kinds["audio"])))
            tasks.append(asyncio.ensure_future(video_sink.consume(kinds["video"])))

            start = time.monotonic()
            ok = await media.wait_until(
                lambda: audio_sink.good_frames() >= 100 and video_sink.good_frames() >= 30,
                timeout=10.0,
            )
            elapsed = time.monotonic() - start
            assert audio_sink.error is None and video_sink.error is None
            assert ok, (
                f"after {elapsed:.1f}s: audio {audio_sink.good_frames()}/{len(audio_sink.frames)} good "
                f"(last freqs {audio_sink.frequencies()[-5:]}), video {video_sink.good_frames()}/"
                f"{len(video_sink.frames)} good (last {video_sink.frames[-1:]})"
            )
            assert sender.iceConnectionState == "completed" or sender.iceConnectionState == "connected"
            _, _, size = video_sink.frames[-1]
            assert size == media.VIDEO_SIZE
        finally:
            await sender.close()
            await receiver.close()
            for t in tasks:
                t.cancel()
            tone.stop()
            colour.stop()

    asyncio.run(run())


def test_sinks_reject_wrong_signal():
    """The acceptance criteria can fail: a 660 Hz tone and a blue frame are not accepted."""
    sr = 48000
    t = np.arange(4800) / sr
    assert abs(media.dominant_frequency(np.sin(2 * np.pi * 660 * t), sr) - media.TONE_HZ) > 10
    assert not media.colour_matches((30, 30, 200), media.VIDEO_COLOUR)
    assert not media.colour_matches((128, 128, 128), media.VIDEO_COLOUR)
