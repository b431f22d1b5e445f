"""A room's retention in the web UI (issue 18): a server admin sets it in room details, members
see it there, and the operator's command line reads the same setting from the store. Real
server (SQLite store) and headless Chromium."""

import subprocess

from selenium.webdriver.common.by import By

from chatpage import ChatPage
from conftest import binary
from test_rooms import PASSWORD, dialog_open


def room_command(server, *args):
    """`rabbitchat room …` on the server's store (the command line works while it serves)."""
    result = subprocess.run(
        [str(binary()), "room", *args, "--database-url", f"sqlite://{server.tmp}/chat.sqlite"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def open_details(page):
    page.click("#room-info-btn", "room details")
    page.wait(lambda d: dialog_open(page, "room-dialog"), "room details open")


def test_admin_sets_a_rooms_retention_and_members_see_it(server, browsers):
    # The first admin is made on the command line (no HTTP route grants `admin`).
    made = subprocess.run(
        [str(binary()), "user", "create", "root", "--admin", "--password-stdin", "--database-url",
         f"sqlite://{server.tmp}/chat.sqlite"], input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    root = ChatPage(browsers("root"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    root.log_in("root", PASSWORD)
    bob.register("bob", PASSWORD)
    root.join("club")
    root.wait_joined("club", "root")
    bob.join("club", create=False)
    bob.wait_joined("club", "bob")

    # A member who is no admin sees no retention field, and no retention line while the room
    # follows the server.
    open_details(bob)
    bob.wait(lambda d: "Your role" in d.find_element(By.ID, "room-dialog-meta").text, "details loaded")
    assert not bob.driver.find_element(By.ID, "room-retention-row").is_displayed()
    assert "kept" not in bob.driver.find_element(By.ID, "room-dialog-meta").text
    bob.driver.find_element(By.CSS_SELECTOR, "#room-dialog .dialog-close").click()

    # The admin keeps the room's messages for 30 days.
    open_details(root)
    root.wait(lambda d: d.find_element(By.ID, "room-retention-row").is_displayed(), "admins get the field")
    field = root.driver.find_element(By.ID, "room-retention")
    assert field.get_attribute("value") == ""
    field.send_keys("30")
    root.driver.find_element(By.ID, "room-save").click()
    root.wait(lambda d: not dialog_open(root, "room-dialog"), "saved")
    assert room_command(server, "retention", "club") == "club: keeps 30 day(s)"

    # Bob's next look at the details says so.
    open_details(bob)
    bob.wait(lambda d: "Messages are kept for 30 days." in d.find_element(By.ID, "room-dialog-meta").text,
             "members see the room's retention")
    bob.driver.find_element(By.CSS_SELECTOR, "#room-dialog .dialog-close").click()

    # A value out of range is refused in the dialog, before anything is sent.
    open_details(root)
    root.wait(lambda d: d.find_element(By.ID, "room-retention").get_attribute("value") == "30", "the field shows 30")
    field = root.driver.find_element(By.ID, "room-retention")
    field.clear()
    field.send_keys("99999")
    root.driver.find_element(By.ID, "room-save").click()
    root.wait(lambda d: "36500" in d.find_element(By.ID, "room-settings-error").text, "the range is named")
    field.clear()
    field.send_keys("0")
    root.driver.find_element(By.ID, "room-save").click()
    root.wait(lambda d: not dialog_open(root, "room-dialog"), "saved")
    assert room_command(server, "retention", "club") == "club: keeps everything"
