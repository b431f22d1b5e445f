"""Receipts and presence a user can trust (issue 16), in real headless Chromiums against a real
server: a read receipt survives the sender's reload and names the reader; a reload posts no
leave/join notices (the server's presence grace, 10 s by default); `@` autocomplete from the
room's members, by keyboard; opt-in notifications of mentions while the tab is hidden."""

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from chatpage import ChatPage
from test_loading import console_errors

PASSWORD = "correct horse battery staple"


def notices(page, conv_key):
    """The join/leave notices of a conversation's log, in order."""
    return page.js("""const conv = RabbitChat.state.convs.get(arguments[0]);
        return [...conv.log.querySelectorAll('.notice')].map(n => n.textContent.trim())
            .filter(t => /^[A-Za-z0-9_-]+ (joined|left)$/.test(t));""", conv_key)


def test_a_read_receipt_survives_the_senders_reload(server, browsers):
    ada = ChatPage(browsers("ada"), server.url)
    ben = ChatPage(browsers("ben"), server.url)
    ada.register("ada", PASSWORD, room="hall")
    ben.register("ben", PASSWORD, room="hall")
    ada.send("did you read this?")
    ben.wait_text("did you read this?")
    # Ben's view is at the bottom: his read goes out, and ada sees who read it.
    ada.wait(lambda d: (ada.status_of("did you read this?") or ["", ""])[1] == "Read by ben", "read by ben, live")
    # And a DM, which ben opens and reads.
    ada.start_dm("ben")
    ada.send("and this one?")
    ben.wait(lambda d: ben.unread("dm:ada") == "1", "ben's DM badge")
    ben.open_conv("dm:ada")
    ben.wait_text("and this one?")
    ada.wait(lambda d: (ada.status_of("and this one?") or ["", ""])[1] == "Read", "the DM read, live")
    ada.open_conv("room:hall")

    ada.driver.refresh()
    ada.wait_joined("hall", "ada after the reload")
    ada.wait_text("did you read this?")
    # From the server's stored read positions (`joined.reads`), not from this page's memory.
    ada.wait(lambda d: (ada.status_of("did you read this?") or ["", ""])[1] == "Read by ben", "read by ben after the reload")
    assert ada.status_of("did you read this?")[0] == "read"
    assert ada.js("""const s = [...document.querySelectorAll('#messages .conv:not([hidden]) .msg.mine .msg-status')].pop();
        return s.title""") == "Read by ben"
    # The DM too, from the peer's stored read position in its `history` page.
    ada.open_conv("dm:ben")
    ada.wait_text("and this one?")
    ada.wait(lambda d: (ada.status_of("and this one?") or ["", ""])[1] == "Read", "the DM read after the reload")
    assert console_errors(ada) == []


def test_a_reload_posts_no_leave_or_join_notices(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    alice.sign_in("alice")
    bob.sign_in("bob")
    alice.wait(lambda d: "bob joined" in alice.active_conv().text, "bob's first join is announced")
    before = notices(alice, "room:lobby")
    assert before == ["bob joined"]

    # A guest's reload: the page signs in again with the same nick (the nick is free while the
    # old session only lingers) and resumes #lobby.
    bob.driver.refresh()
    bob.wait_joined("lobby", "bob after the reload")
    bob.send("back already")
    alice.wait_text("back already")
    assert notices(alice, "room:lobby") == before, "no 'bob left' or 'bob joined' for a reload"
    assert "bob" in alice.js("return [...RabbitChat.state.convs.get('room:lobby').members]")

    # Past the grace of the old session (10 s): still nothing, bob is back in the room.
    time.sleep(11)
    bob.send("still here")
    alice.wait_text("still here")
    assert notices(alice, "room:lobby") == before
    assert console_errors(alice) == []


def test_at_autocomplete_offers_the_rooms_members_by_keyboard(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    bella = ChatPage(browsers("bella"), server.url)
    alice.sign_in("alice")
    bob.sign_in("bob")
    bella.sign_in("bella")
    alice.wait(lambda d: {"bob", "bella"} <= set(alice.js("return [...RabbitChat.state.convs.get('room:lobby').members]")),
               "both in the member list")
    box = alice.driver.find_element(By.ID, "text")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"

    box.send_keys("hi @b")
    alice.wait(lambda d: box.get_attribute("aria-expanded") == "true", "the list opens")
    options = lambda: alice.js("return [...document.querySelectorAll('#mention-list [role=option]')].map(o => o.textContent)")
    assert options() == ["@bella", "@bob"]
    assert alice.driver.find_element(By.ID, "mention-list").get_attribute("role") == "listbox"
    active = lambda: alice.js("""const id = document.getElementById('text').getAttribute('aria-activedescendant');
        return id ? document.getElementById(id).textContent : null""")
    assert active() == "@bella"
    box.send_keys(Keys.ARROW_DOWN)
    assert active() == "@bob"
    assert alice.js("return document.querySelector('#mention-list [aria-selected=true]').textContent") == "@bob"
    # Typing narrows the list; Escape closes it and leaves the text alone.
    box.send_keys("o")
    alice.wait(lambda d: options() == ["@bob"], "narrowed to bob")
    box.send_keys(Keys.ESCAPE)
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("value") == "hi @bo"
    # Enter picks the active name (and does not send); Tab does too.
    box.send_keys(Keys.BACK_SPACE)
    alice.wait(lambda d: box.get_attribute("aria-expanded") == "true", "open again")
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    assert box.get_attribute("value") == "hi @bob "
    assert box.get_attribute("aria-expanded") == "false"
    assert "hi @bob" not in alice.texts(), "Enter chose the name; nothing was sent"
    box.send_keys("and @be", Keys.TAB)
    assert box.get_attribute("value") == "hi @bob and @bella "
    box.send_keys(Keys.ENTER)
    # Sent as typed, with the space the autocomplete put after the last name.
    bob.wait(lambda d: "hi @bob and @bella " in bob.texts(), "the message reached bob")
    # The server found both mentions: bob's copy highlights his name.
    bob.wait(lambda d: bob.js("""return [...document.querySelectorAll('#messages .conv:not([hidden]) .mention-me')]
        .map(s => s.textContent)""") == ["@bob"], "bob sees himself mentioned")
    assert console_errors(alice) == []


def test_notifications_are_opt_in_and_announce_a_mention_while_the_tab_is_hidden(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    alice.sign_in("alice")
    bob.sign_in("bob")
    alice.wait(lambda d: "bob" in alice.js("return [...RabbitChat.state.convs.get('room:lobby').members]"), "bob here")
    bell = alice.driver.find_element(By.ID, "notify-toggle")
    # Nothing asked at load: the permission is still undecided, and the bell is off.
    assert alice.js("return Notification.permission") == "default"
    assert bell.get_attribute("aria-pressed") == "false"

    # The person grants it when asked (the browser's prompt, answered through DevTools).
    alice.driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": server.url.rstrip("/"), "permissions": ["notifications"]})
    alice.js("""window.shown = [];
        const Real = window.Notification;
        window.Notification = class extends Real {
            constructor(title, options) { super(title, options); window.shown.push([title, options.body, document.hidden]); }
        };""")
    alice.click("#notify-toggle", "turn notifications on")
    alice.wait(lambda d: bell.get_attribute("aria-pressed") == "true", "the bell is on")

    # Visible tab: a mention shows no notification.
    bob.send("@alice while you look")
    alice.wait_text("@alice while you look")
    assert alice.js("return window.shown") == []

    # Another tab in front: alice's page is hidden; a mention and a plain message arrive.
    chat_tab = alice.driver.current_window_handle
    alice.driver.switch_to.new_window("tab")
    bob.send("nothing for alice")
    bob.send("@alice are you there?")
    bob.wait_text("@alice are you there?")
    time.sleep(2)
    alice.driver.switch_to.window(chat_tab)
    alice.wait_text("@alice are you there?")
    assert alice.js("return window.shown") == [["bob in #lobby", "@alice are you there?", True]]

    # A DM while the page is hidden is announced too, titled with the sender's name.
    alice.driver.switch_to.new_window("tab")
    bob.start_dm("alice")
    bob.send("a word in private")
    bob.wait(lambda d: (bob.status_of("a word in private") or [""])[0] in ("sent", "delivered", "read"), "DM acked")
    time.sleep(2)
    alice.driver.switch_to.window(chat_tab)
    alice.wait(lambda d: len(alice.js("return window.shown")) == 2, "the DM's notification")
    assert alice.js("return window.shown")[1] == ["bob", "a word in private", True]

    # Off again: nothing more.
    alice.click("#notify-toggle", "turn notifications off")
    assert bell.get_attribute("aria-pressed") == "false"
    assert console_errors(alice) == []
