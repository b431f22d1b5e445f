// RabbitChat dialogs: the native <dialog> elements of index.html (create a room, the room
// directory, room details, a member's actions, confirmations, blocked people). `showModal` keeps
// focus inside the dialog, makes the page behind it inert and closes on Escape; closing gives
// focus back to the control that opened it.

const $ = (id) => document.getElementById(id);

const openers = new Map(); // dialog id → the element focused when it opened

/// Opens the dialog `id` (closing any other one first, so at most one is open) and focuses
/// `focus` (an element id) or the dialog's first field.
export function openDialog(id, focus) {
  for (const open of document.querySelectorAll("dialog[open]")) if (open.id !== id) open.close();
  const dialog = $(id);
  if (!dialog.open) {
    openers.set(id, document.activeElement);
    dialog.showModal();
  }
  const target = focus ? $(focus) : dialog.querySelector("input:not([disabled]), select:not([disabled]), button:not([data-close])");
  if (target) target.focus();
  return dialog;
}

export function closeDialog(id) {
  const dialog = $(id);
  if (dialog.open) dialog.close();
}

export function isOpen(id) {
  return $(id).open;
}

/// Wires every `[data-close]` button to close its dialog, and gives focus back on close.
export function wireDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    for (const button of dialog.querySelectorAll("[data-close]")) button.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      const opener = openers.get(dialog.id);
      openers.delete(dialog.id);
      if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
    });
    // A click on the backdrop (the dialog element itself, outside its content) closes it.
    dialog.addEventListener("click", (event) => {
      if (event.target !== dialog) return;
      const r = dialog.getBoundingClientRect();
      const inside = event.clientX >= r.left && event.clientX <= r.right && event.clientY >= r.top && event.clientY <= r.bottom;
      if (!inside) dialog.close();
    });
  }
}

/// Asks a yes/no question with the confirm dialog. `options`: `title`, `text`, `confirm` (the
/// button's words), `danger` (red button), `reason` (offer a reason field), `durations`
/// (`[[label, ms or null]]`: offer a duration). Resolves with `{reason, duration}` or null
/// when cancelled. `act(choice)` runs on confirmation and resolves with an error sentence to
/// show (the dialog stays open) or null (it closes).
export function confirmAction(options, act) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = options.title;
  $("confirm-text").textContent = options.text || "";
  const ok = $("confirm-ok");
  ok.textContent = options.confirm;
  ok.className = "btn " + (options.danger ? "btn-danger" : "btn-primary");
  ok.disabled = false;
  $("confirm-error").textContent = "";
  $("confirm-reason").value = "";
  $("confirm-reason-row").hidden = !options.reason;
  const select = $("confirm-duration");
  select.replaceChildren();
  for (const [label, ms] of options.durations || []) {
    const option = document.createElement("option");
    option.textContent = label;
    option.value = ms === null ? "" : String(ms);
    select.appendChild(option);
  }
  $("confirm-duration-row").hidden = !options.durations;
  return new Promise((resolve) => {
    const form = $("confirm-form");
    let done = false;
    const onSubmit = async (event) => {
      event.preventDefault();
      if (ok.disabled) return;
      const choice = {
        reason: $("confirm-reason").value.trim(),
        duration: options.durations && select.value ? Number(select.value) : null,
      };
      ok.disabled = true;
      const problem = act ? await act(choice) : null;
      ok.disabled = false;
      if (problem) {
        $("confirm-error").textContent = problem;
        return;
      }
      done = true;
      dialog.close();
      resolve(choice);
    };
    const onClose = () => {
      form.removeEventListener("submit", onSubmit);
      dialog.removeEventListener("close", onClose);
      if (!done) resolve(null);
    };
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("close", onClose);
    openDialog("confirm-dialog", options.reason ? "confirm-reason" : options.durations ? "confirm-duration" : "confirm-ok");
  });
}
