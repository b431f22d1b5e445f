"""Browser tests for the RabbitChat web UI: a real server process and real headless Chromium.

The fixtures build nothing: scripts/test runs `swift build --product rabbitchat` first, and
`RABBITCHAT_BIN` may point at another build (default `.build/debug/rabbitchat`).
"""

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

REPO = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOGS = ARTIFACTS / "logs"

DESKTOP = (1280, 800)
PHONE = (390, 844)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("RABBITCHAT_BIN", REPO / ".build" / "debug" / "rabbitchat"))
    if not path.is_absolute():
        path = REPO / path
    return path


def serve_help() -> str:
    try:
        return subprocess.run([str(binary()), "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


class Server:
    """One `rabbitchat serve` process on a fixed loopback port; can be stopped and started again."""

    def __init__(self, name: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.name = name
        self.starts = 0
        help_text = serve_help()
        self.durable = "--database-url" in help_text
        self.tmp = tempfile.mkdtemp(prefix="chat-ui-")
        self.extra = []
        if self.durable:
            self.extra = ["--database-url", f"sqlite://{self.tmp}/chat.sqlite"]

    def start(self, timeout: float = 60.0):
        path = binary()
        if not path.exists():
            pytest.fail(f"{path} does not exist: run `swift build --product rabbitchat` first (or set RABBITCHAT_BIN)")
        LOGS.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        log = open(LOGS / f"{self.name}-{self.starts}.log", "wb")
        env = dict(os.environ)
        env.pop("RABBITCHAT_PORT", None)
        self.process = subprocess.Popen(
            [str(path), "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.extra],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.tmp, env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"server did not answer /healthz within {timeout}s")

    def stop(self, timeout: float = 30.0):
        if self.process is None:
            return
        process, self.process = self.process, None
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("server did not stop within 30 s of SIGTERM")
        assert code == 0, f"server exited with {code} after SIGTERM"

    def cleanup(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def server(request):
    srv = Server(request.node.name)
    srv.start()
    yield srv
    try:
        srv.stop()
    finally:
        srv.cleanup()


def make_driver(size=DESKTOP, phone=False, accept_insecure_certs=False, arguments=()):
    options = Options()
    # test_proxy.py: nginx's throwaway self-signed certificate.
    options.accept_insecure_certs = accept_insecure_certs
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium:
        options.binary_location = chromium
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--disable-sync", "--disable-component-update",
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows", "--hide-scrollbars", "--lang=en-US",
        f"--window-size={size[0]},{size[1]}", *arguments,
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver")
    service = Service(executable_path=driver_path) if driver_path else Service()
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    if phone:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 2, "mobile": True,
        })
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    else:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False,
        })
    return driver


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


@pytest.fixture
def browsers(request):
    """`browsers(name, phone=False)` opens a separate Chromium (its own profile) per call."""
    opened = []

    def open_browser(name, phone=False, size=None):
        driver = make_driver(size or (PHONE if phone else DESKTOP), phone=phone)
        opened.append((name, driver))
        return driver

    yield open_browser
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for name, driver in opened:
        try:
            if failed:
                out = ARTIFACTS / "failures"
                out.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(out / f"{request.node.name}-{name}.png"))
                with open(out / f"{request.node.name}-{name}.console.txt", "w") as f:
                    for entry in driver.get_log("browser"):
                        f.write(f"{entry['level']} {entry['message']}\n")
        except Exception:  # noqa: BLE001 - diagnostics must never hide the real failure
            pass
        finally:
            driver.quit()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Prints the SockJS transport matrix (test_sockjs_transports.py) and the proxy summary
    (test_proxy.py) when those modules ran."""
    matrix = getattr(config, "_sockjs_matrix", None)
    if matrix:
        terminalreporter.write_sep("=", "SockJS transports in Chromium (transport x origin)")
        terminalreporter.write(matrix)
    proxy = getattr(config, "_proxy_matrix", None)
    if proxy:
        terminalreporter.write_sep("=", "Chat through nginx: two nodes, round-robin, TLS (test_proxy.py)")
        terminalreporter.write(proxy)
