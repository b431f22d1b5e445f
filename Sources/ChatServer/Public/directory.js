// RabbitChat finding and making rooms: the join box (which asks before creating a room nobody
// has made yet, so a typo does not silently become a new room), the Create a room dialog
// (name, topic, visibility), the room directory (`GET /api/rooms`, searched by name) and the
// invitations we received.

import { NAME, S, keyOf } from "./state.js";
import { h } from "./ui.js";
import { describeError } from "./errors.js";
import { joinRoom, showJoinError, clearJoinError, refreshRooms } from "./rooms.js";
import { ask } from "./requests.js";
import { openDialog, closeDialog, isOpen } from "./dialogs.js";
import { VISIBILITY_WORDS, onRoom } from "./moderation.js";

const $ = (id) => document.getElementById(id);

let promptedName = null; // the unknown room the join box asks about

/// A room we know exists, by any spelling: one we are in, one listed by the directory, one of
/// our stored rooms, or one we were invited to. Returns its stored spelling, or null.
export function knownRoom(name) {
  const lower = name.toLowerCase();
  const conv = S.convs.get(keyOf("room", name));
  if (conv) return conv.name;
  const listed = S.browse.find((r) => r.name.toLowerCase() === lower);
  if (listed) return listed.name;
  if (S.myRooms.has(lower)) return S.myRooms.get(lower).name;
  if (S.invitations.has(lower)) return S.invitations.get(lower).room;
  return null;
}

/// The join box: joins a room that exists; for a name the server does not know (`room_info`
/// answers `no_such_room`), asks "There's no room #lobyy. Create it?" first. Servers without
/// stored rooms (no `room_info`) join straight away, as before.
export async function joinFromBox() {
  const box = $("join-room");
  const name = box.value.trim().replace(/^#/, "");
  hidePrompt();
  clearJoinError();
  if (!name) return;
  if (!NAME.test(name)) {
    showJoinError(describeError("invalid_room"));
    return;
  }
  const known = knownRoom(name);
  if (known || !S.welcomed) {
    if (joinRoom(known || name)) box.value = "";
    return;
  }
  $("join-submit").setAttribute("aria-busy", "true");
  const answer = await ask({ type: "room_info", room: name });
  $("join-submit").removeAttribute("aria-busy");
  if (box.value.trim().replace(/^#/, "") !== name) return; // the person typed on meanwhile
  if (answer.type === "error" && answer.code === "no_such_room") {
    showPrompt(name);
    return;
  }
  // A `room` answer (it exists), `forbidden` (it exists but is not open to us: `join` says
  // why), or a server that has no `room_info`: join, and let the answer speak.
  if (joinRoom(answer.type === "room" && typeof answer.room === "string" ? answer.room : name)) box.value = "";
}

function showPrompt(name) {
  promptedName = name;
  $("join-prompt-text").textContent = "There's no room #" + name + ". Create it?";
  $("join-create").textContent = "Create #" + name;
  $("join-prompt").hidden = false;
  $("join-create").focus();
}

export function hidePrompt() {
  promptedName = null;
  $("join-prompt").hidden = true;
}

/// Creates `name` as a public room and joins it (`room_create`: a registered creator becomes its
/// owner; a guest's room has no owner).
async function createFromPrompt() {
  const name = promptedName;
  if (!name) return;
  hidePrompt();
  const problem = await createRoom(name, "", "public");
  if (problem) {
    showJoinError(problem);
    return;
  }
  $("join-room").value = "";
}

/// Creates a room and joins it; resolves with a sentence saying why not, or null.
export async function createRoom(name, topic, visibility) {
  if (!S.registered && visibility !== "public") return describeError("guest_only_public");
  const frame = { type: "room_create", room: name };
  if (topic) frame.topic = topic;
  if (visibility !== "public") frame.visibility = visibility;
  const answer = await ask(frame);
  if (answer.type === "error") {
    // A server without stored rooms, or one that leaves making rooms to accounts, still creates
    // a public room on the first join.
    const byJoin = answer.code === "unknown_type" || (answer.code === "forbidden" && !S.registered);
    if (byJoin && visibility === "public" && !topic) return joinRoom(name) ? null : describeError("invalid_room");
    return describeError(answer.code);
  }
  const stored = typeof answer.room === "string" && NAME.test(answer.room) ? answer.room : name;
  S.myRooms.set(stored.toLowerCase(), { name: stored, topic: answer.topic || "", visibility: answer.visibility || visibility, role: answer.role || "owner" });
  joinRoom(stored);
  onRoom(answer); // the new conversation learns its topic, visibility and our role
  refreshRooms();
  return null;
}

// ---------------------------------------------------------------------------------------
// Create a room

export function openCreateDialog(name) {
  $("create-name").value = name || "";
  $("create-topic").value = "";
  $("create-visibility").value = "public";
  $("create-error").textContent = "";
  $("create-name").removeAttribute("aria-invalid");
  // Guests create public rooms only; private and invite-only ones need an account.
  $("create-visibility").disabled = !S.registered;
  describeVisibility();
  openDialog("create-dialog", name ? "create-topic" : "create-name");
  if (!S.registered) $("create-visibility-hint").textContent = describeError("guest_only_public");
}

function describeVisibility() {
  $("create-visibility-hint").textContent = VISIBILITY_WORDS[$("create-visibility").value] || "";
}

async function onCreateSubmit(event) {
  event.preventDefault();
  const name = $("create-name").value.trim().replace(/^#/, "");
  const topic = $("create-topic").value.trim();
  const visibility = $("create-visibility").value;
  const error = $("create-error");
  if (!NAME.test(name)) {
    error.textContent = describeError("invalid_room");
    $("create-name").setAttribute("aria-invalid", "true");
    $("create-name").focus();
    return;
  }
  if ([...topic].length > 200) {
    error.textContent = "A topic can have at most 200 characters.";
    return;
  }
  const existing = knownRoom(name);
  if (existing && S.convs.has(keyOf("room", name))) {
    error.textContent = describeError("room_exists");
    $("create-name").setAttribute("aria-invalid", "true");
    return;
  }
  $("create-submit").disabled = true;
  const problem = await createRoom(name, topic, visibility);
  $("create-submit").disabled = false;
  if (problem) {
    error.textContent = problem;
    $("create-name").setAttribute("aria-invalid", "true");
    return;
  }
  closeDialog("create-dialog");
}

// ---------------------------------------------------------------------------------------
// The room directory

export async function openDirectory() {
  $("directory-search").value = "";
  renderDirectory();
  openDialog("directory-dialog", "directory-search");
  await refreshRooms();
  if (isOpen("directory-dialog")) renderDirectory();
}

/// The directory's rooms whose name contains the search (any case), best matches first.
export function renderDirectory() {
  const query = $("directory-search").value.trim().replace(/^#/, "").toLowerCase();
  const rooms = S.browse.filter((r) => r.name.toLowerCase().includes(query));
  rooms.sort((a, b) => (a.name.toLowerCase().startsWith(query) ? 0 : 1) - (b.name.toLowerCase().startsWith(query) ? 0 : 1)
    || a.name.localeCompare(b.name));
  const status = $("directory-status");
  status.textContent = S.browse.length === 0 ? "No rooms yet. Create the first one."
    : rooms.length === 0 ? "No room matches “" + query + "”." : rooms.length + (rooms.length === 1 ? " room" : " rooms");
  const items = rooms.map((r) => {
    const joined = S.convs.get(keyOf("room", r.name));
    const details = [];
    if (r.visibility === "invite") details.push("Invite only");
    details.push((r.online || 0) + " online");
    return h("li", { className: "directory-item", dataset: { room: r.name } },
      h("div", { className: "directory-text" },
        h("span", { className: "directory-name", text: "#" + r.name }),
        r.topic ? h("span", { className: "directory-topic", text: r.topic }) : null,
        h("span", { className: "directory-meta", text: details.join(" · ") })),
      h("button", {
        type: "button", className: "btn btn-small " + (joined ? "btn-ghost" : "btn-primary"),
        "aria-label": (joined ? "Open #" : "Join #") + r.name,
        onclick: () => {
          closeDialog("directory-dialog");
          joinRoom(r.name);
        },
      }, joined ? "Open" : "Join"));
  });
  if (NAME.test(query) && !S.browse.some((r) => r.name.toLowerCase() === query)) {
    items.push(h("li", { className: "directory-item directory-create" },
      h("div", { className: "directory-text" }, h("span", { className: "directory-meta", text: "Not listed? It may be private, or not made yet." })),
      h("button", { type: "button", className: "btn btn-small btn-ghost", onclick: () => {
        const typed = $("directory-search").value.trim().replace(/^#/, "");
        closeDialog("directory-dialog");
        $("join-room").value = typed;
        joinFromBox();
      } }, "Join or create #" + query)));
  }
  $("directory-list").replaceChildren(...items);
}

// ---------------------------------------------------------------------------------------
// Invitations

/// The sidebar's Invitations: each with Join and Dismiss, until acted on.
export function renderInvitations() {
  const list = $("invite-list");
  const invitations = [...S.invitations.values()].filter((i) => !(S.convs.get(keyOf("room", i.room)) || {}).joined);
  list.hidden = invitations.length === 0;
  $("invite-title").hidden = invitations.length === 0;
  list.replaceChildren(...invitations.map((i) => h("li", { className: "invite-item", dataset: { room: i.room } },
    h("span", { className: "invite-text" },
      h("span", { className: "conv-name", text: "#" + i.room }),
      h("span", { className: "invite-by", text: i.by ? "from " + i.by : "invitation" })),
    h("button", { type: "button", className: "btn btn-small btn-primary invite-join", "aria-label": "Join #" + i.room,
      onclick: () => {
        S.invitations.delete(i.room.toLowerCase());
        joinRoom(i.room);
        renderInvitations();
      } }, "Join"),
    h("button", { type: "button", className: "btn btn-small btn-side", "aria-label": "Dismiss the invitation to #" + i.room,
      onclick: () => {
        S.invitations.delete(i.room.toLowerCase());
        renderInvitations();
      } }, "Dismiss"))));
}

export function wireDirectory() {
  $("join-create").addEventListener("click", createFromPrompt);
  $("join-cancel").addEventListener("click", () => {
    hidePrompt();
    $("join-room").focus();
  });
  $("join-create-more").addEventListener("click", () => {
    const name = promptedName;
    hidePrompt();
    openCreateDialog(name);
  });
  $("join-room").addEventListener("input", hidePrompt);
  $("new-room-btn").addEventListener("click", () => openCreateDialog(""));
  $("directory-btn").addEventListener("click", openDirectory);
  $("directory-search").addEventListener("input", renderDirectory);
  $("create-form").addEventListener("submit", onCreateSubmit);
  $("create-visibility").addEventListener("change", describeVisibility);
  $("create-name").addEventListener("input", () => $("create-name").removeAttribute("aria-invalid"));
}
