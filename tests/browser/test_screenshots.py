"""Screenshots of the web UI at desktop (1280×800) and phone (390×844) widths, for review.

They land in test-artifacts/screenshots/ (gitignored):
  desktop-signin.png, desktop-room.png, desktop-dm.png,
  phone-signin.png, phone-room.png, phone-sidebar.png, phone-members.png
(test_chat.py adds desktop-reconnecting.png while the server is down.)
"""

import pathlib

from selenium.webdriver.common.by import By

from chatpage import ChatPage, shot

SCREENSHOTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def test_screenshots_desktop_and_phone(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    carol = ChatPage(browsers("carol", phone=True), server.url)

    alice.open()
    alice.driver.find_element(By.ID, "nick").send_keys("alice")
    shot(alice, "desktop-signin.png")
    carol.open()
    shot(carol, "phone-signin.png")

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
    shot(alice, "desktop-room.png")

    carol.wait(lambda d: carol.js("return getComputedStyle(document.getElementById('typing')).display") != "none", "")
    shot(carol, "phone-room.png")
    carol.ensure_sidebar()
    shot(carol, "phone-sidebar.png")
    carol.driver.find_element(By.ID, "sidebar-close").click()
    carol.wait(lambda d: carol.body_data("sidebar") != "open", "sidebar closed")
    carol.ensure_members()
    shot(carol, "phone-members.png")

    alice.open_conv("dm:bob")
    alice.wait_text("Can you review my PR when you have a minute?")
    alice.send("Sure, on it after lunch")
    bob.wait_text("Sure, on it after lunch")
    alice.wait(lambda d: (alice.status_of("Sure, on it after lunch") or [""])[0] == "read", "DM read")
    shot(alice, "desktop-dm.png")

    for name in ("desktop-signin", "desktop-room", "desktop-dm", "phone-signin", "phone-room", "phone-sidebar",
                 "phone-members"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000, name
