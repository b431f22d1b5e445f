// RabbitChat browser notifications, opt-in: with the bell on, a mention of us or a direct
// message that arrives while the tab is hidden shows a system notification (the Notification
// API). The browser's permission is asked only when someone turns the bell on, never at load;
// the choice is kept in this browser (localStorage), and clicking a notification opens its
// conversation.

import { S, sameName, isBlocked } from "./state.js";
import { toast } from "./rendering.js";
import { activate } from "./rooms.js";
import { mentionsMe } from "./readstate.js";

const STORAGE_KEY = "rabbitchat.notifications";
/// A notification shows at most this much of the text.
const MAX_BODY = 140;

const $ = (id) => document.getElementById(id);

function supported() {
  return typeof window.Notification === "function";
}

/// Whether notifications are on: chosen here, and still allowed by the browser.
export function notificationsOn() {
  return supported() && Notification.permission === "granted" && localStorage.getItem(STORAGE_KEY) === "on";
}

function render() {
  const button = $("notify-toggle");
  if (!button) return;
  const on = notificationsOn();
  button.setAttribute("aria-pressed", on ? "true" : "false");
  const label = on ? "Notifications on: mentions and direct messages while this tab is hidden" : "Turn on notifications";
  button.setAttribute("aria-label", label);
  button.title = label;
}

async function toggle() {
  if (notificationsOn()) {
    localStorage.setItem(STORAGE_KEY, "off");
    render();
    return;
  }
  if (!supported()) {
    toast("This browser can't show notifications.");
    return;
  }
  // The only place the permission is asked: someone just asked for notifications.
  const permission = Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
  if (permission !== "granted") {
    toast("Notifications are blocked for this site. Allow them in the browser's site settings.");
    render();
    return;
  }
  localStorage.setItem(STORAGE_KEY, "on");
  render();
}

/// A live `message` frame of `conv`: notifies when the bell is on, the tab is hidden, and it is
/// a DM or mentions us (never our own, a room event, or someone we block).
export function maybeNotify(conv, m) {
  if (!notificationsOn() || !document.hidden) return;
  if (!m || m.event || m.update || sameName(m.from, S.me) || isBlocked(m.from)) return;
  if (conv.kind !== "dm" && !mentionsMe(m)) return;
  const title = conv.kind === "dm" ? m.from : m.from + " in #" + conv.name;
  const text = String(m.text || "");
  const body = text.length > MAX_BODY ? text.slice(0, MAX_BODY - 1) + "…" : text;
  try {
    // One notification per conversation: a newer one replaces the last (`tag`).
    const notification = new Notification(title, { body, tag: conv.key });
    notification.onclick = () => {
      window.focus();
      if (S.convs.has(conv.key)) activate(conv.key);
      notification.close();
    };
  } catch (_) {
    // Some browsers allow notifications only from a service worker: nothing to show then.
  }
}

export function wireNotifications() {
  const button = $("notify-toggle");
  if (!button) return;
  button.addEventListener("click", toggle);
  render();
}
