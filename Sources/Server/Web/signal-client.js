// LiveKit signalling over one WebSocket, in the protobuf JSON mapping (`format=json`):
// every frame is a text frame holding a SignalRequest (us → server) or a SignalResponse
// (server → us) with lowerCamelCase field names, enums by name and int64 as strings.
// See docs PROTOCOL.md §1–§2 and §6. No protobuf library needed.

/** Why a connection could not be made or was lost. `kind` is one of
 *  'refused' (the server will not let this token in: do not retry),
 *  'rejected' (the server accepted the token but ended the join, e.g. a full room),
 *  'unreachable' (no server answered), 'timeout', 'lost' (after a successful join),
 *  'ended' (the server ended our stay for good, e.g. removed us: do not retry). */
export class SignalError extends Error {
  constructor(kind, message, status = 0) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
  get retryable() { return this.kind !== 'refused' && this.kind !== 'ended'; }
}

/** The http(s) base of the server: `?server=` if given, else this page's origin. */
export function serverBase() {
  const param = new URLSearchParams(location.search).get('server');
  return (param || location.origin).replace(/\/+$/, '');
}

function webSocketBase(httpBase) {
  return httpBase.replace(/^http/, 'ws');
}

export class SignalClient {
  constructor(httpBase) {
    this.httpBase = httpBase;
    this.handlers = new Map();
    this.ws = null;
    this.closedByUs = false;
    this.pingTimer = null;
    this.lastMessageAt = 0;
  }

  /** Registers the handler for one SignalResponse field (`offer`, `update`, …) or for
   *  `disconnected` (the socket went away after the join; the argument is a SignalError). */
  on(name, handler) { this.handlers.set(name, handler); }

  emit(name, value) {
    const handler = this.handlers.get(name);
    if (!handler) return;
    try { handler(value); } catch (err) { console.error(`signal handler ${name}`, err); }
  }

  /** Opens `/rtc` and resolves with the JoinResponse (it must be the first message,
   *  PROTOCOL.md §1); rejects with a SignalError saying why not. */
  connect(token, timeoutMs = 10000) {
    const query = new URLSearchParams({
      access_token: token, auto_subscribe: '1', protocol: '16', format: 'json',
      sdk: 'js', client_protocol: '0', adaptive_stream: '0',
    });
    const url = `${webSocketBase(this.httpBase)}/rtc?${query}`;
    return new Promise((resolve, reject) => {
      let opened = false;
      let joined = false;
      let settled = false;
      let ws;
      try {
        ws = new WebSocket(url);
      } catch (err) {
        reject(new SignalError('unreachable', `cannot open ${url}: ${err.message}`));
        return;
      }
      this.ws = ws;
      const settle = (fn, value) => { if (!settled) { settled = true; clearTimeout(timer); fn(value); } };
      const timer = setTimeout(() => {
        settle(reject, new SignalError('timeout', `no join response from the server within ${timeoutMs / 1000} s`));
        this.closedByUs = true;
        ws.close();
      }, timeoutMs);

      ws.onopen = () => { opened = true; };
      ws.onmessage = (event) => {
        if (typeof event.data !== 'string') return; // we asked for JSON text frames only
        let message;
        try { message = JSON.parse(event.data); } catch { return; }
        this.lastMessageAt = Date.now();
        if (!joined) {
          if (message.join) {
            joined = true;
            this.startPing(message.join);
            settle(resolve, message.join);
          } else if (message.leave) {
            settle(reject, new SignalError('rejected', `the server refused the join (${message.leave.reason || 'no reason given'})`));
          }
          return; // anything before the join is ignored
        }
        this.dispatch(message);
      };
      ws.onclose = async (event) => {
        this.stopPing();
        if (!joined) {
          if (settled) return;
          if (!opened) {
            // The handshake failed: the browser hides the HTTP status, so ask /rtc/validate.
            settle(reject, await this.explainRefusal(token));
          } else {
            const why = event.reason || 'the server closed the connection before the join (is the room full?)';
            settle(reject, new SignalError('rejected', why));
          }
          return;
        }
        if (!this.closedByUs) {
          this.emit('disconnected', new SignalError('lost',
            `connection to the server lost (WebSocket closed, code ${event.code}${event.reason ? `: ${event.reason}` : ''})`));
        }
      };
    });
  }

  /** `GET /rtc/validate` gives the status and reason the WebSocket handshake hid. */
  async explainRefusal(token) {
    try {
      const response = await fetch(`${this.httpBase}/rtc/validate?access_token=${encodeURIComponent(token)}`);
      const text = (await response.text()).trim();
      if (response.ok) {
        return new SignalError('unreachable', 'the token is valid but the signalling connection failed');
      }
      const kind = response.status === 401 || response.status === 403 ? 'refused' : 'rejected';
      return new SignalError(kind, `Token refused: ${response.status} ${text || response.statusText}`, response.status);
    } catch (err) {
      return new SignalError('unreachable', `cannot reach the server at ${this.httpBase}`);
    }
  }

  /** Each SignalResponse has one field set (a oneof): hand it to its handler. */
  dispatch(message) {
    for (const [name, value] of Object.entries(message)) this.emit(name, value);
  }

  send(request) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(request));
      return true;
    }
    return false;
  }

  /** Ping every `pingInterval` s (int64 fields as strings); the server answers pongResp.
   *  Silence for `pingTimeout` s means the connection is gone (PROTOCOL.md §2 item 7). */
  startPing(join) {
    const interval = Math.max(1, Number(join.pingInterval) || 5) * 1000;
    const timeout = Math.max(2, Number(join.pingTimeout) || 15) * 1000;
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastMessageAt > timeout) {
        this.stopPing();
        this.emit('disconnected', new SignalError('lost', `the server stopped answering (no message for ${timeout / 1000} s)`));
        this.closedByUs = true;
        this.ws?.close();
        return;
      }
      this.send({ pingReq: { timestamp: String(Date.now()), rtt: '0' } });
    }, interval);
  }

  stopPing() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /** Says goodbye (`leave`, CLIENT_INITIATED) and closes the socket. */
  close() {
    this.closedByUs = true;
    this.stopPing();
    this.send({ leave: { reason: 'CLIENT_INITIATED' } });
    try { this.ws?.close(1000, 'leave'); } catch { /* already closed */ }
  }
}
