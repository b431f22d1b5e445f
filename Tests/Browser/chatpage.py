"""A small page object for the RabbitChat web UI, so tests read like what a person does."""

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    StaleElementReferenceException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT = 20  # generous: a loaded 2-core machine runs a Swift server and several Chromiums


class ChatPage:
    def __init__(self, driver, base_url, timeout=TIMEOUT):
        self.driver = driver
        self.base_url = base_url
        self.timeout = timeout

    # -- waiting ---------------------------------------------------------------------------

    def wait(self, predicate, message="", timeout=None):
        def safe(driver):
            try:
                return predicate(driver)
            except StaleElementReferenceException:
                return False

        return WebDriverWait(self.driver, timeout or self.timeout, poll_frequency=0.1).until(safe, message)

    def click(self, css, what=None):
        """Clicks an element the page may re-render at any moment (nav items, member rows):
        finds it afresh and retries when it went stale between finding and clicking."""
        def attempt(driver):
            found = driver.find_elements(By.CSS_SELECTOR, css)
            if not found:
                return False
            try:
                found[0].click()
            except (ElementClickInterceptedException, ElementNotInteractableException):
                return False  # still sliding in, or covered for a moment: try again
            return True

        self.wait(attempt, what or f"click {css}")

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def body_data(self, key):
        return self.js("return document.body.dataset[arguments[0]] || null", key)

    # -- sign-in ---------------------------------------------------------------------------

    def open(self, query="?transport=websocket"):
        self.driver.get(self.base_url + "/" + query)
        self.wait(lambda d: d.find_element(By.ID, "nick").is_displayed(), "sign-in form")

    def sign_in(self, nick, room="lobby", query="?transport=websocket"):
        self.open(query)
        nick_input = self.driver.find_element(By.ID, "nick")
        nick_input.clear()
        nick_input.send_keys(nick)
        room_input = self.driver.find_element(By.ID, "first-room")
        room_input.clear()
        room_input.send_keys(room)
        self.driver.find_element(By.ID, "signin-submit").click()
        self.wait_joined(room, nick)

    def register(self, name, password, room="lobby", query="?transport=websocket"):
        """Registers an account from the sign-in card's Register tab (which signs in), into `room`."""
        self.log_in(name, password, room, query, tab="register")

    def log_in(self, name, password, room="lobby", query="?transport=websocket", tab="login"):
        """Logs in with an account from the sign-in card's Log in tab, into `room`."""
        self.open(query)
        self.wait(lambda d: d.find_element(By.ID, "auth-tabs").is_displayed(), "account tabs shown")
        self.driver.find_element(By.ID, "tab-" + tab).click()
        nick_input = self.driver.find_element(By.ID, "nick")
        nick_input.clear()
        nick_input.send_keys(name)
        self.driver.find_element(By.ID, "password").send_keys(password)
        room_input = self.driver.find_element(By.ID, "first-room")
        room_input.clear()
        room_input.send_keys(room)
        self.driver.find_element(By.ID, "signin-submit").click()
        self.wait_joined(room, name)

    def wait_joined(self, room, who="", timeout=None):
        self.wait_online(timeout)
        self.wait(lambda d: self.title().lower() == "#" + room.lower(), f"{who} sees #{room}", timeout)
        self.wait(lambda d: self.is_joined(room), f"{who} joined #{room}", timeout)

    def is_joined(self, room):
        return self.js("return !!RabbitChat.state.convs.get('room:' + arguments[0].toLowerCase())?.joined", room)

    def wait_online(self, timeout=None):
        self.wait(lambda d: self.body_data("connection") == "online", "connection online", timeout)

    # -- reading the page ------------------------------------------------------------------

    def title(self):
        return self.driver.find_element(By.ID, "conv-title").text

    def active_conv(self):
        return self.driver.find_element(By.CSS_SELECTOR, "#messages .conv:not([hidden])")

    def messages(self):
        """(from, text, seq) of every message row in the open conversation, in page order."""
        return self.js("""
            const conv = document.querySelector('#messages .conv:not([hidden])');
            if (!conv) return [];
            return [...conv.querySelectorAll('.msg')].map(r => [
                r.dataset.from, r.querySelector('.msg-text').textContent, r.dataset.seq || null,
                r.dataset.state || null, !!r.dataset.archived]);
        """)

    def texts(self):
        return [m[1] for m in self.messages()]

    def wait_text(self, text, timeout=None):
        self.wait(lambda d: text in self.texts(), f"message {text!r} shown", timeout)

    def row(self, text):
        for row in self.active_conv().find_elements(By.CSS_SELECTOR, ".msg"):
            if row.find_element(By.CSS_SELECTOR, ".msg-text").text == text:
                return row
        return None

    def status_of(self, text):
        return self.js("""
            const conv = document.querySelector('#messages .conv:not([hidden])');
            for (const r of conv.querySelectorAll('.msg.mine')) {
                if (r.querySelector('.msg-text').textContent === arguments[0]) {
                    const s = r.querySelector('.msg-status');
                    return [s.dataset.state, (s.querySelector('.status-text') || s).textContent];
                }
            }
            return null;
        """, text)

    def typing(self):
        return self.driver.find_element(By.ID, "typing").text

    def nav_item(self, key):
        return self.driver.find_element(By.CSS_SELECTOR, f'.conv-item[data-key="{key}"]')

    def unread(self, key):
        return self.js("""
            const b = document.querySelector('.conv-item[data-key="' + arguments[0] + '"] .badge');
            return b ? b.textContent : '';
        """, key)

    # -- doing things ----------------------------------------------------------------------

    def type(self, text):
        box = self.driver.find_element(By.ID, "text")
        box.send_keys(text)

    def send(self, text):
        box = self.driver.find_element(By.ID, "text")
        lines = text.split("\n")
        for i, line in enumerate(lines):
            box.send_keys(line)
            if i < len(lines) - 1:
                box.send_keys(Keys.SHIFT, Keys.ENTER)
        box.send_keys(Keys.ENTER)

    def open_conv(self, key):
        self.ensure_sidebar()
        self.click(f'.conv-item[data-key="{key}"]', f"open {key}")

    def ensure_sidebar(self):
        if self.js("return getComputedStyle(document.getElementById('sidebar-open')).display") != "none":
            if self.body_data("sidebar") != "open":
                self.driver.find_element(By.ID, "sidebar-open").click()
                self.wait(lambda d: self.js(
                    "return document.getElementById('sidebar').getBoundingClientRect().left") > -1, "sidebar open")

    def ensure_members(self):
        if self.body_data("members") != "open":
            self.driver.find_element(By.ID, "members-toggle").click()
        self.wait(lambda d: d.find_element(By.ID, "member-list").is_displayed(), "member list shown")

    def start_dm(self, user):
        self.ensure_members()
        self.click(f'.member[data-user="{user}"] .dm-btn', f"message {user} from the member list")
        self.wait(lambda d: self.title() == user, f"DM with {user} open")

    def join(self, room, create=True):
        """Joins `room` from the join box; when the box asks "There's no room #x. Create it?"
        (a server with stored rooms, and nobody made it yet), answers Create when `create`."""
        self.ensure_sidebar()
        box = self.driver.find_element(By.ID, "join-room")
        box.send_keys(room)
        box.send_keys(Keys.ENTER)

        def outcome(d):
            if self.join_prompt():
                return "asked"
            if self.title().lower() == "#" + room.lower():
                return "opened"
            return False

        if self.wait(outcome, f"#{room} open, or a question about creating it") == "asked":
            assert create, f"the join box asked to create #{room}"
            self.click("#join-create", f"create #{room}")
        self.wait(lambda d: self.title().lower() == "#" + room.lower(), f"#{room} open")
        self.wait(lambda d: self.is_joined(room), f"joined #{room}")

    def join_prompt(self):
        """The join box's question about creating an unknown room, or None."""
        return self.js("""const p = document.getElementById('join-prompt');
            return p && !p.hidden ? document.getElementById('join-prompt-text').textContent : null;""")


def shot(page, name):
    """Saves a screenshot of `page` to test-artifacts/screenshots/<name> once rendering settled."""
    import pathlib

    folder = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.driver.execute_async_script(
        "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 250)));")
    path = folder / name
    assert page.driver.save_screenshot(str(path)), name
    return path
