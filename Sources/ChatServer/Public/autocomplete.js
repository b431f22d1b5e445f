// RabbitChat `@` autocomplete: typing `@` and the start of a name in the composer offers the
// room's members (those online, and those who wrote in what is on screen) in a list below the
// caret's line. An ARIA combobox: the box keeps the focus, ↑/↓ move the active option
// (`aria-activedescendant`), Enter or Tab puts `@name ` in the text, Escape closes the list.
// The server finds the mention in the sent text (`message.mentions`); nothing else is sent.

import { S, activeConv, sameName } from "./state.js";
import { h } from "./ui.js";

/// Most names the list offers at once.
const MAX_OPTIONS = 8;
/// A name being typed right before the caret: `@` at the start or after a space, then name
/// characters (the server's rule: letters, digits, `_` and `-`).
const TOKEN = /(^|\s)@([A-Za-z0-9_-]{0,32})$/;

const $ = (id) => document.getElementById(id);

/// The open list: its names, the active one, and where the typed token starts.
let open = null;

/// The names the room offers: its online members and the authors of its shown messages, but us.
function candidates(conv) {
  const names = new Map();
  for (const name of conv.members || []) names.set(name.toLowerCase(), name);
  for (const row of conv.rows ? conv.rows.values() : []) {
    const from = row.dataset && row.dataset.from;
    if (from && !names.has(from.toLowerCase())) names.set(from.toLowerCase(), from);
  }
  return [...names.values()].filter((name) => !sameName(name, S.me)).sort((a, b) => a.localeCompare(b));
}

/// Whether the list is showing (the composer's Enter must not send then).
export function isAutocompleteOpen() {
  return open !== null;
}

function close() {
  if (!open) return;
  open = null;
  const list = $("mention-list");
  list.hidden = true;
  list.replaceChildren();
  const box = $("text");
  box.setAttribute("aria-expanded", "false");
  box.removeAttribute("aria-activedescendant");
}

function render() {
  const list = $("mention-list");
  const box = $("text");
  list.replaceChildren(
    ...open.names.map((name, index) =>
      h("li", {
        id: "mention-option-" + index, role: "option", className: "mention-option",
        "aria-selected": index === open.active ? "true" : "false",
        // mousedown, not click: the box must keep the focus (a click would blur it first).
        onmousedown: (event) => {
          event.preventDefault();
          accept(index);
        },
      }, "@" + name)));
  list.hidden = false;
  box.setAttribute("aria-expanded", "true");
  box.setAttribute("aria-activedescendant", "mention-option-" + open.active);
  const active = list.children[open.active];
  if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
}

/// Looks at the text before the caret and opens, narrows or closes the list.
function update() {
  const box = $("text");
  const conv = activeConv();
  if (!conv || conv.kind !== "room" || box.selectionStart !== box.selectionEnd) return close();
  const match = TOKEN.exec(box.value.slice(0, box.selectionStart));
  if (!match) return close();
  const typed = match[2].toLowerCase();
  const names = candidates(conv).filter((name) => name.toLowerCase().startsWith(typed)).slice(0, MAX_OPTIONS);
  if (names.length === 0) return close();
  const previous = open && open.names[open.active];
  const active = Math.max(0, names.indexOf(previous));
  open = { names, active, start: box.selectionStart - match[2].length - 1 };
  render();
}

/// Replaces the typed `@token` with the chosen `@name ` and closes the list.
function accept(index) {
  if (!open) return;
  const box = $("text");
  const name = open.names[index];
  const before = box.value.slice(0, open.start);
  const after = box.value.slice(box.selectionStart);
  const inserted = "@" + name + " ";
  box.value = before + inserted + after;
  const caret = before.length + inserted.length;
  box.setSelectionRange(caret, caret);
  close();
  // The counter, the box's height and typing follow the text as if it had been typed.
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

/// Wires the composer box; call before the composer's own key handlers (Enter sends).
export function wireAutocomplete() {
  const box = $("text");
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", "mention-list");
  box.setAttribute("aria-expanded", "false");
  box.addEventListener("keydown", (event) => {
    if (!open || event.isComposing) return;
    const count = open.names.length;
    switch (event.key) {
      case "ArrowDown": open.active = (open.active + 1) % count; render(); break;
      case "ArrowUp": open.active = (open.active + count - 1) % count; render(); break;
      case "Enter": case "Tab": accept(open.active); break;
      case "Escape": close(); break;
      default: return;
    }
    event.preventDefault();
    // The composer's own handlers (Enter sends, ↑ edits the last message, Escape cancels a
    // reply) must not see a key the list used.
    event.stopImmediatePropagation();
  });
  box.addEventListener("input", update);
  box.addEventListener("click", update);
  box.addEventListener("blur", close);
}
