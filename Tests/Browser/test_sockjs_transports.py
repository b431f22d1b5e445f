"""Every transport of sockjs-client 1.6.1 in headless Chromium, against the SockJS test services.

Each row forces one transport (`new SockJS(url, null, {transports: [name]})`) from a page on the
server's own origin and from a page on another origin (a tiny static page served by this test on
another loopback port, listed in `--allowed-origins`), and echoes messages of every awkward kind
through `/echo`: non-Latin text, astral emoji, combining marks, quotes, backslashes, `</script>`,
U+2028/U+2029, every C0 control character, JSON-looking and SockJS-frame-looking text, a 64 KiB
text and a 1 MiB text (the echo service's limit is 4 MiB; the chat's own 64 KiB limit is checked
by `test_chat_keeps_its_frame_limit`). Rows Chromium cannot run (the `xdr-*` transports need IE's
XDomainRequest; sockjs-client offers `htmlfile` only on the same origin) are skipped, after
checking that sockjs-client indeed refuses them. The matrix is printed at the end of the run and
written to test-artifacts/sockjs-transport-matrix.txt.
"""

import http.server
import threading
import urllib.request

import pytest

from conftest import ARTIFACTS, Server, make_driver

# transport-list.js of sockjs-client 1.6.1, in its order.
TRANSPORTS = [
    "websocket", "xhr-streaming", "xdr-streaming", "eventsource", "iframe-eventsource", "htmlfile",
    "iframe-htmlfile", "xhr-polling", "xdr-polling", "iframe-xhr-polling", "jsonp-polling",
]
ORIGINS = ["same-origin", "cross-origin"]

IMPOSSIBLE = {
    ("xdr-streaming", "same-origin"): "XDomainRequest exists only in IE 8-9",
    ("xdr-streaming", "cross-origin"): "XDomainRequest exists only in IE 8-9",
    ("xdr-polling", "same-origin"): "XDomainRequest exists only in IE 8-9",
    ("xdr-polling", "cross-origin"): "XDomainRequest exists only in IE 8-9",
    ("htmlfile", "cross-origin"): "sockjs-client enables htmlfile only on the same origin",
}


def sixty_four_kib() -> str:
    unit = 'abc "q" \\ é 😀 </script>\u2028\x01'
    text = unit * (64 * 1024 // len(unit) + 1)
    return text[: 64 * 1024]


MESSAGES = [
    "Здравствуй, мир — 你好，世界 — مرحبا بالعالم — नमस्ते",
    "😀🐇👩‍👩‍👧‍👦 𝄞 🏳️‍🌈",
    "e\u0301 a\u0308 Z\u0335\u0311\u0352 n\u0303\u0303\u0303 क्षि",
    "\"double\" 'single' `back` \\ \\\\ \\\" \\u0041 \\n",
    "</script><script>window.__x=1</script><!-- -->",
    "line\u2028separator \u2029paragraph \u200c\u200f\u2060\ufeff\ufff0",
    "".join(chr(c) for c in range(0x20)) + "\x7f\x85",
    "%41 is A, 100% sure, %%, %0A, %",
    '{"type":"send","room":"lobby","text":"hi","cid":"1"}',
    '["a","b"]',
    'a["x"]',
    'c[3000,"Go away!"]',
    "o",
    "h",
    "",
    sixty_four_kib(),
    ("1 MiB: ü😀" + "x" * 1021) * 1024,
]

ECHO_SCRIPT = """
const [base, transport, messages, done] = arguments;
const result = {opened: null, received: [], closed: null};
function finish() { try { sock.close(); } catch (e) {} done(result); }
const sock = new SockJS(base + '/echo', null, {transports: [transport], timeout: 20000});
sock.onopen = () => {
  result.opened = sock.transport;
  for (const m of messages) sock.send(m);
};
sock.onmessage = (e) => {
  result.received.push(e.data);
  if (result.received.length === messages.length) finish();
};
sock.onclose = (e) => { result.closed = [e.code, e.reason]; done(result); };
setTimeout(finish, 100000);
"""

OVERSIZE_SCRIPT = """
const [base, transport, size, done] = arguments;
const result = {opened: null, closed: null};
const sock = new SockJS(base + '/sockjs', null, {transports: [transport], timeout: 20000});
sock.onopen = () => { result.opened = sock.transport; sock.send('x'.repeat(size)); };
sock.onclose = (e) => { result.closed = [e.code, e.reason]; done(result); };
setTimeout(() => done(result), 60000);
"""

LOAD_CLIENT = """
const [src, done] = arguments;
const script = document.createElement('script');
script.src = src;
script.onload = () => done(typeof SockJS === 'function' ? SockJS.version : 'no SockJS');
script.onerror = () => done('failed to load ' + src);
document.head.appendChild(script);
"""

MATRIX = {}


class PageHandler(http.server.BaseHTTPRequestHandler):
    """The other origin's page: an empty HTML document to run sockjs-client in."""

    def do_GET(self):  # noqa: N802 - http.server's name
        body = b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>other origin</title></head><body></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def other_origin():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def echo_server(other_origin):
    srv = Server("sockjs-transports")
    srv.extra += ["--sockjs-test-services", "--allowed-origins", other_origin]
    srv.start()
    yield srv
    try:
        srv.stop()
    finally:
        srv.cleanup()


@pytest.fixture(scope="module")
def driver():
    browser = make_driver()
    browser.set_script_timeout(120)
    yield browser
    browser.quit()


@pytest.fixture(scope="module", autouse=True)
def report_matrix(request):
    yield
    lines = [f"{'transport':<20} {'same-origin':<44} cross-origin"]
    for transport in TRANSPORTS:
        cells = [MATRIX.get((transport, origin), "not run") for origin in ORIGINS]
        lines.append(f"{transport:<20} {cells[0]:<44} {cells[1]}")
    text = "\n".join(lines) + "\n"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "sockjs-transport-matrix.txt").write_text(text)
    request.config._sockjs_matrix = text


def open_page(driver, echo_server, other_origin, origin):
    page = echo_server.url + "/echo" if origin == "same-origin" else other_origin + "/page.html"
    driver.get(page)
    version = driver.execute_async_script(LOAD_CLIENT, echo_server.url + "/sockjs-client.min.js")
    assert version == "1.6.1", version


@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_echo(echo_server, other_origin, driver, transport, origin):
    MATRIX[(transport, origin)] = "FAIL"
    open_page(driver, echo_server, other_origin, origin)
    if (transport, origin) in IMPOSSIBLE:
        result = driver.execute_async_script(ECHO_SCRIPT, echo_server.url, transport, ["x"])
        # sockjs-client finds no usable transport: Chromium cannot run this row.
        assert result["opened"] is None and result["closed"] == [2000, "All transports failed"], result
        reason = IMPOSSIBLE[(transport, origin)]
        MATRIX[(transport, origin)] = "skip: " + reason
        pytest.skip(reason)
    result = driver.execute_async_script(ECHO_SCRIPT, echo_server.url, transport, MESSAGES)
    assert result["opened"] == transport, result.get("closed")
    received = result["received"]
    wrong = [i for i, (sent, got) in enumerate(zip(MESSAGES, received)) if sent != got]
    assert len(received) == len(MESSAGES) and not wrong, (
        f"{len(received)}/{len(MESSAGES)} echoed; differing: {wrong[:5]}; closed: {result['closed']}")
    assert driver.execute_script("return window.__x === undefined")
    MATRIX[(transport, origin)] = "pass"


def test_iframe_page_headers(echo_server, other_origin):
    """iframe.html may be framed by the allowed origin and the same origin only; the chat page keeps DENY."""
    with urllib.request.urlopen(echo_server.url + "/echo/iframe.html", timeout=10) as response:
        page = response.read().decode()
        csp = response.headers["Content-Security-Policy"]
        assert csp == f"frame-ancestors 'self' {other_origin}", csp
        assert response.headers["X-Frame-Options"] is None
    assert 'src="/sockjs-client.min.js"' in page and "cdn" not in page
    with urllib.request.urlopen(echo_server.url + "/", timeout=10) as response:
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("transport", ["websocket", "xhr-streaming"])
def test_chat_keeps_its_frame_limit(echo_server, other_origin, driver, transport):
    """The chat at /sockjs still closes a session with 1009 on a message over 64 KiB, from the other origin."""
    open_page(driver, echo_server, other_origin, "cross-origin")
    result = driver.execute_async_script(OVERSIZE_SCRIPT, echo_server.url, transport, 64 * 1024 + 1)
    assert result["opened"] == transport, result
    assert result["closed"] is not None and result["closed"][0] == 1009, result
