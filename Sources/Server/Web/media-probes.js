// What the page receives, measured: getStats counters per remote participant, the dominant
// frequency of a participant's audio (Web Audio analyser) and the mean colour of its video
// (drawn into a small canvas). Used by the browser test through window.__stats() etc., and
// handy in the console when a call misbehaves.

/** { [identity]: { sid, name, video: {framesDecoded, frameWidth, frameHeight, bytesReceived},
 *                  audio: {totalSamplesReceived, audioLevel, bytesReceived} } } from the
 *  subscriber connection's inbound-rtp reports. */
export async function receivedStats(session) {
  const result = {};
  if (!session) return result;
  for (const participant of session.participants.values()) {
    result[participant.identity || participant.sid] = { sid: participant.sid, name: participant.displayName, video: null, audio: null };
  }
  if (!session.subscriber) return result;
  const report = await session.subscriber.getStats();
  report.forEach((stat) => {
    if (stat.type !== 'inbound-rtp') return;
    const owner = session.participants.get(session.trackOwners.get(stat.trackIdentifier));
    if (!owner) return;
    const entry = result[owner.identity || owner.sid];
    if (stat.kind === 'video') {
      entry.video = {
        framesDecoded: stat.framesDecoded || 0, frameWidth: stat.frameWidth || 0,
        frameHeight: stat.frameHeight || 0, bytesReceived: stat.bytesReceived || 0,
      };
    } else if (stat.kind === 'audio') {
      entry.audio = {
        totalSamplesReceived: stat.totalSamplesReceived || 0, audioLevel: stat.audioLevel || 0,
        bytesReceived: stat.bytesReceived || 0,
      };
    }
  });
  return result;
}

/** Per simulcast layer (rid) what our publisher connection sends. */
export async function sentStats(session) {
  const layers = [];
  if (!session?.publisher) return layers;
  const report = await session.publisher.getStats();
  report.forEach((stat) => {
    if (stat.type !== 'outbound-rtp') return;
    layers.push({
      kind: stat.kind, rid: stat.rid || '', packetsSent: stat.packetsSent || 0,
      framesEncoded: stat.framesEncoded || 0, frameWidth: stat.frameWidth || 0,
    });
  });
  return layers;
}

let audioContext = null;
const analysers = new Map(); // audio track id → AnalyserNode

/** Dominant frequency (Hz) of `participant`'s audio over the analyser window; 0 if silent
 *  or absent. The first call attaches an analyser, so call it twice with a pause. */
export function dominantFrequency(participant) {
  const track = participant?.stream.getAudioTracks()[0];
  if (!track) return 0;
  audioContext ||= new AudioContext();
  if (audioContext.state === 'suspended') audioContext.resume();
  let analyser = analysers.get(track.id);
  if (!analyser) {
    analyser = audioContext.createAnalyser();
    analyser.fftSize = 8192;
    audioContext.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    analysers.set(track.id, analyser);
  }
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  let best = 1;
  for (let i = 2; i < bins.length; i += 1) if (bins[i] > bins[best]) best = i;
  if (!Number.isFinite(bins[best]) || bins[best] < -90) return 0;
  return (best * audioContext.sampleRate) / analyser.fftSize;
}

/** Mean [r, g, b] of what `video` shows now, or null before its first frame. */
export function meanColour(video) {
  if (!video || video.readyState < 2 || !video.videoWidth) return null;
  const canvas = document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 24;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) { sum[0] += data[i]; sum[1] += data[i + 1]; sum[2] += data[i + 2]; }
  const n = data.length / 4;
  return sum.map((v) => Math.round(v / n));
}
