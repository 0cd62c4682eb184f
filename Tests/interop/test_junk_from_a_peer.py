"""Issue 11, finding 5: junk from a verified address is counted, never dropped silently.

An aiortc WHIP publisher completes ICE and DTLS, then sends junk on its own nominated 5-tuple
(the one address the server trusts for it): DTLS application-data records that do not
decrypt, and RTP-looking datagrams whose SRTP tag is wrong. Each is dropped and counted in
/metrics (sfu_dtls_records_ignored_total, sfu_srtp_errors_total), and the session's media
keeps flowing.
"""

import asyncio
import os

import requests

import media

JUNK_EACH = 300


def counters(sfu) -> dict[str, float]:
    return sfu.metrics()


def test_junk_on_a_verified_five_tuple_is_counted_and_media_carries_on(sfu):
    async def scenario():
        session = await media.whip_publish(sfu.base_url, "junk-room", sfu.publisher_token("junk-room"),
                                           audio_track=media.ToneAudioTrack())
        try:
            assert await media.wait_until(lambda: counters(sfu).get("sfu_rtp_packets_received_total", 0) >= 50, 10.0)
            ice = session.pc.getTransceivers()[0].sender.transport.transport
            connection = ice.iceGatherer._connection  # aioice: sends on the nominated pair
            before = counters(sfu)
            for n in range(JUNK_EACH):
                # DTLS 1.2 application data, epoch 1, a sequence number of its own, garbage body.
                record = bytes([23, 0xFE, 0xFD, 0, 1]) + (0x10000 + n).to_bytes(6, "big") + (48).to_bytes(2, "big")
                await connection.sendto(record + os.urandom(48), 1)
                # RTP with Opus's payload type and an SSRC of its own: the SRTP tag cannot verify.
                rtp = bytes([0x80, 111]) + n.to_bytes(2, "big") + (960 * n).to_bytes(4, "big") + (0x5EED).to_bytes(4, "big")
                await connection.sendto(rtp + os.urandom(60), 1)
                if n % 50 == 0:
                    await asyncio.sleep(0.01)

            def delta(name: str) -> float:
                return counters(sfu).get(name, 0) - before.get(name, 0)

            assert await media.wait_until(lambda: delta("sfu_dtls_records_ignored_total") >= JUNK_EACH, 5.0), \
                delta("sfu_dtls_records_ignored_total")
            assert await media.wait_until(lambda: delta("sfu_srtp_errors_total") >= JUNK_EACH, 5.0), delta("sfu_srtp_errors_total")
            received = counters(sfu)["sfu_rtp_packets_received_total"]
            assert await media.wait_until(lambda: counters(sfu)["sfu_rtp_packets_received_total"] >= received + 50, 10.0), \
                "the publisher's media stopped after the junk"
            assert session.pc.connectionState == "connected", session.pc.connectionState
            assert requests.get(sfu.url("/healthz"), timeout=5).status_code == 200
        finally:
            await session.close()

    asyncio.run(scenario())
