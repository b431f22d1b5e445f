// RabbitChat block list (registered users): `welcome.blocked` and every `blocks` frame carry the
// whole list; `block` / `unblock` change it. The server refuses DMs from blocked users; room
// messages are encoded once for everyone, so the page hides the ones whose sender we blocked.

import { NAME, S, isBlocked } from "./state.js";
import { h } from "./ui.js";
import { describeError } from "./errors.js";
import { regroup, renderMembers, toast } from "./rendering.js";
import { ask } from "./requests.js";
import { openDialog, closeDialog, isOpen } from "./dialogs.js";

const $ = (id) => document.getElementById(id);

/// Only registered users have a block list (and roles above member).
export function isRegistered() {
  return S.registered;
}

/// Replaces the block list (`welcome.blocked`, a `blocks` frame) and shows or hides messages.
export function setBlocked(users) {
  S.blocked = new Set((Array.isArray(users) ? users : []).filter((u) => typeof u === "string").map((u) => u.toLowerCase()));
  S.blockedNames = (Array.isArray(users) ? users : []).filter((u) => typeof u === "string" && NAME.test(u));
  applyBlocks();
  renderBlockList();
  renderMembers();
}

export function onBlocks(f) {
  setBlocked(f.users);
}

/// Hides (or shows again) every room message whose sender is on the block list. The row stays
/// in the log, so its `seq` still counts for ordering and gap checks.
export function applyBlocks() {
  for (const conv of S.convs.values()) {
    if (conv.kind !== "room") continue;
    let changed = false;
    for (const row of conv.rows.values()) {
      if (!row.classList.contains("msg")) continue;
      const hide = isBlocked(row.dataset.from);
      if (row.hidden !== hide) {
        row.hidden = hide;
        changed = true;
      }
    }
    if (changed) regroup(conv);
  }
}

export function renderBlockList() {
  const names = S.blockedNames || [];
  $("block-guest").hidden = S.registered;
  $("block-intro").hidden = !S.registered;
  $("block-form").hidden = !S.registered;
  $("block-empty").hidden = !S.registered || names.length > 0;
  $("block-list").replaceChildren(...names.map((name) => h("li", { className: "plain-item", dataset: { user: name } },
    h("span", { className: "plain-name", text: name }),
    h("button", { type: "button", className: "btn btn-small btn-ghost", "aria-label": "Unblock " + name,
      onclick: () => unblockUser(name) }, "Unblock"))));
}

/// Blocks `user`; resolves with a sentence saying why not, or null once blocked.
export async function blockUser(user) {
  const answer = await ask({ type: "block", user });
  if (answer.type === "error") return describeError(answer.code);
  closeDialog("member-dialog");
  toast("You blocked " + user + ".");
  return null;
}

export async function unblockUser(user) {
  const answer = await ask({ type: "unblock", user });
  if (answer.type === "error") {
    if (isOpen("user-dialog")) $("block-status").textContent = describeError(answer.code);
    else toast(describeError(answer.code));
    return describeError(answer.code);
  }
  if (isOpen("user-dialog")) $("block-status").textContent = "Unblocked " + user + ".";
  return null;
}

export function openUserDialog() {
  $("block-status").textContent = "";
  renderBlockList();
  openDialog("user-dialog", S.registered ? "block-name" : null);
}

async function onBlockSubmit(event) {
  event.preventDefault();
  const input = $("block-name");
  const status = $("block-status");
  const user = input.value.trim();
  if (!NAME.test(user) || user.toLowerCase() === String(S.me).toLowerCase()) {
    status.textContent = NAME.test(user) ? "You can't block yourself." : describeError("invalid_name");
    input.setAttribute("aria-invalid", "true");
    return;
  }
  input.removeAttribute("aria-invalid");
  $("block-submit").disabled = true;
  const answer = await ask({ type: "block", user });
  $("block-submit").disabled = false;
  if (answer.type === "error") {
    status.textContent = describeError(answer.code);
    input.setAttribute("aria-invalid", "true");
    return;
  }
  status.textContent = "Blocked " + user + ".";
  input.value = "";
}

export function wireBlocks() {
  $("user-menu-btn").addEventListener("click", openUserDialog);
  $("block-form").addEventListener("submit", onBlockSubmit);
  $("block-name").addEventListener("input", () => $("block-name").removeAttribute("aria-invalid"));
}
