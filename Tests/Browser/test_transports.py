"""The chat over each transport the transport chooser offers.

Native WebSocket always runs. The SockJS transports run once the server offers SockJS
(`/sockjs/info` and `/sockjs-client.min.js`, issue 4); until then they are skipped, and the
page must fall back to the native WebSocket when SockJS is asked for.
"""

import urllib.error
import urllib.request

import pytest

from chatpage import ChatPage

SOCKJS_TRANSPORTS = [
    "websocket", "xhr-streaming", "eventsource", "iframe-eventsource",
    "iframe-htmlfile", "xhr-polling", "iframe-xhr-polling", "jsonp-polling",
]

TRICKY = ["</script><script>window.__x=1</script>", "%41 is A, 100% sure", "line\u2028sep \u2029 para", "plain"]


def sockjs_offered(server) -> bool:
    for path in ("/sockjs/info", "/sockjs-client.min.js"):
        try:
            with urllib.request.urlopen(server.url + path, timeout=5) as response:
                if response.status != 200:
                    return False
        except (urllib.error.URLError, OSError):
            return False
    return True


def chat_over(server, browsers, transport):
    query = "?transport=" + transport
    alice = ChatPage(browsers("alice"), server.url)
    bob = ChatPage(browsers("bob"), server.url)
    alice.sign_in("alice", "lobby", query=query)
    bob.sign_in("bob", "lobby", query=query)
    alice.wait(lambda d: "bob" in alice.js("return [...RabbitChat.state.convs.get('room:lobby').members]"), "bob joined")
    for text in TRICKY:
        alice.send(text)
    bob.wait_text(TRICKY[-1], timeout=40)
    assert bob.texts() == TRICKY
    assert bob.js("return window.__x === undefined && document.querySelectorAll('#messages script').length === 0")
    bob.send("reply over " + transport)
    alice.wait_text("reply over " + transport, timeout=40)
    return alice, bob


def test_native_websocket(server, browsers):
    alice, _ = chat_over(server, browsers, "websocket")
    assert alice.body_data("transport") == "WebSocket"


def test_sockjs_falls_back_to_websocket_when_absent(server, browsers):
    if sockjs_offered(server):
        pytest.skip("the server offers SockJS; the fallback is not exercised")
    alice, _ = chat_over(server, browsers, "sockjs:xhr-streaming")
    assert alice.body_data("transport") == "WebSocket"


@pytest.mark.parametrize("transport", SOCKJS_TRANSPORTS)
def test_sockjs_transport(server, browsers, transport):
    if not sockjs_offered(server):
        pytest.skip("SockJS is not served yet (/sockjs/info or /sockjs-client.min.js missing)")
    alice, _ = chat_over(server, browsers, "sockjs:" + transport)
    assert alice.body_data("transport") == "SockJS · " + transport
