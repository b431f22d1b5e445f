// RabbitChat rooms as stored objects (docs/PROTOCOL.md, "Rooms and moderation"): a room's topic,
// visibility and roles (`room`, `member`), moderation events in the message stream (shown as
// notices, never as chat bubbles), being removed (`left` with a reason) or muted, and the
// controls for it: room details and settings, invitations, and kick / ban / mute / roles from
// the member list, each behind a confirmation.

import { NAME, S, keyOf, activeConv, sameName, isBlocked } from "./state.js";
import { h } from "./ui.js";
import { describeError } from "./errors.js";
import { renderAll, renderHeader, renderMembers, toast } from "./rendering.js";
import { joinRoom, refreshRooms } from "./rooms.js";
import { ask } from "./requests.js";
import { openDialog, closeDialog, isOpen, confirmAction } from "./dialogs.js";
import { renderInvitations } from "./directory.js";
import { isRegistered, blockUser, unblockUser } from "./blocks.js";

const $ = (id) => document.getElementById(id);

/// Roles in order of power; a moderator acts only on lower roles, an admin on anyone.
const RANK = { member: 1, moderator: 2, owner: 3, admin: 4 };
export const VISIBILITY_WORDS = {
  public: "Public: anyone can find and join it.",
  invite: "Invite only: listed in the directory, but only invited people can join.",
  private: "Private: not listed, and only invited people can join.",
};
const VISIBILITY_NAMES = { public: "public", invite: "invite-only", private: "private" };
const BAN_DURATIONS = [["For good", null], ["1 hour", 3600e3], ["1 day", 86400e3], ["1 week", 7 * 86400e3]];
const MUTE_DURATIONS = [["10 minutes", 600e3], ["1 hour", 3600e3], ["1 day", 86400e3], ["Until unmuted", null]];
/// setTimeout takes at most 2³¹−1 ms (about 24.8 days); a longer mute is checked again then.
const MAX_TIMER_MS = 2147483647;

// ---------------------------------------------------------------------------------------
// State

/// The role `user` holds in `conv`, as far as this page knows (`member` when unknown).
export function roleOf(conv, user) {
  if (sameName(user, S.me)) return myRole(conv);
  const entry = conv.roster.get(String(user).toLowerCase());
  return entry ? entry.role : "member";
}

/// Our own role in `conv`: `admin` for a server admin, else what `room`/`welcome` said.
export function myRole(conv) {
  if (S.admin) return "admin";
  const entry = conv.roster.get(String(S.me).toLowerCase());
  return conv.role || (entry ? entry.role : "member");
}

function rank(role) {
  return RANK[role] || 1;
}

/// Owners, moderators and admins may invite, kick, ban and mute, and change the topic.
export function canModerate(conv) {
  return conv.kind === "room" && S.registered && rank(myRole(conv)) >= RANK.moderator;
}

/// Kick, ban and mute reach only roles below ours (an admin reaches every one).
export function canModerateUser(conv, user) {
  if (!canModerate(conv) || sameName(user, S.me)) return false;
  const mine = myRole(conv);
  return mine === "admin" || rank(mine) > rank(roleOf(conv, user));
}

/// Owners and admins change the visibility and give roles.
export function canManage(conv) {
  return conv.kind === "room" && S.registered && rank(myRole(conv)) >= RANK.owner;
}

/// A `room` frame (an answer to `room_create`, `room_update` or `room_info`): the room's state,
/// our role, and for `room_info` its stored members with their roles (moderators: bans, mutes).
export function onRoom(f) {
  if (typeof f.room !== "string" || !NAME.test(f.room)) return;
  const lower = f.room.toLowerCase();
  const mine = S.myRooms.get(lower);
  if (mine) Object.assign(mine, pick(f, ["topic", "visibility", "role"]), { name: f.room });
  const conv = S.convs.get(keyOf("room", f.room));
  if (!conv) return;
  conv.name = f.room;
  if (typeof f.topic === "string") conv.topic = f.topic;
  if (typeof f.visibility === "string") conv.visibility = f.visibility;
  if (typeof f.creator === "string") conv.creator = f.creator;
  if (typeof f.role === "string") conv.role = f.role;
  // `retentionDays` is present only for a room with its own retention; `room_info` and
  // `room_update` always say, so its absence there means "the server's setting".
  if (Number.isInteger(f.retentionDays)) conv.retentionDays = f.retentionDays;
  else if (f.ref === "room_info" || f.ref === "room_update") conv.retentionDays = null;
  if (Array.isArray(f.members)) {
    conv.roster = new Map();
    for (const m of f.members) {
      if (m && typeof m.user === "string") conv.roster.set(m.user.toLowerCase(), { user: m.user, role: m.role || "member" });
    }
  }
  if (Array.isArray(f.bans)) conv.bans = f.bans.filter((b) => b && typeof b.user === "string");
  if (Array.isArray(f.mutes)) conv.mutes = f.mutes.filter((b) => b && typeof b.user === "string");
  conv.infoLoaded = true;
  if (conv === activeConv()) renderAll();
  if (isOpen("room-dialog") && roomDialogConv === conv) renderRoomDialog();
}

function pick(f, keys) {
  const out = {};
  for (const k of keys) if (typeof f[k] === "string") out[k] = f[k];
  return out;
}

/// A `member` frame: one member's change, answering our own moderation frame.
export function onMember(f) {
  const conv = S.convs.get(keyOf("room", f.room || ""));
  if (!conv || typeof f.user !== "string") return;
  applyChange(conv, { action: { invited: "invite", kicked: "kick", banned: "ban", unbanned: "unban", muted: "mute", unmuted: "unmute", role: "role" }[f.change],
    user: f.user, role: f.role, until: f.until, reason: f.reason, by: f.by });
}

/// Stores what a moderation event or a `member` frame changed (idempotent: both arrive).
function applyChange(conv, e) {
  const lower = String(e.user || "").toLowerCase();
  const me = sameName(e.user, S.me);
  switch (e.action) {
    case "topic":
      if (typeof e.topic === "string") conv.topic = e.topic;
      break;
    case "visibility":
      if (typeof e.visibility === "string") conv.visibility = e.visibility;
      break;
    case "role":
      if (lower && typeof e.role === "string") {
        conv.roster.set(lower, { user: e.user, role: e.role });
        if (me) conv.role = e.role;
      }
      break;
    case "kick":
    case "ban":
      conv.roster.delete(lower);
      if (e.action === "ban") {
        conv.bans = conv.bans.filter((b) => !sameName(b.user, e.user));
        conv.bans.push({ user: e.user, until: e.until, reason: e.reason });
      }
      if (me) lockConv(conv, { kind: e.action === "ban" ? "banned" : "kicked", by: e.by, until: e.until, reason: e.reason });
      break;
    case "unban":
      conv.bans = conv.bans.filter((b) => !sameName(b.user, e.user));
      break;
    case "mute":
      conv.mutes = conv.mutes.filter((b) => !sameName(b.user, e.user));
      conv.mutes.push({ user: e.user, until: e.until });
      if (me) lockConv(conv, { kind: "muted", by: e.by, until: e.until });
      break;
    case "unmute":
      conv.mutes = conv.mutes.filter((b) => !sameName(b.user, e.user));
      if (me && conv.lock && conv.lock.kind === "muted") unlockConv(conv);
      break;
    default:
      return;
  }
  if (conv === activeConv()) {
    renderHeader();
    renderMembers();
    renderComposerLock();
  }
  if (isOpen("room-dialog") && roomDialogConv === conv) renderRoomDialog();
}

/// A moderation event (`message` with `event`) that arrived live or in a rejoin's backlog:
/// the room's state follows it. Older history pages are shown but change nothing.
export function applyEvent(conv, m) {
  if (!m.event || typeof m.event !== "object") return;
  applyChange(conv, Object.assign({}, m.event, { by: m.from }));
}

/// What a moderation event says, for people: "alice banned mallory until Tue 14:05: spam".
/// Unknown actions fall back to the server's own sentence.
export function eventSentence(m) {
  const e = m.event || {};
  const by = sameName(m.from, S.me) ? "You" : m.from;
  const who = sameName(e.user, S.me) ? "you" : e.user;
  const until = e.until ? " until " + formatUntil(e.until) : "";
  const reason = e.reason ? ": " + e.reason : "";
  switch (e.action) {
    case "topic": return e.topic ? by + " changed the topic to “" + e.topic + "”" : by + " cleared the topic";
    case "visibility": return by + " made the room " + (VISIBILITY_NAMES[e.visibility] || e.visibility);
    case "invite": return by + " invited " + who;
    case "kick": return by + " removed " + who + " from the room" + reason;
    case "ban": return by + " banned " + who + until + reason;
    case "unban": return by + " lifted the ban on " + who;
    case "mute": return by + " muted " + who + until + reason;
    case "unmute": return by + " unmuted " + who;
    case "role": return by + " made " + who + " " + (e.role === "owner" ? "an owner" : "a " + (e.role || "member"));
    default: return typeof m.text === "string" ? m.text : "";
  }
}

/// A time in the near future as a person reads it: "14:05" today, "Tue 3 Dec, 14:05" later.
export function formatUntil(ms) {
  const d = new Date(ms);
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : d.toLocaleString([], { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

// ---------------------------------------------------------------------------------------
// Being removed or muted: the composer says why and takes no text.

/// Marks `conv` as closed to our messages: `kind` is `banned`, `kicked`, `not_invited` or
/// `muted` (a mute ends by itself at `until`).
export function lockConv(conv, lock) {
  clearTimeout(conv.lockTimer);
  conv.lock = lock;
  if (lock.kind === "muted" && lock.until) {
    const wait = lock.until - Date.now();
    if (wait <= 0) {
      conv.lock = null;
    } else {
      conv.lockTimer = setTimeout(() => {
        if (conv.lock === lock) {
          if (lock.until > Date.now()) lockConv(conv, lock);
          else unlockConv(conv);
        }
      }, Math.min(wait + 250, MAX_TIMER_MS));
    }
  }
  if (conv === activeConv()) renderComposerLock();
}

export function unlockConv(conv) {
  clearTimeout(conv.lockTimer);
  conv.lock = null;
  if (conv === activeConv()) renderComposerLock();
}

/// `left` for a room: after our own `leave` nothing to do; with a `reason` (`kicked`, `banned`)
/// a moderator removed us: the room stays on screen with the reason, and is not rejoined.
export function onLeft(f) {
  const conv = S.convs.get(keyOf("room", f.room || ""));
  if (conv && (f.reason === "banned" || f.reason === "kicked")) {
    conv.joined = false;
    conv.wantJoined = false;
    conv.members = new Set();
    conv.online = 0;
    S.myRooms.delete(conv.name.toLowerCase());
    const until = conv.lock && conv.lock.until;
    lockConv(conv, { kind: f.reason, by: f.by, until: f.reason === "banned" ? until : undefined, reason: conv.lock && conv.lock.reason });
    renderAll();
  }
  refreshRooms();
}

/// A send refused with `muted` or `banned`: the composer says so until it ends.
export function onRefusedSend(conv, f) {
  if (conv.kind !== "room") return;
  if (f.code === "muted") {
    let until = typeof f.until === "number" ? f.until : null;
    const match = /until (\d{11,})/.exec(f.message || "");
    if (until === null && match) until = Number(match[1]);
    lockConv(conv, { kind: "muted", until });
  } else if (f.code === "banned") {
    conv.wantJoined = false;
    lockConv(conv, { kind: "banned" });
  }
}

/// The active lock of `conv` (an ended mute is no lock).
export function lockOf(conv) {
  if (!conv || !conv.lock) return null;
  if (conv.lock.kind === "muted" && conv.lock.until && conv.lock.until <= Date.now()) {
    conv.lock = null;
    return null;
  }
  return conv.lock;
}

function lockSentence(conv, lock) {
  const by = lock.by && !sameName(lock.by, S.me) ? " by " + lock.by : "";
  const until = lock.until ? " until " + formatUntil(lock.until) : "";
  const reason = lock.reason ? " Reason: " + lock.reason : "";
  switch (lock.kind) {
    case "banned": return "You were banned from #" + conv.name + by + until + "." + reason;
    case "kicked": return "You were removed from #" + conv.name + by + "." + reason;
    case "not_invited": return "#" + conv.name + " is open to invited members only.";
    case "muted": return "You're muted in #" + conv.name + (lock.until ? until : "") + ". You can read, but not write.";
    case "unreachable":
      return conv.name + " is offline, and guests only get messages while connected. You can write again when they're back.";
    default: return "";
  }
}

/// Shows the active conversation's lock above the composer and disables the box and the send
/// button (with the sentence as their description), or enables them again.
export function renderComposerLock() {
  const conv = activeConv();
  const lock = lockOf(conv);
  const box = $("text");
  const bar = $("composer-lock");
  bar.hidden = !lock;
  $("composer").dataset.locked = lock ? lock.kind : "";
  box.disabled = !!lock;
  $("send").disabled = !!lock;
  const described = (box.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== "composer-lock-text");
  if (lock) {
    $("composer-lock-text").textContent = lockSentence(conv, lock);
    $("composer-rejoin").hidden = lock.kind !== "kicked";
    described.unshift("composer-lock-text");
  }
  box.setAttribute("aria-describedby", described.join(" "));
}

// ---------------------------------------------------------------------------------------
// Member actions (from the member list) and their confirmations.

/// The "Actions for bob" button of a member row: moderation (kick, ban, mute, roles) as far as
/// our role reaches, and blocking.
export function memberActionsButton(conv, user) {
  const button = h("button", {
    type: "button", className: "icon-btn mod-btn", "aria-label": "Actions for " + user, title: "Actions for " + user,
    "aria-haspopup": "dialog", onclick: () => openMemberDialog(conv, user),
  });
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [k, v] of [["viewBox", "0 0 24 24"], ["width", "18"], ["height", "18"], ["aria-hidden", "true"]]) svg.setAttribute(k, v);
  for (const cx of [5, 12, 19]) {
    const dot = document.createElementNS(ns, "circle");
    dot.setAttribute("cx", String(cx));
    dot.setAttribute("cy", "12");
    dot.setAttribute("r", "1.8");
    dot.setAttribute("fill", "currentColor");
    svg.appendChild(dot);
  }
  button.appendChild(svg);
  return button;
}

/// A role as a label ("Owner"), or null for a plain member.
export function roleLabel(role) {
  return { owner: "Owner", moderator: "Moderator", admin: "Admin" }[role] || null;
}

function openMemberDialog(conv, user) {
  const role = roleOf(conv, user);
  $("member-dialog-title").textContent = user;
  $("member-dialog-role").textContent = (roleLabel(role) || "Member") + " of #" + conv.name;
  const actions = [];
  const act = (label, handler, danger) => h("button", {
    type: "button", className: "btn " + (danger ? "btn-danger-ghost" : "btn-ghost"), onclick: handler,
  }, label);
  if (canModerateUser(conv, user)) {
    const muted = conv.mutes.some((m) => sameName(m.user, user) && (!m.until || m.until > Date.now()));
    actions.push(act("Remove from room…", () => moderate(conv, user, "kick"), true));
    actions.push(act("Ban…", () => moderate(conv, user, "ban"), true));
    actions.push(muted ? act("Unmute…", () => moderate(conv, user, "unmute")) : act("Mute…", () => moderate(conv, user, "mute")));
  }
  if (canManage(conv) && !sameName(user, S.me)) {
    if (role !== "moderator") actions.push(act("Make moderator…", () => moderate(conv, user, "set_role", "moderator")));
    if (role !== "member") actions.push(act("Make member…", () => moderate(conv, user, "set_role", "member")));
    if (role !== "owner") actions.push(act("Make owner…", () => moderate(conv, user, "set_role", "owner")));
  }
  if (isRegistered() && !sameName(user, S.me)) {
    actions.push(isBlocked(user) ? act("Unblock", () => { closeDialog("member-dialog"); unblockUser(user); })
      : act("Block…", () => confirmBlock(user), true));
  }
  $("member-actions").replaceChildren(...actions);
  openDialog("member-dialog");
}

function confirmBlock(user) {
  confirmAction({
    title: "Block " + user + "?", confirm: "Block", danger: true,
    text: "You won't see their room messages, and they can't send you direct messages. You can unblock them from the blocked people list.",
  }, async () => blockUser(user));
}

const ACTIONS = {
  kick: { title: (u, r) => "Remove " + u + " from #" + r + "?", confirm: "Remove", danger: true, reason: true,
    text: (u) => u + " can join again unless the room is invite only." },
  ban: { title: (u, r) => "Ban " + u + " from #" + r + "?", confirm: "Ban", danger: true, reason: true, durations: BAN_DURATIONS,
    text: (u) => u + " is removed now and can't rejoin or read the room's history while the ban lasts." },
  unban: { title: (u, r) => "Lift the ban on " + u + " in #" + r + "?", confirm: "Lift ban", text: (u) => u + " may join again." },
  mute: { title: (u, r) => "Mute " + u + " in #" + r + "?", confirm: "Mute", danger: true, durations: MUTE_DURATIONS,
    text: (u) => u + " can still read the room, but can't write in it." },
  unmute: { title: (u, r) => "Unmute " + u + " in #" + r + "?", confirm: "Unmute", text: (u) => u + " can write in the room again." },
  set_role: { title: (u, r, role) => "Make " + u + " " + (role === "owner" ? "an owner" : "a " + role) + " of #" + r + "?",
    confirm: "Change role",
    text: (u, role) => ({ owner: "Owners can change everything about the room, including roles.",
      moderator: "Moderators can invite, remove, ban and mute members, and change the topic.",
      member: "Members can read and write." })[role] },
};

/// Asks to confirm one moderation action, then sends it; the dialog stays open with the reason
/// when the server refuses.
export function moderate(conv, user, type, role) {
  const spec = ACTIONS[type];
  return confirmAction({
    title: spec.title(user, conv.name, role), text: spec.text(user, role), confirm: spec.confirm, danger: spec.danger,
    reason: spec.reason, durations: spec.durations,
  }, async (choice) => {
    const frame = { type, room: conv.name, user };
    if (role) frame.role = role;
    if (spec.reason && choice.reason) frame.reason = choice.reason;
    if (spec.durations && choice.duration) frame.until = Date.now() + choice.duration;
    const answer = await ask(frame);
    return answer.type === "error" ? describeError(answer.code) : null;
  });
}

// ---------------------------------------------------------------------------------------
// Room details: topic and visibility (owners change them), invitations, bans and mutes.

let roomDialogConv = null;

/// Opens the details of the active room (asking `room_info` for fresh roles, bans and mutes).
export function openRoomDialog(focusInvite) {
  const conv = activeConv();
  if (!conv || conv.kind !== "room") return;
  roomDialogConv = conv;
  $("room-settings-error").textContent = "";
  $("invite-status").textContent = "";
  $("room-topic").value = conv.topic || "";
  $("room-visibility").value = conv.visibility || "public";
  renderRoomDialog();
  openDialog("room-dialog", focusInvite && canModerate(conv) ? "invite-name" : null);
  if (S.welcomed) ask({ type: "room_info", room: conv.name });
}

export function renderRoomDialog() {
  const conv = roomDialogConv;
  if (!conv) return;
  $("room-dialog-title").textContent = "#" + conv.name;
  const meta = [];
  if (conv.visibility) meta.push(VISIBILITY_WORDS[conv.visibility] || conv.visibility);
  if (conv.creator) meta.push("Created by " + conv.creator + ".");
  if (Number.isInteger(conv.retentionDays)) {
    meta.push(conv.retentionDays === 0 ? "Messages are kept forever." : "Messages are kept for " + conv.retentionDays + " days.");
  }
  meta.push("Your role: " + (roleLabel(myRole(conv)) || "Member").toLowerCase() + ".");
  $("room-dialog-meta").textContent = meta.join(" ");
  const topic = $("room-topic");
  const visibility = $("room-visibility");
  const editTopic = canModerate(conv);
  const editVisibility = canManage(conv);
  // Fields not being edited follow the room's state as it changes.
  if (document.activeElement !== topic) topic.value = conv.topic || "";
  if (document.activeElement !== visibility) visibility.value = conv.visibility || "public";
  topic.readOnly = !editTopic;
  visibility.disabled = !editVisibility;
  // Retention is the operator's policy: only server admins see the field.
  const editRetention = S.admin === true;
  const retention = $("room-retention");
  $("room-retention-row").hidden = !editRetention;
  if (document.activeElement !== retention) retention.value = Number.isInteger(conv.retentionDays) ? String(conv.retentionDays) : "";
  $("room-save-row").hidden = !(editTopic || editVisibility || editRetention);
  $("room-settings-hint").textContent = editVisibility ? "" : editTopic ? "Moderators can change the topic; the owner decides who can join."
    : "Only the room's owner and moderators can change these.";
  $("invite-section").hidden = !canModerate(conv);
  const moderator = canModerate(conv);
  $("bans-section").hidden = !moderator || conv.bans.length === 0;
  $("mutes-section").hidden = !moderator || conv.mutes.length === 0;
  $("ban-list").replaceChildren(...conv.bans.map((b) => h("li", { className: "plain-item" },
    h("span", { className: "plain-name", text: b.user + (b.until ? " · until " + formatUntil(b.until) : "") + (b.reason ? " · " + b.reason : "") }),
    h("button", { type: "button", className: "btn btn-small btn-ghost", "aria-label": "Lift the ban on " + b.user,
      onclick: () => moderate(conv, b.user, "unban") }, "Lift ban"))));
  $("mute-list").replaceChildren(...conv.mutes.map((m) => h("li", { className: "plain-item" },
    h("span", { className: "plain-name", text: m.user + (m.until ? " · until " + formatUntil(m.until) : "") }),
    h("button", { type: "button", className: "btn btn-small btn-ghost", "aria-label": "Unmute " + m.user,
      onclick: () => moderate(conv, m.user, "unmute") }, "Unmute"))));
}

function scalarLength(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

async function saveRoomSettings(event) {
  event.preventDefault();
  const conv = roomDialogConv;
  if (!conv) return;
  const frame = { type: "room_update", room: conv.name };
  const topic = $("room-topic").value.trim();
  const visibility = $("room-visibility").value;
  if (canModerate(conv) && topic !== (conv.topic || "")) frame.topic = topic;
  if (canManage(conv) && visibility !== (conv.visibility || "public")) frame.visibility = visibility;
  const error = $("room-settings-error");
  const days = $("room-retention").value.trim();
  if (S.admin === true && days !== "") {
    const value = Number(days);
    if (!Number.isInteger(value) || value < 0 || value > 36500) {
      error.textContent = "Keep messages for 0 (forever) to 36500 days.";
      return;
    }
    if (value !== conv.retentionDays) frame.retentionDays = value;
  }
  if (frame.topic === undefined && frame.visibility === undefined && frame.retentionDays === undefined) {
    closeDialog("room-dialog");
    return;
  }
  if (frame.topic !== undefined && scalarLength(frame.topic) > 200) {
    error.textContent = "A topic can have at most 200 characters.";
    return;
  }
  $("room-save").disabled = true;
  const answer = await ask(frame);
  $("room-save").disabled = false;
  if (answer.type === "error") {
    error.textContent = describeError(answer.code);
    return;
  }
  error.textContent = "";
  closeDialog("room-dialog");
  toast("Saved the settings of #" + conv.name + ".");
}

async function sendInvite(event) {
  event.preventDefault();
  const conv = roomDialogConv;
  const input = $("invite-name");
  const status = $("invite-status");
  const user = input.value.trim();
  if (!conv) return;
  if (!NAME.test(user)) {
    status.textContent = describeError("invalid_name");
    input.setAttribute("aria-invalid", "true");
    return;
  }
  input.removeAttribute("aria-invalid");
  $("invite-submit").disabled = true;
  status.textContent = "Inviting " + user + "…";
  const answer = await ask({ type: "invite", room: conv.name, user });
  $("invite-submit").disabled = false;
  if (answer.type === "error") {
    status.textContent = describeError(answer.code);
    input.setAttribute("aria-invalid", "true");
    return;
  }
  status.textContent = "Invited " + (answer.user || user) + ". They can join #" + conv.name + " now.";
  input.value = "";
}

/// An `invited` frame: someone invited us to a room; the sidebar offers it until we join or
/// dismiss it.
export function onInvited(f) {
  if (typeof f.room !== "string" || !NAME.test(f.room)) return;
  S.invitations.set(f.room.toLowerCase(), { room: f.room, by: typeof f.by === "string" ? f.by : null });
  renderInvitations();
  toast((f.by ? f.by + " invited you" : "You were invited") + " to #" + f.room + ".");
}

export function wireModeration() {
  $("room-info-btn").addEventListener("click", () => openRoomDialog(false));
  $("invite-open").addEventListener("click", () => openRoomDialog(true));
  $("room-settings-form").addEventListener("submit", saveRoomSettings);
  $("invite-form").addEventListener("submit", sendInvite);
  $("invite-name").addEventListener("input", () => $("invite-name").removeAttribute("aria-invalid"));
  $("composer-rejoin").addEventListener("click", () => {
    const conv = activeConv();
    if (conv && conv.kind === "room") joinRoom(conv.name);
  });
}
