// Room recording through the Egress Twirp API in its JSON form (PROTOCOL.md §8):
// StartRoomCompositeEgress / StopEgress with the room token as Bearer (it needs roomRecord).

/** The claims of a LiveKit JWT (payload only; the server checks the signature). */
export function tokenClaims(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = payload + '='.repeat((4 - (payload.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

export function canRecord(token) {
  return Boolean(tokenClaims(token)?.video?.roomRecord);
}

async function twirp(httpBase, token, method, body) {
  let response;
  try {
    response = await fetch(`${httpBase}/twirp/livekit.Egress/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new Error(`${method}: cannot reach the server (${err.message})`);
  }
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  if (!response.ok) {
    // Twirp errors are {"code", "msg"}.
    const why = json?.msg ? `${json.code}: ${json.msg}` : text.trim() || response.statusText;
    throw new Error(`${method} failed (${response.status}) ${why}`);
  }
  return json || {};
}

export class RoomRecording {
  constructor(httpBase) {
    this.httpBase = httpBase;
    this.egressId = null;
    this.filepath = null;
  }

  get active() { return this.egressId !== null; }

  async start(token, roomName) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const filepath = `${roomName}-${stamp}.mp4`;
    const info = await twirp(this.httpBase, token, 'StartRoomCompositeEgress', {
      room_name: roomName, file_outputs: [{ filepath }],
    });
    this.egressId = info.egress_id || info.egressId;
    if (!this.egressId) throw new Error('StartRoomCompositeEgress returned no egress_id');
    this.filepath = filepath;
    return info;
  }

  async stop(token) {
    if (!this.egressId) return null;
    const id = this.egressId;
    this.egressId = null;
    return twirp(this.httpBase, token, 'StopEgress', { egress_id: id });
  }
}
