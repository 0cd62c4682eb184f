// The web app of Tests/interop/test_browser_jssdk.py: one livekit-client Room, driven by the
// test through `window.app` (every method returns a promise or a plain value), and a record
// of what the room saw: remote tracks and their decoding, data packets, text and byte
// streams, RPC calls, mutes, connection events and data channel states.
'use strict';

(() => {
  const LK = window.LivekitClient;
  const started = performance.now();
  const record = {
    events: [], errors: [], data: [], texts: [], files: [], rpcCalls: [], mutes: [],
    participants: { joined: [], left: [] },
  };
  const media = new Map(); // track sid → {identity, kind, track, element, analyser}
  let room = null;
  let audioContext = null;

  const stamp = () => ((performance.now() - started) / 1000).toFixed(2);
  const note = (text) => record.events.push(`${stamp()} ${text}`);
  window.addEventListener('error', (e) => record.errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => record.errors.push(`unhandled rejection: ${e.reason}`));

  const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

  function onTrackSubscribed(track, publication, participant) {
    note(`subscribed ${participant.identity} ${track.kind} ${publication.trackSid}`);
    const element = track.attach();
    element.muted = track.kind === 'video';
    element.dataset.identity = participant.identity;
    document.getElementById('media').appendChild(element);
    media.set(publication.trackSid, { identity: participant.identity, kind: track.kind, track, element, analyser: null });
  }

  function onTrackUnsubscribed(track, publication, participant) {
    note(`unsubscribed ${participant.identity} ${track.kind}`);
    const entry = media.get(publication.trackSid);
    if (entry) entry.element.remove();
    track.detach();
    media.delete(publication.trackSid);
  }

  function mediaOf(identity, kind) {
    let found = null;
    for (const entry of media.values()) if (entry.identity === identity && entry.kind === kind) found = entry;
    return found;
  }

  async function receiverStats(track) {
    const out = {};
    if (!track.receiver) return out;
    const report = await track.receiver.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      Object.assign(out, {
        packetsReceived: s.packetsReceived ?? 0, framesDecoded: s.framesDecoded ?? 0,
        frameWidth: s.frameWidth ?? 0, frameHeight: s.frameHeight ?? 0,
        totalSamplesReceived: s.totalSamplesReceived ?? 0, codec: s.codecId ?? '',
      });
    });
    return out;
  }

  async function senderStats() {
    const out = [];
    if (!room) return out;
    for (const publication of room.localParticipant.trackPublications.values()) {
      const sender = publication.track?.sender;
      if (!sender) continue;
      const report = await sender.getStats();
      report.forEach((s) => {
        if (s.type === 'outbound-rtp') {
          out.push({ kind: s.kind, rid: s.rid ?? '', packetsSent: s.packetsSent ?? 0, frameWidth: s.frameWidth ?? 0 });
        }
      });
    }
    return out;
  }

  // Data channel and transport states of both peer connections, for diagnosis: changes are
  // noted as events (the SDK creates channels and peer connections lazily).
  function transportStates() {
    const engine = room?.engine;
    const pcs = engine?.pcManager;
    const pcState = (transport) => {
      const pc = transport?._pc;
      if (!pc) return null;
      return { connection: pc.connectionState, ice: pc.iceConnectionState, signaling: pc.signalingState, sctp: pc.sctp?.state ?? null };
    };
    return {
      reliable: engine?.reliableDC?.readyState ?? null, lossy: engine?.lossyDC?.readyState ?? null,
      reliableSub: engine?.reliableDCSub?.readyState ?? null, lossySub: engine?.lossyDCSub?.readyState ?? null,
      publisher: pcState(pcs?.publisher), subscriber: pcState(pcs?.subscriber),
    };
  }
  let lastStates = '';
  setInterval(() => {
    if (!room) return;
    const text = JSON.stringify(transportStates());
    if (text !== lastStates) { lastStates = text; note(`transport ${text}`); }
  }, 100);

  function listen(r) {
    const E = LK.RoomEvent;
    r.on(E.TrackSubscribed, onTrackSubscribed);
    r.on(E.TrackUnsubscribed, onTrackUnsubscribed);
    r.on(E.ParticipantConnected, (p) => { record.participants.joined.push(p.identity); note(`joined ${p.identity}`); });
    r.on(E.ParticipantDisconnected, (p) => { record.participants.left.push(p.identity); note(`left ${p.identity}`); });
    r.on(E.TrackMuted, (pub, p) => record.mutes.push({ identity: p.identity, kind: pub.kind, muted: true, at: stamp() }));
    r.on(E.TrackUnmuted, (pub, p) => record.mutes.push({ identity: p.identity, kind: pub.kind, muted: false, at: stamp() }));
    r.on(E.DataReceived, (payload, participant, kind, topic) => {
      record.data.push({ from: participant?.identity ?? null, kind, topic: topic ?? null, text: new TextDecoder().decode(payload) });
    });
    for (const name of ['Connected', 'Reconnecting', 'Reconnected', 'SignalReconnecting', 'Disconnected',
      'ConnectionStateChanged', 'SignalConnected', 'MediaDevicesError', 'LocalTrackPublished']) {
      r.on(E[name], (...args) => note(`${name} ${args.map((a) => (typeof a === 'object' ? a?.constructor?.name : String(a))).join(' ')}`));
    }
    r.registerTextStreamHandler('chat', async (reader, from) => {
      const text = await reader.readAll();
      record.texts.push({ from: from.identity, topic: reader.info.topic, text });
    });
    r.registerByteStreamHandler('files', async (reader, from) => {
      const chunks = await reader.readAll();
      const size = chunks.reduce((n, c) => n + c.byteLength, 0);
      const all = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) { all.set(c, at); at += c.byteLength; }
      record.files.push({ from: from.identity, name: reader.info.name, size, sha256: hex(await crypto.subtle.digest('SHA-256', all)) });
    });
    r.registerRpcMethod('browser-reverse', async (call) => {
      record.rpcCalls.push({ from: call.callerIdentity, payload: call.payload });
      return Array.from(call.payload).reverse().join('');
    });
  }

  function analyserFor(entry) {
    audioContext ||= new AudioContext();
    if (audioContext.state === 'suspended') audioContext.resume();
    if (!entry.analyser) {
      entry.analyser = audioContext.createAnalyser();
      entry.analyser.fftSize = 8192;
      entry.analyser.smoothingTimeConstant = 0;
      audioContext.createMediaStreamSource(new MediaStream([entry.track.mediaStreamTrack])).connect(entry.analyser);
    }
    return entry.analyser;
  }

  window.app = {
    logLevel(level) { LK.setLogLevel(level); },

    /** `forceV0`: skip `/rtc/v1` the SDK's own way (its "fail-on-v1-path" scenario), to try
     *  the dual peer connection path against a server that has both. */
    async connect(url, token, options = {}) {
      room = new LK.Room();
      listen(room);
      if (options.forceV0) room.engine.failNextV1Path();
      await room.connect(url, token);
      note(`connected as ${room.localParticipant.identity}`);
      return { identity: room.localParticipant.identity, sid: room.localParticipant.sid, serverInfo: room.serverInfo ?? null };
    },

    async enableCameraAndMicrophone() {
      await room.localParticipant.enableCameraAndMicrophone();
      return Array.from(room.localParticipant.trackPublications.values(), (p) => ({ sid: p.trackSid, kind: p.kind, simulcasted: p.simulcasted ?? null }));
    },

    async snapshot() {
      const remote = {};
      for (const entry of media.values()) {
        const who = (remote[entry.identity] ||= {});
        who[entry.kind] = await receiverStats(entry.track);
      }
      const participants = {};
      if (room) {
        for (const p of room.remoteParticipants.values()) {
          participants[p.identity] = Array.from(p.trackPublications.values(), (pub) => ({ kind: pub.kind, source: pub.source, muted: pub.isMuted, subscribed: pub.isSubscribed }));
        }
      }
      return {
        state: room?.state ?? 'none', identity: room?.localParticipant.identity ?? null, remote, participants,
        sent: await senderStats(), transports: room ? transportStates() : null,
        record,
      };
    },

    /** Dominant frequency (Hz) of `identity`'s audio: peak analyser bin, parabolic
     *  interpolation; 0 when silent. The first call attaches the analyser. */
    frequency(identity) {
      const entry = mediaOf(identity, 'audio');
      if (!entry) return 0;
      const analyser = analyserFor(entry);
      const bins = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(bins);
      let best = 2;
      for (let i = 3; i < bins.length - 1; i += 1) if (bins[i] > bins[best]) best = i;
      if (!Number.isFinite(bins[best]) || bins[best] < -90) return 0;
      const [a, b, c] = [bins[best - 1], bins[best], bins[best + 1]];
      const shift = (a - 2 * b + c) !== 0 ? 0.5 * (a - c) / (a - 2 * b + c) : 0;
      return ((best + shift) * audioContext.sampleRate) / analyser.fftSize;
    },

    /** Mean [r, g, b] of the middle of `identity`'s video as drawn into a canvas, or null. */
    colour(identity) {
      const entry = mediaOf(identity, 'video');
      const video = entry?.element;
      if (!video || video.readyState < 2 || !video.videoWidth) return null;
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 48;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const { data } = ctx.getImageData(16, 12, 32, 24);
      const sum = [0, 0, 0];
      for (let i = 0; i < data.length; i += 4) { sum[0] += data[i]; sum[1] += data[i + 1]; sum[2] += data[i + 2]; }
      return sum.map((v) => Math.round(v / (data.length / 4)));
    },

    async publishData(text, options) {
      await room.localParticipant.publishData(new TextEncoder().encode(text), options);
      return true;
    },

    async performRpc(destinationIdentity, method, payload) {
      try {
        return { payload: await room.localParticipant.performRpc({ destinationIdentity, method, payload, responseTimeout: 8000 }) };
      } catch (e) {
        return { error: { code: e.code ?? null, message: String(e.message ?? e) } };
      }
    },

    async sendText(text, options) {
      const info = await room.localParticipant.sendText(text, options);
      return info?.id ?? true;
    },

    async streamText(parts, options) {
      const writer = await room.localParticipant.streamText(options);
      for (const part of parts) await writer.write(part);
      await writer.close();
      return true;
    },

    async sendFile(name, base64, options) {
      const file = new File([fromBase64(base64)], name, { type: 'application/octet-stream' });
      const result = await room.localParticipant.sendFile(file, options);
      return result?.id ?? true;
    },

    async setMicrophoneEnabled(enabled) { await room.localParticipant.setMicrophoneEnabled(enabled); return true; },

    async simulate(scenario) { await room.simulateScenario(scenario); return true; },

    async disconnect() { await room.disconnect(); return true; },
  };
})();
