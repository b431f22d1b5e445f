"""Screenshots of the web UI at desktop (1280×800) and phone (390×844) widths, for review, and
checked for what a person would see: the room list, the message list with the sent messages,
the composer. Each check reads the DOM and the pixels of the saved PNG inside that element's box.

They land in test-artifacts/screenshots/ (gitignored):
  desktop-signin.png, desktop-room.png, desktop-dm.png,
  phone-signin.png, phone-room.png, phone-sidebar.png, phone-members.png
(test_chat.py adds desktop-reconnecting.png while the server is down.)
"""

from PIL import Image
from selenium.webdriver.common.by import By

from chatpage import ChatPage, shot

SIDEBAR = (31, 36, 51)  # --side
ACCENT = (194, 65, 12)  # --accent, the active room
WHITE = (255, 255, 255)  # --bg, the conversation


class Screen:
    """A saved screenshot and the page it shows: boxes come from the DOM (CSS pixels, scaled by
    the device pixel ratio), colours from the PNG."""

    def __init__(self, page, path):
        self.page = page
        self.image = Image.open(path).convert("RGB")
        self.scale = page.js("return devicePixelRatio")

    def box(self, css):
        rect = self.page.js("""const el = document.querySelector(arguments[0]);
            if (!el) return null;
            const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];""", css)
        assert rect is not None, f"{css} is on the page"
        return rect

    def region(self, css):
        left, top, right, bottom = (round(v * self.scale) for v in self.box(css))
        left, top = max(left, 0), max(top, 0)
        right, bottom = min(right, self.image.width), min(bottom, self.image.height)
        assert right - left > 4 and bottom - top > 4, f"{css} is inside the screenshot"
        return self.image.crop((left, top, right, bottom))

    def dominant(self, css):
        region = self.region(css)
        return max(region.getcolors(maxcolors=region.width * region.height))[1]

    def ink(self, css, background):
        """Pixels that differ clearly from `background`: rendered text, icons, borders."""
        data = self.region(css).tobytes()
        r, g, b = background
        return sum(1 for i in range(0, len(data), 3)
                   if abs(data[i] - r) + abs(data[i + 1] - g) + abs(data[i + 2] - b) > 120)

    def visible(self, css):
        left, top, right, bottom = self.box(css)
        width, height = self.page.js("return [innerWidth, innerHeight]")
        return left >= 0 and top >= 0 and right <= width + 1 and bottom <= height + 1


def near(color, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(color, expected))


def nav_names(page, list_id):
    return page.js("return [...document.querySelectorAll('#' + arguments[0] + ' .conv-name')].map(n => n.textContent)", list_id)


def check_conversation(page, path, texts, room_names, active, background=WHITE):
    """The room list, the message list with `texts` last, and the composer, in the DOM and in
    the pixels of `path`."""
    screen = Screen(page, path)
    if room_names is not None:
        assert nav_names(page, "room-list") == room_names
        assert page.js("return document.querySelector('.conv-item.active').dataset.key") == active
        assert near(screen.dominant("#sidebar"), SIDEBAR), "the dark sidebar"
        assert near(screen.dominant(".conv-item.active"), ACCENT), "the active room in the accent"
        assert screen.ink(".conv-item.active", ACCENT) > 30, "the active room's name is drawn"
        assert screen.ink("#room-list", SIDEBAR) > 200, "the room names are drawn"
    shown = page.texts()
    assert shown[-len(texts):] == texts, shown
    last = "#messages .conv:not([hidden]) .msg:last-child"
    assert screen.visible(last), "the newest message is on screen"
    assert near(screen.dominant("#messages"), background), "the message list's background"
    assert screen.ink(last, background) > 150, "the newest message's text is drawn"
    assert screen.ink("#messages", background) > 3000, "the messages are drawn"
    assert page.driver.find_element(By.ID, "text").is_displayed()
    assert screen.visible("#composer"), "the composer is on screen"
    assert screen.ink("#composer", background) > 100, "the composer's frame, placeholder and send button are drawn"
    return screen


def test_screenshots_desktop_and_phone(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    carol = ChatPage(browsers("carol", phone=True), server.url)

    alice.open()
    alice.driver.find_element(By.ID, "nick").send_keys("alice")
    for page, name in ((alice, "desktop-signin.png"), (carol, "phone-signin.png")):
        if page is carol:
            carol.open()
        screen = Screen(page, shot(page, name))
        assert screen.visible("#signin-submit") and near(screen.dominant("#signin-submit"), ACCENT), "the Join button"
        assert screen.ink("#signin-submit", ACCENT) > 100, "its label is drawn"
        assert screen.visible("#nick") and screen.ink(".signin-card", WHITE) > 2000, "the card is drawn"

    alice.sign_in("alice", "lobby")
    bob.sign_in("bob", "lobby")
    carol.sign_in("carol", "lobby")
    for page, room in ((alice, "design"), (bob, "design"), (bob, "random"), (carol, "random")):
        page.join(room)
    alice.open_conv("room:lobby")
    bob.open_conv("room:lobby")
    carol.open_conv("room:lobby")

    conversation = [
        (bob, "Morning all!"),
        (bob, "Did anyone try the new build? Reconnects feel instant now."),
        (alice, "Yes! I restarted the server twice and the page just caught up."),
        (alice, "Release notes are here: https://example.com/rabbitchat/releases/1.0"),
        (carol, "Nice. Checking from my phone right now"),
        (bob, "Shipping it this afternoon then.\nI'll post in #random when it's out."),
        (carol, "Works great on mobile too, the sidebar slides in and out."),
        (alice, "Perfect, thanks both"),
    ]
    for page, text in conversation:
        page.send(text)
        for other in (alice, bob, carol):
            other.wait_text(text)
    alice.wait(lambda d: (alice.status_of("Perfect, thanks both") or [""])[1] == "Read by 2", "read by 2")

    # Some activity elsewhere so the sidebar shows unread badges and a DM.
    bob.open_conv("room:design")
    bob.send("Pushed the new colour palette for review")
    alice.wait(lambda d: alice.unread("room:design") == "1", "design unread")
    bob.start_dm("alice")
    bob.send("Can you review my PR when you have a minute?")
    alice.wait(lambda d: alice.unread("dm:bob") == "1", "DM unread")

    carol.type("Let me check")
    alice.wait(lambda d: alice.typing() == "carol is typing…", "typing shown")
    texts = [text for _, text in conversation]
    screen = check_conversation(alice, shot(alice, "desktop-room.png"), texts, ["design", "lobby"], "room:lobby")
    assert nav_names(alice, "dm-list") == ["bob"] and alice.unread("dm:bob") == "1"
    assert alice.unread("room:design") == "1"
    assert (alice.status_of("Perfect, thanks both") or [""])[1] == "Read by 2"
    assert alice.typing() == "carol is typing…"
    assert screen.ink("#typing", WHITE) > 50, "the typing line is drawn"
    assert near(screen.dominant("#members"), WHITE) and screen.ink("#member-list", WHITE) > 300, "the member list"

    carol.wait(lambda d: carol.js("return getComputedStyle(document.getElementById('typing')).display") != "none", "")
    check_conversation(carol, shot(carol, "phone-room.png"), texts, None, None)
    assert carol.js("return document.getElementById('sidebar').getBoundingClientRect().right") <= 0, "drawer closed"
    carol.ensure_sidebar()
    screen = Screen(carol, shot(carol, "phone-sidebar.png"))
    assert screen.visible("#sidebar") and near(screen.dominant("#sidebar"), SIDEBAR), "the drawer is open"
    assert nav_names(carol, "room-list") == ["lobby", "random"]
    assert near(screen.dominant(".conv-item.active"), ACCENT) and screen.ink("#room-list", SIDEBAR) > 200
    carol.driver.find_element(By.ID, "sidebar-close").click()
    carol.wait(lambda d: carol.body_data("sidebar") != "open", "sidebar closed")
    carol.ensure_members()
    screen = Screen(carol, shot(carol, "phone-members.png"))
    assert screen.visible("#members") and screen.ink("#member-list", WHITE) > 300, "the member overlay"
    assert sorted(carol.js("return [...document.querySelectorAll('#member-list .member')].map(m => m.dataset.user)")) == \
        ["alice", "bob", "carol"]

    alice.open_conv("dm:bob")
    alice.wait_text("Can you review my PR when you have a minute?")
    alice.send("Sure, on it after lunch")
    bob.wait_text("Sure, on it after lunch")
    alice.wait(lambda d: (alice.status_of("Sure, on it after lunch") or [""])[0] == "read", "DM read")
    check_conversation(alice, shot(alice, "desktop-dm.png"),
                       ["Can you review my PR when you have a minute?", "Sure, on it after lunch"], ["design", "lobby"],
                       "dm:bob")
    assert alice.title() == "bob"
