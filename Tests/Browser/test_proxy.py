"""RabbitChat behind a real reverse proxy: Debian's nginx in front of two nodes.

nginx runs packaging/nginx/rabbitchat.conf (the recipe docs/OPERATIONS.md shows verbatim) with
only its ports, certificate and log paths replaced: plain round-robin with no stickiness, TLS
terminated at nginx with a self-signed certificate made here by openssl, WebSocket upgrade
headers passed through, `X-Forwarded-For` appended. Behind it, two `rabbitchat serve` nodes
share rooms through RabbitMQ and history through PostgreSQL (the services scripts/test starts)
and trust nginx's address (`--trusted-proxies 127.0.0.1`).

Headless Chromium then chats through nginx over the native `/ws` and over every SockJS transport
Chromium can run, forced one at a time, with the two people's sessions on different nodes. nginx's
access log (`upstream=$upstream_addr`) shows where each request went: the requests of one SockJS
session over an HTTP transport land on both nodes, and the session still works. A last test
shows the per-address `/ws` limit counting clients behind the proxy, not the proxy, and a spoofed
`X-Forwarded-For` changing nothing.

The summary (per transport: where the two sessions lived, requests per node of the session that
crossed) is printed at the end of the run and written to test-artifacts/proxy-matrix.txt.
"""

import json
import os
import pathlib
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from chatpage import ChatPage
from conftest import ARTIFACTS, LOGS, REPO, Server, free_port, make_driver

RECIPE = REPO / "packaging" / "nginx" / "rabbitchat.conf"
OPERATIONS = REPO / "docs" / "OPERATIONS.md"

AMQP_URL = os.environ.get("RABBITCHAT_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
DATABASE_URL = os.environ.get(
    "RABBITCHAT_TEST_DATABASE_URL", "postgres://rabbitchat:rabbitchat@127.0.0.1:5432/rabbitchat_test")
MAX_CONNECTIONS_PER_IP = 4

# What Chromium can run of sockjs-client 1.6.1's transports, on the page's own origin. The two
# xdr-* transports need IE's XDomainRequest (Tests/Browser/test_sockjs_transports.py shows
# sockjs-client refusing them in Chromium).
SOCKJS_TRANSPORTS = [
    "websocket", "xhr-streaming", "eventsource", "iframe-eventsource", "htmlfile", "iframe-htmlfile",
    "xhr-polling", "iframe-xhr-polling", "jsonp-polling",
]
# Transports whose session is one WebSocket connection: one request, one node, nothing to relay.
CONNECTION_BOUND = {"/ws", "websocket"}
RUNS = ["/ws"] + SOCKJS_TRANSPORTS

MATRIX = {}
TOTALS = {}
RUN_ID = uuid.uuid4().hex[:6]
ROOM = f"proxy-{RUN_ID}"


def ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def need(condition: bool, reason: str):
    """Skips without the service on a developer machine; under CI a missing service fails."""
    if not condition:
        if ci():
            pytest.fail(reason)
        pytest.skip(reason)


def reachable(url: str, default_port: int) -> bool:
    parsed = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def wait_until(predicate, what: str, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# -- the recipe ------------------------------------------------------------------------------

def render_recipe(nodes, port, certificate, key, access_log) -> str:
    """The recipe with the test's ports and paths: each replaced text must occur exactly once,
    so the file cannot drift away from what this test exercises."""
    text = RECIPE.read_text()
    replacements = [
        ("server 127.0.0.1:8081;", f"server 127.0.0.1:{nodes[0].port};"),
        ("server 127.0.0.1:8082;", f"server 127.0.0.1:{nodes[1].port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
        ("/etc/ssl/rabbitchat/fullchain.pem", str(certificate)),
        ("/etc/ssl/rabbitchat/privkey.pem", str(key)),
        ("/var/log/nginx/rabbitchat.access.log", str(access_log)),
    ]
    for old, new in replacements:
        assert text.count(old) == 1, f"{RECIPE.name} must contain {old!r} exactly once"
        text = text.replace(old, new)
    return text


def recipe_in_operations() -> str:
    """The ```nginx block of docs/OPERATIONS.md that starts with the recipe's first line."""
    blocks = re.findall(r"```nginx\n(.*?)```", OPERATIONS.read_text(), flags=re.S)
    first_line = RECIPE.read_text().splitlines()[0]
    matching = [b for b in blocks if b.startswith(first_line)]
    assert len(matching) == 1, f"docs/OPERATIONS.md needs exactly one ```nginx block starting with {first_line!r}"
    return matching[0]


def test_operations_shows_the_recipe_this_test_runs():
    assert recipe_in_operations() == RECIPE.read_text(), (
        "docs/OPERATIONS.md's nginx recipe differs from packaging/nginx/rabbitchat.conf: copy the file into the doc")


# -- the deployment --------------------------------------------------------------------------

class Nginx:
    """Debian's nginx on the rendered recipe, in the foreground, with its files in a temp dir."""

    def __init__(self, nodes):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="chat-nginx-"))
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.certificate = self.dir / "fullchain.pem"
        self.key = self.dir / "privkey.pem"
        self.access_log = self.dir / "access.log"
        self.error_log = self.dir / "error.log"
        self.process = None
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(self.key), "-out", str(self.certificate)],
            check=True, capture_output=True, timeout=60)
        (self.dir / "rabbitchat.conf").write_text(
            render_recipe(nodes, self.port, self.certificate, self.key, self.access_log))
        # The main file around the recipe, as Debian's /etc/nginx/nginx.conf includes conf.d/*.
        # One worker: round-robin then strictly alternates between the two nodes.
        temp = "\n".join(
            f"    {name}_temp_path {self.dir / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.dir / "nginx.conf").write_text(
            f"user {pwd.getpwuid(os.getuid()).pw_name};\n"
            f"worker_processes 1;\npid {self.dir / 'nginx.pid'};\nerror_log {self.error_log} info;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n{temp}\n    include {self.dir / 'rabbitchat.conf'};\n}}\n")
        self.ssl = ssl.create_default_context(cafile=str(self.certificate))

    def start(self):
        command = ["nginx", "-e", str(self.error_log), "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")]
        check = subprocess.run(command + ["-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, f"nginx -t refused the recipe:\n{check.stderr}"
        self.process = subprocess.Popen(command + ["-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
        wait_until(lambda: self.get("/healthz") is not None or self.process.poll() is not None,
                   "nginx to answer", timeout=30)
        assert self.process.poll() is None, f"nginx exited: {self.error_log.read_text()[-2000:]}"

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path, context=self.ssl, timeout=10) as response:
                return response.status, response.read().decode()
        except OSError:
            return None

    def log_lines(self, start: int = 0):
        """(offset after, [(method, path, status, [upstreams])]) of the access log from `start`."""
        data = self.access_log.read_bytes() if self.access_log.exists() else b""
        lines = []
        for raw in data[start:].decode(errors="replace").splitlines():
            match = re.search(r'"(\S+) (\S+) HTTP/[\d.]+" (\d+) \d+ upstream=(.*?) time=', raw)
            if match:
                method, path, status, upstreams = match.groups()
                lines.append((method, path, int(status), re.findall(r"127\.0\.0\.1:\d+", upstreams)))
        return len(data), lines

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        LOGS.mkdir(parents=True, exist_ok=True)
        for log in (self.access_log, self.error_log):
            if log.exists():
                shutil.copy(log, LOGS / f"proxy-nginx-{log.name}")
        shutil.rmtree(self.dir, ignore_errors=True)


def health(node):
    with urllib.request.urlopen(node.url + "/healthz", timeout=10) as response:
        return json.load(response)


def sessions(nodes):
    """Hub sessions per node, asked of each node directly (not through nginx)."""
    return [health(node)["sessions"] for node in nodes]


@pytest.fixture(scope="module")
def deployment():
    need(shutil.which("nginx") is not None, "nginx is not installed (scripts/setup installs it)")
    need(shutil.which("openssl") is not None, "openssl is not installed")
    need(reachable(AMQP_URL, 5672), f"RabbitMQ is not reachable at {AMQP_URL} (scripts/services/rabbitmq.sh)")
    need(reachable(DATABASE_URL, 5432), f"PostgreSQL is not reachable at {DATABASE_URL} (scripts/services/postgresql.sh)")
    nodes = []
    for index in (1, 2):
        node = Server(f"proxy-node{index}")
        node.extra = [
            "--node-id", f"proxy{index}-{RUN_ID}", "--amqp-url", AMQP_URL, "--database-url", DATABASE_URL,
            "--presence-interval", "1", "--trusted-proxies", "127.0.0.1",
            "--max-connections-per-ip", str(MAX_CONNECTIONS_PER_IP),
        ]
        nodes.append(node)
    nginx = Nginx(nodes)
    try:
        for node in nodes:
            node.start()
            wait_until(lambda: ready(node), f"{node.name} ready (RabbitMQ and PostgreSQL)", timeout=60)
        nginx.start()
        yield nodes, nginx
    finally:
        if nginx.process is not None:
            _, lines = nginx.log_lines()
            ports = {f"127.0.0.1:{node.port}": f"node{index + 1}" for index, node in enumerate(nodes)}
            per_node = {}
            for *_, upstreams in lines:
                for upstream in upstreams:
                    per_node[ports.get(upstream, upstream)] = per_node.get(ports.get(upstream, upstream), 0) + 1
            TOTALS.update(per_node)
        nginx.stop()
        for node in nodes:
            try:
                node.stop()
            finally:
                node.cleanup()


def ready(node) -> bool:
    try:
        with urllib.request.urlopen(node.url + "/readyz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def drivers():
    # Without the back-forward cache, leaving a page closes its connections at once (the cache
    # keeps a left page, and its WebSocket, alive): each run starts with no session anywhere.
    opened = [make_driver(accept_insecure_certs=True, arguments=["--disable-features=BackForwardCache"])
              for _ in range(2)]
    yield opened
    for driver in opened:
        driver.quit()


@pytest.fixture(scope="module", autouse=True)
def report(request):
    yield
    lines = [f"{'transport':<20} {'sessions on':<24} requests per node of one session"]
    for run in RUNS:
        lines.append(f"{run:<20} {MATRIX.get(run, ('not run', ''))[0]:<24} {MATRIX.get(run, ('', ''))[1]}")
    if TOTALS:
        lines.append("requests nginx sent to each node: " + ", ".join(f"{n} {c}" for n, c in sorted(TOTALS.items())))
    text = "\n".join(lines) + "\n"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "proxy-matrix.txt").write_text(text)
    request.config._proxy_matrix = text


# -- chatting through the proxy --------------------------------------------------------------

def session_of(path: str):
    """The SockJS session id of a `/sockjs/<server>/<session>/<transport>` request, else None."""
    parts = urllib.parse.urlsplit(path).path.split("/")
    if len(parts) == 5 and parts[1] == "sockjs" and parts[4] not in ("", "websocket"):
        return parts[3]
    return None


def crossing_sessions(nginx, start):
    """SockJS sessions in the log since `start` whose requests went to more than one node:
    {session: {upstream: requests}}."""
    _, lines = nginx.log_lines(start)
    per_session = {}
    for _, path, _, upstreams in lines:
        session = session_of(path)
        if session and upstreams:
            counts = per_session.setdefault(session, {})
            counts[upstreams[-1]] = counts.get(upstreams[-1], 0) + 1
    return {session: counts for session, counts in per_session.items() if len(counts) > 1}


def leave(driver):
    driver.get("about:blank")


@pytest.mark.parametrize("run", RUNS)
def test_chat_across_nodes(deployment, drivers, run):
    nodes, nginx = deployment
    MATRIX[run] = ("FAIL", "")
    query = "?transport=websocket" if run == "/ws" else "?transport=sockjs:" + run
    label = "WebSocket" if run == "/ws" else "SockJS · " + run
    index = RUNS.index(run)
    alice = ChatPage(drivers[0], nginx.url)
    bob = ChatPage(drivers[1], nginx.url)
    wait_until(lambda: sessions(nodes) == [0, 0], "the previous run's sessions to end", timeout=60)
    log_start, _ = nginx.log_lines()

    # `nick=` in the URL: a fresh sign-in, not the restore of the previous run's session.
    alice.sign_in(f"a{index}{RUN_ID}", ROOM, query=f"{query}&nick=a{index}{RUN_ID}")
    assert alice.body_data("transport") == label
    placement = wait_until(lambda: (lambda s: s if sum(s) == 1 else None)(sessions(nodes)), "alice's session")
    alice_node = placement.index(1)
    # Bob must live on the other node: sign in again until round-robin puts him there.
    for attempt in range(10):
        bob.sign_in(f"b{index}{RUN_ID}", ROOM, query=f"{query}&nick=b{index}{RUN_ID}")
        placement = wait_until(lambda: (lambda s: s if sum(s) == 2 else None)(sessions(nodes)), "bob's session")
        if placement == [1, 1]:
            break
        leave(bob.driver)
        wait_until(lambda: sum(sessions(nodes)) == 1, "bob's session on alice's node to end")
    else:
        pytest.fail("bob's session never landed on the other node in 10 sign-ins")
    bob_node = 1 - alice_node

    # Across the nodes, through nginx: alice's messages reach bob and bob's reach alice.
    alice.wait(lambda d: f"b{index}{RUN_ID}" in alice.js(
        "return [...RabbitChat.state.convs.get('room:' + arguments[0]).members]", ROOM), "bob's presence")
    sent = [f"{run} {n} from node{alice_node + 1}" for n in range(4)]
    for text in sent:
        alice.send(text)
    bob.wait_text(sent[-1], timeout=60)
    assert [t for t in bob.texts() if t in sent] == sent
    crossed = {}
    if run not in CONNECTION_BOUND:
        # HTTP transports: the requests of one session reach both nodes (round-robin), and the
        # session keeps working. More messages make more requests, until the log shows it.
        for n in range(12):
            crossed = crossing_sessions(nginx, log_start)
            if crossed:
                break
            alice.send(f"{run} more {n}")
            bob.wait_text(f"{run} more {n}", timeout=60)
        assert crossed, f"no {run} session's requests reached both nodes: {nginx.log_lines(log_start)[1][-20:]}"
    reply = f"{run} reply from node{bob_node + 1}"
    bob.send(reply)
    alice.wait_text(reply, timeout=60)
    assert alice.body_data("connection") == "online" and bob.body_data("connection") == "online"

    ports = [f"127.0.0.1:{node.port}" for node in nodes]
    if crossed:
        session, counts = max(crossed.items(), key=lambda item: sum(item[1].values()))
        detail = f"{session[:8]}: " + ", ".join(f"node{ports.index(u) + 1} {c}" for u, c in sorted(counts.items(), key=lambda i: ports.index(i[0])))
    else:
        detail = "one WebSocket connection per session"
    MATRIX[run] = (f"node{alice_node + 1} + node{bob_node + 1}", detail)
    leave(alice.driver)
    leave(bob.driver)


# -- the client's address behind the proxy ---------------------------------------------------

def handshake_through(nginx, source: str, forwarded_for=None):
    """A `/ws` handshake through nginx over TLS from `source` (a loopback address); returns
    (status, socket), the socket open when the handshake was accepted."""
    raw = socket.create_connection(("127.0.0.1", nginx.port), timeout=20, source_address=(source, 0))
    tls = nginx.ssl.wrap_socket(raw, server_hostname="127.0.0.1")
    request = (
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{nginx.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
    if forwarded_for:
        request += f"X-Forwarded-For: {forwarded_for}\r\n"
    tls.sendall((request + "\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = tls.recv(4096)
        if not chunk:
            break
        head += chunk
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
    if status != 101:
        tls.close()
        return status, None
    return status, tls


def test_per_address_limit_counts_clients_behind_the_proxy(deployment):
    """Every connection reaches the nodes from nginx (127.0.0.1); with `--trusted-proxies 127.0.0.1`
    the nodes count the address nginx appended to X-Forwarded-For instead."""
    nodes, nginx = deployment
    wait_until(lambda: sessions(nodes) == [0, 0], "the browser sessions to end", timeout=60)
    held = []
    try:
        # 127.0.0.2 fills its slots on both nodes (round-robin alternates), then is refused by both.
        statuses = []
        for _ in range(2 * MAX_CONNECTIONS_PER_IP + 2):
            status, connection = handshake_through(nginx, "127.0.0.2")
            statuses.append(status)
            if connection:
                held.append(connection)
        assert statuses == [101] * (2 * MAX_CONNECTIONS_PER_IP) + [429, 429], statuses
        # Naming another client in X-Forwarded-For changes nothing: nginx appends the real peer,
        # and the nodes read the rightmost address that is not a trusted proxy.
        spoofed = [handshake_through(nginx, "127.0.0.2", forwarded_for="198.51.100.7")[0] for _ in range(2)]
        assert spoofed == [429, 429], spoofed
        # Another client behind the same proxy has its own slots on both nodes.
        others = [handshake_through(nginx, "127.0.0.3") for _ in range(2)]
        held += [connection for _, connection in others if connection]
        assert [status for status, _ in others] == [101, 101]
    finally:
        for connection in held:
            connection.close()
