// RabbitChat message search: the search box in the sidebar, its results (GET /api/search), and
// jumping to a result in its conversation, loading history until the message is there.
//
// Snippets arrive as segments ({text, match}); each goes into the page as a text node, matched
// ones inside <mark>, so no message text can become markup (docs/PROTOCOL.md, "Search").

import { NAME, HISTORY_PAGE, S, keyOf, activeConv, target } from "./state.js";
import { h, formatFull } from "./ui.js";
import { joinRoom, openDM, activate, loadOlder } from "./rooms.js";
import { closeSidebar } from "./rendering.js";

const $ = (id) => document.getElementById(id);
const PAGE = 20;
/// Older pages fetched one after the other to reach a result before asking for it directly.
const MAX_STEPS = 20;

let current = { q: "", next: null, loading: false };

function authHeaders() {
  return S.auth && S.auth.token ? { Authorization: "Bearer " + S.auth.token } : {};
}

async function fetchPage(q, before) {
  const params = new URLSearchParams({ q, limit: String(PAGE) });
  if (before) params.set("before", before);
  const response = await fetch("/api/search?" + params, { cache: "no-store", headers: authHeaders() });
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON */ }
  if (!response.ok) {
    const message = body && body.error && typeof body.error.message === "string" ? body.error.message : "Search failed.";
    throw new Error(message);
  }
  return body;
}

function snippetNode(segments, fallback) {
  const node = h("span", { className: "search-snippet" });
  const parts = Array.isArray(segments) && segments.length ? segments : [{ text: fallback || "" }];
  for (const segment of parts) {
    const text = typeof segment.text === "string" ? segment.text : "";
    node.appendChild(segment.match === true ? h("mark", { text }) : document.createTextNode(text));
  }
  return node;
}

function resultItem(result) {
  const where = typeof result.room === "string" ? "#" + result.room : "@" + (result.peer || "?");
  const button = h("button", {
    type: "button", className: "search-result",
    dataset: { room: result.room || "", peer: result.peer || "", seq: String(result.seq) },
    onclick: () => jumpTo(result),
  },
  h("span", { className: "search-where" },
    h("span", { className: "search-conv", text: where }),
    h("span", { className: "search-from", text: result.from }),
    h("time", { className: "search-time", text: formatFull(result.ts) })),
  snippetNode(result.snippet, result.text));
  return h("li", null, button);
}

function setStatusText(text) {
  $("search-status").textContent = text;
}

async function runSearch(q, more) {
  if (current.loading) return;
  current.loading = true;
  const list = $("search-results");
  $("search-panel").hidden = false;
  if (!more) {
    list.replaceChildren();
    current = { q, next: null, loading: true };
    setStatusText("Searching…");
  }
  $("search-more").hidden = true;
  try {
    const page = await fetchPage(q, more ? current.next : null);
    const results = Array.isArray(page.results) ? page.results : [];
    for (const result of results) list.appendChild(resultItem(result));
    current.next = typeof page.next === "string" ? page.next : null;
    $("search-more").hidden = !current.next;
    const shown = list.children.length;
    setStatusText(shown === 0 ? "No messages match." : shown + (current.next ? "+" : "") + (shown === 1 ? " result" : " results"));
  } catch (error) {
    setStatusText(error.message);
  } finally {
    current.loading = false;
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// Waits (bounded) until `ready()` holds; false when it never did.
async function until(ready, ms = 5000) {
  for (let waited = 0; waited < ms; waited += 50) {
    if (ready()) return true;
    await pause(50);
  }
  return ready();
}

/// Opens the result's conversation and shows the message: older pages are loaded until it is
/// there (at most MAX_STEPS pages, the history stays gap-free); further back, one page ending
/// at it is asked for directly (`history` with `before` = seq + 1).
export async function jumpTo(result) {
  const isRoom = typeof result.room === "string";
  const name = isRoom ? result.room : result.peer;
  if (!NAME.test(name || "")) return;
  const key = keyOf(isRoom ? "room" : "dm", name);
  if (isRoom) {
    if (!S.convs.has(key)) joinRoom(name);
    else activate(key);
  } else {
    openDM(name);
  }
  closeSidebar();
  const conv = S.convs.get(key);
  if (!conv) return;
  if (!(await until(() => conv.loaded && !conv.loadingHistory))) return;
  for (let step = 0; step < MAX_STEPS && !conv.rows.has(result.seq) && conv.hasMore; step++) {
    if (conv.minSeq !== null && result.seq < conv.minSeq - HISTORY_PAGE * (MAX_STEPS - step)) break;
    loadOlder(conv);
    if (!(await until(() => !conv.loadingHistory))) return;
  }
  if (!conv.rows.has(result.seq)) {
    conv.loadingHistory = true;
    conv.historyBefore = result.seq + 1;
    S.conn.send(Object.assign({ type: "history", before: result.seq + 1, limit: HISTORY_PAGE }, target(conv)));
    await until(() => !conv.loadingHistory);
  }
  const row = conv.rows.get(result.seq);
  if (!row || activeConv() !== conv) return;
  for (const old of document.querySelectorAll(".msg.search-hit")) old.classList.remove("search-hit");
  row.classList.add("search-hit");
  conv.stickBottom = false;
  row.scrollIntoView({ block: "center" });
  setTimeout(() => row.classList.remove("search-hit"), 4000);
}

/// Wires the search box; called once by app.js.
export function wireSearch() {
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = $("search-q").value.trim();
    if (!q) {
      $("search-panel").hidden = true;
      return;
    }
    runSearch(q, false);
  });
  $("search-more").addEventListener("click", () => current.next && runSearch(current.q, true));
  $("search-close").addEventListener("click", () => {
    $("search-panel").hidden = true;
    $("search-q").value = "";
  });
}
