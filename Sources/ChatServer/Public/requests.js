// RabbitChat requests that wait for their answer: the room and moderation frames
// (`room_create`, `room_info`, `kick`, `block`, …; docs/PROTOCOL.md, "Rooms and moderation").
//
// The server handles a connection's frames in order and answers each of these with one frame
// (`room`, `member`, `blocks`) or one `error` whose `ref` is the request's type, so the oldest
// waiting request of that kind is the one an answer is about. Every answer frame also changes
// the page's state by itself (moderation.js, blocks.js): a waiter only learns how its own request
// ended, to close a dialog or say why not.

import { S, sameName } from "./state.js";

/// The frames answered by `member`.
const MEMBER_CHANGES = new Set(["invite", "kick", "ban", "unban", "mute", "unmute", "set_role"]);
/// The frames answered by `room`.
const ROOM_FRAMES = new Set(["room_create", "room_update", "room_info"]);
/// A request unanswered this long is over (the server answers within its send timeout, 10 s).
const ANSWER_TIMEOUT_MS = 12000;

const waiters = []; // { frame, resolve, timer }, oldest first

/// Sends `frame` and resolves with its answer: the answer frame, or an `error` frame (the
/// server's, or `{code: "network"}` when it could not be sent, `{code: "unavailable"}` when no
/// answer came in time). Never rejects.
export function ask(frame) {
  return new Promise((resolve) => {
    if (!S.welcomed || !S.conn || !S.conn.send(frame)) {
      resolve({ type: "error", code: "network", ref: frame.type });
      return;
    }
    const waiter = { frame, resolve, timer: null };
    waiter.timer = setTimeout(() => finish(waiter, { type: "error", code: "unavailable", ref: frame.type }), ANSWER_TIMEOUT_MS);
    waiters.push(waiter);
  });
}

function finish(waiter, answer) {
  const index = waiters.indexOf(waiter);
  if (index < 0) return;
  waiters.splice(index, 1);
  clearTimeout(waiter.timer);
  waiter.resolve(answer);
}

/// Hands a `room`, `member`, `blocks` or `error` frame to the request it answers. Returns true
/// when a waiting request took it (an error then needs no other handling).
export function settle(f) {
  let waiter = null;
  if (f.type === "error" && f.code === "unknown_type" && !f.ref) {
    // A server from before stored rooms names the type it does not know only in its message.
    waiter = waiters.find((w) => String(f.message || "").includes("`" + w.frame.type + "`")) || waiters[0];
  } else if (f.type === "error") {
    waiter = waiters.find((w) => w.frame.type === f.ref);
  } else if (f.type === "room") {
    waiter = waiters.find((w) => (f.ref ? w.frame.type === f.ref : ROOM_FRAMES.has(w.frame.type)) && sameName(w.frame.room, f.room));
  } else if (f.type === "member") {
    waiter = waiters.find((w) => MEMBER_CHANGES.has(w.frame.type) && sameName(w.frame.room, f.room) && sameName(w.frame.user, f.user));
  } else if (f.type === "blocks") {
    waiter = waiters.find((w) => w.frame.type === "block" || w.frame.type === "unblock");
  }
  if (!waiter) return false;
  finish(waiter, f);
  return true;
}

/// The connection went away: every waiting request ends with `network` (its answer, if any,
/// is lost with the socket).
export function failAll() {
  for (const waiter of waiters.slice()) finish(waiter, { type: "error", code: "network", ref: waiter.frame.type });
}
