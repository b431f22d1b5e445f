// RabbitChat connection layer: one logical connection to the server speaking protocol v1
// (docs/PROTOCOL.md) over the native WebSocket at /ws or over SockJS at /sockjs.
//
// It knows nothing about rooms or the DOM. It opens the transport, hands every decoded frame
// to `onFrame`, reports its state to `onState`, and reconnects after an unexpected close with
// exponential backoff and full jitter. Session-level recovery (hello with resume, re-sending
// pending messages) is the session's job (session.js), triggered by `onOpen`.

const SOCKJS_SCRIPT = "/sockjs-client.min.js";
const SOCKJS_PATH = "/sockjs";

/// Whether the server offers SockJS, asked once of `/sockjs/info` (a small JSON answer). The
/// sign-in card uses it to enable the SockJS options; the client script itself is not loaded.
let sockjsInfo = null;
export function probeSockJS() {
  if (!sockjsInfo) {
    sockjsInfo = fetch(SOCKJS_PATH + "/info", { cache: "no-store" }).then((r) => r.ok, () => false);
  }
  return sockjsInfo;
}

/// Loads sockjs-client (about 60 KB) the first time a SockJS transport is actually chosen, so a
/// page on the native WebSocket never downloads it. Resolves to false when the server has no
/// SockJS or the script is missing (a 404 fires the script's error event).
let sockjsScript = null;
export function loadSockJS() {
  if (typeof window.SockJS === "function") return Promise.resolve(true);
  if (!sockjsScript) {
    sockjsScript = (async () => {
      if (!(await probeSockJS())) return false;
      try {
        await new Promise((resolve, reject) => {
          const tag = document.createElement("script");
          tag.src = SOCKJS_SCRIPT;
          tag.onload = resolve;
          tag.onerror = reject;
          document.head.appendChild(tag);
        });
        return typeof window.SockJS === "function";
      } catch (_) {
        return false;
      }
    })();
  }
  return sockjsScript;
}

/// Backoff for attempt n (0-based): full jitter over an exponential cap, with a floor so a
/// restarting server is not hammered. 1012 ("server restarting") asks for a random delay too.
export function backoffDelay(attempt, base, max) {
  const cap = Math.min(max, base * Math.pow(2, attempt));
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

export class Connection {
  /// options: { transport: "websocket" | "sockjs" | "sockjs:<transport>",
  ///            onFrame(frame), onState(state, detail), onOpen(isReconnect) }
  constructor(options) {
    this.options = options;
    this.transport = options.transport || "websocket";
    this.socket = null;
    this.state = "idle"; // idle | connecting | open | waiting | closed
    this.attempt = 0;
    this.everOpened = false;
    this.stopped = false;
    this.retryTimer = null;
    this.retryAt = 0;
    this.pingTimer = null;
    this.lastFrameAt = 0;
    this.usedTransport = null;
    this.baseDelay = options.baseDelay || 600;
    this.maxDelay = options.maxDelay || 15000;
  }

  setState(state, detail) {
    this.state = state;
    if (this.options.onState) this.options.onState(state, detail || {});
  }

  async start() {
    this.stopped = false;
    await this.open();
  }

  async open() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState("connecting", { attempt: this.attempt, reconnect: this.everOpened });
    let socket;
    let wantSockJS = this.transport.startsWith("sockjs");
    if (wantSockJS && !(await loadSockJS())) wantSockJS = false; // fall back to native WebSocket
    if (this.stopped) return;
    try {
      if (wantSockJS) {
        const chosen = this.transport.split(":")[1];
        const opts = chosen ? { transports: [chosen] } : {};
        socket = new window.SockJS(SOCKJS_PATH, null, opts);
        this.usedTransport = chosen ? "SockJS · " + chosen : "SockJS";
      } else {
        const scheme = location.protocol === "https:" ? "wss://" : "ws://";
        socket = new WebSocket(scheme + location.host + "/ws");
        this.usedTransport = "WebSocket";
      }
    } catch (error) {
      this.scheduleRetry({ code: 0, reason: String(error) });
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      if (wantSockJS && socket.transport) this.usedTransport = "SockJS · " + socket.transport;
      const isReconnect = this.everOpened;
      this.everOpened = true;
      this.lastFrameAt = Date.now();
      this.setState("open", { reconnect: isReconnect, transport: this.usedTransport });
      this.startKeepalive();
      if (this.options.onOpen) this.options.onOpen(isReconnect);
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      if (frame && typeof frame === "object" && this.options.onFrame) this.options.onFrame(frame);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.stopKeepalive();
      if (this.stopped) {
        this.setState("closed", { code: event.code, reason: event.reason });
        return;
      }
      this.scheduleRetry({ code: event.code, reason: event.reason });
    };
    socket.onerror = () => {};
  }

  scheduleRetry(detail) {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.baseDelay, this.maxDelay);
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.setState("waiting", Object.assign({ delay, attempt: this.attempt, retryAt: this.retryAt }, detail));
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /// Skips the remaining backoff (the "Retry now" button, coming back online).
  retryNow() {
    if (this.state === "waiting") this.open();
  }

  /// Called by the app once the session is re-established (welcome received): resets backoff.
  markHealthy() {
    this.attempt = 0;
  }

  /// Frames are only written on an open socket; the app keeps what must survive a reconnect.
  send(frame) {
    const socket = this.socket;
    if (!socket || socket.readyState !== 1) return false;
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch (_) {
      return false;
    }
  }

  isOpen() {
    return !!this.socket && this.socket.readyState === 1;
  }

  /// An application-level ping every 20 s; a socket silent for 45 s is presumed dead and
  /// closed, which triggers the reconnect path (half-open TCP connections never close).
  startKeepalive() {
    this.stopKeepalive();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt > 45000) {
        this.drop();
        return;
      }
      this.send({ type: "ping", id: "k" + Date.now() });
    }, 20000);
  }

  stopKeepalive() {
    clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /// Closes the current socket and reconnects (used when the server refused the session
  /// in a way that a new attempt may fix).
  drop() {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    this.stopKeepalive();
    try { socket.close(); } catch (_) { /* already closed */ }
    this.scheduleRetry({ code: 4000, reason: "dropped" });
  }

  /// Closes for good (sign-out, refused sign-in).
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopKeepalive();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      // `bye` first: a sign-out is a departure, posted at once, not a reload that the
      // server's presence grace hides.
      try {
        if (socket.readyState === 1) socket.send(JSON.stringify({ type: "bye" }));
      } catch (_) { /* ignore */ }
      try { socket.close(1000, "bye"); } catch (_) { /* ignore */ }
    }
    this.setState("closed", {});
  }
}
