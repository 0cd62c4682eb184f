// The room page: join with a token (or, with the server's development keys, with a room and
// a name), publish camera and microphone with simulcast, show everyone in a grid, mute,
// record, leave; say clearly what went wrong and reconnect by itself when the link drops.

import { serverBase, SignalError } from './signal-client.js';
import { RoomSession } from './room-session.js';
import { ParticipantGrid } from './participant-grid.js';
import { RoomRecording, tokenClaims, canRecord } from './room-recording.js';
import { receivedStats, sentStats, dominantFrequency, meanColour } from './media-probes.js';

const $ = (id) => document.getElementById(id);
const httpBase = serverBase();
const grid = new ParticipantGrid($('grid'));
const recording = new RoomRecording(httpBase);
const MAX_RECONNECT_ATTEMPTS = 10;

const state = {
  phase: 'idle', // idle | connecting | connected | reconnecting | failed
  devMode: false,
  session: null,
  localStream: null,
  token: '',
  tokenFromDev: false,
  room: '',
  identity: '',
  name: '',
  micMuted: false,
  camMuted: false,
  attempt: 0,
  reconnectTimer: null,
  lastError: '',
  events: [],
};

function log(text) {
  state.events.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
  if (state.events.length > 200) state.events.shift();
}

function setPhase(phase, text) {
  state.phase = phase;
  document.body.dataset.phase = phase;
  $('status').textContent = text;
  $('join-form').hidden = phase !== 'idle' && phase !== 'failed';
  $('call').hidden = phase === 'idle' || phase === 'failed';
  log(`${phase}: ${text}`);
}

function showError(text) {
  state.lastError = text;
  $('banner').textContent = text;
  $('banner').hidden = !text;
  if (text) log(`error: ${text}`);
}

// -- tokens ---------------------------------------------------------------------------------

async function detectDevMode() {
  try {
    // 400 (no room given) means the endpoint exists: the server runs with the dev keys.
    const response = await fetch(`${httpBase}/dev/token`);
    state.devMode = response.status === 400 || response.ok;
  } catch {
    state.devMode = false;
  }
  $('dev-fields').hidden = !state.devMode;
  $('token-fields').open = !state.devMode;
  $('mode-hint').textContent = state.devMode
    ? 'Development keys: pick a room and a name, or paste a token.'
    : 'Paste an access token minted by your backend.';
}

async function fetchDevToken(room, identity, name) {
  const query = new URLSearchParams({ room, identity, name });
  let response;
  try {
    response = await fetch(`${httpBase}/dev/token?${query}`);
  } catch (err) {
    throw new SignalError('unreachable', `cannot reach the server at ${httpBase}`);
  }
  if (!response.ok) {
    const text = (await response.text()).trim();
    throw new SignalError('refused', `no dev token: ${response.status} ${text}`);
  }
  return (await response.json()).token;
}

/** A fresh token for a re-join: a new dev token, the server's refreshed one, or ours. */
async function tokenForRejoin() {
  if (state.tokenFromDev) return fetchDevToken(state.room, state.identity, state.name);
  return state.session?.refreshedToken || state.token;
}

// -- joining --------------------------------------------------------------------------------

async function openLocalMedia() {
  if (state.localStream) return state.localStream;
  try {
    state.localStream = await navigator.mediaDevices.getUserMedia({
      audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } },
    });
  } catch (err) {
    showError(`Camera/microphone unavailable (${err.name}: ${err.message}); joining without publishing.`);
    state.localStream = null;
  }
  return state.localStream;
}

async function onJoinSubmit(event) {
  event.preventDefault();
  showError('');
  const given = $('token').value.trim();
  try {
    setPhase('connecting', 'Connecting…');
    if (given) {
      const claims = tokenClaims(given);
      if (!claims) throw new SignalError('refused', 'That does not look like an access token (a JWT).');
      state.token = given;
      state.tokenFromDev = false;
      state.room = claims.video?.room || '';
      state.identity = claims.sub || '';
      state.name = claims.name || claims.sub || 'me';
    } else if (state.devMode) {
      state.room = $('room').value.trim();
      state.name = $('name').value.trim();
      if (!state.room || !state.name) throw new SignalError('refused', 'Enter a room and your name (or a token).');
      // Unique identity per tab, kept across reconnects so the server replaces a stale session.
      state.identity = `${state.name.replace(/\s+/g, '-').toLowerCase()}-${Math.random().toString(36).slice(2, 6)}`;
      state.token = await fetchDevToken(state.room, state.identity, state.name);
      state.tokenFromDev = true;
    } else {
      throw new SignalError('refused', 'Paste an access token.');
    }
    $('record').hidden = !canRecord(state.token);
    $('room-name').textContent = state.room;
    await openLocalMedia();
    await connectSession(state.token);
  } catch (err) {
    failJoin(err);
  }
}

function failJoin(err) {
  closeSession();
  stopLocalMedia();
  setPhase('failed', 'Not connected');
  showError(err.message || String(err));
}

/** One stay in the room; resolves once joined and publishing. */
async function connectSession(token) {
  closeSession();
  const session = new RoomSession(httpBase);
  state.session = session;
  session.onChange = render;
  session.onDisconnected = (err) => { if (state.session === session) onConnectionLost(err); };
  session.onLocalMute = (kind, muted) => {
    if (kind === 'audio') state.micMuted = muted; else state.camMuted = muted;
    showError(muted ? `The server muted your ${kind === 'audio' ? 'microphone' : 'camera'}.` : '');
  };
  const join = await session.join(token);
  state.identity = join.participant?.identity || state.identity;
  setPhase('connected', `In room ${state.room}`);
  const claims = tokenClaims(token);
  const mayPublish = claims?.video?.canPublish !== false;
  if (state.localStream && mayPublish) {
    await session.publish(state.localStream, { simulcast: true });
    if (state.micMuted) session.setMuted('audio', true);
    if (state.camMuted) session.setMuted('video', true);
  }
  render();
}

function onConnectionLost(err) {
  closeSession();
  scheduleReconnect(err);
}

function scheduleReconnect(err) {
  if (err && !err.retryable) {
    failJoin(err);
    return;
  }
  state.attempt += 1;
  if (state.attempt > MAX_RECONNECT_ATTEMPTS) {
    failJoin(new SignalError('lost', `Gave up reconnecting after ${MAX_RECONNECT_ATTEMPTS} attempts: ${err?.message || ''}`));
    return;
  }
  const delay = Math.min(500 * 2 ** (state.attempt - 1), 15000) * (0.8 + Math.random() * 0.4);
  showError(`${err?.message || 'Connection lost'}. Reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${state.attempt})…`);
  setPhase('reconnecting', `Reconnecting (attempt ${state.attempt})…`);
  render();
  state.reconnectTimer = setTimeout(async () => {
    state.reconnectTimer = null;
    try {
      state.token = await tokenForRejoin();
      await connectSession(state.token);
      state.attempt = 0;
      showError('');
      log('reconnected');
    } catch (retryErr) {
      if (state.phase === 'idle') return; // the user left meanwhile
      closeSession();
      scheduleReconnect(retryErr instanceof SignalError ? retryErr : new SignalError('lost', retryErr.message));
    }
  }, delay);
}

function closeSession() {
  const session = state.session;
  state.session = null;
  session?.leave();
}

function stopLocalMedia() {
  for (const track of state.localStream?.getTracks() || []) track.stop();
  state.localStream = null;
}

async function leave() {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  if (recording.active) await stopRecording();
  closeSession();
  stopLocalMedia();
  state.attempt = 0;
  setPhase('idle', 'Not connected');
  showError('');
  render();
}

// -- controls -------------------------------------------------------------------------------

function toggle(kind) {
  const key = kind === 'audio' ? 'micMuted' : 'camMuted';
  state[key] = !state[key];
  if (state.session) state.session.setMuted(kind, state[key]);
  else for (const track of state.localStream?.getTracks() || []) if (track.kind === kind) track.enabled = !state[key];
  render();
}

async function toggleRecording() {
  const button = $('record');
  button.disabled = true;
  try {
    if (recording.active) {
      await stopRecording();
    } else {
      await recording.start(state.token, state.room);
      $('record-state').textContent = `Recording to ${recording.filepath}`;
    }
  } catch (err) {
    showError(`Recording: ${err.message}`);
  } finally {
    button.disabled = false;
    render();
  }
}

async function stopRecording() {
  try {
    await recording.stop(state.token);
    $('record-state').textContent = '';
  } catch (err) {
    showError(`Recording: ${err.message}`);
  }
}

function render() {
  const session = state.session;
  const views = [];
  if (state.phase !== 'idle' && state.phase !== 'failed') {
    views.push({
      key: 'local', identity: state.identity, name: state.name, stream: state.localStream, local: true,
      speaking: Boolean(session?.localSpeaking) && !state.micMuted, micMuted: state.micMuted, camMuted: state.camMuted,
    });
  }
  for (const p of session?.participants.values() || []) {
    views.push({
      key: p.sid, identity: p.identity, name: p.displayName, stream: p.stream, speaking: p.speaking,
      micMuted: p.isMuted('AUDIO'), camMuted: p.isMuted('VIDEO'),
    });
  }
  grid.render(views);
  $('mic').textContent = state.micMuted ? 'Unmute mic' : 'Mute mic';
  $('cam').textContent = state.camMuted ? 'Start camera' : 'Stop camera';
  $('mic').classList.toggle('off', state.micMuted);
  $('cam').classList.toggle('off', state.camMuted);
  $('record').textContent = recording.active ? 'Stop recording' : 'Record';
  $('record').classList.toggle('recording', recording.active);
  $('count').textContent = views.length ? `${views.length} in the room` : '';
}

// -- for tests and the console ----------------------------------------------------------------

function participantByIdentity(identity) {
  for (const p of state.session?.participants.values() || []) if (p.identity === identity) return p;
  return null;
}

// The WebRTC statistics are awaited first and the page's own state is read after, all at one
// instant: read around the awaits, a snapshot could pair a phase from before a reconnect
// finished with the events from after it.
window.__stats = async () => {
  const remote = await receivedStats(state.session);
  const sent = await sentStats(state.session);
  return {
    phase: state.phase,
    identity: state.identity,
    room: state.room,
    error: state.lastError,
    tiles: [...document.querySelectorAll('#grid .tile')].map((t) => t.dataset.name),
    speaking: [...document.querySelectorAll('#grid .tile.speaking')].map((t) => t.dataset.name),
    remote,
    sent,
    events: state.events.slice(-30),
  };
};
window.__frequency = (identity) => dominantFrequency(participantByIdentity(identity));
window.__colour = (identity) => meanColour(grid.videoFor(identity));
window.__session = () => state.session; // for debugging in the console

// -- wiring ---------------------------------------------------------------------------------

$('join-form').addEventListener('submit', onJoinSubmit);
$('mic').addEventListener('click', () => toggle('audio'));
$('cam').addEventListener('click', () => toggle('video'));
$('record').addEventListener('click', toggleRecording);
$('leave').addEventListener('click', leave);
window.addEventListener('pagehide', () => state.session?.leave());

const params = new URLSearchParams(location.search);
if (params.get('room')) $('room').value = params.get('room');
if (params.get('name')) $('name').value = params.get('name');
if (params.get('token')) $('token').value = params.get('token');
setPhase('idle', 'Not connected');
detectDevMode();
