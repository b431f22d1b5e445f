"""Rooms as stored objects in the web UI (issue 15): creating an invite-only room, inviting,
banning from the member list, and a user's rooms and DMs following them to a fresh browser.
Registered users in separate headless Chromiums against a real server with a SQLite store."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from chatpage import ChatPage, shot
from test_accessibility import assert_contrast, set_color_scheme
from test_loading import console_errors

PASSWORD = "correct horse battery staple"


def dialog_open(page, dialog_id):
    return page.js("return !!document.getElementById(arguments[0])?.open", dialog_id)


def notices(page):
    """The moderation notices of the open conversation (events of the message stream)."""
    return page.js("""const conv = document.querySelector('#messages .conv:not([hidden])');
        return conv ? [...conv.querySelectorAll('.notice-event')].map(n => n.textContent) : [];""")


def nav_names(page, list_id):
    return page.js("return [...document.querySelectorAll('#' + arguments[0] + ' .conv-name')].map(n => n.textContent)",
                   list_id)


def role_of(page, user):
    return page.js("""const m = document.querySelector('#member-list .member[data-user="' + arguments[0] + '"]');
        return m ? m.dataset.role : null;""", user)


def click_action(page, label):
    """Clicks the button labelled `label` in the open member dialog."""
    page.wait(lambda d: dialog_open(page, "member-dialog"), "member actions open")
    page.wait(lambda d: page.js("""for (const b of document.querySelectorAll('#member-actions button')) {
            if (b.textContent === arguments[0]) { b.click(); return true; } } return false;""", label), f"click {label}")


def join_from_box(page, room):
    page.ensure_sidebar()
    box = page.driver.find_element(By.ID, "join-room")
    box.clear()
    box.send_keys(room)
    box.send_keys(Keys.ENTER)


def row_shown(page, text):
    """Whether the message row with `text` in the open conversation is rendered (None: no row)."""
    return page.js("""const conv = document.querySelector('#messages .conv:not([hidden])');
        for (const r of conv.querySelectorAll('.msg')) {
            if (r.querySelector('.msg-text').textContent === arguments[0]) return r.getClientRects().length > 0;
        }
        return null;""", text)


def composer_locked(page):
    return page.js("return document.getElementById('text').disabled && document.getElementById('send').disabled")


def test_owner_creates_an_invite_only_room_invites_one_user_and_bans_another(server, browsers):
    olga = ChatPage(browsers("olga"), server.url)
    ivan = ChatPage(browsers("ivan"), server.url)
    mallory = ChatPage(browsers("mallory"), server.url)
    olga.register("olga", PASSWORD)
    ivan.register("ivan", PASSWORD)
    mallory.register("mallory", PASSWORD)

    # Olga creates an invite-only room from the sidebar's "New room" dialog and is its owner.
    olga.ensure_sidebar()
    olga.click("#new-room-btn", "New room")
    olga.wait(lambda d: dialog_open(olga, "create-dialog"), "create dialog open")
    olga.driver.find_element(By.ID, "create-name").send_keys("club")
    olga.driver.find_element(By.ID, "create-topic").send_keys("members only")
    Select(olga.driver.find_element(By.ID, "create-visibility")).select_by_value("invite")
    assert "only invited people can join" in olga.driver.find_element(By.ID, "create-visibility-hint").text
    olga.driver.find_element(By.ID, "create-submit").click()
    olga.wait(lambda d: not dialog_open(olga, "create-dialog"), "create dialog closed")
    olga.wait_joined("club", "olga")
    olga.wait(lambda d: "members only" in d.find_element(By.ID, "conv-sub").text, "the topic in the header")
    olga.ensure_members()
    olga.wait(lambda d: role_of(olga, "olga") == "owner", "olga shown as the owner")

    # The directory lists it as invite only; Mallory, not invited, is refused at the join box.
    mallory.ensure_sidebar()
    mallory.click("#directory-btn", "All rooms")
    mallory.wait(lambda d: dialog_open(mallory, "directory-dialog"), "directory open")
    mallory.driver.find_element(By.ID, "directory-search").send_keys("CLU")
    mallory.wait(lambda d: mallory.js("""return [...document.querySelectorAll('#directory-list .directory-item[data-room]')]
        .map(i => i.dataset.room)""") == ["club"], "search by name finds #club only")
    assert "Invite only" in mallory.driver.find_element(By.CSS_SELECTOR, '.directory-item[data-room="club"]').text
    assert "members only" in mallory.driver.find_element(By.CSS_SELECTOR, '.directory-item[data-room="club"]').text
    mallory.driver.find_element(By.CSS_SELECTOR, "#directory-dialog .dialog-close").click()
    mallory.wait(lambda d: not dialog_open(mallory, "directory-dialog"), "directory closed")
    join_from_box(mallory, "club")
    mallory.wait(lambda d: "invited members only" in d.find_element(By.ID, "join-error").text, "not invited")
    assert mallory.title() == "#lobby"
    assert not mallory.js("return RabbitChat.state.convs.has('room:club')")

    # Olga invites Ivan from the room details; Ivan finds the invitation in his sidebar and joins.
    olga.click("#room-info-btn", "room details")
    olga.wait(lambda d: dialog_open(olga, "room-dialog"), "room details open")
    olga.wait(lambda d: d.find_element(By.ID, "invite-section").is_displayed(), "the owner may invite")
    olga.driver.find_element(By.ID, "invite-name").send_keys("ivan")
    olga.driver.find_element(By.ID, "invite-submit").click()
    olga.wait(lambda d: d.find_element(By.ID, "invite-status").text.startswith("Invited ivan"), "ivan invited")
    olga.driver.find_element(By.ID, "invite-name").send_keys(Keys.ESCAPE)
    olga.wait(lambda d: not dialog_open(olga, "room-dialog"), "room details closed")
    ivan.ensure_sidebar()
    ivan.wait(lambda d: "club" in ivan.js("return [...document.querySelectorAll('#invite-list .invite-item')].map(i => i.dataset.room)"),
              "ivan sees the invitation")
    ivan.click('.invite-item[data-room="club"] .invite-join', "join from the invitation")
    ivan.wait_joined("club", "ivan")
    olga.wait(lambda d: "You invited ivan" in notices(olga), "the invite is a notice in the room")

    # Mallory is invited too (from the members panel's Invite button), and joins.
    olga.click("#invite-open", "invite from the members panel")
    olga.wait(lambda d: dialog_open(olga, "room-dialog") and olga.js("return document.activeElement.id") == "invite-name",
              "invite field focused")
    olga.driver.find_element(By.ID, "invite-name").send_keys("mallory", Keys.ENTER)
    olga.wait(lambda d: d.find_element(By.ID, "invite-status").text.startswith("Invited mallory"), "mallory invited")
    olga.driver.find_element(By.ID, "invite-name").send_keys(Keys.ESCAPE)
    mallory.ensure_sidebar()
    mallory.click('.invite-item[data-room="club"] .invite-join', "mallory joins from the invitation")
    mallory.wait_joined("club", "mallory")
    mallory.send("buy cheap pills at example.com")
    olga.wait_text("buy cheap pills at example.com")
    ivan.wait_text("buy cheap pills at example.com")

    # Olga bans Mallory from the member list, behind a confirmation with a reason.
    olga.ensure_members()
    olga.wait(lambda d: olga.js("return !!document.querySelector('#member-list .member[data-user=\"mallory\"] .mod-btn')"),
              "moderation offered for mallory")
    olga.click('#member-list .member[data-user="mallory"] .mod-btn', "actions for mallory")
    click_action(olga, "Ban…")
    olga.wait(lambda d: dialog_open(olga, "confirm-dialog"), "confirmation asked")
    assert olga.driver.find_element(By.ID, "confirm-title").text == "Ban mallory from #club?"
    olga.driver.find_element(By.ID, "confirm-reason").send_keys("spam")
    olga.driver.find_element(By.ID, "confirm-ok").click()
    olga.wait(lambda d: not dialog_open(olga, "confirm-dialog"), "ban confirmed and done")

    # Mallory sees why, and her composer is disabled with the reason.
    mallory.wait(lambda d: composer_locked(mallory), "mallory's composer disabled")
    lock = mallory.driver.find_element(By.ID, "composer-lock-text").text
    assert lock.startswith("You were banned from #club by olga"), lock
    assert "spam" in lock
    mallory.wait(lambda d: any(n.startswith("olga banned you") for n in notices(mallory)), "the ban notice")
    assert mallory.js("return document.getElementById('text').getAttribute('aria-describedby')").startswith("composer-lock-text")

    # Everyone else sees the ban as a notice, never as a chat bubble; Mallory is off the list.
    ivan.wait(lambda d: "olga banned mallory: spam" in notices(ivan), "ivan sees the ban notice")
    assert not any("banned" in t for t in ivan.texts())
    olga.wait(lambda d: role_of(olga, "mallory") is None, "mallory gone from the member list")

    # Mallory's rejoin is refused, and the composer stays disabled.
    join_from_box(mallory, "club")
    mallory.wait(lambda d: d.find_element(By.ID, "join-error").text == "You're banned from #club.", "rejoin refused")
    assert composer_locked(mallory)
    assert not mallory.js("return RabbitChat.state.convs.get('room:club').joined")
    shot(mallory, "desktop-banned.png")

    # The new texts meet WCAG AA in both themes: role badges, moderation notices, the lock line.
    for scheme in ("light", "dark"):
        set_color_scheme(olga.driver, scheme)
        set_color_scheme(mallory.driver, scheme)
        assert_contrast(olga, [".role-badge", "#messages .conv:not([hidden]) .notice-event span"], scheme)
        assert_contrast(mallory, ["#composer-lock-text", "#messages .conv:not([hidden]) .notice-event[data-action=ban] span",
                                  "#new-room-btn", "#join-error"], scheme)

    # The room goes on without her.
    ivan.send("glad that's sorted")
    olga.wait_text("glad that's sorted")
    mallory.driver.execute_async_script("setTimeout(arguments[0], 500)")
    assert "glad that's sorted" not in mallory.texts()
    for page in (olga, ivan, mallory):
        assert console_errors(page) == [], "no script errors or CSP violations"


def test_three_rooms_and_two_dms_follow_the_user_to_a_fresh_browser(server, browsers):
    uma = ChatPage(browsers("uma"), server.url)
    pat = ChatPage(browsers("pat"), server.url)
    quinn = ChatPage(browsers("quinn"), server.url)
    uma.register("uma", PASSWORD, room="alpha")
    uma.join("beta")
    uma.join("gamma")
    pat.register("pat", PASSWORD, room="alpha")
    quinn.register("quinn", PASSWORD, room="alpha")

    uma.open_conv("room:alpha")
    uma.wait(lambda d: {"pat", "quinn"} <= set(uma.js("return [...RabbitChat.state.convs.get('room:alpha').members]")),
             "pat and quinn in #alpha")
    for peer in ("pat", "quinn"):
        uma.open_conv("room:alpha")
        uma.start_dm(peer)
        uma.send(f"hi {peer}, from uma")
        uma.wait(lambda d: (uma.status_of(f"hi {peer}, from uma") or [""])[0] in ("sent", "read"), f"DM to {peer} stored")
    assert sorted(nav_names(uma, "room-list")) == ["alpha", "beta", "gamma"]

    # Signing out ends this browser's session; a fresh profile (no storage at all) logs in.
    uma.ensure_sidebar()
    uma.driver.find_element(By.ID, "signout").click()
    uma.wait(lambda d: d.find_element(By.ID, "nick").is_displayed(), "signed out")
    fresh = ChatPage(browsers("uma-fresh"), server.url)
    fresh.open()
    assert fresh.js("return sessionStorage.length + localStorage.length") == 0, "a fresh profile"
    fresh.log_in("uma", PASSWORD, room="lobby")

    # All five come back: the three rooms (joined, live) and the two DMs with their messages.
    fresh.wait(lambda d: sorted(nav_names(fresh, "room-list")) == ["alpha", "beta", "gamma", "lobby"], "rooms restored")
    fresh.wait(lambda d: sorted(nav_names(fresh, "dm-list")) == ["pat", "quinn"], "DMs restored")
    for room in ("alpha", "beta", "gamma"):
        fresh.wait(lambda d: fresh.is_joined(room), f"#{room} joined")
    for peer in ("pat", "quinn"):
        fresh.open_conv(f"dm:{peer}")
        fresh.wait_text(f"hi {peer}, from uma")
    fresh.open_conv("room:gamma")
    assert fresh.title() == "#gamma"
    fresh.open_conv("room:alpha")
    fresh.send("back on a new device")
    pat.wait_text("back on a new device")


def test_owner_settings_mute_and_a_block_list(server, browsers):
    olga = ChatPage(browsers("olga"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    olga.register("olga", PASSWORD)
    bob.register("bob", PASSWORD)
    olga.join("den")  # the join box asks "Create it?"; olga answers Create and owns it
    join_from_box(bob, "den")  # it exists now: joined at once
    bob.wait_joined("den", "bob")
    assert bob.join_prompt() is None

    # The owner changes the topic and who can join; the room sees both as notices.
    olga.click("#room-info-btn", "room details")
    olga.wait(lambda d: dialog_open(olga, "room-dialog"), "room details open")
    olga.wait(lambda d: d.find_element(By.ID, "room-visibility").is_enabled(), "the owner may change who can join")
    topic = olga.driver.find_element(By.ID, "room-topic")
    topic.clear()
    topic.send_keys("quiet please")
    Select(olga.driver.find_element(By.ID, "room-visibility")).select_by_value("private")
    olga.driver.find_element(By.ID, "room-save").click()
    olga.wait(lambda d: not dialog_open(olga, "room-dialog"), "saved")
    bob.wait(lambda d: "quiet please" in d.find_element(By.ID, "conv-sub").text, "bob sees the topic")
    bob.wait(lambda d: {"olga changed the topic to “quiet please”", "olga made the room private"} <= set(notices(bob)),
             "the changes as notices")
    # A member sees the settings read-only.
    bob.click("#room-info-btn", "room details")
    bob.wait(lambda d: dialog_open(bob, "room-dialog"), "room details open")
    assert bob.driver.find_element(By.ID, "room-topic").get_attribute("readonly") is not None
    assert not bob.driver.find_element(By.ID, "room-visibility").is_enabled()
    assert not bob.driver.find_element(By.ID, "invite-section").is_displayed()
    bob.driver.find_element(By.CSS_SELECTOR, "#room-dialog .dialog-close").click()

    # A mute disables bob's composer with the reason, and an unmute gives it back.
    olga.ensure_members()
    olga.click('#member-list .member[data-user="bob"] .mod-btn', "actions for bob")
    click_action(olga, "Mute…")
    olga.wait(lambda d: dialog_open(olga, "confirm-dialog"), "confirmation asked")
    assert olga.driver.find_element(By.ID, "confirm-title").text == "Mute bob in #den?"
    Select(olga.driver.find_element(By.ID, "confirm-duration")).select_by_visible_text("10 minutes")
    olga.driver.find_element(By.ID, "confirm-ok").click()
    olga.wait(lambda d: not dialog_open(olga, "confirm-dialog"), "muted")
    bob.wait(lambda d: composer_locked(bob), "bob's composer disabled")
    assert bob.driver.find_element(By.ID, "composer-lock-text").text.startswith("You're muted in #den until ")
    bob.wait(lambda d: any(n.startswith("olga muted you until ") for n in notices(bob)), "the mute notice")
    olga.click('#member-list .member[data-user="bob"] .mod-btn', "actions for bob")
    click_action(olga, "Unmute…")
    olga.wait(lambda d: dialog_open(olga, "confirm-dialog"), "confirmation asked")
    olga.driver.find_element(By.ID, "confirm-ok").click()
    bob.wait(lambda d: not composer_locked(bob), "bob may write again")
    bob.send("thanks olga")
    olga.wait_text("thanks olga")

    # Bob blocks olga from the user menu: her room messages are hidden, her DMs refused.
    bob.ensure_sidebar()
    bob.click("#user-menu-btn", "blocked people")
    bob.wait(lambda d: dialog_open(bob, "user-dialog"), "blocked people open")
    assert bob.driver.find_element(By.ID, "block-empty").is_displayed()
    bob.driver.find_element(By.ID, "block-name").send_keys("olga", Keys.ENTER)
    bob.wait(lambda d: bob.js("return [...document.querySelectorAll('#block-list li')].map(l => l.dataset.user)") == ["olga"],
             "olga on the list")
    bob.driver.find_element(By.CSS_SELECTOR, "#user-dialog .dialog-close").click()
    olga.send("can you hear me?")
    olga.wait(lambda d: (olga.status_of("can you hear me?") or [""])[0] in ("sent", "read"), "stored")
    bob.wait(lambda d: "can you hear me?" in bob.texts(), "the row is in the log")
    assert row_shown(bob, "can you hear me?") is False, "hidden: olga is blocked"
    olga.start_dm("bob")
    olga.send("psst")
    olga.wait(lambda d: (olga.status_of("psst") or [""])[0] == "failed", "the DM is refused")
    assert olga.status_of("psst")[1] == "Not sent: bob doesn't accept your messages."

    # Unblocking shows her messages again.
    bob.click("#user-menu-btn", "blocked people")
    bob.click('#block-list li[data-user="olga"] button', "unblock olga")
    bob.wait(lambda d: bob.js("return document.querySelectorAll('#block-list li').length") == 0, "list empty")
    bob.driver.find_element(By.CSS_SELECTOR, "#user-dialog .dialog-close").click()
    bob.wait(lambda d: row_shown(bob, "can you hear me?") is True, "shown again")
    for page in (olga, bob):
        assert console_errors(page) == [], "no script errors or CSP violations"
