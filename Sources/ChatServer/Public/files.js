// RabbitChat files: attaching (button, drag and drop, paste), uploading with a progress bar
// (XMLHttpRequest's upload progress), the tray of attachments the next message carries, and
// how a message shows its files (image previews, file chips for everything else).
//
// Files are fetched with the session's token (GET /api/files/:id answers 404 to anyone who may
// not read them), so previews and downloads go through fetch() and blob: URLs, never a bare
// <img src> that could not send the Authorization header.

import { S } from "./state.js";
import { h } from "./ui.js";

const $ = (id) => document.getElementById(id);

/// What the server accepts (GET /api/uploads; these until it answered). The server decides by
/// the file's bytes: this check only saves a pointless upload and says why up front.
const limits = {
  maxBytes: 10 * 1024 * 1024,
  maxAttachments: 10,
  guests: false,
  extensions: ["png", "jpg", "jpeg", "gif", "webp", "pdf", "txt", "text", "md", "csv", "log", "json", "zip", "gz", "tgz", "tar", "7z"],
};
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
/// Previews fetched at most this many at once; the rest wait (a long history of images).
const PREVIEW_CONCURRENCY = 3;

/// Attachments of the composer: { file, id (once uploaded), xhr, node, error }.
const tray = [];
let previewsRunning = 0;
const previewQueue = [];

export async function wireFiles() {
  $("attach").addEventListener("click", () => $("file-input").click());
  $("file-input").addEventListener("change", (event) => {
    addFiles(event.target.files);
    event.target.value = "";
  });
  const area = $("conversation");
  area.addEventListener("dragover", (event) => {
    if (!hasFiles(event.dataTransfer)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    area.classList.add("dropping");
  });
  area.addEventListener("dragleave", (event) => {
    if (event.target === area || !area.contains(event.relatedTarget)) area.classList.remove("dropping");
  });
  area.addEventListener("drop", (event) => {
    area.classList.remove("dropping");
    if (!hasFiles(event.dataTransfer)) return;
    event.preventDefault();
    addFiles(event.dataTransfer.files);
  });
  $("text").addEventListener("paste", (event) => {
    const files = event.clipboardData && event.clipboardData.files;
    if (!files || files.length === 0) return;
    event.preventDefault();
    addFiles(files);
  });
  try {
    const response = await fetch("/api/uploads", { headers: authHeaders() });
    if (response.ok) Object.assign(limits, await response.json());
  } catch (_) {
    // The defaults stand; the server still decides.
  }
  updateAttachButton();
}

/// The attach button is there when this session may upload (guests only when the server lets them).
export function updateAttachButton() {
  $("attach").hidden = !(S.auth && (S.auth.token || limits.guests));
}

function hasFiles(transfer) {
  return !!transfer && Array.from(transfer.types || []).includes("Files");
}

function authHeaders() {
  return S.auth && S.auth.token ? { Authorization: "Bearer " + S.auth.token } : {};
}

export function formatSize(bytes) {
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0) + " KB";
  return (bytes / 1024 / 1024).toFixed(1) + " MB";
}

/// Why `file` cannot be sent, before any byte goes: too big, of a type the server refuses, or
/// one too many; null when it may.
function refusal(file) {
  if (file.size === 0) return "The file is empty.";
  if (file.size > limits.maxBytes) return "Too large: files may be at most " + formatSize(limits.maxBytes) + ".";
  const extension = (file.name.split(".").pop() || "").toLowerCase();
  const typeOK = IMAGE_TYPES.has(file.type) || file.type === "application/pdf" || file.type.startsWith("text/") ||
    limits.extensions.includes(extension);
  if (!typeOK) return "Not allowed: images, PDF, text and archives (ZIP, gzip, tar, 7z) only.";
  if (tray.length >= limits.maxAttachments) return "At most " + limits.maxAttachments + " files per message.";
  return null;
}

function addFiles(list) {
  for (const file of Array.from(list || [])) {
    const item = { file, id: null, xhr: null, error: refusal(file), node: null };
    tray.push(item);
    item.node = trayItem(item);
    $("attachments").appendChild(item.node);
    if (!item.error) upload(item);
  }
  $("attachments").hidden = tray.length === 0;
}

function trayItem(item) {
  const progress = h("progress", { className: "upload-progress", max: "100", value: "0", "aria-label": "Upload progress of " + item.file.name });
  const remove = h("button", { type: "button", className: "icon-btn", "aria-label": "Remove " + item.file.name, title: "Remove", text: "×" });
  remove.addEventListener("click", () => removeItem(item));
  const node = h("div", { className: "attachment", role: "group", "aria-label": item.file.name, dataset: { state: item.error ? "refused" : "uploading" } },
    h("span", { className: "attachment-name", text: item.file.name }),
    h("span", { className: "attachment-size", text: formatSize(item.file.size) }),
    progress,
    h("span", { className: "attachment-error", role: "alert", text: item.error || "" }),
    remove);
  progress.hidden = !!item.error;
  return node;
}

function removeItem(item) {
  if (item.xhr) item.xhr.abort();
  const index = tray.indexOf(item);
  if (index >= 0) tray.splice(index, 1);
  item.node.remove();
  $("attachments").hidden = tray.length === 0;
}

function upload(item) {
  const xhr = new XMLHttpRequest();
  item.xhr = xhr;
  let path = "/api/uploads?name=" + encodeURIComponent(item.file.name);
  if (!(S.auth && S.auth.token)) path += "&nick=" + encodeURIComponent(S.me || "");
  xhr.open("POST", path);
  for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
  const progress = item.node.querySelector("progress");
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
  });
  xhr.addEventListener("load", () => {
    item.xhr = null;
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
    if (xhr.status === 201 && body && body.id) {
      item.id = body.id;
      item.attachment = body;
      progress.value = 100;
      item.node.dataset.state = "done";
      item.node.dataset.id = body.id;
    } else {
      fail(item, (body && body.error && body.error.message) || "The upload failed (" + xhr.status + ").");
    }
  });
  xhr.addEventListener("error", () => { item.xhr = null; fail(item, "The upload failed: no connection."); });
  xhr.send(item.file);
}

function fail(item, message) {
  item.error = message;
  item.node.dataset.state = "refused";
  item.node.querySelector(".attachment-error").textContent = message;
  item.node.querySelector("progress").hidden = true;
}

/// Whether the tray holds files still uploading (the message waits for them).
export function uploadsInFlight() {
  return tray.some((item) => !item.error && !item.id);
}

/// The uploaded attachments the next message carries; empties the tray of them (refused ones
/// stay, with their reason, until removed).
export function takeAttachments() {
  const ready = tray.filter((item) => item.id);
  for (const item of ready) removeItem(item);
  return ready.map((item) => item.attachment);
}

export function hasAttachments() {
  return tray.some((item) => item.id);
}

/// The files of a message: previews for images, chips for everything else.
export function attachmentList(attachments) {
  const list = h("div", { className: "msg-files" });
  for (const file of attachments) {
    if (!file || typeof file.id !== "string") continue;
    if (IMAGE_TYPES.has(file.type)) {
      const img = h("img", { className: "msg-image", alt: file.name || "image", dataset: { id: file.id }, loading: "lazy" });
      const link = h("a", { className: "msg-image-link", href: "#", title: file.name + " · " + formatSize(file.size || 0) }, img);
      link.addEventListener("click", (event) => { event.preventDefault(); download(file); });
      list.appendChild(link);
      queuePreview(img, file);
    } else {
      const chip = h("button", { type: "button", className: "file-chip", dataset: { id: file.id }, title: "Download " + file.name },
        h("span", { className: "file-chip-icon", "aria-hidden": "true", text: "📄" }),
        h("span", { className: "file-chip-name", text: file.name }),
        h("span", { className: "file-chip-size", text: formatSize(file.size || 0) }));
      chip.addEventListener("click", () => download(file));
      list.appendChild(chip);
    }
  }
  return list;
}

function queuePreview(img, file) {
  previewQueue.push({ img, file });
  pumpPreviews();
}

function pumpPreviews() {
  while (previewsRunning < PREVIEW_CONCURRENCY && previewQueue.length > 0) {
    const { img, file } = previewQueue.shift();
    previewsRunning += 1;
    fetchBlob(file).then((blob) => {
      if (blob) {
        img.src = URL.createObjectURL(blob);
        img.dataset.loaded = "true";
      } else {
        img.dataset.loaded = "failed";
      }
    }).finally(() => {
      previewsRunning -= 1;
      pumpPreviews();
    });
  }
}

async function fetchBlob(file) {
  try {
    const response = await fetch("/api/files/" + encodeURIComponent(file.id), { headers: authHeaders() });
    return response.ok ? await response.blob() : null;
  } catch (_) {
    return null;
  }
}

async function download(file) {
  const blob = await fetchBlob(file);
  if (!blob) return;
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: file.name || "file" });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
