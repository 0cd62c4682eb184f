// One stay in a room: the signalling client plus the two peer connections of LiveKit's
// dual-PC mode (PROTOCOL.md §2, subscriber_primary): the server offers the SUBSCRIBER
// connection (remote media + its data channels); we offer the PUBLISHER connection.
// It knows nothing of the page: the UI listens to `onChange` / `onDisconnected`.

import { SignalClient, SignalError } from './signal-client.js';

const SIMULCAST_ENCODINGS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
  { rid: 'f', maxBitrate: 1500000 },
];
const REPLY_TIMEOUT_MS = 10000;

/** A participant as the page shows it: ParticipantInfo plus the media we receive from it. */
class Participant {
  constructor(sid) {
    this.sid = sid;
    this.identity = '';
    this.name = '';
    this.tracks = []; // TrackInfo from the server
    this.stream = new MediaStream();
    this.speaking = false;
    this.level = 0;
  }
  get displayName() { return this.name || this.identity || this.sid; }
  trackInfo(kind) { return this.tracks.find((t) => (t.type || 'AUDIO') === kind); }
  isMuted(kind) { const t = this.trackInfo(kind); return t ? Boolean(t.muted) : true; }
  update(info) {
    this.identity = info.identity || this.identity;
    this.name = info.name || this.name;
    this.tracks = info.tracks || [];
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new SignalError('timeout', `no ${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Publishes video as VP8 only (with RTX): every peer in the room decodes it (browsers, the
 *  SDKs, our recorder), and the server then has one codec to forward. */
function onlyVP8(transceiver) {
  if (!RTCRtpSender.getCapabilities || !transceiver.setCodecPreferences) return;
  const codecs = RTCRtpSender.getCapabilities('video')?.codecs || [];
  const wanted = codecs.filter((c) => ['video/vp8', 'video/rtx'].includes(c.mimeType.toLowerCase()));
  if (wanted.some((c) => c.mimeType.toLowerCase() === 'video/vp8')) transceiver.setCodecPreferences(wanted);
}

/** Server `leave` reasons (DisconnectReason) after which coming back is wrong: someone
 *  decided we should be out, or we are in already from elsewhere. */
const FINAL_LEAVE_REASONS = {
  DUPLICATE_IDENTITY: 'you joined this room again from another tab or device',
  PARTICIPANT_REMOVED: 'you were removed from the room',
  ROOM_DELETED: 'the room was closed',
  ROOM_CLOSED: 'the room was closed',
};

function leaveError(leave) {
  const reason = leave.reason || 'UNKNOWN_REASON';
  const final = FINAL_LEAVE_REASONS[reason];
  if (final && !leave.canReconnect) return new SignalError('ended', `Left the room: ${final}`);
  return new SignalError('lost', `the server ended the session (${reason})`);
}

export class RoomSession {
  constructor(httpBase) {
    this.signal = new SignalClient(httpBase);
    this.participants = new Map(); // remote, by sid
    this.local = null; // ParticipantInfo of ourselves
    this.room = null;
    this.subscriber = null;
    this.publisher = null;
    this.trackOwners = new Map(); // remote track id (= TR_ sid) → participant sid
    this.localTracks = new Map(); // cid (= track.id) → { track, sid }
    this.pendingPublished = new Map(); // cid → resolve
    this.pendingAnswer = null;
    this.subscriberQueue = Promise.resolve();
    this.refreshedToken = null;
    this.dataChannels = [];
    this.closed = false;
    this.onChange = () => {};
    this.onDisconnected = () => {};
    this.onLocalMute = () => {};
  }

  /** Joins with `token`; resolves when the JoinResponse arrived. */
  async join(token) {
    this.wireSignal();
    const join = await this.signal.connect(token);
    this.room = join.room || {};
    this.local = join.participant || {};
    this.iceServers = (join.iceServers || []).map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
    for (const info of join.otherParticipants || []) this.applyParticipant(info);
    this.onChange();
    return join;
  }

  wireSignal() {
    const s = this.signal;
    s.on('offer', (offer) => this.answerSubscriber(offer));
    s.on('answer', (answer) => { const pending = this.pendingAnswer; this.pendingAnswer = null; pending?.(answer); });
    s.on('trickle', (trickle) => this.addRemoteCandidate(trickle));
    s.on('update', (update) => { for (const info of update.participants || []) this.applyParticipant(info); this.onChange(); });
    s.on('trackPublished', (published) => {
      const resolve = this.pendingPublished.get(published.cid);
      this.pendingPublished.delete(published.cid);
      resolve?.(published.track || {});
    });
    s.on('trackUnpublished', (message) => this.dropRemoteTrack(message.trackSid));
    s.on('speakersChanged', (message) => this.applySpeakers(message.speakers || []));
    s.on('mute', (message) => this.applyRemoteMute(message));
    s.on('refreshToken', (token) => { this.refreshedToken = token; });
    s.on('leave', (leave) => {
      if (this.closed) return;
      this.shutdown(false);
      this.onDisconnected(leaveError(leave));
    });
    s.on('disconnected', (error) => {
      if (this.closed) return;
      this.shutdown(false);
      this.onDisconnected(error);
    });
  }

  newPeerConnection(target) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers || [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    pc.onicecandidate = (event) => {
      if (!event.candidate || !event.candidate.candidate) return;
      this.signal.send({ trickle: { candidateInit: JSON.stringify(event.candidate.toJSON()), target } });
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' && !this.closed) {
        this.shutdown(true);
        this.onDisconnected(new SignalError('lost', `the ${target.toLowerCase()} media connection failed`));
      }
      this.onChange();
    };
    return pc;
  }

  // -- subscribing ---------------------------------------------------------------------

  answerSubscriber(offer) {
    this.subscriberQueue = this.subscriberQueue.then(async () => {
      if (this.closed) return;
      if (!this.subscriber) {
        this.subscriber = this.newPeerConnection('SUBSCRIBER');
        this.subscriber.ontrack = (event) => this.addRemoteTrack(event);
        this.subscriber.ondatachannel = (event) => { this.dataChannels.push(event.channel); };
      }
      await this.subscriber.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      const answer = await this.subscriber.createAnswer();
      await this.subscriber.setLocalDescription(answer);
      this.signal.send({ answer: { type: 'answer', sdp: answer.sdp } });
    }).catch((err) => console.error('subscriber negotiation failed', err));
  }

  /** Remote tracks carry stream id `PA_sid|TR_sid` (PROTOCOL.md §5). */
  addRemoteTrack(event) {
    const streamId = event.streams[0]?.id || '';
    const [participantSid, trackSid] = streamId.split('|');
    if (!participantSid) return;
    const participant = this.participantFor(participantSid);
    const track = event.track;
    this.trackOwners.set(track.id, participantSid);
    this.trackOwners.set(trackSid || track.id, participantSid);
    for (const old of participant.stream.getTracks()) {
      if (old.kind === track.kind && old !== track) participant.stream.removeTrack(old);
    }
    participant.stream.addTrack(track);
    track.onended = () => { participant.stream.removeTrack(track); this.onChange(); };
    this.onChange();
  }

  dropRemoteTrack(trackSid) {
    const owner = this.participants.get(this.trackOwners.get(trackSid));
    if (!owner) return;
    for (const track of owner.stream.getTracks()) {
      if (track.id === trackSid) owner.stream.removeTrack(track);
    }
    owner.tracks = owner.tracks.filter((t) => t.sid !== trackSid);
    this.onChange();
  }

  participantFor(sid) {
    let participant = this.participants.get(sid);
    if (!participant) {
      participant = new Participant(sid);
      this.participants.set(sid, participant);
    }
    return participant;
  }

  applyParticipant(info) {
    if (!info.sid || info.sid === this.local?.sid) {
      if (info.sid) this.local = { ...this.local, ...info };
      return;
    }
    if (info.state === 'DISCONNECTED') {
      this.participants.delete(info.sid);
      return;
    }
    this.participantFor(info.sid).update(info);
  }

  /** SpeakersChanged carries the full current set (active) plus those that stopped. */
  applySpeakers(speakers) {
    const active = new Map(speakers.filter((s) => s.active).map((s) => [s.sid, Number(s.level) || 0]));
    for (const participant of this.participants.values()) {
      participant.speaking = active.has(participant.sid);
      participant.level = active.get(participant.sid) || 0;
    }
    this.localSpeaking = active.has(this.local?.sid);
    this.onChange();
  }

  addRemoteCandidate(trickle) {
    // SignalTarget PUBLISHER is 0, the default, so the JSON mapping leaves it out.
    const pc = trickle.target === 'SUBSCRIBER' ? this.subscriber : this.publisher;
    if (!pc || !trickle.candidateInit) return;
    try {
      pc.addIceCandidate(JSON.parse(trickle.candidateInit)).catch(() => {});
    } catch { /* malformed candidate: the server is ICE-lite, its SDP candidates suffice */ }
  }

  // -- publishing ----------------------------------------------------------------------

  /** addTrack for each track, wait for every trackPublished, then offer the publisher PC
   *  (PROTOCOL.md §4). The track id is the cid and the msid track id. */
  async publish(stream, { simulcast = true } = {}) {
    const tracks = stream.getTracks();
    const published = await Promise.all(tracks.map((track) => this.requestPublish(track, simulcast)));
    tracks.forEach((track, i) => this.localTracks.set(track.id, { track, sid: published[i].sid }));
    if (!this.publisher) this.publisher = this.newPeerConnection('PUBLISHER');
    for (const track of tracks) {
      const init = { direction: 'sendonly', streams: [stream] };
      if (track.kind === 'video' && simulcast) init.sendEncodings = SIMULCAST_ENCODINGS;
      const transceiver = this.publisher.addTransceiver(track, init);
      if (track.kind === 'video') onlyVP8(transceiver);
    }
    await this.negotiatePublisher();
    this.onChange();
  }

  requestPublish(track, simulcast) {
    const video = track.kind === 'video';
    const request = {
      cid: track.id,
      name: video ? 'camera' : 'microphone',
      type: video ? 'VIDEO' : 'AUDIO',
      source: video ? 'CAMERA' : 'MICROPHONE',
      muted: !track.enabled,
    };
    if (video) {
      const { width = 640, height = 480 } = track.getSettings();
      Object.assign(request, { width, height });
      const scales = simulcast ? [[4, 'LOW'], [2, 'MEDIUM'], [1, 'HIGH']] : [[1, 'HIGH']];
      request.layers = scales.map(([scale, quality]) => ({
        quality, width: Math.round(width / scale), height: Math.round(height / scale),
      }));
    }
    const reply = new Promise((resolve) => this.pendingPublished.set(track.id, resolve));
    this.signal.send({ addTrack: request });
    return withTimeout(reply, REPLY_TIMEOUT_MS, `trackPublished for the ${request.name}`);
  }

  async negotiatePublisher() {
    const offer = await this.publisher.createOffer();
    await this.publisher.setLocalDescription(offer);
    const reply = new Promise((resolve) => { this.pendingAnswer = resolve; });
    this.signal.send({ offer: { type: 'offer', sdp: offer.sdp } });
    const answer = await withTimeout(reply, REPLY_TIMEOUT_MS, 'answer to our publisher offer');
    await this.publisher.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  }

  /** Mutes or unmutes our track of `kind`: the track stops sending content, and the
   *  server is told so the others see it (`mute` request). */
  setMuted(kind, muted) {
    for (const { track, sid } of this.localTracks.values()) {
      if (track.kind !== kind) continue;
      track.enabled = !muted;
      if (sid) this.signal.send({ mute: { sid, muted } });
    }
    this.onChange();
  }

  /** The server muted one of our tracks (e.g. RoomService.MutePublishedTrack). */
  applyRemoteMute(message) {
    for (const { track, sid } of this.localTracks.values()) {
      if (sid === message.sid) {
        track.enabled = !message.muted;
        this.onLocalMute(track.kind, Boolean(message.muted));
      }
    }
    this.onChange();
  }

  // -- the end -------------------------------------------------------------------------

  /** Leaves the room (`leave`, then close). Local media tracks stay with the caller. */
  leave() { this.shutdown(true); }

  shutdown(sayGoodbye) {
    if (this.closed) return;
    this.closed = true;
    if (sayGoodbye) this.signal.close(); else { this.signal.closedByUs = true; this.signal.stopPing(); try { this.signal.ws?.close(); } catch { /* closed */ } }
    for (const pc of [this.subscriber, this.publisher]) { try { pc?.close(); } catch { /* closed */ } }
    for (const participant of this.participants.values()) {
      for (const track of participant.stream.getTracks()) participant.stream.removeTrack(track);
    }
    this.participants.clear();
    for (const resolve of this.pendingPublished.values()) resolve({});
    this.pendingPublished.clear();
  }
}
