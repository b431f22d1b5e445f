// RabbitChat protocol session on top of connection.js: hello (with resume), welcome, the frame
// dispatch, refusals, and what the connection state means for the page.

import { NAME, S, keyOf, activeConv, dmPeerOf, clearSession } from "./state.js";
import { Connection } from "./connection.js";
import { describeError, fieldOfError } from "./errors.js";
import { addMessage, renderNav, renderTop, renderTyping, setConnection, toast } from "./rendering.js";
import {
  ensureConv, activate, joinRoom, joinQuietly, closeConv, requestLatest, onHistory, onReceipt, onTyping, onJoined, onPresence,
  refreshRooms, showJoinError,
} from "./rooms.js";
import { flushPending, onAck, onSendError, updateCounter } from "./composer.js";
import { showSignin, showApp, chooseAuthMode } from "./accounts.js";
import { settle, failAll } from "./requests.js";
import { onRoom, onMember, onInvited, onLeft, applyEvent, lockConv } from "./moderation.js";
import { onBlocks, setBlocked, renderBlockList } from "./blocks.js";
import { onChangeAck, onChangeError } from "./lifecycle.js";
import { seedFromWelcome, onReadState } from "./readstate.js";
import { syncWatch, onStatus } from "./watch.js";
import { updateAttachButton } from "./files.js";

const $ = (id) => document.getElementById(id);

export function helloFrame() {
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

export function onOpen() {
  S.welcomed = false;
  for (const conv of S.convs.values()) conv.joined = false;
  S.conn.send(helloFrame());
}

export function onWelcome(f) {
  const reconnect = S.signedIn;
  S.me = f.user;
  S.welcomed = true;
  updateAttachButton();
  S.registered = !!f.registered;
  S.admin = f.admin === true;
  S.limits = Object.assign(S.limits, f.limits || {});
  // A registered user's stored rooms, DMs and block list: every device restores them.
  const storedRooms = (Array.isArray(f.rooms) ? f.rooms : []).filter((r) => r && typeof r.name === "string" && NAME.test(r.name));
  S.myRooms = new Map(storedRooms.map((r) => [r.name.toLowerCase(), Object.assign({}, r)]));
  if (Array.isArray(f.blocked)) setBlocked(f.blocked);
  else renderBlockList();
  S.conn.markHealthy();
  updateCounter();
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
    for (const entry of storedRooms) joinQuietly(entry.name, entry);
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
  // Rooms joined on another device meanwhile (a reconnect resumes only the ones we had).
  if (reconnect) for (const entry of storedRooms) joinQuietly(entry.name, entry);
  // The server's unread and mention counts for the rooms this page has not loaded yet.
  for (const entry of storedRooms) seedFromWelcome(S.convs.get(keyOf("room", entry.name)), entry);
  for (const peer of Array.isArray(f.dms) ? f.dms : []) {
    if (typeof peer !== "string" || !NAME.test(peer) || peer === S.me || S.convs.has(keyOf("dm", peer))) continue;
    requestLatest(ensureConv("dm", peer));
  }
  // Registered users learn their unread DMs (some sent while they were away) at hello.
  for (const entry of Array.isArray(f.unread) ? f.unread : []) {
    if (!entry || !NAME.test(entry.peer || "") || entry.peer === S.me) continue;
    const conv = ensureConv("dm", entry.peer);
    if (conv !== activeConv()) {
      conv.unread = Math.max(conv.unread, entry.count || 0);
      if (Number.isInteger(entry.mentions)) conv.mentions = Math.max(conv.mentions, entry.mentions);
    }
    conv.lastReadSent = Math.max(conv.lastReadSent, entry.readSeq || 0);
    requestLatest(conv);
  }
  setConnection("online", { reconnect });
  renderNav();
  syncWatch(true); // a new socket: the server knows no watch list yet
  refreshRooms();
}

export function onError(f) {
  if (f.cid && S.pending.has(f.cid)) {
    onSendError(f, S.pending.get(f.cid));
    return;
  }
  if (f.cid && onChangeError(f)) return; // an edit, delete or reaction refused
  if (settle(f)) return; // a room or moderation request that waits for its answer
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
          chooseAuthMode("login");
          S.auth = null;
        }
        showSignin(describeError(f.code), fieldOfError(f.code));
      } else if (f.code === "nick_taken" || f.code === "unavailable") {
        S.conn.drop(); // our previous session may not have been noticed as gone yet
      } else {
        S.conn.stop();
        showSignin(describeError(f.code), fieldOfError(f.code));
      }
      return;
    case "join": {
      if (f.code === "already_joined") return;
      // The refused room: named in the (developer's) message, else the last one we asked for.
      const match = /`([^`]+)`/.exec(f.message || "");
      const conv = S.convs.get(keyOf("room", match ? match[1] : S.lastJoinRequested));
      showJoinError(describeError(f.code, { room: conv ? conv.name : null }));
      if (conv) conv.wantJoined = false;
      // Refused for good: a room we saw stays on screen, saying why; one we never saw goes.
      if (conv && conv.loaded && (f.code === "banned" || f.code === "not_invited") && !(conv.lock && conv.lock.kind === f.code)) {
        lockConv(conv, { kind: f.code });
      }
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
    case "watch": // a server without `watch`: the dots follow shared rooms only
    case "ping":
    case "leave": // leaving a room we were no longer in: nothing to say
      return;
    default:
      toast(describeError(f.code));
  }
}

export function onFrame(f) {
  switch (f.type) {
    case "welcome": onWelcome(f); break;
    case "joined": onJoined(f); break;
    case "left": onLeft(f); break;
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
      if (f.event && conv.kind === "room") applyEvent(conv, f);
      renderNav();
      break;
    }
    case "update": {
      // A change to an earlier message: applied to it, never a row of its own, never unread.
      const conv = f.room ? S.convs.get(keyOf("room", f.room)) : S.convs.get(keyOf("dm", dmPeerOf(f)));
      if (conv) addMessage(conv, f, true);
      break;
    }
    case "room": settle(f); onRoom(f); break;
    case "member": settle(f); onMember(f); break;
    case "invited": onInvited(f); break;
    case "blocks": settle(f); onBlocks(f); break;
    case "ack": if (!onChangeAck(f)) onAck(f); break;
    case "typing": onTyping(f); break;
    case "receipt": onReceipt(f); break;
    case "read_state": onReadState(f); break;
    case "status": onStatus(f); break;
    case "history": onHistory(f); break;
    case "error": onError(f); break;
    case "pong": break;
  }
}

export function onConnState(state, detail) {
  if (state === "open") {
    // Wait for `welcome` before calling the session online.
    $("conn-text").textContent = S.signedIn ? "Resuming…" : "Signing in…";
    return;
  }
  if (state === "waiting" || state === "closed") {
    S.welcomed = false;
    failAll();
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
      showSignin(describeError("network"));
      return;
    }
  }
  setConnection(state, detail);
}

export function connect() {
  if (S.conn) S.conn.stop();
  S.conn = new Connection({
    transport: S.transport,
    onFrame,
    onOpen,
    onState: onConnState,
  });
  S.conn.start();
}
