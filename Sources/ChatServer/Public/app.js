// RabbitChat minimal browser client (protocol v1 over the native WebSocket at /ws).
// Text is always rendered with textContent: chat text is never HTML.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let socket = null;
  let me = null;
  let room = null;
  let lastSeq = 0;
  let cidCounter = 0;
  let typingSentAt = 0;
  const typers = new Map();

  function setStatus(text) { $("status").textContent = text; }

  function addLine(parts, cls) {
    const li = document.createElement("li");
    if (cls) li.className = cls;
    for (const [text, partClass] of parts) {
      const span = document.createElement("span");
      if (partClass) span.className = partClass;
      span.textContent = text;
      li.appendChild(span);
    }
    const list = $("messages");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.appendChild(li);
    if (atBottom) list.scrollTop = list.scrollHeight;
    return li;
  }

  function showMessage(m) {
    if (m.seq <= lastSeq) return;
    lastSeq = m.seq;
    const time = new Date(m.ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const li = addLine([[time, "time"], [m.from, "from"], [m.text, "text"]]);
    li.dataset.seq = String(m.seq);
  }

  function renderTyping() {
    const names = [...typers.keys()];
    $("typing").textContent = names.length === 0 ? "" :
      names.join(", ") + (names.length === 1 ? " is typing…" : " are typing…");
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function connect(nick, roomName) {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws");
    setStatus("connecting…");
    socket.onopen = () => send({ type: "hello", nick });
    socket.onclose = (event) => {
      setStatus("offline (" + event.code + ")");
      if (!me) {
        $("login").hidden = false;
        $("chat").hidden = true;
      }
    };
    socket.onmessage = (event) => {
      const f = JSON.parse(event.data);
      switch (f.type) {
        case "welcome":
          me = f.user;
          setStatus("online as " + me);
          send({ type: "join", room: roomName });
          break;
        case "joined":
          room = f.room;
          $("login").hidden = true;
          $("chat").hidden = false;
          $("room-name").textContent = "#" + f.room;
          $("online").textContent = f.online + " online";
          f.messages.forEach(showMessage);
          lastSeq = Math.max(lastSeq, f.lastSeq);
          $("text").focus();
          break;
        case "message":
          if (f.room === room) showMessage(f);
          typers.delete(f.from);
          renderTyping();
          break;
        case "presence":
          if (f.room !== room) break;
          $("online").textContent = f.online + " online";
          addLine([[f.user + (f.event === "join" ? " joined" : " left"), null]], "notice");
          break;
        case "typing":
          if (f.room !== room) break;
          if (f.state === "start") typers.set(f.user, true); else typers.delete(f.user);
          renderTyping();
          break;
        case "error":
          if (!me) {
            $("login-error").textContent = f.message;
            socket.close();
          } else {
            addLine([["⚠ " + f.message, null]], "notice");
          }
          break;
      }
    };
  }

  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    connect($("nick").value.trim(), $("room").value.trim());
  });

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value;
    if (!text.trim() || !room) return;
    cidCounter += 1;
    send({ type: "send", room, text, cid: me + "-" + Date.now() + "-" + cidCounter });
    send({ type: "typing", room, state: "stop" });
    typingSentAt = 0;
    $("text").value = "";
  });

  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });

  $("text").addEventListener("input", () => {
    const now = Date.now();
    if (room && now - typingSentAt > 3000) {
      typingSentAt = now;
      send({ type: "typing", room, state: "start" });
    }
  });
})();
