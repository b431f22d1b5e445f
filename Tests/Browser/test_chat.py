"""Two (or three) people in separate headless Chromium browsers use the web UI against a real server."""

from selenium.webdriver.common.by import By

import json
import time

import websocket

from chatpage import ChatPage, shot


def two_people(server, browsers, room="lobby"):
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    alice.sign_in("alice", room)
    bob.sign_in("bob", room)
    alice.wait(lambda d: "bob" in alice.js("return [...RabbitChat.state.convs.get('room:' + arguments[0]).members]", room),
               "alice sees bob join")
    return alice, bob


def test_two_browsers_chat_in_a_room(server, browsers):
    alice, bob = two_people(server, browsers)

    # Join notice and online count, as in the original RabbitChat.
    alice.wait(lambda d: "bob joined" in alice.active_conv().text, "join notice")
    alice.wait(lambda d: "2 people online" in d.find_element(By.ID, "conv-sub").text, "online count")

    alice.send("hello bob")
    bob.wait_text("hello bob")
    bob.send("hi alice!\nsecond line")
    alice.wait_text("hi alice!\nsecond line")
    assert [m[:2] for m in alice.messages()] == [["alice", "hello bob"], ["bob", "hi alice!\nsecond line"]]
    assert [m[:2] for m in bob.messages()] == [["alice", "hello bob"], ["bob", "hi alice!\nsecond line"]]

    # Delivery state: sending → sent (ack) → read by 1 (bob's receipt: his view is at the bottom).
    alice.wait(lambda d: alice.status_of("hello bob") is not None and alice.status_of("hello bob")[0] == "read",
               "alice's message read by bob")
    alice.send("are you there?")
    alice.wait(lambda d: (alice.status_of("are you there?") or [""])[1] == "Read by 1", "read by 1")

    # Consecutive messages of one sender are grouped under one header.
    alice.send("one more")
    bob.wait_text("one more")
    grouped = bob.js("""
        const rows = [...document.querySelectorAll('#messages .conv:not([hidden]) .msg')];
        return rows.map(r => r.classList.contains('cont'));""")
    assert grouped[-1] is True and grouped[0] is False

    # Order and no duplicates after all that.
    assert alice.texts() == bob.texts()
    seqs = [int(m[2]) for m in bob.messages()]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)

    # A second room in the same session, with an unread badge while bob looks elsewhere.
    alice.join("random")
    bob.join("random")
    bob.open_conv("room:lobby")
    alice.send("in random")
    bob.wait(lambda d: bob.unread("room:random") == "1", "unread badge on #random")
    bob.open_conv("room:random")
    bob.wait_text("in random")
    bob.wait(lambda d: bob.unread("room:random") == "", "badge cleared")

    # Leaving sends a leave notice to the others.
    bob.driver.find_element(By.ID, "leave-room").click()
    alice.wait(lambda d: "bob left" in alice.active_conv().text, "leave notice")


def test_direct_messages_from_the_member_list(server, browsers):
    alice, bob = two_people(server, browsers)
    alice.start_dm("bob")
    alice.send("psst, bob")
    bob.wait(lambda d: bob.unread("dm:alice") == "1", "DM unread badge")
    bob.open_conv("dm:alice")
    bob.wait_text("psst, bob")
    assert bob.title() == "alice"
    bob.send("psst yourself")
    alice.wait_text("psst yourself")
    alice.wait(lambda d: (alice.status_of("psst, bob") or [""])[0] == "read", "DM read receipt")
    # The DM did not leak into the room.
    bob.open_conv("room:lobby")
    assert "psst, bob" not in bob.texts()

    # A DM to a guest who signed out is refused, and says so.
    bob.ensure_sidebar()
    bob.driver.find_element(By.ID, "signout").click()
    bob.wait(lambda d: d.find_element(By.ID, "nick").is_displayed(), "bob signed out")
    alice.wait(lambda d: "bob left" in alice.js(
        "return RabbitChat.state.convs.get('room:lobby').log.textContent"), "bob gone")
    alice.send("are you gone?")
    alice.wait(lambda d: (alice.status_of("are you gone?") or [""])[0] == "failed", "DM refused")
    assert alice.status_of("are you gone?")[1] == \
        "Not sent: bob is not online, and guests only get messages while connected."
    # bob may come back, so this one can be tried again.
    assert alice.js("""return [...document.querySelectorAll('#messages .conv:not([hidden]) .msg.mine')]
        .filter(r => r.dataset.state === 'failed')[0].querySelector('.msg-status button').textContent""") == "Retry"


def test_typing_shows_and_clears(server, browsers):
    alice, bob = two_people(server, browsers)
    alice.type("I am wri")
    bob.wait(lambda d: bob.typing() == "alice is typing…", "typing indicator in room")
    alice.send("ting")
    bob.wait_text("I am writing")
    bob.wait(lambda d: bob.typing() == "", "typing indicator cleared")

    # In a DM too.
    bob.start_dm("alice")
    bob.type("secret")
    alice.wait(lambda d: alice.js(
        "return !!document.querySelector('.conv-item[data-key=\"dm:bob\"] .conv-typing')"), "typing in DM list")
    alice.open_conv("dm:bob")
    alice.wait(lambda d: alice.typing() == "bob is typing…", "typing indicator in DM")
    # Leaving the box (blur) sends stop.
    bob.driver.find_element(By.ID, "messages").click()
    bob.js("document.getElementById('text').blur()")
    alice.wait(lambda d: alice.typing() == "", "typing cleared on blur")


def test_html_is_rendered_as_text_and_links_are_safe(server, browsers):
    alice, bob = two_people(server, browsers)
    evil = '<img src=x onerror="window.__pwned=1;document.title=\'pwned\'"><script>window.__pwned=2</script>'
    alice.send(evil)
    bob.wait_text(evil)
    assert bob.js("return document.querySelectorAll('#messages img, #messages script').length") == 0
    assert bob.js("return window.__pwned === undefined")
    assert bob.driver.title != "pwned"

    long_word = "x" * 600
    alice.send("see https://example.com/a_(b). and javascript:alert(1) " + long_word)
    bob.wait(lambda d: any(long_word in t for t in bob.texts()), "long message")
    links = bob.js("""return [...document.querySelectorAll('#messages .conv:not([hidden]) .msg-text a')]
        .map(a => [a.getAttribute('href'), a.rel, a.target, a.textContent]);""")
    assert links == [["https://example.com/a_(b)", "noopener noreferrer", "_blank", "https://example.com/a_(b)"]]
    # The long word wraps inside the message column instead of widening the page.
    assert bob.js("return document.getElementById('messages').scrollWidth <= document.getElementById('messages').clientWidth")


def test_server_restart_reconnects_and_resumes(server, browsers):
    alice, bob = two_people(server, browsers)
    alice.join("random")
    bob.join("random")
    bob.open_conv("room:lobby")
    alice.open_conv("room:lobby")
    alice.send("before restart")
    bob.wait_text("before restart")

    server.stop()
    for page in (alice, bob):
        page.wait(lambda d, p=page: p.body_data("connection") == "reconnecting", "reconnecting state shown")
        page.wait(lambda d, p=page: p.driver.find_element(By.ID, "banner").is_displayed(), "banner shown")

    # Sent while offline: kept as "sending" and retried with the same cid after the reconnect.
    alice.send("sent while offline")
    assert alice.status_of("sent while offline")[0] == "sending"
    shot(alice, "desktop-reconnecting.png")

    server.start()
    for page in (alice, bob):
        page.wait_online(timeout=60)
        page.wait(lambda d, p=page: p.body_data("reconnects") == "1", "one reconnect")
        page.wait(lambda d, p=page: p.js(
            "const s = RabbitChat.state; return s.convs.get('room:lobby').joined && s.convs.get('room:random').joined"),
            "both rooms rejoined")

    bob.wait_text("sent while offline", timeout=30)
    alice.wait(lambda d: (alice.status_of("sent while offline") or [""])[0] in ("sent", "read"), "pending send acked")
    bob.send("after restart")
    alice.wait_text("after restart")

    # Nothing duplicated, nothing lost from either view.
    for page in (alice, bob):
        texts = page.texts()
        for text in ("before restart", "sent while offline", "after restart"):
            assert texts.count(text) == 1, (text, texts)
    if server.durable:
        # With a durable store the history survives: no reset notice, seqs continue.
        assert not any(m[4] for m in bob.messages())
    # The other room still works after the resume.
    bob.open_conv("room:random")
    alice.open_conv("room:random")
    alice.send("random is back")
    bob.wait_text("random is back")


def test_reload_keeps_the_session_and_history(server, browsers):
    alice, bob = two_people(server, browsers)
    alice.join("random")
    alice.open_conv("room:lobby")
    bob.send("still here after a reload?")
    alice.wait_text("still here after a reload?")

    alice.driver.refresh()
    alice.wait_online(timeout=40)
    alice.wait(lambda d: alice.js(
        "const s = RabbitChat.state; return s.convs.get('room:lobby')?.joined && s.convs.get('room:random')?.joined"),
        "both rooms rejoined after reload")
    alice.wait(lambda d: alice.title() == "#lobby", "same room open")
    alice.wait_text("still here after a reload?")
    alice.send("yes")
    bob.wait_text("yes")


def post_messages(server, nick, room, texts):
    """Fills a room's history over a plain WebSocket, waiting for every ack."""
    ws = websocket.create_connection(server.url.replace("http", "ws") + "/ws", timeout=20,
                                     origin=server.url)
    try:
        ws.send(json.dumps({"type": "hello", "nick": nick}))
        ws.send(json.dumps({"type": "join", "room": room}))
        for i, text in enumerate(texts):
            ws.send(json.dumps({"type": "send", "room": room, "text": text, "cid": f"{nick}-{i}"}))
            # Stay under the server's default rate limit (20 frames/s per connection).
            time.sleep(0.06)
        acked = 0
        deadline = time.monotonic() + 60
        while acked < len(texts) and time.monotonic() < deadline:
            frame = json.loads(ws.recv())
            assert frame["type"] != "error", frame
            acked += frame["type"] == "ack"
        assert acked == len(texts)
    finally:
        ws.close()


def test_history_loads_on_scroll_and_autoscroll_respects_the_reader(server, browsers):
    texts = [f"history message {i}" for i in range(1, 121)]
    post_messages(server, "dave", "archive", texts)

    bob = ChatPage(browsers("bob"), server.url)
    bob.sign_in("bob", "archive")
    bob.wait_text("history message 120")
    # Only the latest page came with `joined`; scrolling up loads the rest, page by page.
    assert "history message 1" not in bob.texts()
    for _ in range(10):
        if "history message 1" in bob.texts():
            break
        bob.js("document.getElementById('messages').scrollTop = 0")
        bob.wait(lambda d: not bob.js("return RabbitChat.state.convs.get('room:archive').loadingHistory"), "page loaded")
    bob.wait_text("history message 1")
    assert bob.texts() == texts
    seqs = [int(m[2]) for m in bob.messages()]
    assert seqs == list(range(1, 121))

    # Reading old messages: a new one must not yank the view down; a "new messages" pill appears.
    bob.js("document.getElementById('messages').scrollTop = 200")
    bob.wait(lambda d: not bob.js("return RabbitChat.state.convs.get('room:archive').stickBottom"), "scrolled up")
    top = bob.js("return document.getElementById('messages').scrollTop")
    alice = ChatPage(browsers("alice"), server.url)
    alice.sign_in("alice", "archive")
    alice.send("fresh news")
    bob.wait_text("fresh news")
    bob.wait(lambda d: d.find_element(By.ID, "jump-latest").is_displayed(), "jump pill")
    assert abs(bob.js("return document.getElementById('messages').scrollTop") - top) < 5
    bob.driver.find_element(By.ID, "jump-latest").click()
    bob.wait(lambda d: bob.js("const m = document.getElementById('messages'); return m.scrollHeight - m.scrollTop - m.clientHeight < 5"),
             "scrolled to the latest")

    # No Content-Security-Policy violations or script errors in the console.
    problems = [e["message"] for e in bob.driver.get_log("browser")
                if e["level"] == "SEVERE" or "Content Security Policy" in e["message"]]
    # The transport probe: /sockjs/info answers 404 on a server without SockJS. Expected, not a
    # problem. (The page no longer probes /api/me, so no 401 is excused.)
    problems = [p for p in problems if "/sockjs" not in p]
    assert problems == []


def test_two_tabs_of_one_browser_chat(server, browsers):
    """The foundation's acceptance, literally: two tabs of one Chromium join a room and chat."""
    driver = browsers("tabs")
    alice = ChatPage(driver, server.url)
    alice.sign_in("alice", "lobby")
    alice_tab = driver.current_window_handle
    driver.switch_to.new_window("tab")
    bob = ChatPage(driver, server.url)
    bob.sign_in("bob", "lobby")
    bob_tab = driver.current_window_handle
    bob.send("hello from tab two")

    driver.switch_to.window(alice_tab)
    alice.wait_text("hello from tab two")
    alice.send("hello from tab one")
    driver.switch_to.window(bob_tab)
    bob.wait_text("hello from tab one")
    assert [m[:2] for m in bob.messages()] == [["bob", "hello from tab two"], ["alice", "hello from tab one"]]
