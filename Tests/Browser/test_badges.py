"""Server read state in the web UI (issue 16): unread and mention badges that every window of
one account shares, mentions highlighted in the text, and a DM peer's online dot from `watch`.
Registered users in separate headless Chromiums (separate profiles) against a real server."""

from selenium.webdriver.common.by import By

from chatpage import ChatPage
from test_loading import console_errors

PASSWORD = "correct horse battery staple"


def badges(page, key):
    """(unread badge, mention badge) of a sidebar entry, '' when absent."""
    return tuple(page.js("""const item = document.querySelector('.conv-item[data-key="' + arguments[0] + '"]');
        if (!item) return ['', ''];
        const b = item.querySelector('.badge'), m = item.querySelector('.mention-badge');
        return [b ? b.textContent : '', m ? m.textContent : ''];""", key))


def wait_badges(page, key, expected, what):
    page.wait(lambda d: badges(page, key) == expected, f"{what}: {key} badges {expected} (got {badges(page, key)})")


def mentions_in(page, text):
    """The highlighted mentions (text, is it us) in the row whose text is `text`, or None."""
    return page.js("""const conv = document.querySelector('#messages .conv:not([hidden])');
        for (const r of conv.querySelectorAll('.msg')) {
            const t = r.querySelector('.msg-text');
            if (t.textContent !== arguments[0]) continue;
            return { spans: [...t.querySelectorAll('.mention')].map(s => [s.textContent, s.classList.contains('mention-me')]),
                     elements: [...t.querySelectorAll('*')].map(e => e.tagName.toLowerCase()),
                     rowMarked: r.classList.contains('mentions-me') };
        }
        return null;""", text)


def dm_online(page, peer):
    return page.js("""const item = document.querySelector('.conv-item[data-key="dm:' + arguments[0] + '"]');
        return item ? item.dataset.online : null;""", peer)


def test_reading_in_one_window_clears_the_badge_in_the_other(server, browsers):
    # One account, two windows (two browser profiles); both in #hall and #side.
    win_a = ChatPage(browsers("ada-a"), server.url)
    win_a.register("ada", PASSWORD, room="hall")
    win_a.join("side")
    win_b = ChatPage(browsers("ada-b"), server.url)
    win_b.log_in("ada", PASSWORD, room="side")
    win_b.wait(lambda d: win_b.is_joined("hall"), "the second window restores #hall from welcome")
    ben = ChatPage(browsers("ben"), server.url)
    ben.register("ben", PASSWORD, room="hall")
    win_a.open_conv("room:side")
    win_a.wait(lambda d: win_a.title() == "#side", "window A in #side")
    assert win_b.title() == "#side"

    # Ben writes in #hall while both windows look at #side: both count, and the mention apart.
    ben.send("hello hall")
    ben.send("hey @ada <b>look</b> at this, not @nobody")
    ben.send("third one")
    for page, name in ((win_a, "window A"), (win_b, "window B")):
        wait_badges(page, "room:hall", ("3", "@1"), name)
        label = page.nav_item("room:hall").get_attribute("aria-label")
        assert "3 unread" in label and "1 mention" in label, label

    # Window B reads #hall: window A, still in #side, loses both badges (read_state).
    win_b.open_conv("room:hall")
    win_b.wait_text("third one")
    wait_badges(win_b, "room:hall", ("", ""), "window B read it")
    wait_badges(win_a, "room:hall", ("", ""), "window A after window B read #hall")
    assert win_a.title() == "#side", "window A did not move"

    # The mention is highlighted; the HTML stays text; a name that is nobody stays plain.
    found = mentions_in(win_b, "hey @ada <b>look</b> at this, not @nobody")
    assert found is not None
    assert found["spans"] == [["@ada", True]], found
    assert found["elements"] == ["span"], found  # the mention span only: no <b>
    assert found["rowMarked"]

    # Two more while window B is back in #side: a fresh window seeds its badges from welcome.
    win_b.open_conv("room:side")
    win_b.wait(lambda d: win_b.title() == "#side", "window B back in #side")
    ben.send("@ada are you there?")
    ben.send("just checking")
    wait_badges(win_a, "room:hall", ("2", "@1"), "window A")
    wait_badges(win_b, "room:hall", ("2", "@1"), "window B")
    win_c = ChatPage(browsers("ada-c"), server.url)
    win_c.log_in("ada", PASSWORD, room="side")
    win_c.wait(lambda d: win_c.is_joined("hall"), "the third window restores #hall")
    wait_badges(win_c, "room:hall", ("2", "@1"), "window C, from welcome.rooms")

    # Reading in the new window clears the two others.
    win_c.open_conv("room:hall")
    win_c.wait_text("just checking")
    wait_badges(win_a, "room:hall", ("", ""), "window A after window C read #hall")
    wait_badges(win_b, "room:hall", ("", ""), "window B after window C read #hall")
    for page in (win_a, win_b, win_c):
        assert console_errors(page) == [], "no console errors"


def test_a_dm_peer_online_dot_follows_watch_without_a_shared_room(server, browsers):
    ada = ChatPage(browsers("ada"), server.url)
    ben = ChatPage(browsers("ben"), server.url)
    ada.register("ada", PASSWORD, room="hall")
    ben.register("ben", PASSWORD, room="hall")
    ada.wait(lambda d: "ben" in ada.js("return [...RabbitChat.state.convs.get('room:hall').members]"), "ben in #hall")
    ada.start_dm("ben")
    ada.send("hi ben")
    ada.wait(lambda d: (ada.status_of("hi ben") or [""])[0] in ("sent", "read"), "DM stored")
    ada.wait(lambda d: dm_online(ada, "ben") == "true", "ben's dot is on")

    # Ben leaves the only room they share: the dot stays on, from the server's status.
    ben.driver.find_element(By.ID, "leave-room").click()
    ada.wait(lambda d: "ben" not in ada.js("return [...RabbitChat.state.convs.get('room:hall').members]"),
             "ben left #hall")
    assert dm_online(ada, "ben") == "true", "still online: ada watches ben"
    assert ada.js("""return getComputedStyle(document.querySelector(
        '.conv-item[data-key="dm:ben"] .presence-dot')).backgroundColor""") != "rgb(134, 142, 150)"

    # Ben signs out: the dot goes off.
    ben.ensure_sidebar()
    ben.driver.find_element(By.ID, "signout").click()
    ada.wait(lambda d: dm_online(ada, "ben") == "false", "ben's dot is off after signing out")
    assert "online" not in ada.nav_item("dm:ben").get_attribute("aria-label")

    # A reload watches again: still off; ben back (another browser) turns it on.
    ada.driver.refresh()
    ada.wait_online()
    ada.wait(lambda d: dm_online(ada, "ben") == "false", "after a reload, ben is still off")
    ben2 = ChatPage(browsers("ben-2"), server.url)
    ben2.log_in("ben", PASSWORD, room="elsewhere")
    ada.wait(lambda d: dm_online(ada, "ben") == "true", "ben's dot on again, from a status frame")
