"""A client for everyone (issue 19): contrast, the dark theme, focus and labels, errors in words,
long messages, the phone layout. Each check reads what Chromium actually rendered: computed
styles, element boxes and the accessibility attributes."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from chatpage import ChatPage

# Relative luminance and contrast (WCAG 2.x), computed in the page from computed styles: the
# text colour against the first opaque background behind the element, alpha layers composited.
CONTRAST_JS = """
const parse = (c) => {
  const m = c.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return [0, 0, 0, 0];
  const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
const background = (el) => {
  const layers = [];
  for (let n = el; n; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let base = [255, 255, 255];
  for (const l of layers.reverse()) base = base.map((v, i) => v * (1 - l[3]) + l[i] * l[3]);
  return base;
};
const lum = (rgb) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]);
};
const results = {};
for (const sel of arguments[0]) {
  const el = document.querySelector(sel);
  if (!el) { results[sel] = null; continue; }
  const bg = background(el);
  const fg4 = parse(getComputedStyle(el).color);
  const fg = bg.map((v, i) => v * (1 - fg4[3]) + fg4[i] * fg4[3]);
  const a = lum(fg), b = lum(bg);
  results[sel] = { ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), fg, bg };
}
return results;
"""

# The elements the review measured: secondary grey text (timestamps, notices, hints, online
# counts), and white on the accent (the active room, the Join buttons).
CHAT_ELEMENTS = [
    "#messages .conv:not([hidden]) .msg-time",
    "#messages .conv:not([hidden]) .notice span",
    "#messages .conv:not([hidden]) .msg.last-mine .status-text",
    "#composer-hint",
    "#conv-sub",
    ".conv-item.active .conv-name",
    ".conv-item.active .conv-online",
    ".conv-item:not(.active) .conv-online",
    "#join-submit",
    ".nav-title",
    ".member-sub",
    "#conn-text",
]
SIGNIN_ELEMENTS = ["#nick-hint", "#signin-submit", ".signin-sub", ".field-label", "#transport-hint"]


def set_color_scheme(driver, scheme):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})


def contrast(page, selectors):
    return page.js(CONTRAST_JS, selectors)


def luminance_of_background(page, element_id):
    return page.js("""
        const c = getComputedStyle(document.getElementById(arguments[0])).backgroundColor.match(/\\d+(\\.\\d+)?/g).map(Number);
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);""", element_id)


def assert_contrast(page, selectors, theme):
    measured = contrast(page, selectors)
    missing = [s for s, r in measured.items() if r is None]
    assert missing == [], f"{theme}: elements not on the page: {missing}"
    low = {s: (round(r["ratio"], 2), r["fg"], r["bg"]) for s, r in measured.items() if r["ratio"] < 4.5}
    assert low == {}, f"{theme}: below WCAG AA 4.5:1: {low}"


def chat_with_two(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    alice.sign_in("alice", "lobby")
    alice.join("random")
    alice.open_conv("room:lobby")
    bob.sign_in("bob", "lobby")
    alice.wait(lambda d: "bob joined" in alice.active_conv().text, "join notice")
    alice.send("hello bob")
    alice.wait(lambda d: (alice.status_of("hello bob") or [""])[0] in ("sent", "read"), "sent")
    return alice, bob


def test_contrast_meets_aa_in_light_and_dark(server, browsers):
    page = ChatPage(browsers("signin"), server.url)
    page.open()
    set_color_scheme(page.driver, "light")
    assert_contrast(page, SIGNIN_ELEMENTS, "light sign-in")
    set_color_scheme(page.driver, "dark")
    assert_contrast(page, SIGNIN_ELEMENTS, "dark sign-in")

    alice, _ = chat_with_two(server, browsers)
    set_color_scheme(alice.driver, "light")
    assert_contrast(alice, CHAT_ELEMENTS, "light")
    set_color_scheme(alice.driver, "dark")
    assert_contrast(alice, CHAT_ELEMENTS, "dark")


def test_dark_theme_follows_the_system_and_the_toggle_overrides_it(server, browsers):
    driver = browsers("alice")
    set_color_scheme(driver, "dark")
    alice = ChatPage(driver, server.url)
    alice.sign_in("alice", "lobby")
    assert luminance_of_background(alice, "conversation") < 0.05, "dark system → dark conversation"
    assert alice.js("return getComputedStyle(document.documentElement).colorScheme") == "dark"
    toggle = driver.find_element(By.ID, "theme-toggle")
    assert toggle.get_attribute("aria-label") == "Switch to light theme"

    toggle.click()
    alice.wait(lambda d: luminance_of_background(alice, "conversation") > 0.9, "light after the toggle")
    assert toggle.get_attribute("aria-label") == "Switch to dark theme"
    # The choice outlives a reload, before the first paint (theme.js runs in <head>).
    driver.refresh()
    alice.wait_online(timeout=40)
    assert alice.js("return document.documentElement.dataset.theme") == "light"
    assert luminance_of_background(alice, "conversation") > 0.9

    # Picking what the system prefers means following the system again.
    driver.find_element(By.ID, "theme-toggle").click()
    alice.wait(lambda d: luminance_of_background(alice, "conversation") < 0.05, "dark again")
    assert alice.js("return document.documentElement.dataset.theme || null") is None
    set_color_scheme(driver, "light")
    alice.wait(lambda d: luminance_of_background(alice, "conversation") > 0.9, "follows the system to light")


def test_focus_is_visible_and_labels_say_what_happens(server, browsers):
    alice, _ = chat_with_two(server, browsers)
    driver = alice.driver

    # The members panel is open at 1280 px: the button offers to hide it, and says so.
    toggle = driver.find_element(By.ID, "members-toggle")
    assert alice.body_data("members") == "open"
    assert toggle.get_attribute("aria-label") == "Hide members"
    assert toggle.get_attribute("title") == "Hide members"
    assert toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    alice.wait(lambda d: alice.body_data("members") == "closed", "members hidden")
    assert toggle.get_attribute("aria-label") == "Show members"
    assert toggle.get_attribute("aria-expanded") == "false"

    # Sign-out uses a sign-out icon: a door on the left, the arrow leaving it to the right.
    signout = driver.find_element(By.CSS_SELECTOR, "#signout svg path").get_attribute("d")
    assert signout.startswith("M9 20H6") and "M21 12H9" in signout

    # Reaching the message list with the keyboard shows where focus is.
    driver.find_element(By.ID, "leave-room").send_keys("")  # focus the control before the list
    alice.js("document.getElementById('leave-room').focus()")
    for _ in range(5):
        if alice.js("return document.activeElement.id") == "messages":
            break
        driver.switch_to.active_element.send_keys(Keys.TAB)
    assert alice.js("return document.activeElement.id") == "messages"
    outline = alice.js("""const s = getComputedStyle(document.getElementById('messages'));
        return [s.outlineStyle, parseFloat(s.outlineWidth)];""")
    assert outline[0] != "none" and outline[1] >= 2, outline


def test_errors_are_sentences_on_the_faulty_field(server, browsers):
    page = ChatPage(browsers("alice"), server.url)
    page.open()
    driver = page.driver

    # A bad nickname: a sentence, and the field is marked and highlighted.
    nick = driver.find_element(By.ID, "nick")
    nick.clear()
    nick.send_keys("al ice")
    normal_border = page.js("return getComputedStyle(document.getElementById('first-room')).borderTopColor")
    driver.find_element(By.ID, "signin-submit").click()
    page.wait(lambda d: d.find_element(By.ID, "signin-error").text != "", "error shown")
    assert driver.find_element(By.ID, "signin-error").text == "Names use 1 to 32 letters, digits, _ or -, without spaces."
    assert nick.get_attribute("aria-invalid") == "true"
    assert "signin-error" in nick.get_attribute("aria-describedby")
    assert page.js("return getComputedStyle(document.getElementById('nick')).borderTopColor") != normal_border
    nick.send_keys(Keys.BACKSPACE)
    page.wait(lambda d: nick.get_attribute("aria-invalid") is None, "mark cleared while editing")

    # The password rules are on screen before the first attempt at registering.
    driver.find_element(By.ID, "tab-register").click()
    hint = driver.find_element(By.ID, "password-hint")
    assert hint.is_displayed() and "8 characters" in hint.text
    assert "password-hint" in driver.find_element(By.ID, "password").get_attribute("aria-describedby")
    nick.clear()
    nick.send_keys("alice")
    driver.find_element(By.ID, "password").send_keys("short")
    driver.find_element(By.ID, "signin-submit").click()
    page.wait(lambda d: driver.find_element(By.ID, "password").get_attribute("aria-invalid") == "true", "password marked")
    assert "at least 8 characters" in driver.find_element(By.ID, "signin-error").text
    assert nick.get_attribute("aria-invalid") is None
    driver.find_element(By.ID, "tab-login").click()
    assert not hint.is_displayed(), "the rules are for new passwords"

    # The join box explains a bad room name itself (no "Please match the requested format").
    driver.find_element(By.ID, "tab-guest").click()
    page.sign_in("alice", "lobby")
    box = driver.find_element(By.ID, "join-room")
    box.send_keys("my room!")
    box.send_keys(Keys.ENTER)
    page.wait(lambda d: d.find_element(By.ID, "join-error").text != "", "join error")
    assert driver.find_element(By.ID, "join-error").text == "Room names use 1 to 32 letters, digits, _ or -, without spaces or #."
    assert box.get_attribute("aria-invalid") == "true"
    assert page.js("return document.getElementById('join-room').validationMessage") == ""
    assert box.get_attribute("value") == "my room!", "the name stays to be fixed"
    assert page.title() == "#lobby"


def test_long_messages_are_never_cut_silently(server, browsers):
    alice, bob = chat_with_two(server, browsers)
    driver = alice.driver
    box = driver.find_element(By.ID, "text")
    counter = driver.find_element(By.ID, "counter")
    assert not counter.is_displayed(), "no counter for a short text"

    # A paste longer than the limit stays whole, and the counter says by how much.
    box.click()
    driver.execute_cdp_cmd("Input.insertText", {"text": "x" * 4100})
    alice.wait(lambda d: counter.is_displayed(), "counter shown")
    assert alice.js("return document.getElementById('text').value.length") == 4100
    assert counter.text == "4,100 / 4,000 · 100 too many to send"
    assert box.get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "send").get_attribute("aria-disabled") == "true"
    box.send_keys(Keys.ENTER)
    assert alice.js("return document.getElementById('text').value.length") == 4100, "Enter does not send or cut it"
    assert alice.texts() == ["hello bob"]

    # Near the limit the counter shows the count; far from it, nothing.
    alice.js("const t = document.getElementById('text'); t.value = 'y'.repeat(3700); t.dispatchEvent(new Event('input'));")
    alice.wait(lambda d: counter.text == "3,700 / 4,000", "counter near the limit")
    assert box.get_attribute("aria-invalid") is None
    alice.js("const t = document.getElementById('text'); t.value = 'short'; t.dispatchEvent(new Event('input'));")
    alice.wait(lambda d: not counter.is_displayed(), "counter hidden")
    alice.js("const t = document.getElementById('text'); t.value = ''; t.dispatchEvent(new Event('input'));")

    # A message the server can never accept gets no Retry (this client is told a larger limit
    # than the server's, as a stale page after a configuration change would be).
    alice.js("RabbitChat.state.limits.maxTextScalars = 10000")
    box.click()
    driver.execute_cdp_cmd("Input.insertText", {"text": "z" * 4100})
    box.send_keys(Keys.ENTER)
    alice.wait(lambda d: (alice.status_of("z" * 4100) or [""])[0] == "failed", "refused as too long")
    status = alice.status_of("z" * 4100)[1]
    assert status.startswith("Not sent: ") and "`" not in status and "4001" not in status, status
    assert alice.js("""return [...document.querySelectorAll('#messages .conv:not([hidden]) .msg.mine')]
        .filter(r => r.dataset.state === 'failed')[0].querySelectorAll('button').length""") == 0


def test_phone_touch_targets_and_the_newest_message_stays_visible(server, browsers):
    carol = ChatPage(browsers("carol", phone=True), server.url)
    carol.open()
    assert small_targets(carol) == [], "sign-in card"
    carol.sign_in("carol", "lobby")
    for i in range(12):
        carol.send(f"line {i}")
    carol.wait_text("line 11")
    carol.wait(lambda d: (carol.status_of("line 11") or [""])[0] == "sent", "sent")
    assert small_targets(carol) == [], "conversation"
    carol.ensure_sidebar()
    assert small_targets(carol) == [], "sidebar"
    carol.driver.find_element(By.ID, "sidebar-close").click()
    carol.wait(lambda d: carol.body_data("sidebar") != "open", "sidebar closed")
    carol.ensure_members()
    assert small_targets(carol) == [], "members"
    carol.driver.find_element(By.ID, "members-close").click()
    carol.wait(lambda d: carol.body_data("members") != "open", "members closed")

    # The composer grows with six lines; the newest message stays in view above it.
    before = carol.js("return document.getElementById('composer').getBoundingClientRect().height")
    box = carol.driver.find_element(By.ID, "text")
    for i in range(6):
        box.send_keys(f"draft {i}")
        box.send_keys(Keys.SHIFT, Keys.ENTER)
    carol.wait(lambda d: carol.js("return document.getElementById('composer').getBoundingClientRect().height") > before + 60,
               "composer grew")
    carol.wait(lambda d: carol.js("""
        const rows = document.querySelectorAll('#messages .conv:not([hidden]) .msg');
        const last = rows[rows.length - 1].getBoundingClientRect();
        const list = document.getElementById('messages').getBoundingClientRect();
        return last.bottom <= list.bottom + 1 && last.top >= list.top;"""), "newest message visible")


def small_targets(page):
    """Visible controls smaller than 44 × 44 CSS pixels (links inside message text are inline
    and exempt, as WCAG 2.5.5 allows)."""
    return page.js("""
        const out = [];
        for (const el of document.querySelectorAll('button, input, select, textarea, summary, a[href], [role="tab"]')) {
          if (el.closest('.msg-text')) continue;
          const r = el.getBoundingClientRect();
          const s = getComputedStyle(el);
          if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') continue;
          if (r.right <= 0 || r.bottom <= 0 || r.left >= innerWidth || r.top >= innerHeight) continue;
          if (r.width < 44 || r.height < 44) {
            out.push((el.id || el.className || el.tagName) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
          }
        }
        return out;""")
