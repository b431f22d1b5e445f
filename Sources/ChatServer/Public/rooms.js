// RabbitChat conversations: rooms and DMs — opening and closing them, joining and presence,
// history pages, read receipts, who is typing, and the directory of active rooms.

import { NAME, TYPING_EXPIRY_MS, HISTORY_PAGE, S, keyOf, activeConv, convOfFrame, target, canSendTo } from "./state.js";
import { h, setStatus } from "./ui.js";
import { describeError } from "./errors.js";
import { insertOrdered, scroller, isNearBottom, scrollToBottom, mutateView, archiveConv, addNotice, addMessage, buildRow, renderNav, renderMembers, renderTop, renderTyping, renderAll, closeSidebar, closeMembersOverlay } from "./rendering.js";
import { flushPending, stopTyping } from "./composer.js";
import { ask } from "./requests.js";
import { applyEvent, lockOf, unlockConv } from "./moderation.js";
import { renderInvitations, hidePrompt } from "./directory.js";
import { isUpdate, continueJump, onActivate } from "./lifecycle.js";
import { onJoinedReads, clearBadges } from "./readstate.js";

const $ = (id) => document.getElementById(id);

export function makeConv(kind, name) {
  const log = h("div", { className: "conv-log" });
  const top = h("div", { className: "history-top" });
  const el = h("div", { className: "conv", dataset: { key: keyOf(kind, name) } }, top, log);
  el.hidden = true;
  $("messages").appendChild(el);
  return {
    key: keyOf(kind, name), kind, name, el, top, log,
    rows: new Map(), // seq → row
    lastSeq: 0, minSeq: null, epoch: null,
    hasMore: false, loadingHistory: false, historyBefore: null, loaded: false,
    unread: 0, mentions: 0, online: 0, members: new Set(), typers: new Map(), receipts: new Map(),
    joined: false, wantJoined: kind === "room", stickBottom: true, savedScroll: null,
    lastReadSent: 0,
    updateSeqs: new Set(), // seqs of the `update` entries applied (lifecycle.js)
    jumpTarget: null, // a quoted message being loaded to show it (lifecycle.js)
    // Rooms as stored objects (moderation.js): from `room`, `member`, events and `welcome`.
    topic: "", visibility: null, creator: null, role: null,
    roster: new Map(), // lower-case user → { user, role }: the stored members (room_info)
    bans: [], mutes: [], // moderators only: [{ user, until, reason }]
    lock: null, lockTimer: null, // why we cannot write here: { kind: banned|kicked|not_invited|muted, by, until, reason }
    infoLoaded: false,
  };
}

export function ensureConv(kind, name) {
  const key = keyOf(kind, name);
  let conv = S.convs.get(key);
  if (!conv) {
    conv = makeConv(kind, name);
    S.convs.set(key, conv);
    renderTop(conv);
    renderNav();
  }
  return conv;
}

export function activate(key) {
  const previous = activeConv();
  if (previous && previous.key !== key) {
    previous.savedScroll = previous.stickBottom ? null : scroller().scrollTop;
    previous.el.hidden = true;
    stopTyping();
  }
  const conv = S.convs.get(key);
  onActivate(conv || null);
  S.active = conv ? key : null;
  if (conv) {
    conv.el.hidden = false;
    if (conv.savedScroll === null || conv.stickBottom) scrollToBottom();
    else scroller().scrollTop = conv.savedScroll;
    $("jump-latest").hidden = conv.stickBottom;
    try { sessionStorage.setItem("rabbitchat.active", key); } catch (_) { /* private mode */ }
  }
  $("composer").hidden = !conv;
  closeSidebar();
  renderAll();
  scheduleRead();
  if (conv) {
    ensureFilled(conv);
    if (window.matchMedia("(min-width: 760px)").matches) $("text").focus();
  }
}

export function openDM(name) {
  if (!NAME.test(name) || name === S.me) return;
  const conv = ensureConv("dm", name);
  activate(conv.key);
  closeMembersOverlay();
  if (!conv.loaded) requestLatest(conv);
}

/// Shows why a room could not be joined under the join box, and marks the box as faulty (the
/// browser's own "Please match the requested format" never shows: the form is `novalidate`).
export function showJoinError(text) {
  $("join-error").textContent = text;
  $("join-room").setAttribute("aria-invalid", "true");
}

export function clearJoinError() {
  $("join-error").textContent = "";
  $("join-room").removeAttribute("aria-invalid");
}

/// Joins `name`, or opens it when already joined. A room we were removed from (or whose join
/// was refused) is asked for again. Returns false when the name is not a room name (the join
/// box then says why).
export function joinRoom(name) {
  clearJoinError();
  hidePrompt();
  if (!NAME.test(name)) {
    showJoinError(describeError("invalid_room"));
    return false;
  }
  const existing = S.convs.get(keyOf("room", name));
  if (existing) {
    if (!existing.joined && !existing.wantJoined) {
      existing.wantJoined = true;
      S.lastJoinRequested = existing.name;
      S.conn.send({ type: "join", room: existing.name });
    }
    activate(existing.key);
    return true;
  }
  joinQuietly(name);
  activate(keyOf("room", name));
  return true;
}

/// Joins `name` without opening it (the rooms `welcome` lists for a registered user).
export function joinQuietly(name, entry) {
  if (!NAME.test(name) || S.convs.has(keyOf("room", name))) return;
  const conv = ensureConv("room", name);
  conv.wantJoined = true;
  if (entry) {
    if (typeof entry.topic === "string") conv.topic = entry.topic;
    if (typeof entry.visibility === "string") conv.visibility = entry.visibility;
    if (typeof entry.role === "string") conv.role = entry.role;
  }
  S.lastJoinRequested = name;
  S.conn.send({ type: "join", room: name });
}

export function closeConv(conv) {
  if (conv.kind === "room") {
    // An explicit leave ends a registered user's stored membership (not restored elsewhere).
    if (conv.joined || conv.wantJoined) S.conn.send({ type: "leave", room: conv.name });
    S.myRooms.delete(conv.name.toLowerCase());
    clearTimeout(conv.lockTimer);
  }
  for (const [cid, p] of S.pending) if (p.conv === conv) S.pending.delete(cid);
  conv.el.remove();
  S.convs.delete(conv.key);
  if (S.active === conv.key) {
    S.active = null;
    const next = [...S.convs.values()].find((c) => c.kind === "room") || S.convs.values().next().value;
    activate(next ? next.key : null);
  } else {
    renderAll();
  }
}

export function requestLatest(conv) {
  if (!S.welcomed) return;
  conv.loadingHistory = true;
  conv.historyBefore = null;
  renderTop(conv);
  S.conn.send(Object.assign({ type: "history", limit: HISTORY_PAGE }, target(conv)));
}

/// Asks for the page before the oldest loaded entry (`limit` entries: a page, or more when
/// jumping to a quoted message).
export function loadOlder(conv, limit) {
  if (!S.welcomed || conv.loadingHistory || !conv.hasMore || conv.minSeq === null) return;
  conv.loadingHistory = true;
  conv.historyBefore = conv.minSeq;
  renderTop(conv);
  S.conn.send(Object.assign({ type: "history", before: conv.minSeq, limit: limit || HISTORY_PAGE }, target(conv)));
}

/// Keeps loading older pages until the view can scroll (so "scroll up for more" works).
export function ensureFilled(conv) {
  if (conv !== activeConv() || !conv.hasMore || conv.loadingHistory) return;
  const el = scroller();
  if (el.scrollHeight <= el.clientHeight + 40) loadOlder(conv);
}

export function onHistory(f) {
  const conv = convOfFrame(f);
  if (!conv) return;
  // A DM's page says how far the peer has read: "Read" survives a reload.
  for (const r of Array.isArray(f.reads) ? f.reads : []) {
    if (r && typeof r.user === "string" && Number.isInteger(r.seq) && r.user !== S.me) {
      conv.receipts.set(r.user, Math.max(conv.receipts.get(r.user) || 0, r.seq));
    }
  }
  const wasOlder = conv.historyBefore !== null;
  conv.loadingHistory = false;
  conv.historyBefore = null;
  const messages = (f.messages || []).slice().sort((a, b) => a.seq - b.seq);
  if (wasOlder) {
    mutateView(conv, () => {
      for (const m of messages) {
        if (isUpdate(m)) {
          // The messages it changed are on this page or older ones, all in their current state:
          // the entry only moves the oldest loaded seq.
          conv.updateSeqs.add(m.seq);
          conv.minSeq = conv.minSeq === null ? m.seq : Math.min(conv.minSeq, m.seq);
          continue;
        }
        if (conv.rows.has(m.seq)) continue;
        const mine = m.from === S.me && !m.event;
        const row = buildRow(m, mine, conv);
        if (mine) setStatus(row, "sent", "Sent");
        conv.rows.set(m.seq, row);
        insertOrdered(conv, row);
        conv.minSeq = conv.minSeq === null ? m.seq : Math.min(conv.minSeq, m.seq);
        conv.lastSeq = Math.max(conv.lastSeq, m.seq);
      }
    }, { prepend: true });
    conv.hasMore = f.hasMore && conv.minSeq !== null && conv.minSeq > 1;
  } else {
    // The latest page (a DM just opened, or a DM after a reconnect): merge by seq.
    S.pendingHistory = true;
    for (const m of messages) addMessage(conv, m, conv.loaded);
    S.pendingHistory = false;
    if (!conv.loaded) conv.hasMore = !!f.hasMore;
    else if (conv.minSeq !== null) conv.hasMore = conv.hasMore || conv.minSeq > 1;
    conv.loaded = true;
  }
  updateReadState(conv);
  renderTop(conv);
  renderNav();
  if (wasOlder) continueJump(conv);
  setTimeout(() => ensureFilled(conv), 0);
}

/// Most readers named on a message; more show as "and N others".
const NAMED_READERS = 2;

/// Who read one of our messages, as its status says it: in a room of up to `MAX_LISTED_READERS`
/// the names ("Read by bob, carol and 3 others", every name in the title); in a larger room, or
/// when the server listed only some readers (`joined.readsComplete: false`), a count.
function readLabel(conv, names) {
  if (names.length === 0) return { label: "Sent", title: "" };
  if (conv.kind === "dm") return { label: "Read", title: "" };
  const large = conv.readsComplete === false || conv.online > MAX_LISTED_READERS || conv.members.size > MAX_LISTED_READERS;
  if (large) return { label: "Read by " + names.length, title: "" };
  const shown = names.length <= NAMED_READERS + 1 ? names : names.slice(0, NAMED_READERS);
  const others = names.length - shown.length;
  const label = "Read by " + shown.join(", ") + (others > 0 ? " and " + others + (others === 1 ? " other" : " others") : "");
  return { label, title: "Read by " + names.join(", ") };
}

/// Own messages show who read them: the other users whose read position reached the message,
/// from live receipts and, after a reload, from `joined.reads`.
export function updateReadState(conv) {
  const readers = [...conv.receipts.entries()].filter(([user]) => user !== S.me);
  for (const [seq, row] of conv.rows) {
    if (!row.classList.contains("mine") || row.dataset.cid) continue;
    const names = readers.filter(([, s]) => s >= seq).map(([user]) => user).sort((a, b) => a.localeCompare(b));
    const state = names.length > 0 ? "read" : "sent";
    const { label, title } = readLabel(conv, names);
    const node = row.querySelector(".msg-status");
    if (!node) continue;
    if (node.dataset.state !== state || node.textContent.slice(-label.length) !== label) setStatus(row, state, label);
    if (title) node.title = title;
    else node.removeAttribute("title");
  }
}

export function onReceipt(f) {
  const conv = convOfFrame(f);
  if (!conv) return;
  if (f.user === S.me) {
    // Read in another tab of ours.
    if (f.seq >= conv.lastSeq && (conv.unread > 0 || conv.mentions > 0)) {
      clearBadges(conv);
      renderNav();
    }
    conv.lastReadSent = Math.max(conv.lastReadSent, f.seq);
    return;
  }
  conv.receipts.set(f.user, Math.max(conv.receipts.get(f.user) || 0, f.seq));
  updateReadState(conv);
}

/// The server lists at most this many readers in `joined.reads` (`Hub.maxListedReaders`).
const MAX_LISTED_READERS = 50;

let readTimer = null;

export function scheduleRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(sendRead, 250);
}

/// Reports the newest message the user can actually see in the active conversation.
export function sendRead() {
  const conv = activeConv();
  if (!conv || document.visibilityState !== "visible" || !canSendTo(conv)) return;
  const el = scroller();
  let seq = 0;
  if (isNearBottom()) {
    for (const s of conv.rows.keys()) seq = Math.max(seq, s);
    seq = Math.max(seq, conv.lastSeq); // update entries after the newest message count as read too
  } else {
    const bottom = el.getBoundingClientRect().bottom;
    for (const [s, row] of conv.rows) {
      if (row.getBoundingClientRect().bottom <= bottom + 4) seq = Math.max(seq, s);
    }
  }
  if (isNearBottom() && (conv.unread > 0 || conv.mentions > 0)) {
    clearBadges(conv);
    renderNav();
  }
  if (seq > conv.lastReadSent) {
    conv.lastReadSent = seq;
    S.conn.send(Object.assign({ type: "read", seq }, target(conv)));
  }
}

export function stopTyper(conv, user) {
  const timer = conv.typers.get(user);
  if (timer === undefined) return;
  clearTimeout(timer);
  conv.typers.delete(user);
  if (conv === activeConv()) {
    renderTyping();
    renderMembers();
  }
  if (conv.kind === "dm") renderNav();
}

export function onTyping(f) {
  if (f.user === S.me) return;
  // Someone starting to write to us opens the DM in the list, so the "typing…" is visible.
  const conv = f.room ? S.convs.get(keyOf("room", f.room))
    : f.state === "start" && NAME.test(f.user) ? ensureConv("dm", f.user) : S.convs.get(keyOf("dm", f.user));
  if (!conv) return;
  if (f.state === "start") {
    clearTimeout(conv.typers.get(f.user));
    conv.typers.set(f.user, setTimeout(() => stopTyper(conv, f.user), TYPING_EXPIRY_MS));
    if (conv === activeConv()) {
      renderTyping();
      renderMembers();
    }
    if (conv.kind === "dm") renderNav();
  } else {
    stopTyper(conv, f.user);
  }
}

export function onJoined(f) {
  const conv = ensureConv("room", f.room);
  if (typeof f.room === "string" && NAME.test(f.room)) conv.name = f.room; // the stored spelling
  const rejoin = conv.loaded;
  const seenUpTo = conv.lastSeq;
  let reset = false;
  if (conv.epoch && conv.epoch !== f.epoch) {
    // A new epoch: our saved seq means nothing there. Keep what we saw, marked as before the
    // reset, and fetch the new history's latest page (the resume may have skipped some).
    mutateView(conv, () => archiveConv(conv, "The server restarted and its history was reset. Messages above are from before."), {});
    reset = true;
  } else if (rejoin && f.recovered === false && conv.lastSeq > 0) {
    addNotice(conv, "Some messages from while you were away could not be loaded. Scroll up to see the history.", "warn");
  }
  conv.epoch = f.epoch;
  conv.joined = true;
  conv.wantJoined = true;
  conv.members = new Set(f.members || []);
  conv.online = typeof f.online === "number" ? f.online : conv.members.size;
  const messages = (f.messages || []).slice().sort((a, b) => a.seq - b.seq);
  for (const m of messages) {
    addMessage(conv, m, rejoin);
    // Moderation we missed while away (topic, roles, mutes) changes the room's state.
    if (m.event && m.seq > seenUpTo) applyEvent(conv, m);
  }
  // A successful join ends a removal or refusal (a mute lasts: the server says so on `send`).
  const lock = lockOf(conv);
  if (lock && lock.kind !== "muted") unlockConv(conv);
  S.invitations.delete(conv.name.toLowerCase());
  renderInvitations();
  // Topic, visibility, roles: servers without stored rooms refuse `room_info`, which is fine.
  ask({ type: "room_info", room: conv.name });
  if (!rejoin) {
    conv.hasMore = conv.minSeq !== null ? conv.minSeq > 1 : (f.lastSeq || 0) > 0;
    addNotice(conv, "You joined #" + conv.name, "self");
  } else if (conv.minSeq !== null && conv.minSeq > 1 && !conv.hasMore) {
    conv.hasMore = true;
  }
  onJoinedReads(conv, f, !rejoin);
  conv.loaded = true;
  if (reset) requestLatest(conv);
  renderTop(conv);
  flushPending(conv);
  renderAll();
  scheduleRead();
  setTimeout(() => ensureFilled(conv), 0);
}

export function onPresence(f) {
  const conv = S.convs.get(keyOf("room", f.room));
  if (!conv || (f.user && f.user === S.me)) return;
  if (f.event === "count") {
    // A large room: only its online count is sent, coalesced by the server.
    if (typeof f.online === "number") conv.online = f.online;
    renderAll();
    return;
  }
  if (f.event === "batch") {
    // Several users came or went within one presence window (a burst of joins): one frame.
    // A batch may repeat what this client's `joined` already listed: no change, no notice.
    for (const user of Array.isArray(f.joined) ? f.joined : []) {
      if (typeof user !== "string" || user === S.me || conv.members.has(user)) continue;
      conv.members.add(user);
      addNotice(conv, user + " joined", "join");
    }
    for (const user of Array.isArray(f.left) ? f.left : []) {
      if (typeof user !== "string" || user === S.me || !conv.members.has(user)) continue;
      conv.members.delete(user);
      stopTyper(conv, user);
      addNotice(conv, user + " left", "leave");
    }
    if (typeof f.online === "number") conv.online = f.online;
    renderAll();
    refreshRoomsSoon();
    return;
  }
  if (typeof f.user !== "string") return;
  if (f.event === "join") {
    conv.members.add(f.user);
    addNotice(conv, f.user + " joined", "join");
  } else {
    conv.members.delete(f.user);
    stopTyper(conv, f.user);
    addNotice(conv, f.user + " left", "leave");
  }
  if (typeof f.online === "number") conv.online = f.online;
  renderAll();
  refreshRoomsSoon();
}

let refreshSoonTimer = null;

export function refreshRoomsSoon() {
  if (refreshSoonTimer) return;
  refreshSoonTimer = setTimeout(() => {
    refreshSoonTimer = null;
    refreshRooms();
  }, 1000);
}

let roomsTimer = null;

export async function refreshRooms() {
  clearTimeout(roomsTimer);
  roomsTimer = setTimeout(refreshRooms, 15000);
  if (document.visibilityState !== "visible" && S.browse.length > 0) return;
  try {
    const response = await fetch("/api/rooms", { cache: "no-store" });
    if (!response.ok) return;
    const rooms = await response.json();
    if (!Array.isArray(rooms)) return;
    S.browse = rooms.filter((r) => r && typeof r.name === "string" && NAME.test(r.name));
    for (const r of S.browse) {
      const conv = S.convs.get(keyOf("room", r.name));
      if (conv && !conv.joined && typeof r.online === "number") conv.online = r.online;
    }
    renderNav();
  } catch (_) {
    /* offline; the next tick retries */
  }
}
