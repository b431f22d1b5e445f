// RabbitChat client state: the one `S` object every module reads and changes, the limits and
// timings, lookups on conversations, and the tab session kept in sessionStorage. No DOM here.

export const NAME = /^[A-Za-z0-9_-]{1,32}$/;
export const TYPING_THROTTLE_MS = 3000; // send `typing start` at most this often
export const TYPING_IDLE_MS = 5000; // stop after this long without a keystroke
export const TYPING_EXPIRY_MS = 7000; // forget a remote typist we have not heard from
export const GROUP_GAP_MS = 5 * 60 * 1000; // consecutive messages closer than this share a header
export const HISTORY_PAGE = 50;

export const S = {
  me: null,
  auth: null, // { nick } or { token, user }
  transport: "websocket",
  conn: null,
  welcomed: false,
  signedIn: false,
  reconnects: 0,
  convs: new Map(), // "room:lobby" | "dm:bob" → conversation
  active: null,
  pending: new Map(), // cid → { conv, frame, row }
  cidCounter: 0,
  typingConv: null,
  typingSentAt: 0,
  typingIdleTimer: null,
  firstRoom: "lobby",
  browse: [],
  limits: { maxTextScalars: 4000 },
  statusTimer: null,
  restore: null, // the saved tab session while a reload signs back in
  restoreAttempts: 0,
  pendingHistory: false,
  lastJoinRequested: null, // the room a `join` error is most likely about
  registered: false, // signed in with an account (welcome.registered)
  admin: false, // a server-wide admin (welcome.admin), who may moderate every room
  myRooms: new Map(), // lower-case name → welcome.rooms entry: the stored rooms of a registered user
  blocked: new Set(), // lower-case names on our block list (welcome.blocked, `blocks`)
  blockedNames: [], // the same list as the server spells it, for the blocked people dialog
  invitations: new Map(), // lower-case room → { room, by }: `invited` frames not yet acted on
};
window.RabbitChat = { state: S }; // for debugging in the console, and for the browser tests

/// The key of a conversation in `S.convs`. Room names compare without regard to case (the server
/// answers `join` with the stored spelling), so a room's key is its lower-case name.
export const keyOf = (kind, name) => kind + ":" + (kind === "room" ? String(name).toLowerCase() : name);

/// Whether two room or user names are the same one (names compare without regard to case).
export function sameName(a, b) {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}

/// Whether room messages from `user` are hidden (the user is on our block list).
export function isBlocked(user) {
  return typeof user === "string" && S.blocked.has(user.toLowerCase());
}

export function activeConv() {
  return S.active ? S.convs.get(S.active) : null;
}

/// The conversation a server frame is about: `room`, or a DM's `peer`.
export function convOfFrame(f) {
  return f.room ? S.convs.get(keyOf("room", f.room)) : f.peer ? S.convs.get(keyOf("dm", f.peer)) : null;
}

/// The addressing fields of a frame to `conv`: `{room}` or `{peer}` (history, read).
export function target(conv) {
  return conv.kind === "room" ? { room: conv.name } : { peer: conv.name };
}

/// The addressing fields of a send or typing frame: `{room}` or `{to}`.
export function recipient(conv) {
  return conv.kind === "room" ? { room: conv.name } : { to: conv.name };
}

export function dmPeerOf(frame) {
  return frame.from === S.me ? frame.to : frame.from;
}

/// Everyone we see online in any of our rooms.
export function onlineUsers() {
  const set = new Set();
  for (const conv of S.convs.values()) if (conv.kind === "room") for (const m of conv.members) set.add(m);
  return set;
}

export function canSendTo(conv) {
  return S.welcomed && S.conn.isOpen() && (conv.kind === "dm" || conv.joined);
}

/// Unicode scalars, as the server counts a text's length (a UTF-16 length would count an emoji
/// twice).
export function scalarCount(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

// ---------------------------------------------------------------------------------------
// Tab session: a reload brings the same person back into the same rooms.

const SESSION_KEY = "rabbitchat.session";

export function saveSession() {
  if (!S.signedIn) return;
  const rooms = [...S.convs.values()].filter((c) => c.kind === "room" && c.wantJoined).map((c) => c.name);
  const dms = [...S.convs.values()].filter((c) => c.kind === "dm").map((c) => c.name);
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ auth: S.auth, transport: S.transport, rooms, dms, active: S.active }));
  } catch (_) { /* private mode */ }
}

export function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    if (saved && saved.auth && (saved.auth.token || NAME.test(saved.auth.nick || ""))) return saved;
  } catch (_) { /* ignore */ }
  return null;
}

export function clearSession() {
  try { sessionStorage.removeItem(SESSION_KEY); } catch (_) { /* ignore */ }
}
