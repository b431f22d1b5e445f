"""Messages that change after they were sent (issue 16): reply, edit, react and delete in the web
UI, seen live by a second person in another headless Chromium, and the same state after a
reload (from `joined` and `history`). Update entries never become rows of their own and never
count as unread."""

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from chatpage import ChatPage, shot
from test_loading import console_errors

# The state of every message row of the open conversation, as a person sees it.
ROWS = """
    const conv = document.querySelector('#messages .conv:not([hidden])');
    if (!conv) return [];
    return [...conv.querySelectorAll('.msg')].map(r => {
        const q = r.querySelector('.msg-quote');
        return {
            seq: Number(r.dataset.seq || 0), from: r.dataset.from,
            text: r.querySelector('.msg-text').textContent,
            edited: !!r.querySelector('.msg-edited') && getComputedStyle(r.querySelector('.msg-edited')).display !== 'none',
            deleted: r.hasAttribute('data-deleted'),
            quote: q ? [q.querySelector('.msg-quote-from').textContent, q.querySelector('.msg-quote-text').textContent] : null,
            reactions: [...r.querySelectorAll('.reaction')].map(c => [
                c.dataset.emoji, Number(c.querySelector('.reaction-count').textContent), c.getAttribute('aria-pressed') === 'true']),
        };
    });"""


def rows(page):
    return page.js(ROWS)


def row_by_seq(page, seq):
    for r in rows(page):
        if r["seq"] == seq:
            return r
    return None


def seq_of(page, text):
    """The seq of the message row showing `text`, once it has one (acknowledged or received)."""
    found = {}

    def ready(_):
        for r in rows(page):
            if r["text"] == text and r["seq"]:
                found["seq"] = r["seq"]
                return True
        return False

    page.wait(ready, f"{text!r} has a seq")
    return found["seq"]


def row_element(page, seq):
    return page.active_conv().find_element(By.CSS_SELECTOR, f'.msg[data-seq="{seq}"]')


def hover_action(page, seq, action_class):
    """Points at message `seq` (its actions show) and clicks one of them."""
    def attempt(driver):
        row = row_element(page, seq)
        page.js("arguments[0].scrollIntoView({block: 'center'})", row)
        ActionChains(driver).move_to_element(row).perform()
        button = row.find_element(By.CSS_SELECTOR, ".msg-actions ." + action_class)
        if not button.is_displayed():
            return False
        button.click()
        return True

    page.wait(attempt, f"click {action_class} on message {seq}")


def conv_state(page, key, field):
    return page.js("return RabbitChat.state.convs.get(arguments[0])[arguments[1]]", key, field)


def test_reply_edit_react_and_delete_are_seen_live_and_after_a_reload(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    alice.sign_in("alice", "lobby")
    bob.sign_in("bob", "lobby")
    alice.wait(lambda d: "bob" in alice.js("return [...RabbitChat.state.convs.get('room:lobby').members]"), "alice sees bob")

    # Alice writes; Bob answers it with Reply from the message's actions.
    alice.send("the plan is ready")
    bob.wait_text("the plan is ready")
    original = seq_of(bob, "the plan is ready")
    hover_action(bob, original, "act-reply")
    bob.wait(lambda d: d.find_element(By.ID, "composer-context").is_displayed(), "reply bar shown")
    assert "Replying to alice: the plan is ready" in bob.driver.find_element(By.ID, "composer-context-text").text
    bob.send("great, send it over")
    bob.wait(lambda d: not d.find_element(By.ID, "composer-context").is_displayed(), "reply bar gone after sending")
    reply = seq_of(bob, "great, send it over")
    alice.wait_text("great, send it over")
    for page in (alice, bob):
        page.wait(lambda d, p=page: (row_by_seq(p, reply) or {}).get("quote") == ["alice", "the plan is ready"],
                  "the reply shows its quote")

    # Bob looks at another room: Alice's edit is no unread message, her next message is one.
    bob.join("side")
    hover_action(alice, original, "act-edit")
    box = alice.driver.find_element(By.ID, "text")
    alice.wait(lambda d: box.get_attribute("value") == "the plan is ready", "the composer holds the text to edit")
    assert "Editing your message" in alice.driver.find_element(By.ID, "composer-context-text").text
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    box.send_keys("the plan is final")
    box.send_keys(Keys.ENTER)
    alice.wait(lambda d: (row_by_seq(alice, original) or {}).get("text") == "the plan is final", "alice sees her edit")
    assert box.get_attribute("value") == ""
    alice.send("meeting at five")
    bob.wait(lambda d: bob.unread("room:lobby") == "1", "one unread message in lobby (the edit is not one)")
    bob.open_conv("room:lobby")
    bob.wait(lambda d: (row_by_seq(bob, original) or {}).get("text") == "the plan is final", "bob sees the new text")
    assert row_by_seq(bob, original)["edited"] is True
    # The reply keeps the quote as it was when answered.
    assert row_by_seq(bob, reply)["quote"] == ["alice", "the plan is ready"]

    # Bob reacts from the keyboard: arrow keys to the message, Tab to its React action, 👍.
    bob.js("document.getElementById('messages').focus()")
    for _ in range(10):
        if bob.js("return document.activeElement.dataset.seq || null") == str(original):
            break
        bob.driver.switch_to.active_element.send_keys(Keys.ARROW_UP)
    assert bob.js("return document.activeElement.dataset.seq") == str(original)
    bob.driver.switch_to.active_element.send_keys(Keys.TAB)  # Reply
    bob.driver.switch_to.active_element.send_keys(Keys.TAB)  # Add a reaction
    assert bob.js("return document.activeElement.getAttribute('aria-label')") == "Add a reaction"
    bob.driver.switch_to.active_element.send_keys(Keys.ENTER)
    bob.wait(lambda d: bob.js("return document.activeElement.getAttribute('aria-label')") == "React with 👍", "picker open")
    bob.driver.switch_to.active_element.send_keys(Keys.ENTER)
    alice.wait(lambda d: (row_by_seq(alice, original) or {}).get("reactions") == [["👍", 1, False]], "alice sees 👍 1")
    bob.wait(lambda d: (row_by_seq(bob, original) or {}).get("reactions") == [["👍", 1, True]], "bob's chip is his")

    # Alice clicks the chip: her reaction joins his.
    alice.click(f'.msg[data-seq="{original}"] .reaction[data-emoji="👍"]', "alice clicks the 👍 chip")
    alice.wait(lambda d: (row_by_seq(alice, original) or {}).get("reactions") == [["👍", 2, True]], "count 2, highlighted")
    bob.wait(lambda d: (row_by_seq(bob, original) or {}).get("reactions") == [["👍", 2, True]], "bob sees count 2")
    # For review: the quote, the edited mark, the chip and a message's actions under the pointer.
    ActionChains(alice.driver).move_to_element(row_element(alice, reply)).perform()
    shot(alice, "desktop-lifecycle.png")

    # Alice deletes her message, after confirming.
    hover_action(alice, original, "act-delete")
    alice.wait(lambda d: alice.js("return document.getElementById('confirm-dialog').open"), "confirmation asked")
    assert alice.driver.find_element(By.ID, "confirm-title").text == "Delete your message?"
    alice.driver.find_element(By.ID, "confirm-ok").click()
    bob.wait(lambda d: (row_by_seq(bob, original) or {}).get("deleted") is True, "bob sees the placeholder")
    final = row_by_seq(bob, original)
    assert final["text"] == "Message deleted" and final["reactions"] == [] and final["edited"] is False
    bob.wait(lambda d: (row_by_seq(bob, reply) or {}).get("quote") == ["alice", "Original message deleted"],
             "the reply's quote is emptied")

    # Four update entries (edit, two reactions, delete) made no rows, and every page moved its
    # seq over them.
    live = rows(bob)
    assert [r["text"] for r in live] == ["Message deleted", "great, send it over", "meeting at five"]
    alice.wait(lambda d: conv_state(alice, "room:lobby", "lastSeq") == conv_state(bob, "room:lobby", "lastSeq"), "same seq")
    last = conv_state(bob, "room:lobby", "lastSeq")
    assert last == max(r["seq"] for r in live) + 3, "two reactions and the delete came after the newest message"

    # A reload shows the same final state, from the server.
    before = [{k: r[k] for k in ("seq", "from", "text", "edited", "deleted", "quote", "reactions")} for r in live]
    bob.driver.refresh()
    bob.wait_joined("lobby", "bob after reload")
    bob.wait(lambda d: len(rows(bob)) == 3, "three messages after the reload")
    after = [{k: r[k] for k in ("seq", "from", "text", "edited", "deleted", "quote", "reactions")} for r in rows(bob)]
    assert after == before
    assert conv_state(bob, "room:lobby", "lastSeq") == last
    assert console_errors(bob) == [] and console_errors(alice) == []


def test_a_quote_loads_older_history_and_a_refused_change_is_a_toast(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    alice.sign_in("alice", "den")
    bob.sign_in("bob", "den")
    alice.wait(lambda d: "bob" in alice.js("return [...RabbitChat.state.convs.get('room:den').members]"), "alice sees bob")

    alice.send("the first word")
    bob.wait_text("the first word")
    first = seq_of(bob, "the first word")
    hover_action(bob, first, "act-reply")
    bob.send("an answer from long ago")
    answer = seq_of(bob, "an answer from long ago")
    hover_action(bob, first, "act-react")
    bob.click(f'.msg[data-seq="{first}"] .emoji-choice[title="🎉"]', "bob picks 🎉")
    alice.wait(lambda d: (row_by_seq(alice, first) or {}).get("reactions") == [["🎉", 1, False]], "alice sees 🎉")

    # Sixty more messages (paced under the rate limit), then a reply quoting the old answer.
    alice.driver.execute_async_script("""
        const done = arguments[0];
        const conv = RabbitChat.state.convs.get('room:den');
        let i = 0;
        const timer = setInterval(() => {
            RabbitChat.state.conn.send({type: 'send', room: conv.name, text: 'filler ' + i, cid: 'filler-' + i});
            i += 1;
            if (i === 60) { clearInterval(timer); done(); }
        }, 70);""")
    alice.wait_text("filler 59")
    hover_action(alice, answer, "act-reply")
    alice.send("quoting the old answer")
    quoting = seq_of(alice, "quoting the old answer")

    # A third person arrives: only the latest page is loaded, and the quote takes her back.
    carol = ChatPage(browsers("carol"), server.url)
    carol.sign_in("carol", "den")
    carol.wait_text("quoting the old answer")
    assert row_by_seq(carol, answer) is None
    assert row_by_seq(carol, quoting)["quote"] == ["bob", "an answer from long ago"]
    carol.click(f'.msg[data-seq="{quoting}"] .msg-quote', "carol clicks the quote")
    carol.wait(lambda d: row_by_seq(carol, answer) is not None, "the quoted message loaded")
    carol.wait(lambda d: carol.js("return document.activeElement.dataset.seq || null") == str(answer),
               "the quoted message has focus")
    # The older page shows its messages in their current state; its update entry is no row.
    assert row_by_seq(carol, answer)["quote"] == ["alice", "the first word"]
    assert row_by_seq(carol, first)["reactions"] == [["🎉", 1, False]]
    seqs = [r["seq"] for r in rows(carol)]
    assert seqs == sorted(seqs) and len(seqs) == 63 and first + 2 not in seqs, seqs
    assert carol.js("return RabbitChat.state.convs.get('room:den').minSeq") <= first
    # Carol's own rows offer no Edit and (a guest, no moderator) no Delete on others' messages.
    row = row_element(carol, first)
    carol.js("arguments[0].scrollIntoView({block: 'center'})", row)
    ActionChains(carol.driver).move_to_element(row).perform()
    assert not row.find_elements(By.CSS_SELECTOR, ".act-edit")
    assert not row.find_element(By.CSS_SELECTOR, ".act-delete").is_displayed()
    assert row.find_element(By.CSS_SELECTOR, ".act-reply").is_displayed()

    # Bob goes offline; meanwhile Alice deletes her first message, and Bob reacts to it on his
    # stale page. Back online, the resume brings the delete and the reaction is refused: a toast.
    bob.js("RabbitChat.state.conn.stop()")
    bob.wait(lambda d: bob.body_data("connection") == "offline", "bob offline")
    hover_action(alice, first, "act-delete")
    alice.wait(lambda d: alice.js("return document.getElementById('confirm-dialog').open"), "confirmation asked")
    alice.driver.find_element(By.ID, "confirm-ok").click()
    carol.wait(lambda d: (row_by_seq(carol, first) or {}).get("deleted") is True, "carol sees it deleted")
    assert row_by_seq(carol, answer)["quote"] == ["alice", "Original message deleted"]
    hover_action(bob, first, "act-react")
    bob.click(f'.msg[data-seq="{first}"] .emoji-choice[title="😮"]', "bob picks 😮 while offline")
    bob.js("RabbitChat.state.conn.start()")
    bob.wait_online()
    bob.wait(lambda d: (row_by_seq(bob, first) or {}).get("deleted") is True, "bob sees it deleted after the resume")
    bob.wait(lambda d: "That message was deleted" in " ".join(
        t.text for t in d.find_elements(By.CSS_SELECTOR, ".toast")), "the refusal in words")
    assert row_by_seq(bob, first)["reactions"] == []
    assert console_errors(carol) == []
