// RabbitChat composer: writing and sending messages — pending sends and their acks, refusals,
// our own typing notifications, the box that grows with its text, and the length counter.

import { TYPING_THROTTLE_MS, TYPING_IDLE_MS, S, activeConv, canSendTo, recipient, scalarCount } from "./state.js";
import { h, messageRow, setStatus, updateRowTime } from "./ui.js";
import { describeError, isPermanent } from "./errors.js";
import { insertOrdered, mutateView } from "./rendering.js";
import { updateReadState, scheduleRead } from "./rooms.js";
import { lockOf, onRefusedSend } from "./moderation.js";
import { replyFor, replySent, isEditing, submitEdit, setMessageState, ensureActions, flushChanges } from "./lifecycle.js";
import { hasAttachments, takeAttachments, uploadsInFlight } from "./files.js";

/// The counter shows from this share of the length limit on (3,600 of 4,000).
const COUNTER_FROM = 0.9;
/// The box grows with its text up to this height, then scrolls.
const MAX_BOX_HEIGHT = 180;

const $ = (id) => document.getElementById(id);

export function nextCid() {
  S.cidCounter += 1;
  return S.me + "-" + Date.now().toString(36) + "-" + S.cidCounter;
}

/// Sends `text` with the files of the composer's tray that finished uploading (`attachments`).
export function sendText(text, attachments = []) {
  const conv = activeConv();
  if (!conv || lockOf(conv)) return;
  const cid = nextCid();
  const frame = Object.assign({ type: "send", text, cid }, recipient(conv));
  if (attachments.length > 0) frame.attachments = attachments.map((a) => a.id);
  // A reply carries the seq it answers; its row shows the quote while it is being sent.
  const reply = replyFor(conv);
  if (reply) frame.replyTo = reply.seq;
  const row = messageRow({ from: S.me, text, ts: Date.now(), cid, attachments }, true);
  setMessageState(conv, row, { from: S.me, text, replyTo: reply });
  replySent();
  setStatus(row, "sending", "Sending…");
  S.pending.set(cid, { conv, frame, row });
  mutateView(conv, () => insertOrdered(conv, row), { forceBottom: true });
  if (canSendTo(conv)) S.conn.send(frame);
}

/// After a (re)connect: every send that never got its ack goes again with the same cid, so
/// the server stores it once (a duplicate answers `ack` with `duplicate: true`); so do edits,
/// deletes and reactions.
export function flushPending(conv) {
  for (const p of S.pending.values()) {
    if (p.conv !== conv || p.failed) continue;
    if (canSendTo(conv)) S.conn.send(p.frame);
  }
  flushChanges(conv);
}

export function onAck(f) {
  const p = S.pending.get(f.cid);
  if (!p) return;
  S.pending.delete(f.cid);
  const conv = p.conv;
  if (!S.convs.has(conv.key)) return;
  const existing = conv.rows.get(f.seq);
  let row = p.row;
  mutateView(conv, () => {
    if (existing && existing !== row) {
      row.remove();
      row = existing;
    } else {
      row.dataset.seq = String(f.seq);
      if (f.id) row.dataset.id = f.id;
      row.remove();
      conv.rows.set(f.seq, row);
      insertOrdered(conv, row);
    }
    delete row.dataset.cid;
    if (f.ts) updateRowTime(row, f.ts);
    // With its seq the row can be answered, reacted to, edited and deleted.
    ensureActions(conv, row);
    setStatus(row, "sent", "Sent");
  }, {});
  conv.lastSeq = Math.max(conv.lastSeq, f.seq);
  if (conv.minSeq === null) conv.minSeq = f.seq;
  updateReadState(conv);
  scheduleRead();
}

/// A refused send: `unavailable` goes again by itself after a short random delay; anything else
/// marks the row *Not sent* with a sentence a person reads, and offers Retry only when sending
/// again can succeed (a text over the limit never will).
export function onSendError(f, p) {
  if (f.code === "unavailable") {
    setTimeout(() => {
      if (S.pending.has(f.cid) && canSendTo(p.conv)) S.conn.send(p.frame);
    }, 1500 + Math.random() * 1500);
    return;
  }
  S.pending.delete(f.cid);
  p.failed = true;
  setStatus(p.row, "failed", "Not sent: " + describeError(f.code, { peer: p.frame.to, room: p.frame.room }));
  onRefusedSend(p.conv, f); // muted or banned: the composer says so
  if (isPermanent(f.code)) return;
  const retry = h("button", { type: "button", className: "link-btn", "aria-label": "Try sending this message again" }, "Retry");
  retry.addEventListener("click", () => {
    // A new cid: the refused one may not be reused for the same text after a refusal.
    const cid = nextCid();
    p.frame = Object.assign({}, p.frame, { cid });
    p.failed = false;
    p.row.dataset.cid = cid;
    setStatus(p.row, "sending", "Sending…");
    S.pending.set(cid, p);
    if (canSendTo(p.conv)) S.conn.send(p.frame);
  });
  p.row.querySelector(".msg-status").appendChild(retry);
}

export function onComposerInput() {
  autosize();
  updateCounter();
  const conv = activeConv();
  if (!conv || !canSendTo(conv)) return;
  const hasText = $("text").value.trim().length > 0;
  if (!hasText) {
    stopTyping();
    return;
  }
  const now = Date.now();
  if (S.typingConv !== conv || now - S.typingSentAt >= TYPING_THROTTLE_MS) {
    if (S.typingConv && S.typingConv !== conv) stopTyping();
    S.typingConv = conv;
    S.typingSentAt = now;
    S.conn.send(Object.assign({ type: "typing", state: "start" }, recipient(conv)));
  }
  clearTimeout(S.typingIdleTimer);
  S.typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
}

export function stopTyping() {
  clearTimeout(S.typingIdleTimer);
  const conv = S.typingConv;
  S.typingConv = null;
  S.typingSentAt = 0;
  if (conv && S.convs.has(conv.key) && canSendTo(conv)) {
    S.conn.send(Object.assign({ type: "typing", state: "stop" }, recipient(conv)));
  }
}

/// Grows the box with its text (up to MAX_BOX_HEIGHT); the message list keeps the newest
/// message in view while it shrinks (rendering.js, keepBottomOnResize).
export function autosize() {
  const t = $("text");
  t.style.height = "auto";
  t.style.height = Math.min(t.scrollHeight, MAX_BOX_HEIGHT) + "px";
}

/// The length counter under the box: hidden until the text nears the limit, then "3,650 / 4,000";
/// past the limit it says how many characters are too many, and the text stays as typed or
/// pasted (the box has no maxlength, so nothing is ever cut off silently).
export function updateCounter() {
  const limit = S.limits.maxTextScalars || 4000;
  const count = scalarCount($("text").value);
  const counter = $("counter");
  const over = count > limit;
  counter.hidden = count < limit * COUNTER_FROM;
  counter.textContent = count.toLocaleString("en-US") + " / " + limit.toLocaleString("en-US") +
    (over ? " · " + (count - limit).toLocaleString("en-US") + " too many to send" : "");
  counter.dataset.over = String(over);
  $("composer").dataset.over = String(over);
  if (over) $("text").setAttribute("aria-invalid", "true");
  else $("text").removeAttribute("aria-invalid");
  $("send").setAttribute("aria-disabled", String(over));
  return !over;
}

/// Sends the box's text and the uploaded attachments, unless there is neither, the text is too
/// long (then the counter says why and the text stays for the person to shorten), or a file is
/// still uploading (the message waits for it: press Enter again once its bar is full).
export function submitComposer() {
  const box = $("text");
  const text = box.value;
  const withFiles = hasAttachments() && !isEditing();
  if ((!text.trim() && !withFiles) || lockOf(activeConv())) return;
  if (uploadsInFlight()) {
    $("attachments").classList.remove("shake");
    void $("attachments").offsetWidth;
    $("attachments").classList.add("shake");
    return;
  }
  if (!updateCounter()) {
    const counter = $("counter");
    counter.classList.remove("shake");
    void counter.offsetWidth; // restart the animation
    counter.classList.add("shake");
    box.focus();
    return;
  }
  stopTyping();
  if (isEditing()) {
    box.value = submitEdit(text);
  } else {
    sendText(text.trim() ? text : "", withFiles ? takeAttachments() : []);
    box.value = "";
  }
  autosize();
  updateCounter();
  box.focus();
}
