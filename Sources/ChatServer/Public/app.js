// RabbitChat web client entry point: wires the page's controls to the modules and starts.
// See docs/UI.md for the modules and docs/PROTOCOL.md for the frames.

import { S, activeConv, loadSession, clearSession } from "./state.js";
import { probeSockJS } from "./connection.js";
import {
  scroller, isNearBottom, scrollToBottom, openSidebar, closeSidebar, toggleMembers, setMembersOpen, closeMembersOverlay,
  keepBottomOnResize,
} from "./rendering.js";
import { clearJoinError, closeConv, loadOlder, scheduleRead, refreshRooms } from "./rooms.js";
import { wireDialogs } from "./dialogs.js";
import { joinFromBox, wireDirectory } from "./directory.js";
import { wireModeration } from "./moderation.js";
import { wireBlocks } from "./blocks.js";
import { wireLifecycle } from "./lifecycle.js";
import { onComposerInput, stopTyping, submitComposer } from "./composer.js";
import { setAuthMode, logout, onSignin, unmarkOnInput } from "./accounts.js";
import { connect } from "./session.js";
import { wireSearch } from "./search.js";
import { wireFiles } from "./files.js";

const $ = (id) => document.getElementById(id);

function wire() {
  wireSearch();
  $("signin-form").addEventListener("submit", onSignin);
  for (const tab of document.querySelectorAll("#auth-tabs .tab")) tab.addEventListener("click", () => setAuthMode(tab.dataset.mode));

  unmarkOnInput();

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    submitComposer();
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
    joinFromBox();
  });
  $("join-room").addEventListener("input", clearJoinError);
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
  wireDialogs();
  wireDirectory();
  wireModeration();
  wireBlocks();
  wireLifecycle();

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
    if (event.key === "Escape" && !document.querySelector("dialog[open]")) {
      closeSidebar();
      closeMembersOverlay();
    }
  });
}

async function init() {
  wire();
  wireFiles();
  keepBottomOnResize();
  setMembersOpen(window.matchMedia("(min-width: 1100px)").matches);
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
  // Only `/sockjs/info` is asked here; sockjs-client itself loads when a SockJS transport is
  // actually used (connection.js).
  const sockjs = await probeSockJS();
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
