"""Registering, logging in and out from the sign-in card (once the server has accounts, issue 5)."""

import urllib.error
import urllib.request

import pytest
from selenium.webdriver.common.by import By

from chatpage import ChatPage

PASSWORD = "correct horse battery staple"


def accounts_offered(server) -> bool:
    try:
        urllib.request.urlopen(server.url + "/api/me", timeout=5)
    except urllib.error.HTTPError as error:
        return error.code != 404
    except OSError:
        return False
    return True


def use_tab(page, mode, name, password):
    page.wait(lambda d: d.find_element(By.ID, "auth-tabs").is_displayed(), "account tabs shown")
    page.driver.find_element(By.ID, "tab-" + mode).click()
    nick = page.driver.find_element(By.ID, "nick")
    nick.clear()
    nick.send_keys(name)
    page.driver.find_element(By.ID, "password").send_keys(password)
    page.driver.find_element(By.ID, "signin-submit").click()


def test_register_log_out_log_in_and_reserved_names(server, browsers):
    if not accounts_offered(server):
        pytest.skip("the server has no accounts yet (GET /api/me answers 404)")
    dana = ChatPage(browsers("dana"), server.url)
    dana.open()
    use_tab(dana, "register", "dana", PASSWORD)
    dana.wait_online()
    dana.wait(lambda d: dana.title() == "#lobby", "dana in #lobby")
    assert dana.js("return !!RabbitChat.state.auth.token")

    # A guest cannot take a registered name: the card switches to Log in and says why.
    guest = ChatPage(browsers("guest"), server.url)
    guest.open()
    guest.driver.find_element(By.ID, "nick").send_keys("dana")
    guest.driver.find_element(By.ID, "signin-submit").click()
    guest.wait(lambda d: d.find_element(By.ID, "signin-error").text != "", "refused")
    assert guest.driver.find_element(By.ID, "tab-login").get_attribute("aria-selected") == "true"
    # In words a person reads, on the field at fault; never the server's own text.
    refusal = guest.driver.find_element(By.ID, "signin-error").text
    assert refusal == "That name belongs to a registered account. Log in with its password, or pick another name."
    assert guest.driver.find_element(By.ID, "nick").get_attribute("aria-invalid") == "true"

    # Reload keeps the account session; sign-out revokes it; logging in again works.
    dana.send("registered and here")
    dana.driver.refresh()
    dana.wait_online(timeout=40)
    dana.wait_text("registered and here")
    dana.ensure_sidebar()
    dana.driver.find_element(By.ID, "signout").click()
    dana.wait(lambda d: d.find_element(By.ID, "nick").is_displayed(), "signed out")
    use_tab(dana, "login", "dana", "wrong password")
    dana.wait(lambda d: d.find_element(By.ID, "signin-error").text != "", "wrong password refused")
    assert dana.driver.find_element(By.ID, "signin-error").text == \
        "That username and password don't match. Check both and try again."
    assert dana.driver.find_element(By.ID, "password").get_attribute("aria-invalid") == "true"
    dana.driver.find_element(By.ID, "password").clear()
    use_tab(dana, "login", "dana", PASSWORD)
    dana.wait_online()
    dana.wait_text("registered and here")
