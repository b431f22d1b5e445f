// RabbitChat messages that change after they were sent (docs/PROTOCOL.md, "Edits, deletes,
// reactions and replies"): each message row's current state (text, edited, deleted, reactions,
// the quote it answers), the `update` entries of the seq stream that change it, and the actions
// on a message — reply, react, edit, delete — with the requests they send (`edit`, `delete`,
// `react`, `send` with `replyTo`), each answered by `ack` or an `error` with its `cid`.
//
// An `update` entry is never a row: it changes the row it names, advances the conversation's
// seq (so resume, paging and read positions move over it) and never counts as unread. Messages
// from `message` frames, `joined` and `history` arrive in their current state; an update entry
// only sets a field (a text, a deletion, one user's reaction), so applying the entries after
// such a state, in seq order, always ends in the server's state.

import { S, activeConv, canSendTo, recipient } from "./state.js";
import { h, appendLinkified, formatFull } from "./ui.js";
import { describeError } from "./errors.js";
import { mutateView, toast } from "./rendering.js";
import { loadOlder } from "./rooms.js";
import { confirmAction } from "./dialogs.js";
import { canModerate } from "./moderation.js";

const $ = (id) => document.getElementById(id);

/// The reactions the picker offers: one Unicode scalar each (the server takes one character).
export const PICKER_EMOJI = ["👍", "😂", "🎉", "😮", "😢", "🙏"];
/// A reply's quote keeps the start of the message it answers, as the server does.
const QUOTE_SCALARS = 100;
/// How long a message reached through its quote stays highlighted.
const FLASH_MS = 1600;
/// A history page asked for while jumping to a quoted message holds at most this many entries.
const MAX_PAGE = 100;

/// The current state of each message row (rows of chat messages with a `seq`).
const states = new WeakMap();

/// Requests waiting for their `ack`: cid → { conv, frame }.
const changes = new Map();

/// What the composer is doing besides writing a new message: `{mode: "reply"|"edit", conv,
/// seq, from, text, draft}`, or null.
let compose = null;

// ---------------------------------------------------------------------------------------
// State of a message

/// Whether a frame (live, or an entry of `joined.messages` / `history`) is an update entry.
export function isUpdate(m) {
  return !!m && m.type === "update";
}

export function stateOf(row) {
  return states.get(row) || null;
}

function quoteOf(value) {
  if (!value || typeof value !== "object" || !Number.isInteger(value.seq)) return null;
  return { seq: value.seq, from: typeof value.from === "string" ? value.from : "", text: typeof value.text === "string" ? value.text : "" };
}

/// Gives `row` the state of message `m` (a `message` frame, or our own send once acknowledged)
/// and renders it: quote, text or deleted placeholder, edited mark, reactions, actions.
export function setMessageState(conv, row, m) {
  if (!row.classList.contains("msg")) return;
  const reactions = new Map();
  for (const entry of Array.isArray(m.reactions) ? m.reactions : []) {
    if (!entry || typeof entry.emoji !== "string") continue;
    const users = new Set((Array.isArray(entry.users) ? entry.users : []).filter((u) => typeof u === "string"));
    if (users.size > 0) reactions.set(entry.emoji, users);
  }
  const deleted = typeof m.deletedBy === "string";
  const state = {
    from: m.from,
    text: deleted ? "" : (typeof m.text === "string" ? m.text : ""),
    editedAt: typeof m.editedAt === "number" ? m.editedAt : null,
    deletedBy: deleted ? m.deletedBy : null,
    reactions: deleted ? new Map() : reactions,
    replyTo: quoteOf(m.replyTo),
    // Who the message mentions (an edit keeps the original mentions): lower-case names.
    mentions: new Set((Array.isArray(m.mentions) ? m.mentions : []).filter((u) => typeof u === "string").map((u) => u.toLowerCase())),
  };
  states.set(row, state);
  renderState(conv, row, state);
}

/// Applies one update entry to the conversation: the message it names changes (when it is
/// loaded; otherwise it will arrive in its current state), quotes of a deleted message empty,
/// and the conversation's seq moves over it. Returns false for an entry seen before.
export function applyUpdate(conv, f) {
  if (!Number.isInteger(f.seq) || conv.updateSeqs.has(f.seq)) return false;
  conv.updateSeqs.add(f.seq);
  conv.lastSeq = Math.max(conv.lastSeq, f.seq);
  conv.minSeq = conv.minSeq === null ? f.seq : Math.min(conv.minSeq, f.seq);
  const u = f.update && typeof f.update === "object" ? f.update : {};
  if (!Number.isInteger(u.seq)) return true;
  const touched = [];
  if (u.action === "delete") {
    for (const row of conv.rows.values()) {
      const state = stateOf(row);
      if (state && state.replyTo && state.replyTo.seq === u.seq && state.replyTo.text) {
        state.replyTo.text = "";
        touched.push([row, state]);
      }
    }
  }
  const row = conv.rows.get(u.seq);
  const state = row ? stateOf(row) : null;
  if (state && !state.deletedBy) {
    // A deletion is final: edits and reactions after it change nothing.
    if (u.action === "edit" && typeof u.text === "string" && u.text !== "") {
      state.text = u.text;
      state.editedAt = typeof f.ts === "number" ? f.ts : Date.now();
      touched.push([row, state]);
    } else if (u.action === "delete") {
      state.deletedBy = typeof f.from === "string" ? f.from : state.from;
      state.text = "";
      state.reactions = new Map();
      touched.push([row, state]);
    } else if (u.action === "react" && typeof u.emoji === "string" && typeof f.from === "string") {
      const users = state.reactions.get(u.emoji) || new Set();
      if (u.on === false) users.delete(f.from);
      else users.add(f.from);
      if (users.size > 0) state.reactions.set(u.emoji, users);
      else state.reactions.delete(u.emoji);
      touched.push([row, state]);
    }
  }
  if (touched.length > 0) mutateView(conv, () => { for (const [r, s] of touched) renderState(conv, r, s); }, {});
  if (compose && compose.conv === conv && compose.seq === u.seq && u.action === "delete") cancelCompose();
  return true;
}

// ---------------------------------------------------------------------------------------
// Rendering a message's state

function renderState(conv, row, state) {
  const main = row.querySelector(".msg-main");
  if (!main) return;
  const text = main.querySelector(".msg-text");
  row.toggleAttribute("data-deleted", !!state.deletedBy);
  row.toggleAttribute("data-edited", !!state.editedAt && !state.deletedBy);

  // The quote of the message this one answers, above its text.
  let quote = main.querySelector(".msg-quote");
  if (state.replyTo && !state.deletedBy) {
    const fresh = buildQuote(conv, state.replyTo);
    if (quote) quote.replaceWith(fresh);
    else text.before(fresh);
  } else if (quote) {
    quote.remove();
  }

  text.textContent = "";
  text.classList.toggle("msg-deleted", !!state.deletedBy);
  if (state.deletedBy) {
    text.textContent = state.deletedBy === state.from ? "Message deleted" : "Message deleted by " + state.deletedBy;
    // Its files left with it (the server no longer serves them through it).
    const files = main.querySelector(".msg-files");
    if (files) files.remove();
  } else {
    appendLinkified(text, state.text, state.mentions, S.me);
  }
  row.classList.toggle("mentions-me", !state.deletedBy && typeof S.me === "string" && !!state.mentions && state.mentions.has(S.me.toLowerCase()));

  let edited = main.querySelector(".msg-edited");
  if (state.editedAt && !state.deletedBy) {
    if (!edited) {
      edited = h("span", { className: "msg-edited", text: "(edited)" });
      text.after(edited);
    }
    edited.title = "Edited " + formatFull(state.editedAt);
  } else if (edited) {
    edited.remove();
  }

  const old = main.querySelector(".msg-reactions");
  const chips = buildReactions(conv, row, state);
  if (old) old.remove();
  if (chips) {
    const status = main.querySelector(".msg-status");
    if (status) status.before(chips);
    else main.appendChild(chips);
  }

  ensureActions(conv, row);
}

/// Gives a row its actions once it has a `seq` (our own send gets it with its `ack`).
export function ensureActions(conv, row) {
  if (row.dataset.seq && states.has(row) && !row.querySelector(".msg-actions")) row.appendChild(buildActions(conv, row));
}

function buildQuote(conv, quote) {
  const words = quote.text ? quote.text : "Original message deleted";
  const button = h("button", {
    type: "button", className: "msg-quote" + (quote.text ? "" : " msg-quote-deleted"),
    "aria-label": "Reply to " + (quote.from || "a message") + ": " + words + ". Show the original message",
    title: "Show the original message", dataset: { seq: String(quote.seq) },
    onclick: () => jumpTo(conv, quote.seq),
  }, h("span", { className: "msg-quote-from", text: quote.from }), h("span", { className: "msg-quote-text", text: words }));
  return button;
}

function buildReactions(conv, row, state) {
  if (state.reactions.size === 0) return null;
  const chips = [];
  for (const [emoji, users] of state.reactions) {
    const mine = users.has(S.me);
    const names = [...users];
    chips.push(h("button", {
      type: "button", className: "reaction" + (mine ? " reaction-mine" : ""), "aria-pressed": String(mine),
      "aria-label": emoji + " " + users.size + (users.size === 1 ? " reaction" : " reactions") + (mine ? ", including yours. Take yours back" : ". Add yours"),
      title: names.join(", "), dataset: { emoji },
      onclick: () => react(conv, row, emoji, !mine),
    }, h("span", { className: "reaction-emoji", "aria-hidden": "true", text: emoji }),
    h("span", { className: "reaction-count", "aria-hidden": "true", text: String(users.size) })));
  }
  return h("div", { className: "msg-reactions", role: "group", "aria-label": "Reactions" }, ...chips);
}

/// The actions of one message, shown while the pointer is over it or focus is in it: reply,
/// react, edit (own messages), delete (own; any for the room's moderators, see the `.conv`
/// element's `data-moderate`).
function buildActions(conv, row) {
  const mine = row.classList.contains("mine");
  const button = (cls, label, icon, onclick) => h("button", {
    type: "button", className: "msg-act " + cls, "aria-label": label, title: label, onclick,
  }, icon);
  const bar = h("div", { className: "msg-actions", role: "toolbar", "aria-label": "Message actions" },
    button("act-reply", "Reply", strokeIcon("M9 14 4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11"), () => startReply(conv, row)),
    button("act-react", "Add a reaction", strokeIcon("M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8 14s1.5 2 4 2 4-2 4-2M9 9.5h.01M15 9.5h.01"),
      (event) => togglePicker(conv, row, event.currentTarget)),
    mine ? button("act-edit", "Edit", strokeIcon("M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"), () => startEdit(conv, row)) : null,
    button("act-delete", "Delete", strokeIcon("M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6M10 11v6M14 11v6"), () => confirmDelete(conv, row)));
  return bar;
}

/// An 18 px line icon (inline SVG, like the page's other icons: no emoji font needed).
function strokeIcon(d) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [k, v] of [["viewBox", "0 0 24 24"], ["width", "18"], ["height", "18"], ["aria-hidden", "true"], ["focusable", "false"]]) svg.setAttribute(k, v);
  const path = document.createElementNS(ns, "path");
  for (const [k, v] of [["d", d], ["fill", "none"], ["stroke", "currentColor"], ["stroke-width", "2"], ["stroke-linecap", "round"], ["stroke-linejoin", "round"]]) {
    path.setAttribute(k, v);
  }
  svg.appendChild(path);
  return svg;
}

// ---------------------------------------------------------------------------------------
// The reaction picker

let picker = null; // { node, opener }

function togglePicker(conv, row, opener) {
  const wasOpen = picker && picker.opener === opener;
  closePicker(false);
  if (wasOpen) return;
  const node = h("div", { className: "emoji-picker", role: "group", "aria-label": "Pick a reaction" },
    ...PICKER_EMOJI.map((emoji) => h("button", {
      type: "button", className: "emoji-choice", "aria-label": "React with " + emoji, title: emoji,
      onclick: () => {
        closePicker(true);
        const state = stateOf(row);
        const mine = !!state && (state.reactions.get(emoji) || new Set()).has(S.me);
        react(conv, row, emoji, !mine);
      },
    }, emoji)));
  node.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      closePicker(true);
    }
  });
  opener.setAttribute("aria-expanded", "true");
  opener.closest(".msg-actions").appendChild(node);
  row.classList.add("picking");
  picker = { node, opener, row };
  node.querySelector("button").focus();
}

/// Closes the picker; `refocus` gives focus back to its React button.
export function closePicker(refocus) {
  if (!picker) return;
  const { node, opener, row } = picker;
  picker = null;
  node.remove();
  row.classList.remove("picking");
  opener.setAttribute("aria-expanded", "false");
  if (refocus && opener.isConnected) opener.focus();
}

// ---------------------------------------------------------------------------------------
// Requests: react, edit, delete (and their answers)

export function nextChangeCid() {
  S.cidCounter += 1;
  return S.me + "-c" + Date.now().toString(36) + "-" + S.cidCounter;
}

/// Sends `frame` (with a fresh cid) about `conv`; it stays waiting until `ack` or `error`, and
/// goes again with the same cid after a reconnect (the server applies it once).
function sendChange(conv, frame) {
  const full = Object.assign({ cid: nextChangeCid() }, frame, recipient(conv));
  changes.set(full.cid, { conv, frame: full });
  if (canSendTo(conv)) S.conn.send(full);
}

/// After a (re)join: the changes that never got their answer go again.
export function flushChanges(conv) {
  for (const c of changes.values()) if (c.conv === conv && canSendTo(conv)) S.conn.send(c.frame);
}

/// An `ack` of one of our changes (the `update` entry itself arrives as a frame). Returns
/// whether it was one.
export function onChangeAck(f) {
  if (!changes.has(f.cid)) return false;
  changes.delete(f.cid);
  return true;
}

/// An `error` about one of our changes: `unavailable` retries after a moment with the same
/// cid; anything else is said in a toast. Returns whether it was one.
export function onChangeError(f) {
  const c = changes.get(f.cid);
  if (!c) return false;
  if (f.code === "unavailable") {
    setTimeout(() => {
      if (changes.has(f.cid) && canSendTo(c.conv)) S.conn.send(c.frame);
    }, 1500 + Math.random() * 1500);
    return true;
  }
  changes.delete(f.cid);
  toast(describeError(f.code, { change: c.frame.type }));
  return true;
}

function react(conv, row, emoji, on) {
  const seq = Number(row.dataset.seq);
  if (!seq) return;
  const frame = { type: "react", seq, emoji };
  if (!on) frame.on = false;
  sendChange(conv, frame);
}

function confirmDelete(conv, row) {
  const state = stateOf(row);
  const seq = Number(row.dataset.seq);
  if (!state || !seq) return;
  const own = state.from === S.me;
  const where = conv.kind === "room" ? "everyone in #" + conv.name : "you and " + conv.name;
  confirmAction({
    title: own ? "Delete your message?" : "Delete " + state.from + "'s message?",
    text: "It disappears for " + where + ", leaving a “message deleted” note. This can't be undone.",
    confirm: "Delete", danger: true,
  }, async () => {
    sendChange(conv, { type: "delete", seq });
    return null;
  });
}

// ---------------------------------------------------------------------------------------
// Replying and editing from the composer

function showContext(text, cancelLabel) {
  $("composer-context-text").textContent = text;
  $("composer-context-cancel").setAttribute("aria-label", cancelLabel);
  $("composer-context-cancel").title = cancelLabel;
  $("composer-context").hidden = false;
}

function firstScalars(text, n) {
  return [...text].slice(0, n).join("");
}

function startReply(conv, row) {
  const state = stateOf(row);
  const seq = Number(row.dataset.seq);
  if (!state || !seq || state.deletedBy || conv !== activeConv()) return;
  if (compose && compose.mode === "edit") cancelCompose();
  compose = { mode: "reply", conv, seq, from: state.from, text: firstScalars(state.text, QUOTE_SCALARS) };
  $("composer").dataset.mode = "reply";
  showContext("Replying to " + state.from + ": " + compose.text, "Cancel the reply");
  $("text").focus();
}

function startEdit(conv, row) {
  const state = stateOf(row);
  const seq = Number(row.dataset.seq);
  if (!state || !seq || state.deletedBy || state.from !== S.me || conv !== activeConv()) return;
  const box = $("text");
  const draft = compose && compose.mode === "edit" ? compose.draft : box.value;
  compose = { mode: "edit", conv, seq, draft };
  $("composer").dataset.mode = "edit";
  showContext("Editing your message · Enter to save, Escape to cancel", "Cancel the edit");
  box.value = state.text;
  box.dispatchEvent(new Event("input"));
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}

/// The reply the next send of `conv` answers (`{seq, from, text}`, the quote shown on the
/// pending row), or null.
export function replyFor(conv) {
  return compose && compose.mode === "reply" && compose.conv === conv ? { seq: compose.seq, from: compose.from, text: compose.text } : null;
}

export function isEditing() {
  return !!compose && compose.mode === "edit";
}

/// Saves the composer's text as the new text of the message being edited. Returns the text
/// the box keeps afterwards (the draft it held before editing began).
export function submitEdit(text) {
  const { conv, seq, draft } = compose;
  const row = conv.rows.get(seq);
  const state = row ? stateOf(row) : null;
  if (state && !state.deletedBy && state.text !== text) sendChange(conv, { type: "edit", seq, text });
  compose = null;
  hideContext();
  return draft || "";
}

/// Ends a reply or an edit (Escape, the ✕ button, switching conversation); an edit gives the
/// box its draft back.
export function cancelCompose() {
  if (!compose) return;
  const wasEdit = compose.mode === "edit";
  const draft = compose.draft || "";
  compose = null;
  hideContext();
  if (wasEdit) {
    const box = $("text");
    box.value = draft;
    box.dispatchEvent(new Event("input"));
  }
}

/// The reply was sent: the composer goes back to writing new messages.
export function replySent() {
  if (compose && compose.mode === "reply") {
    compose = null;
    hideContext();
  }
}

function hideContext() {
  $("composer-context").hidden = true;
  $("composer").dataset.mode = "";
}

/// The conversation changed: a reply or edit of another one ends.
export function onActivate(conv) {
  if (compose && compose.conv !== conv) cancelCompose();
  closePicker(false);
}

// ---------------------------------------------------------------------------------------
// Jumping to a quoted message

/// Scrolls to message `seq` of `conv` and highlights it, loading older pages first (one after
/// another, so the log has no holes) when it is not loaded yet.
export function jumpTo(conv, seq) {
  const row = conv.rows.get(seq);
  if (row) {
    conv.jumpTarget = null;
    if (row.hidden) return;
    row.scrollIntoView({ block: "center" });
    row.classList.remove("flash");
    void row.offsetWidth; // restart the highlight
    row.classList.add("flash");
    setTimeout(() => row.classList.remove("flash"), FLASH_MS);
    row.focus({ preventScroll: true });
    return;
  }
  if (conv.minSeq === null || seq >= conv.minSeq || !conv.hasMore) {
    conv.jumpTarget = null;
    toast("That message is no longer in the history.");
    return;
  }
  conv.jumpTarget = seq;
  // A page of `before` = the oldest loaded seq that reaches the quoted message if it can.
  loadOlder(conv, Math.min(MAX_PAGE, Math.max(50, conv.minSeq - seq)));
}

/// After an older history page: continue a jump to a quoted message.
export function continueJump(conv) {
  if (conv.jumpTarget === null || conv.jumpTarget === undefined) return;
  const seq = conv.jumpTarget;
  if (conv.rows.has(seq) || !conv.hasMore || conv.minSeq === null || conv.minSeq <= seq) jumpTo(conv, seq);
  else loadOlder(conv, Math.min(MAX_PAGE, Math.max(50, conv.minSeq - seq)));
}

// ---------------------------------------------------------------------------------------
// Wiring

/// Whether our role in `conv` lets us delete other people's messages (CSS shows the Delete
/// action on their rows then).
export function renderPermissions(conv) {
  if (!conv) return;
  conv.el.dataset.moderate = String(conv.kind === "room" && canModerate(conv));
}

export function wireLifecycle() {
  $("composer-context-cancel").addEventListener("click", () => {
    cancelCompose();
    $("text").focus();
  });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && compose) {
      event.preventDefault();
      event.stopPropagation();
      cancelCompose();
    }
  });
  document.addEventListener("click", (event) => {
    if (picker && !picker.node.contains(event.target) && event.target !== picker.opener && !picker.opener.contains(event.target)) {
      closePicker(false);
    }
  });
  // The message list: ArrowUp/ArrowDown move between messages, whose actions then show (and
  // Tab reaches them).
  $("messages").addEventListener("keydown", (event) => {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    const conv = activeConv();
    const from = event.target;
    if (!conv || !(from.id === "messages" || from.classList.contains("msg"))) return;
    const rows = [...conv.log.querySelectorAll(".msg")].filter((r) => !r.hidden);
    if (rows.length === 0) return;
    let index = rows.indexOf(from);
    if (index < 0) index = event.key === "ArrowUp" ? rows.length : -1;
    const next = rows[index + (event.key === "ArrowUp" ? -1 : 1)];
    if (!next) return;
    event.preventDefault();
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  });
}
