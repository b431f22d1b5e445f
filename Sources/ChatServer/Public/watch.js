// RabbitChat DM presence: the page asks the server to `watch` its DM peers (after `welcome` and
// whenever the DM list changes) and keeps the `status` answers, so a DM's dot is green when the
// peer is online anywhere, not only when they share a room with us. A DM to a guest who is
// offline can never arrive (guests get messages only while connected): its composer is locked
// with the reason until the guest is back, so nothing is sent that the server must refuse.

import { S } from "./state.js";
import { renderNav } from "./rendering.js";
import { lockConv, unlockConv } from "./moderation.js";

const MAX_WATCHED = 100; // the server's limit for one `watch`

let watchedKey = null; // the list last sent on this socket, to send only changes

/// Online state of users we watch, from `status` frames: lower-case name → true/false.
const statuses = new Map();
/// Watched users without an account (lower-case), from the answer to `watch`.
const guests = new Set();

/// Whether the server told us `user` is online (true/false), or null when it did not say.
export function watchedStatus(user) {
  const known = statuses.get(String(user).toLowerCase());
  return known === undefined ? null : known;
}

let scheduled = false;

/// Sends `watch` with the DM peers when the list differs from what this socket last sent,
/// once the current task is done (a `welcome` adds DMs one by one: one `watch` for all).
/// `force` sends it anyway (a new socket after `welcome`: the server forgot the old list).
export function syncWatch(force) {
  if (force) watchedKey = null;
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    if (!S.welcomed || !S.conn || !S.conn.isOpen()) return;
    const users = [...S.convs.values()].filter((c) => c.kind === "dm").map((c) => c.name).sort().slice(0, MAX_WATCHED);
    const key = users.join("\n");
    if (key === watchedKey) return;
    watchedKey = key;
    S.conn.send({ type: "watch", users });
  }, 0);
}

/// Whether a DM to `user` cannot arrive now: a guest the server says is offline.
export function isOfflineGuest(user) {
  const key = String(user).toLowerCase();
  return statuses.get(key) === false && guests.has(key);
}

/// A `status` frame: the online state of some watched users (all of them after a `watch`, with
/// the guests among them).
export function onStatus(f) {
  if (!f.users || typeof f.users !== "object") return;
  const answer = Array.isArray(f.guests);
  for (const [user, online] of Object.entries(f.users)) {
    if (typeof online === "boolean") statuses.set(user.toLowerCase(), online);
    if (answer) guests.delete(user.toLowerCase());
  }
  if (answer) for (const user of f.guests) if (typeof user === "string") guests.add(user.toLowerCase());
  updateDirectLocks();
  renderNav();
}

/// The server refused a DM with `user_offline`: the peer is a guest who is gone.
export function onPeerOffline(conv) {
  statuses.set(conv.name.toLowerCase(), false);
  guests.add(conv.name.toLowerCase());
  updateDirectLocks();
}

/// Locks the composer of every DM with an offline guest (saying why), unlocks it when they
/// are back.
function updateDirectLocks() {
  for (const conv of S.convs.values()) {
    if (conv.kind !== "dm") continue;
    if (isOfflineGuest(conv.name)) {
      if (!conv.lock) lockConv(conv, { kind: "unreachable" });
    } else if (conv.lock && conv.lock.kind === "unreachable") {
      unlockConv(conv);
    }
  }
}
