"""Message search in the web UI: the search box finds a message, shows it as text with the match
marked, pages, and jumps to the message in its conversation, loading older history to reach it."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from chatpage import ChatPage, shot
from test_chat import post_messages


def search(page, text):
    page.ensure_sidebar()
    box = page.driver.find_element(By.ID, "search-q")
    box.clear()
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def results(page):
    return page.js("return [...document.querySelectorAll('#search-results .search-result')].map(r => r.dataset.seq)")


def test_search_finds_a_message_and_jumps_to_it(server, browsers):
    texts = [f"filler message {i}" for i in range(1, 131)]
    texts[9] = "the <b>needle</b> <img src=x> is here"  # seq 10: two pages older than the latest page
    post_messages(server, "dave", "archive", texts)

    alice = ChatPage(browsers("alice"), server.url)
    alice.sign_in("alice", "lobby")

    search(alice, "NEEDLE")
    alice.wait(lambda d: results(alice) == ["10"], "one result: seq 10")
    result = alice.driver.find_element(By.CSS_SELECTOR, "#search-results .search-result")
    assert [m.text for m in result.find_elements(By.TAG_NAME, "mark")] == ["needle"]
    assert result.find_elements(By.CSS_SELECTOR, "b, img") == [], "the message text is never markup"
    assert "<b>" in result.find_element(By.CLASS_NAME, "search-snippet").text
    assert "#archive" in result.text and "dave" in result.text
    shot(alice, "search-results.png")

    # Paging: 20 results, then more.
    search(alice, "filler")
    alice.wait(lambda d: len(results(alice)) == 20, "first page")
    alice.click("#search-more", "more results")
    alice.wait(lambda d: len(results(alice)) == 40, "second page")
    seqs = [int(s) for s in results(alice)]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 40

    # Jump: alice was never in #archive; the result joins it and loads history back to seq 10.
    search(alice, "needle")
    alice.wait(lambda d: results(alice) == ["10"], "needle again")
    alice.click("#search-results .search-result", "open the result")
    alice.wait(lambda d: alice.title() == "#archive", "#archive open")
    alice.wait(lambda d: alice.js(
        "return !!document.querySelector('#messages .conv:not([hidden]) .msg.search-hit[data-seq=\"10\"]')"),
        "the message is shown and marked")
    assert alice.js("""
        const row = document.querySelector('#messages .msg[data-seq="10"]').getBoundingClientRect();
        const view = document.getElementById('messages').getBoundingClientRect();
        return row.top >= view.top && row.bottom <= view.bottom;""")
    seqs = [int(m[2]) for m in alice.messages()]
    assert seqs == list(range(seqs[0], 131)) and seqs[0] <= 10, "history is whole from the hit to the newest"
    assert alice.js("return document.querySelectorAll('#messages img, #messages b').length") == 0
    shot(alice, "search-jump.png")

    problems = [e["message"] for e in alice.driver.get_log("browser")
                if e["level"] == "SEVERE" or "Content Security Policy" in e["message"]]
    assert [p for p in problems if "/sockjs" not in p] == []
