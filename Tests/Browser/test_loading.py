"""What the page loads (issue 19): sockjs-client only when a SockJS transport is used, and a
signed-out visit with a clean console (no 401 from an accounts probe)."""

import pytest

from chatpage import ChatPage
from test_transports import sockjs_offered


def loaded_resources(page):
    return page.js("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)")


def console_errors(page):
    return [e["message"] for e in page.driver.get_log("browser") if e["level"] == "SEVERE"]


def test_a_signed_out_visit_logs_no_error(server, browsers):
    page = ChatPage(browsers("visitor"), server.url)
    page.open()
    # Let the page finish what it does at start-up (the transport probe, fonts, modules).
    page.wait(lambda d: page.body_data("sockjs") is not None, "transport probe done")
    page.driver.execute_async_script("setTimeout(arguments[0], 500)")
    assert "/api/me" not in loaded_resources(page)
    assert console_errors(page) == []


def test_sockjs_client_loads_only_when_a_sockjs_transport_is_used(server, browsers):
    alice = ChatPage(browsers("alice"), server.url)
    alice.sign_in("alice", "lobby", query="?transport=websocket")
    assert "/sockjs-client.min.js" not in loaded_resources(alice)
    assert alice.js("return typeof window.SockJS") == "undefined"
    assert console_errors(alice) == []

    if not sockjs_offered(server):
        pytest.skip("the server does not offer SockJS; the loading half needs it")
    bob = ChatPage(browsers("bob"), server.url)
    bob.sign_in("bob", "lobby", query="?transport=sockjs:xhr-streaming")
    assert "/sockjs-client.min.js" in loaded_resources(bob)
    assert bob.body_data("transport") == "SockJS · xhr-streaming"
