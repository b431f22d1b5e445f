// RabbitChat read state from the server: unread and mention badges seeded from `welcome.rooms`
// and `joined.readSeq`, cleared by `read_state` (another tab or device of ours read the
// conversation), who read a room from `joined.reads`, and whether a message mentions us.

import { S, sameName, isBlocked, activeConv, convOfFrame } from "./state.js";
import { renderNav } from "./rendering.js";
import { updateReadState } from "./rooms.js";

/// Whether the message's `mentions` (recorded by the server from its `@name` tokens) name us.
export function mentionsMe(m) {
  return Array.isArray(m.mentions) && m.mentions.some((name) => sameName(name, S.me));
}

/// Whether a stored entry counts as unread for us: a message someone else wrote, not a room
/// event, not deleted, not from someone we block (the server counts the same way).
function countsAsUnread(m) {
  return !!m && !m.event && !m.update && m.from !== S.me && typeof m.deletedBy !== "string" && !isBlocked(m.from);
}

/// Seeds a stored room's badges from its `welcome.rooms` entry, the first time we see the room
/// on this page (a resumed room gets its missed messages live, which count on their own).
export function seedFromWelcome(conv, entry) {
  if (!conv || conv.loaded || conv === activeConv()) return;
  if (Number.isInteger(entry.unread)) conv.unread = Math.max(conv.unread, entry.unread);
  if (Number.isInteger(entry.mentions)) conv.mentions = Math.max(conv.mentions, entry.mentions);
  if (Number.isInteger(entry.readSeq)) conv.lastReadSent = Math.max(conv.lastReadSent, entry.readSeq);
}

/// Applies a `joined` frame's read state: our stored read position (`readSeq`, registered users)
/// seeds the badges of a first join from the messages after it, and `reads` says who read the
/// room how far, so "Read by N" survives a reload.
export function onJoinedReads(conv, f, firstJoin) {
  // Above 50 readers the server lists only some: the page then shows counts, not names.
  if (typeof f.readsComplete === "boolean") conv.readsComplete = f.readsComplete;
  for (const r of Array.isArray(f.reads) ? f.reads : []) {
    if (!r || typeof r.user !== "string" || !Number.isInteger(r.seq)) continue;
    if (sameName(r.user, S.me)) continue;
    conv.receipts.set(r.user, Math.max(conv.receipts.get(r.user) || 0, r.seq));
  }
  if (Number.isInteger(f.readSeq)) {
    conv.lastReadSent = Math.max(conv.lastReadSent, f.readSeq);
    if (firstJoin && conv !== activeConv()) {
      const after = (Array.isArray(f.messages) ? f.messages : []).filter((m) => m.seq > f.readSeq && countsAsUnread(m));
      conv.unread = Math.max(conv.unread, after.length);
      conv.mentions = Math.max(conv.mentions, after.filter(mentionsMe).length);
    }
  }
  updateReadState(conv);
}

/// A `read_state` frame: another session of ours read the conversation up to `seq`. What it
/// read is no longer unread here either; what came after it stays counted.
export function onReadState(f) {
  const conv = convOfFrame(f);
  if (!conv || !Number.isInteger(f.seq)) return;
  conv.lastReadSent = Math.max(conv.lastReadSent, f.seq);
  if (f.seq >= conv.lastSeq) {
    conv.unread = 0;
    conv.mentions = 0;
  } else {
    let unread = 0;
    let mentions = 0;
    for (const [seq, row] of conv.rows) {
      if (seq <= f.seq || !row.classList.contains("msg") || row.classList.contains("mine") || row.hidden || row.hasAttribute("data-deleted")) continue;
      unread += 1;
      if (row.classList.contains("mentions-me")) mentions += 1;
    }
    conv.unread = Math.min(conv.unread, unread);
    conv.mentions = Math.min(conv.mentions, mentions);
  }
  renderNav();
}

/// Clears a conversation's badges (we read it here).
export function clearBadges(conv) {
  conv.unread = 0;
  conv.mentions = 0;
}
