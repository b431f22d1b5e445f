// RabbitChat web client: conversations (rooms and DMs), the protocol v1 session on top of
// connection.js, and the page on top of ui.js. See docs/UI.md for the structure and
// docs/PROTOCOL.md for the frames.
(function () {
  "use strict";

  const { h, avatar, setAvatar, messageRow, setStatus, updateRowTime, notice, typingText, dayKey, dayLabel } = window.RabbitUI;
  const $ = (id) => document.getElementById(id);

  const NAME = /^[A-Za-z0-9_-]{1,32}$/;
  const TYPING_THROTTLE_MS = 3000; // send `typing start` at most this often
  const TYPING_IDLE_MS = 5000; // stop after this long without a keystroke
  const TYPING_EXPIRY_MS = 7000; // forget a remote typist we have not heard from
  const GROUP_GAP_MS = 5 * 60 * 1000; // consecutive messages closer than this share a header
  const HISTORY_PAGE = 50;

  // ---------------------------------------------------------------------------------------
  // State

  const S = {
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
  };
  window.RabbitChat = { state: S }; // for debugging in the console

  const keyOf = (kind, name) => kind + ":" + name;

  function makeConv(kind, name) {
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
      unread: 0, online: 0, members: new Set(), typers: new Map(), receipts: new Map(),
      joined: false, wantJoined: kind === "room", stickBottom: true, savedScroll: null,
      lastReadSent: 0,
    };
  }

  function ensureConv(kind, name) {
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

  function target(conv) {
    return conv.kind === "room" ? { room: conv.name } : { peer: conv.name };
  }

  function dmPeerOf(frame) {
    return frame.from === S.me ? frame.to : frame.from;
  }

  // ---------------------------------------------------------------------------------------
  // Message list: ordering, grouping, scrolling

  /// Sort key of a node in a conversation log: messages by seq, notices right after the seq
  /// they followed, unacknowledged sends last, rows from before a history reset first.
  function orderKey(node) {
    if (node.dataset.archived) return -Infinity;
    if (node.dataset.seq) return Number(node.dataset.seq);
    if (node.dataset.after !== undefined) return Number(node.dataset.after) + 0.5;
    return Infinity;
  }

  function insertOrdered(conv, node) {
    const key = orderKey(node);
    let ref = conv.log.lastElementChild;
    while (ref && orderKey(ref) > key) ref = ref.previousElementSibling;
    if (ref) ref.after(node);
    else conv.log.prepend(node);
  }

  /// Recomputes grouping (consecutive messages of one sender share a header), day labels and
  /// which own row is the last one (only that one spells its delivery state out).
  function regroup(conv) {
    let prev = null;
    let lastMine = null;
    let prevDay = null;
    for (const node of conv.log.children) {
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

  function scroller() {
    return $("messages");
  }

  function isNearBottom() {
    const el = scroller();
    return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }

  function scrollToBottom() {
    const el = scroller();
    el.scrollTop = el.scrollHeight;
    const conv = activeConv();
    if (conv) conv.stickBottom = true;
    $("jump-latest").hidden = true;
  }

  /// Runs a DOM change to the active conversation, then keeps the view where the user wants
  /// it: at the bottom if they were there, otherwise exactly where they were reading.
  function mutateView(conv, change, options) {
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

  function archiveConv(conv, text) {
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
    conv.receipts.clear();
    conv.lastSeq = 0;
    conv.minSeq = null;
    conv.lastReadSent = 0;
    conv.hasMore = false;
  }

  function addNotice(conv, text, kind) {
    const node = notice(text, kind);
    node.dataset.after = String(conv.lastSeq);
    mutateView(conv, () => insertOrdered(conv, node), {});
  }

  /// Adds one message of a conversation; returns false for a duplicate.
  /// live: it arrived as a live frame (counts as unread, may reveal a history reset).
  function addMessage(conv, m, live) {
    const known = conv.rows.get(m.seq);
    if (known) {
      if (!known.dataset.id || known.dataset.id === m.id) return false;
      archiveConv(conv, "The server's history was reset. Messages above are from before.");
    } else if (live && conv.kind === "dm" && conv.lastSeq > 0 && m.seq <= conv.lastSeq && !S.pendingHistory) {
      archiveConv(conv, "The server's history was reset. Messages above are from before.");
    }
    const mine = m.from === S.me;
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
        row.remove();
      } else {
        row = messageRow(m, mine);
        if (mine) setStatus(row, "sent", "Sent");
      }
      conv.rows.set(m.seq, row);
      insertOrdered(conv, row);
    }, { newFromOthers: live && !mine });
    conv.lastSeq = Math.max(conv.lastSeq, m.seq);
    conv.minSeq = conv.minSeq === null ? m.seq : Math.min(conv.minSeq, m.seq);
    if (live && !mine) {
      if (conv !== activeConv() || !conv.stickBottom || document.visibilityState !== "visible") conv.unread += 1;
      stopTyper(conv, m.from);
    }
    if (mine) updateReadState(conv);
    return true;
  }

  // ---------------------------------------------------------------------------------------
  // Rendering: navigation, header, members, typing, history top

  function activeConv() {
    return S.active ? S.convs.get(S.active) : null;
  }

  function onlineUsers() {
    const set = new Set();
    for (const conv of S.convs.values()) if (conv.kind === "room") for (const m of conv.members) set.add(m);
    return set;
  }

  function navItem(conv, online) {
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

  function renderNav() {
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
    const total = [...S.convs.values()].reduce((n, c) => n + c.unread, 0);
    const badge = $("total-unread");
    badge.hidden = total === 0;
    const conv = activeConv();
    const title = conv ? (conv.kind === "room" ? "#" + conv.name : conv.name) + " · RabbitChat" : "RabbitChat";
    document.title = (total > 0 ? "(" + total + ") " : "") + title;
    saveSession();
  }

  function renderHeader() {
    const conv = activeConv();
    const title = $("conv-title");
    const sub = $("conv-sub");
    const leave = $("leave-room");
    if (!conv) {
      title.textContent = "No conversation";
      sub.textContent = "Join a room to start chatting";
      leave.hidden = true;
      return;
    }
    leave.hidden = false;
    if (conv.kind === "room") {
      title.textContent = "#" + conv.name;
      sub.textContent = conv.online + (conv.online === 1 ? " person" : " people") + " online";
      leave.textContent = "Leave";
      leave.setAttribute("aria-label", "Leave room #" + conv.name);
    } else {
      title.textContent = conv.name;
      sub.textContent = onlineUsers().has(conv.name) ? "Direct message · online" : "Direct message";
      leave.textContent = "Close";
      leave.setAttribute("aria-label", "Close conversation with " + conv.name);
    }
    $("text").placeholder = conv.kind === "room" ? "Message #" + conv.name : "Message " + conv.name;
  }

  function renderMembers() {
    const conv = activeConv();
    const list = $("member-list");
    if (!conv) {
      list.replaceChildren();
      $("members-count").textContent = "";
      return;
    }
    const names = conv.kind === "room" ? [...conv.members] : [S.me, conv.name];
    names.sort((a, b) => (a === S.me ? -1 : b === S.me ? 1 : a.localeCompare(b)));
    const online = onlineUsers();
    $("members-count").textContent = String(names.length);
    list.replaceChildren(...names.map((name) => {
      const isMe = name === S.me;
      const status = conv.typers.has(name) ? h("span", { className: "member-typing", text: "typing…" })
        : h("span", { className: "member-sub", text: isMe ? "you" : "online" });
      const item = h("li", { className: "member", dataset: { user: name } },
        h("span", { className: "avatar-wrap" }, avatar(name, "avatar-small"),
          h("span", { className: "presence-dot" + (isMe || online.has(name) ? " on" : ""), "aria-hidden": "true" })),
        h("span", { className: "member-text" }, h("span", { className: "member-name", text: name }), status));
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

  function chatIcon() {
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

  function renderTop(conv) {
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

  function renderTyping() {
    const conv = activeConv();
    const names = conv ? [...conv.typers.keys()] : [];
    const node = $("typing");
    node.textContent = "";
    if (names.length > 0) {
      node.append(h("span", { className: "dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), h("span", { className: "typing-text", text: typingText(names) }));
    }
  }

  function renderAll() {
    renderNav();
    renderHeader();
    renderMembers();
    renderTyping();
  }

  // ---------------------------------------------------------------------------------------
  // Activation and navigation

  function activate(key) {
    const previous = activeConv();
    if (previous && previous.key !== key) {
      previous.savedScroll = previous.stickBottom ? null : scroller().scrollTop;
      previous.el.hidden = true;
      stopTyping();
    }
    const conv = S.convs.get(key);
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

  function openDM(name) {
    if (!NAME.test(name) || name === S.me) return;
    const conv = ensureConv("dm", name);
    activate(conv.key);
    closeMembersOverlay();
    if (!conv.loaded) requestLatest(conv);
  }

  function joinRoom(name) {
    $("join-error").textContent = "";
    if (!NAME.test(name)) {
      $("join-error").textContent = "Room names are 1–32 letters, digits, _ or -.";
      return;
    }
    const existing = S.convs.get(keyOf("room", name));
    if (existing) {
      activate(existing.key);
      return;
    }
    const conv = ensureConv("room", name);
    conv.wantJoined = true;
    S.conn.send({ type: "join", room: name });
    activate(conv.key);
  }

  function closeConv(conv) {
    if (conv.kind === "room") S.conn.send({ type: "leave", room: conv.name });
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

  // ---------------------------------------------------------------------------------------
  // History

  function requestLatest(conv) {
    if (!S.welcomed) return;
    conv.loadingHistory = true;
    conv.historyBefore = null;
    renderTop(conv);
    S.conn.send(Object.assign({ type: "history", limit: HISTORY_PAGE }, target(conv)));
  }

  function loadOlder(conv) {
    if (!S.welcomed || conv.loadingHistory || !conv.hasMore || conv.minSeq === null) return;
    conv.loadingHistory = true;
    conv.historyBefore = conv.minSeq;
    renderTop(conv);
    S.conn.send(Object.assign({ type: "history", before: conv.minSeq, limit: HISTORY_PAGE }, target(conv)));
  }

  /// Keeps loading older pages until the view can scroll (so "scroll up for more" works).
  function ensureFilled(conv) {
    if (conv !== activeConv() || !conv.hasMore || conv.loadingHistory) return;
    const el = scroller();
    if (el.scrollHeight <= el.clientHeight + 40) loadOlder(conv);
  }

  function onHistory(f) {
    const conv = f.room ? S.convs.get(keyOf("room", f.room)) : f.peer ? S.convs.get(keyOf("dm", f.peer)) : null;
    if (!conv) return;
    const wasOlder = conv.historyBefore !== null;
    conv.loadingHistory = false;
    conv.historyBefore = null;
    const messages = (f.messages || []).slice().sort((a, b) => a.seq - b.seq);
    if (wasOlder) {
      mutateView(conv, () => {
        for (const m of messages) {
          if (conv.rows.has(m.seq)) continue;
          const mine = m.from === S.me;
          const row = messageRow(m, mine);
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
    setTimeout(() => ensureFilled(conv), 0);
  }

  // ---------------------------------------------------------------------------------------
  // Sending, acks, receipts

  function nextCid() {
    S.cidCounter += 1;
    return S.me + "-" + Date.now().toString(36) + "-" + S.cidCounter;
  }

  function canSendTo(conv) {
    return S.welcomed && S.conn.isOpen() && (conv.kind === "dm" || conv.joined);
  }

  function sendText(text) {
    const conv = activeConv();
    if (!conv) return;
    const cid = nextCid();
    const frame = Object.assign({ type: "send", text, cid }, conv.kind === "room" ? { room: conv.name } : { to: conv.name });
    const row = messageRow({ from: S.me, text, ts: Date.now(), cid }, true);
    setStatus(row, "sending", "Sending…");
    S.pending.set(cid, { conv, frame, row });
    mutateView(conv, () => insertOrdered(conv, row), { forceBottom: true });
    if (canSendTo(conv)) S.conn.send(frame);
  }

  /// After a (re)connect: every send that never got its ack goes again with the same cid, so
  /// the server stores it once (a duplicate answers `ack` with `duplicate: true`).
  function flushPending(conv) {
    for (const p of S.pending.values()) {
      if (p.conv !== conv || p.failed) continue;
      if (canSendTo(conv)) S.conn.send(p.frame);
    }
  }

  function onAck(f) {
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
      setStatus(row, "sent", "Sent");
    }, {});
    conv.lastSeq = Math.max(conv.lastSeq, f.seq);
    if (conv.minSeq === null) conv.minSeq = f.seq;
    updateReadState(conv);
    scheduleRead();
  }

  function onSendError(f, p) {
    if (f.code === "unavailable") {
      setTimeout(() => {
        if (S.pending.has(f.cid) && canSendTo(p.conv)) S.conn.send(p.frame);
      }, 1500 + Math.random() * 1500);
      return;
    }
    S.pending.delete(f.cid);
    p.failed = true;
    setStatus(p.row, "failed", "Not sent: " + f.message);
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

  /// Own messages show "Read by N": N other users whose read position reached the message.
  function updateReadState(conv) {
    const readers = [...conv.receipts.entries()].filter(([user]) => user !== S.me);
    for (const [seq, row] of conv.rows) {
      if (!row.classList.contains("mine") || row.dataset.cid) continue;
      const n = readers.filter(([, s]) => s >= seq).length;
      const state = n > 0 ? "read" : "sent";
      const label = n > 0 ? (conv.kind === "dm" ? "Read" : "Read by " + n) : "Sent";
      const node = row.querySelector(".msg-status");
      if (node && (node.dataset.state !== state || node.textContent.slice(-label.length) !== label)) setStatus(row, state, label);
    }
  }

  function onReceipt(f) {
    const conv = f.room ? S.convs.get(keyOf("room", f.room)) : f.peer ? S.convs.get(keyOf("dm", f.peer)) : null;
    if (!conv) return;
    if (f.user === S.me) {
      // Read in another tab of ours.
      if (f.seq >= conv.lastSeq && conv.unread > 0) {
        conv.unread = 0;
        renderNav();
      }
      conv.lastReadSent = Math.max(conv.lastReadSent, f.seq);
      return;
    }
    conv.receipts.set(f.user, Math.max(conv.receipts.get(f.user) || 0, f.seq));
    updateReadState(conv);
  }

  let readTimer = null;
  function scheduleRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(sendRead, 250);
  }

  /// Reports the newest message the user can actually see in the active conversation.
  function sendRead() {
    const conv = activeConv();
    if (!conv || document.visibilityState !== "visible" || !canSendTo(conv)) return;
    const el = scroller();
    let seq = 0;
    if (isNearBottom()) {
      for (const s of conv.rows.keys()) seq = Math.max(seq, s);
    } else {
      const bottom = el.getBoundingClientRect().bottom;
      for (const [s, row] of conv.rows) {
        if (row.getBoundingClientRect().bottom <= bottom + 4) seq = Math.max(seq, s);
      }
    }
    if (isNearBottom() && conv.unread > 0) {
      conv.unread = 0;
      renderNav();
    }
    if (seq > conv.lastReadSent) {
      conv.lastReadSent = seq;
      S.conn.send(Object.assign({ type: "read", seq }, target(conv)));
    }
  }

  // ---------------------------------------------------------------------------------------
  // Typing

  function onComposerInput() {
    autosize();
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
      S.conn.send(Object.assign({ type: "typing", state: "start" }, conv.kind === "room" ? { room: conv.name } : { to: conv.name }));
    }
    clearTimeout(S.typingIdleTimer);
    S.typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(S.typingIdleTimer);
    const conv = S.typingConv;
    S.typingConv = null;
    S.typingSentAt = 0;
    if (conv && S.convs.has(conv.key) && canSendTo(conv)) {
      S.conn.send(Object.assign({ type: "typing", state: "stop" }, conv.kind === "room" ? { room: conv.name } : { to: conv.name }));
    }
  }

  function stopTyper(conv, user) {
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

  function onTyping(f) {
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

  // ---------------------------------------------------------------------------------------
  // Rooms: joined, presence

  function onJoined(f) {
    const conv = ensureConv("room", f.room);
    const rejoin = conv.loaded;
    let reset = false;
    if (conv.epoch && conv.epoch !== f.epoch) {
      // A new epoch: our saved seq means nothing there. Keep what we saw, marked as before the
      // reset, and fetch the new history's latest page (the resume may have skipped some).
      mutateView(conv, () => archiveConv(conv, "The server restarted and its history was reset. Messages above are from before."), {});
      reset = true;
    } else if (rejoin && f.recovered === false && conv.lastSeq > 0) {
      addNotice(conv, "Some messages could not be recovered (" + (f.reason || "unknown") + ").", "warn");
    }
    conv.epoch = f.epoch;
    conv.joined = true;
    conv.wantJoined = true;
    conv.members = new Set(f.members || []);
    conv.online = typeof f.online === "number" ? f.online : conv.members.size;
    const messages = (f.messages || []).slice().sort((a, b) => a.seq - b.seq);
    for (const m of messages) addMessage(conv, m, rejoin);
    if (!rejoin) {
      conv.hasMore = conv.minSeq !== null ? conv.minSeq > 1 : (f.lastSeq || 0) > 0;
      addNotice(conv, "You joined #" + conv.name, "self");
    } else if (conv.minSeq !== null && conv.minSeq > 1 && !conv.hasMore) {
      conv.hasMore = true;
    }
    conv.loaded = true;
    if (reset) requestLatest(conv);
    renderTop(conv);
    flushPending(conv);
    renderAll();
    scheduleRead();
    setTimeout(() => ensureFilled(conv), 0);
  }

  function onPresence(f) {
    const conv = S.convs.get(keyOf("room", f.room));
    if (!conv || (f.user && f.user === S.me)) return;
    if (f.event === "count") {
      // A large room: only its online count is sent, coalesced by the server.
      if (typeof f.online === "number") conv.online = f.online;
      renderAll();
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
  function refreshRoomsSoon() {
    if (refreshSoonTimer) return;
    refreshSoonTimer = setTimeout(() => {
      refreshSoonTimer = null;
      refreshRooms();
    }, 1000);
  }

  // ---------------------------------------------------------------------------------------
  // Session: hello, welcome, errors, connection state

  function helloFrame() {
    const frame = { type: "hello" };
    if (S.auth.token) frame.token = S.auth.token;
    else frame.nick = S.auth.nick;
    const resume = {};
    let any = false;
    for (const conv of S.convs.values()) {
      if (conv.kind === "room" && conv.wantJoined) {
        resume[conv.name] = conv.lastSeq;
        any = true;
      }
    }
    if (any) frame.resume = resume;
    return frame;
  }

  function onOpen() {
    S.welcomed = false;
    for (const conv of S.convs.values()) conv.joined = false;
    S.conn.send(helloFrame());
  }

  function onWelcome(f) {
    const reconnect = S.signedIn;
    S.me = f.user;
    S.welcomed = true;
    S.limits = Object.assign(S.limits, f.limits || {});
    S.conn.markHealthy();
    if (f.limits && f.limits.maxTextScalars) $("text").maxLength = f.limits.maxTextScalars;
    if (!reconnect) {
      S.signedIn = true;
      showApp();
      const restored = S.restore;
      S.restore = null;
      if (restored && restored.rooms && restored.rooms.length > 0) {
        for (const name of restored.rooms) if (NAME.test(name)) joinRoom(name);
        for (const name of restored.dms || []) if (NAME.test(name) && name !== S.me) requestLatest(ensureConv("dm", name));
        if (restored.active && S.convs.has(restored.active)) activate(restored.active);
      } else {
        joinRoom(S.firstRoom);
      }
    } else {
      S.reconnects += 1;
      document.body.dataset.reconnects = String(S.reconnects);
      // Rooms come back through hello's resume; DMs catch up with their latest page.
      for (const conv of S.convs.values()) {
        if (conv.kind === "dm") {
          requestLatest(conv);
          flushPending(conv);
        }
      }
    }
    // Registered users learn their unread DMs (some sent while they were away) at hello.
    for (const entry of Array.isArray(f.unread) ? f.unread : []) {
      if (!entry || !NAME.test(entry.peer || "") || entry.peer === S.me) continue;
      const conv = ensureConv("dm", entry.peer);
      if (conv !== activeConv()) conv.unread = Math.max(conv.unread, entry.count || 0);
      conv.lastReadSent = Math.max(conv.lastReadSent, entry.readSeq || 0);
      requestLatest(conv);
    }
    setConnection("online", { reconnect });
    renderNav();
    refreshRooms();
  }

  function onError(f) {
    if (f.cid && S.pending.has(f.cid)) {
      onSendError(f, S.pending.get(f.cid));
      return;
    }
    switch (f.ref) {
      case "hello":
        if (!S.signedIn && S.restore && f.code === "nick_taken" && S.restoreAttempts < 5) {
          S.restoreAttempts += 1;
          S.conn.drop();
        } else if (!S.signedIn) {
          clearSession();
          S.conn.stop();
          const wantsAccount = ["name_reserved", "auth_required", "invalid_token", "token_expired", "token_revoked"];
          if (wantsAccount.includes(f.code)) {
            $("auth-tabs").hidden = false;
            authMode = "login";
            S.auth = null;
          }
          showSignin(f.message);
        } else if (f.code === "nick_taken" || f.code === "unavailable") {
          S.conn.drop(); // our previous session may not have been noticed as gone yet
        } else {
          S.conn.stop();
          showSignin(f.message);
        }
        return;
      case "join": {
        if (f.code === "already_joined") return;
        const match = /`([^`]+)`/.exec(f.message || "");
        const conv = match ? S.convs.get(keyOf("room", match[1])) : null;
        $("join-error").textContent = f.message;
        if (conv && !conv.loaded) closeConv(conv);
        return;
      }
      case "history": {
        for (const conv of S.convs.values()) {
          if (conv.loadingHistory) {
            conv.loadingHistory = false;
            conv.loaded = true;
            renderTop(conv);
          }
        }
        return;
      }
      case "typing":
      case "read":
      case "ping":
        return;
      default:
        toast(f.message || "Something went wrong");
    }
  }

  function onFrame(f) {
    switch (f.type) {
      case "welcome": onWelcome(f); break;
      case "joined": onJoined(f); break;
      case "left": refreshRooms(); break;
      case "presence": onPresence(f); break;
      case "message": {
        const conv = f.room ? S.convs.get(keyOf("room", f.room)) : ensureConv("dm", dmPeerOf(f));
        if (!conv) break;
        if (conv.kind === "dm" && !conv.loaded) {
          conv.loaded = true;
          addMessage(conv, f, true);
          conv.hasMore = f.seq > 1;
          renderTop(conv);
        } else {
          addMessage(conv, f, true);
        }
        renderNav();
        break;
      }
      case "ack": onAck(f); break;
      case "typing": onTyping(f); break;
      case "receipt": onReceipt(f); break;
      case "history": onHistory(f); break;
      case "error": onError(f); break;
      case "pong": break;
    }
  }

  function setConnection(state, detail) {
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

  function onConnState(state, detail) {
    if (state === "open") {
      // Wait for `welcome` before calling the session online.
      $("conn-text").textContent = S.signedIn ? "Resuming…" : "Signing in…";
      return;
    }
    if (state === "waiting" || state === "closed") {
      S.welcomed = false;
      for (const conv of S.convs.values()) {
        conv.joined = false;
        for (const [user, timer] of conv.typers) {
          clearTimeout(timer);
          conv.typers.delete(user);
        }
      }
      renderTyping();
      if (!S.signedIn && state === "waiting" && detail.attempt >= 3) {
        S.conn.stop();
        showSignin("Could not reach the server. Check the address and try again.");
        return;
      }
    }
    setConnection(state, detail);
  }

  function toast(text) {
    const node = h("div", { className: "toast", role: "alert", text });
    document.body.appendChild(node);
    setTimeout(() => node.remove(), 5000);
  }

  // ---------------------------------------------------------------------------------------
  // Tab session: a reload brings the same person back into the same rooms.

  const SESSION_KEY = "rabbitchat.session";

  function saveSession() {
    if (!S.signedIn) return;
    const rooms = [...S.convs.values()].filter((c) => c.kind === "room" && c.wantJoined).map((c) => c.name);
    const dms = [...S.convs.values()].filter((c) => c.kind === "dm").map((c) => c.name);
    try {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify({ auth: S.auth, transport: S.transport, rooms, dms, active: S.active }));
    } catch (_) { /* private mode */ }
  }

  function loadSession() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
      if (saved && saved.auth && (saved.auth.token || NAME.test(saved.auth.nick || ""))) return saved;
    } catch (_) { /* ignore */ }
    return null;
  }

  function clearSession() {
    try { sessionStorage.removeItem(SESSION_KEY); } catch (_) { /* ignore */ }
  }

  // ---------------------------------------------------------------------------------------
  // Rooms directory

  let roomsTimer = null;
  async function refreshRooms() {
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

  // ---------------------------------------------------------------------------------------
  // Sign-in (guest now; register / log in when the server has accounts)

  let authMode = "guest";

  function setAuthMode(mode) {
    authMode = mode;
    for (const tab of document.querySelectorAll("#auth-tabs .tab")) {
      tab.setAttribute("aria-selected", String(tab.dataset.mode === mode));
    }
    $("signin-form").dataset.mode = mode;
    $("password-row").hidden = mode === "guest";
    $("password").autocomplete = mode === "register" ? "new-password" : "current-password";
    $("nick-label-text").textContent = mode === "guest" ? "Nickname" : "Username";
    $("signin-submit").textContent = mode === "guest" ? "Join chat" : mode === "login" ? "Log in" : "Create account";
  }

  /// Accounts are optional: a server without them answers 404 on the accounts API, and the
  /// page offers guest sign-in only. `GET /api/me` (401 without a token) is the probe, so
  /// loading the page never spends a login attempt from the rate limit.
  async function probeAccounts() {
    try {
      const response = await fetch("/api/me", { cache: "no-store" });
      if (response.status === 404 || response.status === 405) return;
      $("auth-tabs").hidden = false;
    } catch (_) {
      /* no accounts */
    }
  }

  /// `POST /api/register` and `POST /api/login` take `{"name","password"}` and answer
  /// `{"user","token","expiresAt"}` (docs/STORAGE.md); errors are `{"error":{"code","message"}}`.
  async function authRequest(path, nick, password) {
    const response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: nick, password }),
    });
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    if (!response.ok) {
      const message = body && body.error && body.error.message ? body.error.message
        : response.status === 404 ? "This server has no accounts; join as a guest." : "Request failed (" + response.status + ")";
      throw new Error(message);
    }
    return body || {};
  }

  function logout() {
    if (!S.auth || !S.auth.token) return;
    // Fire and forget: the token dies server-side; keepalive lets it finish during unload.
    fetch("/api/logout", { method: "POST", headers: { Authorization: "Bearer " + S.auth.token }, keepalive: true })
      .catch(() => {});
  }

  async function onSignin(event) {
    event.preventDefault();
    const nick = $("nick").value.trim();
    const room = $("first-room").value.trim() || "lobby";
    const error = $("signin-error");
    error.textContent = "";
    if (!NAME.test(nick)) {
      error.textContent = (authMode === "guest" ? "Nicknames" : "Usernames") + " are 1–32 letters, digits, _ or -.";
      $("nick").focus();
      return;
    }
    if (!NAME.test(room)) {
      error.textContent = "Room names are 1–32 letters, digits, _ or -.";
      $("first-room").focus();
      return;
    }
    S.firstRoom = room;
    S.transport = $("transport").value;
    try {
      localStorage.setItem("rabbitchat.nick", nick);
      localStorage.setItem("rabbitchat.transport", S.transport);
    } catch (_) { /* private mode */ }
    $("signin-submit").disabled = true;
    $("signin-submit").textContent = "Connecting…";
    if (authMode === "guest") {
      S.auth = { nick };
    } else {
      const password = $("password").value;
      try {
        if (password.length === 0) throw new Error("Enter your password.");
        const session = await authRequest(authMode === "register" ? "/api/register" : "/api/login", nick, password);
        const token = session.token;
        if (!token) throw new Error("The server did not return a token.");
        S.auth = { token, user: session.user || nick };
        $("password").value = "";
      } catch (e) {
        showSignin(e.message);
        return;
      }
    }
    connect();
  }

  function connect() {
    if (S.conn) S.conn.stop();
    S.conn = new window.RabbitConnection({
      transport: S.transport,
      onFrame,
      onOpen,
      onState: onConnState,
    });
    S.conn.start();
  }

  function showSignin(message) {
    document.body.dataset.screen = "signin";
    $("signin").hidden = false;
    $("app").hidden = true;
    $("signin-submit").disabled = false;
    setAuthMode(authMode);
    $("signin-error").textContent = message || "";
    S.signedIn = false;
    S.welcomed = false;
  }

  function showApp() {
    document.body.dataset.screen = "chat";
    $("signin").hidden = true;
    $("app").hidden = false;
    $("me-name").textContent = S.me;
    setAvatar($("me-avatar"), S.me);
  }

  // ---------------------------------------------------------------------------------------
  // Layout: sidebar and members on narrow screens, composer

  function openSidebar() {
    refreshRooms();
    document.body.dataset.sidebar = "open";
    $("scrim").hidden = false;
    $("sidebar-open").setAttribute("aria-expanded", "true");
  }

  function closeSidebar() {
    if (document.body.dataset.sidebar !== "open") return;
    document.body.dataset.sidebar = "closed";
    $("scrim").hidden = document.body.dataset.members !== "open" || window.matchMedia("(min-width: 1100px)").matches;
    $("sidebar-open").setAttribute("aria-expanded", "false");
  }

  function toggleMembers() {
    const open = document.body.dataset.members !== "open";
    document.body.dataset.members = open ? "open" : "closed";
    $("scrim").hidden = !(open && !window.matchMedia("(min-width: 1100px)").matches) && document.body.dataset.sidebar !== "open";
    $("members-toggle").setAttribute("aria-expanded", String(open));
    $("members-toggle").setAttribute("aria-label", open ? "Hide members" : "Show members");
  }

  function closeMembersOverlay() {
    if (!window.matchMedia("(min-width: 1100px)").matches && document.body.dataset.members === "open") toggleMembers();
  }

  function autosize() {
    const t = $("text");
    t.style.height = "auto";
    t.style.height = Math.min(t.scrollHeight, 180) + "px";
  }

  function wire() {
    $("signin-form").addEventListener("submit", onSignin);
    for (const tab of document.querySelectorAll("#auth-tabs .tab")) tab.addEventListener("click", () => setAuthMode(tab.dataset.mode));

    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = $("text").value;
      if (!text.trim()) return;
      stopTyping();
      sendText(text);
      $("text").value = "";
      autosize();
      $("text").focus();
    });
    $("text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("composer").requestSubmit();
      }
    });
    $("text").addEventListener("input", onComposerInput);
    $("text").addEventListener("blur", stopTyping);

    $("join-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = $("join-room").value.trim().replace(/^#/, "");
      if (!name) return;
      joinRoom(name);
      if (!$("join-error").textContent) $("join-room").value = "";
    });
    $("leave-room").addEventListener("click", () => {
      const conv = activeConv();
      if (conv) closeConv(conv);
    });
    $("signout").addEventListener("click", () => {
      clearSession();
      logout();
      if (S.conn) S.conn.stop();
      location.reload();
    });

    $("messages").addEventListener("scroll", () => {
      const conv = activeConv();
      if (!conv) return;
      conv.stickBottom = isNearBottom();
      if (conv.stickBottom) $("jump-latest").hidden = true;
      if (scroller().scrollTop < 150) loadOlder(conv);
      scheduleRead();
    }, { passive: true });
    $("jump-latest").addEventListener("click", scrollToBottom);

    $("sidebar-open").addEventListener("click", openSidebar);
    $("sidebar-close").addEventListener("click", closeSidebar);
    $("scrim").addEventListener("click", () => {
      closeSidebar();
      closeMembersOverlay();
    });
    $("members-toggle").addEventListener("click", toggleMembers);
    $("members-close").addEventListener("click", toggleMembers);
    $("banner-retry").addEventListener("click", () => S.conn && S.conn.retryNow());

    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        scheduleRead();
        refreshRooms();
      }
    });
    window.addEventListener("online", () => S.conn && S.conn.retryNow());
    window.addEventListener("resize", () => {
      const conv = activeConv();
      if (conv && conv.stickBottom) scrollToBottom();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        closeSidebar();
        closeMembersOverlay();
      }
    });
  }

  async function init() {
    wire();
    document.body.dataset.members = window.matchMedia("(min-width: 1100px)").matches ? "open" : "closed";
    $("members-toggle").setAttribute("aria-expanded", String(document.body.dataset.members === "open"));
    const params = new URLSearchParams(location.search);
    let saved = {};
    try {
      saved = { nick: localStorage.getItem("rabbitchat.nick"), transport: localStorage.getItem("rabbitchat.transport") };
    } catch (_) { /* private mode */ }
    if (params.get("nick") || saved.nick) $("nick").value = params.get("nick") || saved.nick;
    if (params.get("room")) $("first-room").value = params.get("room");
    const wanted = params.get("transport") || saved.transport;
    const select = $("transport");
    if (wanted && [...select.options].some((o) => o.value === wanted)) select.value = wanted;
    setAuthMode("guest");
    probeAccounts();
    const restored = params.get("nick") ? null : loadSession();
    if (restored) {
      // A reload: sign straight back in with the same name, rooms and transport.
      S.restore = restored;
      S.restoreAttempts = 0;
      S.auth = restored.auth;
      S.transport = restored.transport || "websocket";
      if (restored.auth.nick) $("nick").value = restored.auth.nick;
      $("signin-submit").disabled = true;
      $("signin-submit").textContent = "Reconnecting…";
      connect();
    }
    const hint = $("transport-hint");
    const sockjs = await window.RabbitConnection.probeSockJS();
    for (const option of $("sockjs-options").querySelectorAll("option")) option.disabled = !sockjs;
    if (!sockjs) {
      if (select.value.startsWith("sockjs")) select.value = "websocket";
      hint.textContent = "SockJS is not offered by this server; WebSocket it is.";
    } else {
      hint.textContent = "Pick a SockJS transport if WebSocket is blocked where you are.";
    }
    document.body.dataset.sockjs = String(sockjs);
    if (!$("nick").value) $("nick").focus();
  }

  init();
})();
