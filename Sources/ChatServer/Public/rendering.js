// RabbitChat rendering: the message list (ordering, grouping, day labels, scrolling that
// respects the reader), the sidebar, header, member list, typing line, connection status and
// the layout of the sidebar and members panels on narrow screens.

import { GROUP_GAP_MS, S, keyOf, activeConv, onlineUsers, saveSession, isBlocked } from "./state.js";
import { h, avatar, messageRow, eventRow, setStatus, updateRowTime, notice, typingText, dayKey, dayLabel } from "./ui.js";
import { activate, openDM, joinRoom, loadOlder, updateReadState, scheduleRead, stopTyper, refreshRooms } from "./rooms.js";
import { eventSentence, roleOf, roleLabel, canModerate, canModerateUser, canManage, memberActionsButton, renderComposerLock } from "./moderation.js";
import { renderInvitations } from "./directory.js";
import { isUpdate, applyUpdate, setMessageState, renderPermissions } from "./lifecycle.js";

const $ = (id) => document.getElementById(id);

/// Sort key of a node in a conversation log: messages by seq, notices right after the seq
/// they followed, unacknowledged sends last, rows from before a history reset first.
export function orderKey(node) {
  if (node.dataset.archived) return -Infinity;
  if (node.dataset.seq) return Number(node.dataset.seq);
  if (node.dataset.after !== undefined) return Number(node.dataset.after) + 0.5;
  return Infinity;
}

export function insertOrdered(conv, node) {
  const key = orderKey(node);
  let ref = conv.log.lastElementChild;
  while (ref && orderKey(ref) > key) ref = ref.previousElementSibling;
  if (ref) ref.after(node);
  else conv.log.prepend(node);
}

/// Recomputes grouping (consecutive messages of one sender share a header), day labels and
/// which own row is the last one (only that one spells its delivery state out).
export function regroup(conv) {
  let prev = null;
  let lastMine = null;
  let prevDay = null;
  for (const node of conv.log.children) {
    if (node.hidden) continue; // a blocked sender's message
    if (!node.classList.contains("msg")) {
      prev = null;
      continue;
    }
    const ts = Number(node.dataset.ts);
    const day = dayKey(ts);
    const newDay = day !== prevDay;
    if (newDay) {
      node.classList.add("day-start");
      node.dataset.day = dayLabel(ts);
    } else {
      node.classList.remove("day-start");
    }
    prevDay = day;
    const cont = !!prev && !newDay && prev.dataset.from === node.dataset.from &&
      ts - Number(prev.dataset.ts) < GROUP_GAP_MS && !node.dataset.archived === !prev.dataset.archived;
    node.classList.toggle("cont", cont);
    node.classList.remove("last-mine");
    if (node.classList.contains("mine")) lastMine = node;
    prev = node;
  }
  if (lastMine) lastMine.classList.add("last-mine");
}

export function scroller() {
  return $("messages");
}

export function isNearBottom() {
  const el = scroller();
  return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
}

export function scrollToBottom() {
  const el = scroller();
  el.scrollTop = el.scrollHeight;
  const conv = activeConv();
  if (conv) conv.stickBottom = true;
  $("jump-latest").hidden = true;
}

/// Runs a DOM change to the active conversation, then keeps the view where the user wants
/// it: at the bottom if they were there, otherwise exactly where they were reading.
export function mutateView(conv, change, options) {
  const isActive = conv === activeConv();
  const el = scroller();
  const wasAtBottom = isActive && (conv.stickBottom || isNearBottom());
  const beforeHeight = el.scrollHeight;
  const beforeTop = el.scrollTop;
  change();
  regroup(conv);
  if (!isActive) return;
  if (options && options.prepend) {
    el.scrollTop = beforeTop + (el.scrollHeight - beforeHeight);
  } else if (wasAtBottom || (options && options.forceBottom)) {
    scrollToBottom();
  } else if (options && options.newFromOthers) {
    $("jump-latest").hidden = false;
  }
  scheduleRead();
}

export function archiveConv(conv, text) {
  for (const node of conv.log.children) {
    if (node.dataset.cid) {
      delete node.dataset.seq; // still waiting for its ack: it will be re-sent, not archived
    } else if (node.dataset.seq) {
      delete node.dataset.seq;
      node.dataset.archived = "1";
    } else if (node.dataset.after !== undefined) {
      node.dataset.archived = "1";
    }
  }
  const note = notice(text, "warn");
  note.dataset.archived = "1";
  insertOrdered(conv, note);
  conv.rows.clear();
  conv.updateSeqs.clear();
  conv.receipts.clear();
  conv.lastSeq = 0;
  conv.minSeq = null;
  conv.lastReadSent = 0;
  conv.hasMore = false;
}

export function addNotice(conv, text, kind) {
  const node = notice(text, kind);
  node.dataset.after = String(conv.lastSeq);
  mutateView(conv, () => insertOrdered(conv, node), {});
}

/// The row of one stored message: a moderation event (`event`) is a notice, never a chat
/// bubble; a message from someone on our block list is in the log but hidden. A chat message
/// shows its current state (edited, deleted, reactions, the quote it answers).
export function buildRow(m, mine, conv) {
  if (m.event && typeof m.event === "object") return eventRow(m, eventSentence(m));
  const row = messageRow(m, mine);
  if (isBlocked(m.from)) row.hidden = true;
  setMessageState(conv, row, m);
  return row;
}

/// Adds one entry of a conversation's seq stream; returns false for a duplicate. An `update`
/// entry changes the message it names instead of adding a row (lifecycle.js), and is never
/// unread.
/// live: it arrived as a live frame (counts as unread, may reveal a history reset).
export function addMessage(conv, m, live) {
  if (isUpdate(m)) return applyUpdate(conv, m);
  const known = conv.rows.get(m.seq);
  if (known) {
    if (!known.dataset.id || known.dataset.id === m.id) return false;
    archiveConv(conv, "The server's history was reset. Messages above are from before.");
  } else if (live && conv.kind === "dm" && conv.lastSeq > 0 && m.seq <= conv.lastSeq && !S.pendingHistory) {
    archiveConv(conv, "The server's history was reset. Messages above are from before.");
  }
  const mine = m.from === S.me && !m.event;
  const quiet = !!m.event || isBlocked(m.from); // neither counts as unread nor scrolls the reader
  let row = null;
  if (mine) {
    // Our own message may arrive before its ack: adopt the matching pending row.
    for (const p of S.pending.values()) {
      if (p.conv === conv && !p.row.dataset.seq && p.frame.text === m.text) {
        row = p.row;
        break;
      }
    }
  }
  mutateView(conv, () => {
    if (row) {
      row.dataset.seq = String(m.seq);
      row.dataset.id = m.id;
      updateRowTime(row, m.ts);
      setMessageState(conv, row, m);
      row.remove();
    } else {
      row = buildRow(m, mine, conv);
      if (mine) setStatus(row, "sent", "Sent");
    }
    conv.rows.set(m.seq, row);
    insertOrdered(conv, row);
  }, { newFromOthers: live && !mine && !quiet });
  conv.lastSeq = Math.max(conv.lastSeq, m.seq);
  conv.minSeq = conv.minSeq === null ? m.seq : Math.min(conv.minSeq, m.seq);
  if (live && !mine && !quiet) {
    if (conv !== activeConv() || !conv.stickBottom || document.visibilityState !== "visible") conv.unread += 1;
    stopTyper(conv, m.from);
  }
  if (mine) updateReadState(conv);
  return true;
}

export function navItem(conv, online) {
  const isActive = conv.key === S.active;
  const label = conv.kind === "room" ? "#" + conv.name : conv.name;
  const parts = [];
  if (conv.kind === "room") {
    parts.push(h("span", { className: "conv-hash", "aria-hidden": "true", text: "#" }));
  } else {
    const av = avatar(conv.name, "avatar-small");
    parts.push(h("span", { className: "avatar-wrap" }, av,
      h("span", { className: "presence-dot" + (online.has(conv.name) ? " on" : ""), "aria-hidden": "true" })));
  }
  parts.push(h("span", { className: "conv-name", text: conv.name }));
  if (conv.kind === "dm" && conv.typers.size > 0) parts.push(h("span", { className: "conv-typing", text: "typing…" }));
  if (conv.kind === "room") parts.push(h("span", { className: "conv-online", title: conv.online + " online", "aria-hidden": "true", text: String(conv.online) }));
  if (conv.unread > 0) parts.push(h("span", { className: "badge", "aria-hidden": "true", text: conv.unread > 99 ? "99+" : String(conv.unread) }));
  const aria = label + (conv.kind === "room" ? ", " + conv.online + " online" : "") +
    (conv.unread > 0 ? ", " + conv.unread + " unread" : "");
  const button = h("button", {
    type: "button", className: "conv-item" + (isActive ? " active" : "") + (conv.unread > 0 ? " has-unread" : ""),
    "aria-label": aria, "aria-current": isActive ? "true" : null, dataset: { key: conv.key },
    onclick: () => activate(conv.key),
  }, ...parts);
  return h("li", null, button);
}

export function renderNav() {
  const online = onlineUsers();
  const rooms = [...S.convs.values()].filter((c) => c.kind === "room").sort((a, b) => a.name.localeCompare(b.name));
  const dms = [...S.convs.values()].filter((c) => c.kind === "dm").sort((a, b) => a.name.localeCompare(b.name));
  $("room-list").replaceChildren(...rooms.map((c) => navItem(c, online)));
  $("dm-list").replaceChildren(...dms.map((c) => navItem(c, online)));
  $("dm-empty").hidden = dms.length > 0;
  const browse = S.browse.filter((r) => !S.convs.has(keyOf("room", r.name)));
  $("browse-list").replaceChildren(...browse.map((r) => h("li", null, h("button", {
    type: "button", className: "conv-item browse-item", "aria-label": "Join #" + r.name + ", " + r.online + " online",
    onclick: () => joinRoom(r.name),
  }, h("span", { className: "conv-hash", "aria-hidden": "true", text: "#" }), h("span", { className: "conv-name", text: r.name }),
  h("span", { className: "conv-online", "aria-hidden": "true", text: String(r.online) }),
  h("span", { className: "join-chip", "aria-hidden": "true", text: "Join" })))));
  $("browse-empty").hidden = browse.length > 0;
  renderInvitations();
  const total = [...S.convs.values()].reduce((n, c) => n + c.unread, 0);
  const badge = $("total-unread");
  badge.hidden = total === 0;
  const conv = activeConv();
  const title = conv ? (conv.kind === "room" ? "#" + conv.name : conv.name) + " · RabbitChat" : "RabbitChat";
  document.title = (total > 0 ? "(" + total + ") " : "") + title;
  saveSession();
}

export function renderHeader() {
  const conv = activeConv();
  const title = $("conv-title");
  const sub = $("conv-sub");
  const leave = $("leave-room");
  const info = $("room-info-btn");
  info.hidden = !conv || conv.kind !== "room";
  if (!conv) {
    title.textContent = "No conversation";
    sub.textContent = "Join a room to start chatting";
    leave.hidden = true;
    return;
  }
  leave.hidden = false;
  renderPermissions(conv);
  if (conv.kind === "room") {
    title.textContent = "#" + conv.name;
    const count = conv.joined || !conv.lock ? conv.online + (conv.online === 1 ? " person" : " people") + " online"
      : "You're not in this room";
    sub.textContent = count + (conv.topic ? " · " + conv.topic : "");
    sub.title = conv.topic || "";
    info.setAttribute("aria-label", "Details of #" + conv.name);
    info.title = "Room details";
    leave.textContent = "Leave";
    leave.setAttribute("aria-label", "Leave room #" + conv.name);
  } else {
    title.textContent = conv.name;
    sub.title = "";
    sub.textContent = onlineUsers().has(conv.name) ? "Direct message · online" : "Direct message";
    leave.textContent = "Close";
    leave.setAttribute("aria-label", "Close conversation with " + conv.name);
  }
  $("text").placeholder = conv.kind === "room" ? "Message #" + conv.name : "Message " + conv.name;
}

/// The member list: who is online, then (rooms with stored members) who is not; each with
/// their role, and for moderators a button with the actions they may take on that member.
export function renderMembers() {
  const conv = activeConv();
  const list = $("member-list");
  $("invite-open").hidden = !conv || !canModerate(conv);
  if (!conv) {
    list.replaceChildren();
    $("members-count").textContent = "";
    return;
  }
  const names = conv.kind === "room" ? [...conv.members] : [S.me, conv.name];
  const order = (a, b) => (a === S.me ? -1 : b === S.me ? 1 : a.localeCompare(b));
  names.sort(order);
  const here = new Set(names.map((n) => n.toLowerCase()));
  // The stored members who are not here, while we are in the room ourselves.
  const away = conv.kind === "room" && conv.joined
    ? [...conv.roster.values()].map((e) => e.user).filter((u) => !here.has(u.toLowerCase())).sort(order) : [];
  const online = onlineUsers();
  $("members-count").textContent = String(names.length);
  list.replaceChildren(...names.concat(away).map((name) => {
    const isMe = name === S.me;
    const isAway = conv.kind === "room" && !here.has(name.toLowerCase());
    const blocked = !isMe && isBlocked(name);
    const status = conv.typers.has(name) ? h("span", { className: "member-typing", text: "typing…" })
      : h("span", { className: "member-sub", text: isMe ? "you" : blocked ? "blocked" : isAway ? "not here" : "online" });
    const label = conv.kind === "room" ? roleLabel(roleOf(conv, name)) : null;
    const subLine = h("span", { className: "member-sub-line" },
      label ? h("span", { className: "role-badge role-" + label.toLowerCase(), text: label }) : null, status);
    const item = h("li", { className: "member" + (isAway ? " member-away" : ""), dataset: { user: name, role: label ? label.toLowerCase() : "member" } },
      h("span", { className: "avatar-wrap" }, avatar(name, "avatar-small"),
        h("span", { className: "presence-dot" + (isMe || online.has(name) ? " on" : ""), "aria-hidden": "true" })),
      h("span", { className: "member-text" }, h("span", { className: "member-name", text: name }), subLine));
    if (!isMe && conv.kind === "room" && (canModerateUser(conv, name) || canManage(conv) || S.registered)) {
      item.appendChild(memberActionsButton(conv, name));
    }
    if (!isMe) {
      const button = h("button", {
        type: "button", className: "icon-btn dm-btn", "aria-label": "Send a direct message to " + name,
        title: "Message " + name, onclick: () => openDM(name),
      });
      button.appendChild(chatIcon());
      item.appendChild(button);
    }
    return item;
  }));
}

export function chatIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "18");
  svg.setAttribute("height", "18");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.6A8 8 0 1 1 21 12z");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "2");
  path.setAttribute("stroke-linejoin", "round");
  svg.appendChild(path);
  return svg;
}

export function renderTop(conv) {
  const top = conv.top;
  top.replaceChildren();
  if (conv.loadingHistory) {
    top.appendChild(h("div", { className: "history-loading", role: "status" }, h("span", { className: "spinner", "aria-hidden": "true" }), "Loading earlier messages…"));
  } else if (conv.hasMore) {
    top.appendChild(h("button", { type: "button", className: "btn btn-small btn-ghost", onclick: () => loadOlder(conv) }, "Load earlier messages"));
  } else if (conv.loaded || conv.joined) {
    const intro = conv.kind === "room"
      ? h("div", { className: "intro" }, h("div", { className: "intro-mark", "aria-hidden": "true", text: "#" }),
        h("h2", { text: "Welcome to #" + conv.name }), h("p", { text: "This is the very beginning of the room." }))
      : h("div", { className: "intro" }, avatar(conv.name, "avatar-large"),
        h("h2", { text: conv.name }), h("p", { text: "This is the beginning of your direct messages with " + conv.name + "." }));
    top.appendChild(intro);
  }
}

export function renderTyping() {
  const conv = activeConv();
  const names = conv ? [...conv.typers.keys()] : [];
  const node = $("typing");
  node.textContent = "";
  if (names.length > 0) {
    node.append(h("span", { className: "dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), h("span", { className: "typing-text", text: typingText(names) }));
  }
}

export function renderAll() {
  renderNav();
  renderHeader();
  renderMembers();
  renderTyping();
  renderComposerLock();
}

export function setConnection(state, detail) {
  const body = document.body;
  const text = $("conn-text");
  const banner = $("banner");
  const bannerText = $("banner-text");
  const retry = $("banner-retry");
  clearInterval(S.statusTimer);
  clearTimeout(S.bannerTimer);
  body.dataset.connection = state;
  retry.hidden = true;
  banner.className = "banner";
  if (state === "online") {
    const how = S.conn && S.conn.usedTransport ? " via " + S.conn.usedTransport : "";
    body.dataset.transport = S.conn && S.conn.usedTransport ? S.conn.usedTransport : "";
    $("conn-status").title = "Connected" + how;
    if (detail && detail.reconnect) {
      text.textContent = "Reconnected";
      body.dataset.reconnected = "true";
      banner.hidden = false;
      banner.classList.add("banner-ok");
      bannerText.textContent = "Reconnected — you're back in sync.";
      S.bannerTimer = setTimeout(() => {
        banner.hidden = true;
        if (document.body.dataset.connection === "online") text.textContent = "Connected";
      }, 4000);
    } else {
      text.textContent = "Connected";
      banner.hidden = true;
    }
  } else if (state === "waiting") {
    banner.hidden = !S.signedIn;
    banner.classList.add("banner-warn");
    retry.hidden = false;
    const tick = () => {
      const seconds = Math.max(0, Math.ceil((detail.retryAt - Date.now()) / 1000));
      text.textContent = "Reconnecting in " + seconds + "s";
      bannerText.textContent = "Connection lost. Reconnecting in " + seconds + "s…";
    };
    tick();
    S.statusTimer = setInterval(tick, 500);
    body.dataset.connection = "reconnecting";
  } else if (state === "connecting") {
    text.textContent = S.signedIn ? "Reconnecting…" : "Connecting…";
    body.dataset.connection = S.signedIn ? "reconnecting" : "connecting";
    if (S.signedIn) {
      banner.hidden = false;
      banner.classList.add("banner-warn");
      bannerText.textContent = "Reconnecting…";
    }
  } else {
    text.textContent = "Offline";
    body.dataset.connection = "offline";
  }
}

export function toast(text) {
  const node = h("div", { className: "toast", role: "alert", text });
  document.body.appendChild(node);
  setTimeout(() => node.remove(), 5000);
}

export function openSidebar() {
  refreshRooms();
  document.body.dataset.sidebar = "open";
  $("scrim").hidden = false;
  $("sidebar-open").setAttribute("aria-expanded", "true");
}

export function closeSidebar() {
  if (document.body.dataset.sidebar !== "open") return;
  document.body.dataset.sidebar = "closed";
  $("scrim").hidden = document.body.dataset.members !== "open" || window.matchMedia("(min-width: 1100px)").matches;
  $("sidebar-open").setAttribute("aria-expanded", "false");
}

export function toggleMembers() {
  setMembersOpen(document.body.dataset.members !== "open");
}

/// Opens or closes the members panel. The toggle's name says what pressing it will do now
/// ("Hide members" while the panel is open), and its tooltip says the same.
export function setMembersOpen(open) {
  document.body.dataset.members = open ? "open" : "closed";
  $("scrim").hidden = !(open && !window.matchMedia("(min-width: 1100px)").matches) && document.body.dataset.sidebar !== "open";
  const toggle = $("members-toggle");
  const label = open ? "Hide members" : "Show members";
  toggle.setAttribute("aria-expanded", String(open));
  toggle.setAttribute("aria-label", label);
  toggle.title = label;
}

export function closeMembersOverlay() {
  if (!window.matchMedia("(min-width: 1100px)").matches && document.body.dataset.members === "open") toggleMembers();
}

/// Keeps the newest message in view when the message list gets shorter while the reader is at
/// the bottom: the composer growing with a long text, the typing line, the banner, a phone's
/// on-screen keyboard.
export function keepBottomOnResize() {
  if (typeof ResizeObserver !== "function") return;
  new ResizeObserver(() => {
    const conv = activeConv();
    if (conv && conv.stickBottom) scrollToBottom();
  }).observe(scroller());
}
