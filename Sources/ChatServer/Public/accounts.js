// RabbitChat sign-in card: guest nicknames, registering and logging in with the account API,
// signing out, and telling a person what went wrong in words, on the field that caused it.

import { NAME, S } from "./state.js";
import { setAvatar } from "./ui.js";
import { describeError, fieldOfError } from "./errors.js";
import { connect } from "./session.js";

const $ = (id) => document.getElementById(id);

/// bcrypt reads at most 72 bytes; the server refuses passwords outside 8…72 bytes of UTF-8.
const PASSWORD_MIN_CHARACTERS = 8;
const PASSWORD_MAX_BYTES = 72;
const FIELDS = ["nick", "password", "first-room"];

let authMode = "guest";

export function setAuthMode(mode) {
  authMode = mode;
  for (const tab of document.querySelectorAll("#auth-tabs .tab")) {
    tab.setAttribute("aria-selected", String(tab.dataset.mode === mode));
  }
  $("signin-form").dataset.mode = mode;
  $("password-row").hidden = mode === "guest";
  // The rules are on screen before the first attempt, not only in the refusal.
  $("password-hint").hidden = mode !== "register";
  $("password").autocomplete = mode === "register" ? "new-password" : "current-password";
  $("nick-label-text").textContent = mode === "guest" ? "Nickname" : "Username";
  $("signin-submit").textContent = mode === "guest" ? "Join chat" : mode === "login" ? "Log in" : "Create account";
}

/// Marks the field a refusal is about (`aria-invalid`, highlighted, described by the error) and
/// unmarks the others.
function markField(field) {
  for (const id of FIELDS) {
    const input = $(id);
    const describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && x !== "signin-error");
    if (id === field) {
      input.setAttribute("aria-invalid", "true");
      describedBy.push("signin-error");
    } else {
      input.removeAttribute("aria-invalid");
    }
    if (describedBy.length > 0) input.setAttribute("aria-describedby", describedBy.join(" "));
    else input.removeAttribute("aria-describedby");
  }
}

/// Clears a field's mark as soon as the person edits it.
export function unmarkOnInput() {
  for (const id of FIELDS) {
    $(id).addEventListener("input", () => {
      if ($(id).getAttribute("aria-invalid") === "true") markField(null);
    });
  }
}

/// A refusal from the account API: its `code` picks the sentence and the field.
class AccountError extends Error {
  constructor(code) {
    super(describeError(code));
    this.code = code;
  }
}

/// `POST /api/register` and `POST /api/login` take `{"name","password"}` and answer
/// `{"user","token","expiresAt"}` (docs/STORAGE.md); errors are `{"error":{"code","message"}}`.
export async function authRequest(path, nick, password) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: nick, password }),
    });
  } catch (_) {
    throw new AccountError("network");
  }
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  if (!response.ok) {
    const code = body && body.error && typeof body.error.code === "string" ? body.error.code
      : response.status === 404 ? "no_accounts" : response.status === 429 ? "rate_limited" : "internal";
    throw new AccountError(code);
  }
  return body || {};
}

export function logout() {
  if (!S.auth || !S.auth.token) return;
  // Fire and forget: the token dies server-side; keepalive lets it finish during unload.
  fetch("/api/logout", { method: "POST", headers: { Authorization: "Bearer " + S.auth.token }, keepalive: true })
    .catch(() => {});
}

/// Checks a new password against the server's rules before sending it; null when it is fine.
function passwordProblem(password) {
  if (password.length === 0) return "Enter a password.";
  if ([...password].length < PASSWORD_MIN_CHARACTERS) return "Passwords need at least 8 characters.";
  if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES) {
    return "That password is too long for this server. Use fewer characters: accented letters and emoji count as 2 to 4.";
  }
  return null;
}

export async function onSignin(event) {
  event.preventDefault();
  const nick = $("nick").value.trim();
  const room = $("first-room").value.trim().replace(/^#/, "") || "lobby";
  $("signin-error").textContent = "";
  markField(null);
  if (!NAME.test(nick)) {
    refuse(describeError("invalid_name"), "nick");
    return;
  }
  if (!NAME.test(room)) {
    refuse(describeError("invalid_room"), "first-room");
    return;
  }
  let password = "";
  if (authMode !== "guest") {
    password = $("password").value;
    const problem = authMode === "register" ? passwordProblem(password) : password.length === 0 ? "Enter your password." : null;
    if (problem) {
      refuse(problem, "password");
      return;
    }
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
    try {
      const session = await authRequest(authMode === "register" ? "/api/register" : "/api/login", nick, password);
      if (!session.token) throw new AccountError("internal");
      S.auth = { token: session.token, user: session.user || nick };
      $("password").value = "";
    } catch (e) {
      const code = e instanceof AccountError ? e.code : "internal";
      if (code === "no_accounts") setAuthMode("guest");
      showSignin(e instanceof AccountError ? e.message : describeError("internal"), fieldOfError(code));
      return;
    }
  }
  connect();
}

/// Says what is wrong with the card before anything is sent, and puts the cursor there.
function refuse(message, field) {
  $("signin-error").textContent = message;
  markField(field);
  $(field).focus();
}

/// Switches the sign-in card to `mode` (after a refusal that needs an account, say).
export function chooseAuthMode(mode) {
  authMode = mode;
}

/// Shows the sign-in card with `message` (a sentence, never the server's text) and marks
/// `field` (`nick`, `password`, `first-room`) when the refusal is about one.
export function showSignin(message, field) {
  document.body.dataset.screen = "signin";
  $("signin").hidden = false;
  $("app").hidden = true;
  $("signin-submit").disabled = false;
  setAuthMode(authMode);
  $("signin-error").textContent = message || "";
  markField(field || null);
  S.signedIn = false;
  S.welcomed = false;
}

export function showApp() {
  document.body.dataset.screen = "chat";
  $("signin").hidden = true;
  $("app").hidden = false;
  $("me-name").textContent = S.me;
  setAvatar($("me-avatar"), S.me);
}
