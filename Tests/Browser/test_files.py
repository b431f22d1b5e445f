"""Files in the web UI: an image attached by drag and drop uploads with a progress bar, is sent
with the next message, and shows as a preview to another client (fetched with its token); a
file of a refused type is refused before upload, with the reason. Searching for a message and
jumping to it is covered by test_search.py."""

from selenium.webdriver.common.by import By

from chatpage import ChatPage, shot
from test_loading import console_errors

# Builds a real 40×30 PNG on a canvas and drops it on the conversation as a synthetic drop event
# whose DataTransfer holds the file: what a browser dispatches when a file is dragged in.
DROP_PNG = """
const done = arguments[arguments.length - 1];
const canvas = document.createElement('canvas');
canvas.width = 40; canvas.height = 30;
const ctx = canvas.getContext('2d');
ctx.fillStyle = '#c2410c'; ctx.fillRect(0, 0, 40, 30);
ctx.fillStyle = '#ffffff'; ctx.fillRect(10, 8, 20, 14);
canvas.toBlob((blob) => {
  const file = new File([blob], arguments[0], { type: 'image/png' });
  const transfer = new DataTransfer();
  transfer.items.add(file);
  const target = document.getElementById('messages');
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }
  done(blob.size);
}, 'image/png');
"""

DROP_FILE = """
const transfer = new DataTransfer();
transfer.items.add(new File([new Uint8Array(arguments[1])], arguments[0], { type: 'application/octet-stream' }));
document.getElementById('messages').dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
"""


def tray(page):
    return page.js("""return [...document.querySelectorAll('#attachments .attachment')].map(a =>
        [a.getAttribute('aria-label'), a.dataset.state, a.querySelector('.attachment-error').textContent])""")


def test_an_image_dropped_in_is_sent_and_previewed_on_another_client(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    alice.register("alice", "correct horse battery", "lobby")
    bob = ChatPage(browsers("bob"), server.url)
    bob.register("bob", "correct horse battery", "lobby")
    alice.wait(lambda d: alice.driver.find_element(By.ID, "attach").is_displayed(), "the attach button is shown")

    size = alice.driver.execute_async_script(DROP_PNG, "sunset.png")
    assert size > 60
    alice.wait(lambda d: tray(alice) == [["sunset.png", "done", ""]], "the dropped image uploaded")
    assert alice.js("return document.querySelector('#attachments progress').value") == 100

    # A type the server refuses is refused before any byte goes, with the reason.
    alice.js(DROP_FILE, "tool.exe", [0x7F, 0x45, 0x4C, 0x46])
    alice.wait(lambda d: len(tray(alice)) == 2, "the refused file is listed")
    refused = tray(alice)[1]
    assert refused[1] == "refused" and "Not allowed" in refused[2]
    shot(alice, "files-tray.png")
    alice.click("#attachments .attachment[data-state='refused'] .icon-btn", "remove the refused file")

    alice.send("look at this")
    for page in (alice, bob):
        page.wait_text("look at this")
        page.wait(lambda d: page.js("""
            const img = [...document.querySelectorAll('#messages .conv:not([hidden]) .msg .msg-image')].pop();
            return !!img && img.dataset.loaded === 'true' && img.complete && img.naturalWidth === 40 && img.naturalHeight === 30;
        """), "the image preview is shown")
    assert alice.js("return document.getElementById('attachments').hidden")
    assert bob.js("return document.querySelector('#messages .msg-image').src.startsWith('blob:')")
    assert bob.js("return document.querySelector('#messages .msg-image').alt") == "sunset.png"
    shot(bob, "files-preview.png")

    # After a reload the history carries the attachment too.
    bob.driver.refresh()
    bob.wait_joined("lobby", "bob")
    bob.wait(lambda d: bob.js(
        "return !!document.querySelector('#messages .conv:not([hidden]) .msg .msg-image[data-loaded=\"true\"]')"),
        "the preview is back after a reload")

    for page in (alice, bob):
        problems = [p for p in console_errors(page) if "/sockjs" not in p]
        assert problems == []


# A synthetic paste of a file into the text box: what the browser dispatches when an image
# copied elsewhere is pasted (its ClipboardEvent carries the file in a DataTransfer).
PASTE_TEXT_FILE = """
const transfer = new DataTransfer();
transfer.items.add(new File([arguments[1]], arguments[0], { type: 'text/plain' }));
document.getElementById('text').dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: transfer }));
"""

DROP_LARGE = """
const transfer = new DataTransfer();
transfer.items.add(new File([new Uint8Array(arguments[1])], arguments[0], { type: 'image/png' }));
document.getElementById('messages').dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
"""


def test_files_attached_by_the_button_and_by_paste_are_sent_and_a_large_one_is_refused_first(server, browsers, tmp_path):
    alice = ChatPage(browsers("alice"), server.url)
    alice.register("alice", "correct horse battery", "lobby")
    bob = ChatPage(browsers("bob"), server.url)
    bob.register("bob", "correct horse battery", "lobby")
    alice.wait(lambda d: alice.driver.find_element(By.ID, "attach").is_displayed(), "the attach button is shown")

    # The button opens the file chooser (#file-input); choosing a file is what send_keys does.
    notes = tmp_path / "notes.txt"
    notes.write_text("meeting notes\n")
    alice.driver.find_element(By.ID, "file-input").send_keys(str(notes))
    alice.wait(lambda d: tray(alice) == [["notes.txt", "done", ""]], "the chosen file uploaded")

    alice.js(PASTE_TEXT_FILE, "pasted.txt", "from the clipboard\n")
    alice.wait(lambda d: tray(alice) == [["notes.txt", "done", ""], ["pasted.txt", "done", ""]], "the pasted file uploaded")

    # Larger than the server's limit (GET /api/uploads: 10 MiB by default): refused in the tray
    # with the limit in words, before a byte is sent.
    requests_before = alice.js("return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/uploads')).length")
    alice.js(DROP_LARGE, "huge.png", 11 * 1024 * 1024)
    alice.wait(lambda d: len(tray(alice)) == 3, "the large file is listed")
    name, state, reason = tray(alice)[2]
    assert (name, state) == ("huge.png", "refused")
    assert reason == "Too large: files may be at most 10.0 MB."
    assert alice.js("return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/uploads')).length") == requests_before
    alice.click("#attachments .attachment[data-state='refused'] .icon-btn", "remove the large file")

    alice.send("two files")
    bob.wait_text("two files")
    names = bob.js("""return [...document.querySelectorAll('#messages .conv:not([hidden]) .msg')].pop()
        .textContent""")
    assert "notes.txt" in names and "pasted.txt" in names
    problems = [p for p in console_errors(alice) if "/sockjs" not in p]
    assert problems == []
