// RabbitChat DOM helpers: building message rows, avatars, links, times. Everything a user
// typed goes into the page through textContent or DOM attributes set by code — never through
// innerHTML — so chat text can never become markup or script.

import { attachmentList } from "./files.js";

/// `h("div", {className: "x", "aria-label": "y"}, child, "text")`: a tiny element builder.
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "className") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

// Twelve clearly different hues; a name always gets the same one (FNV-1a hash).
export const PALETTE = [
  "#e8590c", "#d6336c", "#ae3ec9", "#7048e8", "#1c7ed6", "#1098ad",
  "#0ca678", "#37b24d", "#f08c00", "#5c940d", "#c92a2a", "#3b5bdb",
];

function colorIndex(name) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % PALETTE.length;
}

/// A coloured circle with the first letter of the name. The colour is a class, not a
/// style attribute: the CSP forbids inline styles.
export function avatar(name, extraClass) {
  const node = h("span", { className: "avatar" + (extraClass ? " " + extraClass : ""), "aria-hidden": "true" });
  setAvatar(node, name);
  return node;
}

export function setAvatar(node, name) {
  node.textContent = (name || "?").charAt(0).toUpperCase();
  node.className = node.className.replace(/\bav-\d+\b/g, "").trim() + " av-" + colorIndex(name || "?");
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[).,;:!?\]}'"]+$/;

// An `@name` token: an "@" at the start of a word, then a name (the server's rule for mentions).
const MENTION_PATTERN = /(^|[^A-Za-z0-9_@-])@([A-Za-z0-9_-]{1,32})(?![A-Za-z0-9_-])/g;

/// Appends plain `text` as text nodes, wrapping the `@name` tokens of names in `mentions` (what
/// the server recorded; other `@words` stay plain) in a highlighted span; `me` gets a stronger one.
function appendMentions(parent, text, mentions, me) {
  if (!mentions || mentions.size === 0) {
    parent.appendChild(document.createTextNode(text));
    return;
  }
  let last = 0;
  MENTION_PATTERN.lastIndex = 0;
  let match;
  while ((match = MENTION_PATTERN.exec(text)) !== null) {
    const name = match[2];
    if (!mentions.has(name.toLowerCase())) continue;
    const start = match.index + match[1].length;
    if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
    const isMe = typeof me === "string" && name.toLowerCase() === me.toLowerCase();
    parent.appendChild(h("span", { className: "mention" + (isMe ? " mention-me" : ""), dataset: { user: name }, text: "@" + name }));
    last = start + 1 + name.length;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

/// Appends `text` to `parent` as text nodes, turning http(s) URLs into safe links, and the
/// mentions (`mentions`: lower-case names the server recorded) into highlighted spans.
export function appendLinkified(parent, text, mentions, me) {
  let last = 0;
  URL_PATTERN.lastIndex = 0;
  let match;
  while ((match = URL_PATTERN.exec(text)) !== null) {
    let raw = match[0];
    // Leave closing punctuation that ends a sentence outside the link, but keep balanced ")".
    const trail = raw.match(TRAILING);
    if (trail) {
      let cut = trail[0];
      const opens = (raw.match(/\(/g) || []).length;
      const closes = (raw.match(/\)/g) || []).length;
      if (cut.startsWith(")") && opens >= closes) cut = cut.slice(1);
      raw = raw.slice(0, raw.length - cut.length);
    }
    let url = null;
    try {
      url = new URL(raw);
    } catch (_) {
      url = null;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) continue;
    if (match.index > last) appendMentions(parent, text.slice(last, match.index), mentions, me);
    const link = document.createElement("a");
    link.href = url.href;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    link.textContent = raw;
    parent.appendChild(link);
    last = match.index + raw.length;
    URL_PATTERN.lastIndex = last;
  }
  if (last < text.length) appendMentions(parent, text.slice(last), mentions, me);
}

function pad(n) {
  return n < 10 ? "0" + n : String(n);
}

export function formatTime(ts) {
  const d = new Date(ts);
  return pad(d.getHours()) + ":" + pad(d.getMinutes());
}

export function formatFull(ts) {
  return new Date(ts).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

export function dayKey(ts) {
  const d = new Date(ts);
  return d.getFullYear() + "-" + d.getMonth() + "-" + d.getDate();
}

export function dayLabel(ts) {
  const today = new Date();
  const d = new Date(ts);
  if (dayKey(ts) === dayKey(today.getTime())) return "Today";
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(ts) === dayKey(yesterday.getTime())) return "Yesterday";
  return d.toLocaleDateString([], { weekday: "long", month: "long", day: "numeric" });
}

/// One chat message row. `mine` rows carry a delivery status element.
/// Layout: [avatar] [head: name · time] [bubble text] [status]
export function messageRow(msg, mine) {
  const row = h("div", {
    className: "msg" + (mine ? " mine" : ""),
    role: "article", tabindex: "-1",
    dataset: { from: msg.from, ts: String(msg.ts || Date.now()) },
  });
  if (msg.seq) row.dataset.seq = String(msg.seq);
  if (msg.id) row.dataset.id = msg.id;
  if (msg.cid) row.dataset.cid = msg.cid;

  const time = h("time", { className: "msg-time", text: formatTime(msg.ts || Date.now()) });
  if (msg.ts) {
    time.dateTime = new Date(msg.ts).toISOString();
    time.title = formatFull(msg.ts);
  }
  const head = h("div", { className: "msg-head" },
    h("span", { className: "msg-from", text: mine ? msg.from + " (you)" : msg.from }),
    time);
  const body = h("div", { className: "msg-text" });
  appendLinkified(body, msg.text);
  const sideTime = h("time", { className: "msg-side-time", "aria-hidden": "true", text: formatTime(msg.ts || Date.now()) });
  const main = h("div", { className: "msg-main" }, head, body);
  if (Array.isArray(msg.attachments) && msg.attachments.length > 0) main.appendChild(attachmentList(msg.attachments));
  if (mine) main.appendChild(h("div", { className: "msg-status", dataset: { state: "sending" }, "aria-live": "off" }));
  row.append(h("div", { className: "msg-gutter" }, avatar(msg.from, "avatar-msg"), sideTime), main);
  return row;
}

/// Sets the delivery state of one of our own rows: sending | sent | read | failed.
export function setStatus(row, state, label) {
  const node = row.querySelector(".msg-status");
  if (!node) return;
  node.dataset.state = state;
  node.textContent = "";
  const icon = { sending: "◷", sent: "✓", read: "✓✓", failed: "!" }[state] || "";
  node.append(h("span", { className: "status-icon", "aria-hidden": "true", text: icon }), h("span", { className: "status-text", text: label }));
  row.dataset.state = state;
}

export function updateRowTime(row, ts) {
  row.dataset.ts = String(ts);
  for (const t of row.querySelectorAll("time")) {
    t.textContent = formatTime(ts);
    t.dateTime = new Date(ts).toISOString();
    if (t.classList.contains("msg-time")) t.title = formatFull(ts);
  }
}

/// A moderation event of the message stream (a kick, a ban, a new topic): a notice that keeps
/// the message's `seq`, `id`, sender and time, so ordering and de-duplication treat it like any
/// message, but never looks like something a person said.
export function eventRow(msg, text) {
  const node = h("div", {
    className: "notice notice-event", role: "note",
    dataset: { from: msg.from, ts: String(msg.ts || Date.now()), action: (msg.event && msg.event.action) || "" },
  }, h("span", { text }));
  if (msg.seq) node.dataset.seq = String(msg.seq);
  if (msg.id) node.dataset.id = msg.id;
  if (msg.ts) node.title = formatFull(msg.ts);
  return node;
}

export function notice(text, kind) {
  return h("div", { className: "notice" + (kind ? " notice-" + kind : ""), role: "note" }, h("span", { text }));
}

export function daySeparator(ts) {
  return h("div", { className: "day-sep", role: "separator", dataset: { day: dayKey(ts) } }, h("span", { text: dayLabel(ts) }));
}

/// "alice is typing…", "alice and bob are typing…", "3 people are typing…".
export function typingText(names) {
  if (names.length === 0) return "";
  if (names.length === 1) return names[0] + " is typing…";
  if (names.length === 2) return names[0] + " and " + names[1] + " are typing…";
  return names.length + " people are typing…";
}
