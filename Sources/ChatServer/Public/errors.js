// Error codes (docs/PROTOCOL.md, the account API) turned into sentences a person reads. The
// server's `message` is for developers and logs; it never reaches the page, so nothing it
// says (backticks, field names, "send `hello`") leaks into the UI.

const SENTENCES = {
  // Signing in
  nick_taken: "Someone online is using that name right now. Pick another one.",
  name_reserved: "That name belongs to a registered account. Log in with its password, or pick another name.",
  auth_required: "This server only lets people with an account chat. Log in, or register first.",
  invalid_token: "Your sign-in is no longer valid. Log in again.",
  token_expired: "Your sign-in has expired. Log in again.",
  token_revoked: "You were signed out. Log in again.",
  invalid_name: "Names use 1 to 32 letters, digits, _ or -, without spaces.",
  invalid_credentials: "That username and password don't match. Check both and try again.",
  invalid_password: "Passwords need 8 to 72 characters.",
  name_taken: "That username is already registered. Log in if it's yours, or pick another one.",
  missing_token: "Log in first.",
  no_accounts: "This server has no accounts. Join as a guest instead.",
  // Rooms
  invalid_room: "Room names use 1 to 32 letters, digits, _ or -, without spaces or #.",
  too_many_rooms: "You're in as many rooms as this server allows. Leave one to join another.",
  not_member: "You're not in this room any more. Join it again to send.",
  banned: "You're banned from this room.",
  not_invited: "This room is open to invited members only. Ask one of its moderators for an invitation.",
  forbidden: "You're not allowed to do that in this room.",
  muted: "You're muted in this room for now.",
  room_exists: "A room with that name already exists. Pick another name, or join it.",
  no_such_room: "There's no room with that name.",
  no_such_user: "There's no account with that name. Only registered users can be invited or given a role.",
  blocked: "They don't accept your messages.",
  guest_only_public: "Guests can only create public rooms. Log in to create a private or invite-only room.",
  // Messages
  empty_text: "An empty message can't be sent.",
  text_too_long: "This message is longer than the server allows. Shorten it or split it in two.",
  user_offline: "They're not online, and guests only get messages while connected.",
  cid_conflict: "This message clashed with another one. Send it again.",
  message_deleted: "That message was deleted, so it can't be changed or answered any more.",
  no_such_message: "That message isn't in this conversation.",
  too_many_reactions: "A message can carry at most 20 different emoji. Pick one that's already there.",
  no_such_upload: "An attached file is gone (files not sent soon after uploading are removed). Attach it again.",
  too_many_attachments: "A message can carry at most 10 files.",
  // Anything
  rate_limited: "You're going a bit fast. Wait a few seconds and try again.",
  unavailable: "The server is having trouble right now. Try again in a moment.",
  internal: "Something went wrong on the server. Try again.",
  network: "Could not reach the server. Check your connection and try again.",
};

const GENERIC = "Something went wrong. Try again.";

/// The sentence for `code`; `context` fills in names (`{peer}`) where a sentence is better with
/// them.
export function describeError(code, context) {
  if (code === "user_offline" && context && context.peer) {
    return context.peer + " is not online, and guests only get messages while connected.";
  }
  if (code === "blocked" && context && context.peer) return context.peer + " doesn't accept your messages.";
  if (code === "banned" && context && context.room) return "You're banned from #" + context.room + ".";
  if (code === "forbidden" && context && context.change === "edit") return "Only its author can edit a message.";
  if (code === "forbidden" && context && context.change === "delete") {
    return "You can delete your own messages; only the room's moderators and owners can delete other people's.";
  }
  if (code === "not_invited" && context && context.room) {
    return "#" + context.room + " is open to invited members only. Ask one of its moderators for an invitation.";
  }
  return SENTENCES[code] || GENERIC;
}

/// Codes that refuse the message itself: sending it again can never succeed, so the row gets
/// no Retry button.
const PERMANENT = new Set([
  "empty_text", "text_too_long", "invalid_field", "invalid_room", "invalid_name", "bad_json", "unknown_type", "banned", "blocked",
  "message_deleted", "no_such_message", // a reply to a message that is gone
  "no_such_upload", "too_many_attachments",
]);

export function isPermanent(code) {
  return PERMANENT.has(code);
}

/// Which sign-in field a code is about (`nick`, `password`), so the card can mark it.
export function fieldOfError(code) {
  switch (code) {
    case "nick_taken":
    case "name_reserved":
    case "invalid_name":
    case "name_taken":
      return "nick";
    case "invalid_password":
    case "invalid_credentials":
      return "password";
    case "invalid_room":
      return "first-room";
    default:
      return null;
  }
}
