"""The HTTP layer below the framework, over real servers: framing, limits, slow clients.

Both stacks are served side by side on SQLite. Raw bytes go to each server on
a fresh connection: malformed or over-limit requests must get the same status
from both (a problem+json refusal, never a 2xx), bodies that do not arrive
whole must write nothing, stalled connections must neither starve other
clients nor stay open past the documented timeouts, nor may a client that is
never waited for (it pipelines), and a client reusing its connection after an
early refusal must still be answered.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import selectors
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from contract_cases import ITEMS
from servers import Server
from stacks import Stacks, running_stacks
from wire import PROBLEM

pytestmark = [pytest.mark.venv, pytest.mark.xdist_group("servers")]

# The documented numbers (README "Limits and timeouts"; http_limits.py in both stacks).
KEEPALIVE_TIMEOUT = 5.0
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
MAX_REQUEST_LINE = 8190
MAX_FIELD_SIZE = 8190
MAX_FIELDS = 100
MAX_HEADER_BYTES = 65_536
MAX_BODY_BYTES = 1_048_576  # the default MAX_BODY_BYTES setting
# Stalled connections: four times gunicorn's former 32 threads, or 256, whichever is more.
STALLED = max(4 * 32, 256)
HEALTHZ_BUDGET = 1.0  # seconds for /healthz from another client while they stall
CLOSE_MARGIN = 3.0  # seconds a timeout may run late on a loaded machine

HOST = b"Host: test\r\n"
JSON = b"Content-Type: application/json\r\n"


@pytest.fixture(scope="module")
def stacks(
    tmp_path_factory: pytest.TempPathFactory,
    cookiecutter_config: Path,
    stack_venv: Callable[[str], Path],
) -> Iterator[Stacks]:
    def database_url(_framework: str, directory: Path) -> str:
        return f"sqlite:///{directory / 'http.db'}"

    workdir = tmp_path_factory.mktemp("http-layer")
    with running_stacks("sqlite", workdir, cookiecutter_config, stack_venv, database_url) as both:
        yield both


@dataclass
class Answer:
    status: int | None  # None: the connection closed (or was reset) without an answer
    headers: dict[str, str]
    body: bytes

    def show(self) -> str:
        return f"{self.status} {self.headers} {self.body[:300]!r}"


def address(server: Server) -> tuple[str, int]:
    url = urlsplit(server.url)
    assert url.hostname is not None
    assert url.port is not None
    return url.hostname, url.port


def read_answer(sock: socket.socket, method: str = "GET") -> Answer:
    response = http.client.HTTPResponse(sock, method=method)
    try:
        response.begin()
        body = response.read()
    except (http.client.HTTPException, OSError):
        return Answer(None, {}, b"")
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def exchange(server: Server, data: bytes, *, half_close: bool = False) -> Answer:
    """Send raw bytes on a fresh connection and read one answer."""
    with socket.create_connection(address(server), timeout=30) as sock:
        with contextlib.suppress(OSError):  # a server may refuse before reading it all
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        return read_answer(sock, data.split(b" ", 1)[0].decode("latin-1"))


def item_count(stacks: Stacks) -> dict[str, int]:
    return {name: len(rows) for name, rows in stacks.items().items()}


def post_head(length: int | None = None, *, chunked: bool = False, version: str = "1.1") -> bytes:
    framing = b"Transfer-Encoding: chunked\r\n" if chunked else b""
    if length is not None:
        framing += b"Content-Length: %d\r\n" % length
    return f"POST {ITEMS} HTTP/{version}\r\n".encode() + HOST + JSON + framing + b"\r\n"


VALID_ITEM = json.dumps({"name": "framed", "price": 1}).encode()


def chunked_body(size_line: bytes) -> bytes:
    return size_line + b"\r\n" + VALID_ITEM + b"\r\n0\r\n\r\n"


# (id, raw request, status both stacks must answer)
MALFORMED = [
    ("http-1.7", b"GET /healthz HTTP/1.7\r\n" + HOST + b"\r\n", 505),
    ("http-2.0", b"GET /healthz HTTP/2.0\r\n" + HOST + b"\r\n", 505),
    ("no-version", b"GET /healthz\r\n\r\n", 400),
    ("not-http", b"GET /healthz FOO/1.1\r\n" + HOST + b"\r\n", 400),
    ("unknown-method", b"FROB /healthz HTTP/1.1\r\n" + HOST + b"\r\n", 400),
    ("method-not-a-token", b"G@T /healthz HTTP/1.1\r\n" + HOST + b"\r\n", 400),
    ("lower-case-method", b"get /healthz HTTP/1.1\r\n" + HOST + b"\r\n", 400),
    ("two-hosts", b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    ("chunked-http-1.0", post_head(chunked=True, version="1.0") + chunked_body(b"1e"), 400),
    ("coding-gzip", post_head().replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: gzip\r\n\r\n"), 501),
    (
        "coding-unknown",
        post_head().replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: frob\r\n\r\n"),
        501,
    ),
    (
        "coding-gzip-chunked",
        post_head().replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
        + chunked_body(b"%x" % len(VALID_ITEM)),
        501,
    ),
    # Request smuggling shapes.
    (
        "length-and-chunked",
        post_head(len(VALID_ITEM), chunked=True) + chunked_body(b"%x" % len(VALID_ITEM)),
        400,
    ),
    (
        "two-lengths",
        post_head(len(VALID_ITEM)).replace(b"\r\n\r\n", b"\r\nContent-Length: 3\r\n\r\n")
        + VALID_ITEM,
        400,
    ),
    ("folded-header", b"GET /healthz HTTP/1.1\r\n" + HOST + b"X-A: a\r\n b\r\n\r\n", 400),
    ("bare-cr", b"GET /healthz HTTP/1.1\r\n" + HOST + b"X-A: a\rb\r\n\r\n", 400),
    ("negative-length", post_head().replace(b"\r\n\r\n", b"\r\nContent-Length: -1\r\n\r\n"), 400),
    ("space-in-name", b"GET /healthz HTTP/1.1\r\n" + HOST + b"X A: b\r\n\r\n", 400),
    ("not-http-at-all", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", 400),
    # Bad chunk sizes.
    ("chunk-size-zz", post_head(chunked=True) + chunked_body(b"ZZ"), 400),
    ("chunk-size-negative", post_head(chunked=True) + chunked_body(b"-2"), 400),
    ("chunk-size-huge", post_head(chunked=True) + chunked_body(b"F" * 20), 400),
]


@pytest.mark.parametrize(
    ("data", "status"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED]
)
def test_malformed_http_is_refused_alike(stacks: Stacks, data: bytes, status: int) -> None:
    before = item_count(stacks)
    answers = {name: exchange(server, data) for name, server in stacks.servers.items()}
    for name, answer in answers.items():
        assert answer.status == status, f"{name}: {answer.show()}"
        assert answer.headers.get("content-type") == PROBLEM, f"{name}: {answer.show()}"
        assert answer.headers.get("connection", "").lower() == "close", f"{name}: {answer.show()}"
        assert json.loads(answer.body)["status"] == status
    assert item_count(stacks) == before


def request_line_of(length: int) -> bytes:
    """A GET /healthz request line (without CRLF) of exactly ``length`` bytes."""
    fixed = len(b"GET /healthz? HTTP/1.1")
    return b"GET /healthz?" + b"q" * (length - fixed) + b" HTTP/1.1"


def fields_of(sizes: list[int]) -> bytes:
    """Header field lines ("X-Nnn: vvv") of the given sizes, Host first (counted too)."""
    lines = [HOST.rstrip(b"\r\n")]
    for number, size in enumerate(sizes):
        name = b"X-%03d" % number
        lines.append(name + b": " + b"v" * (size - len(name) - 2))
    return b"".join(line + b"\r\n" for line in lines)


def total_fields(total: int) -> bytes:
    """Fields whose lines add up to ``total`` bytes (Host included), each within the limits."""
    remaining = total - len(HOST.rstrip(b"\r\n"))
    sizes = []
    while remaining > 0:
        size = min(8000, remaining)
        if 0 < remaining - size < 10:  # keep every line long enough for its name
            size -= 10
        sizes.append(size)
        remaining -= size
    return fields_of(sizes)


LIMITS = [
    ("request-line-at-limit", request_line_of(MAX_REQUEST_LINE) + b"\r\n" + HOST + b"\r\n", 200),
    ("request-line-over", request_line_of(MAX_REQUEST_LINE + 1) + b"\r\n" + HOST + b"\r\n", 414),
    ("request-line-64k", request_line_of(65_536) + b"\r\n" + HOST + b"\r\n", 414),
    ("field-at-limit", b"GET /healthz HTTP/1.1\r\n" + fields_of([MAX_FIELD_SIZE]) + b"\r\n", 200),
    ("field-over", b"GET /healthz HTTP/1.1\r\n" + fields_of([MAX_FIELD_SIZE + 1]) + b"\r\n", 431),
    ("field-8m", b"GET /healthz HTTP/1.1\r\n" + fields_of([8 << 20]) + b"\r\n", 431),
    (
        "fields-at-limit",
        b"GET /healthz HTTP/1.1\r\n" + fields_of([20] * (MAX_FIELDS - 1)) + b"\r\n",
        200,
    ),
    ("fields-over", b"GET /healthz HTTP/1.1\r\n" + fields_of([20] * MAX_FIELDS) + b"\r\n", 431),
    (
        "total-at-limit",
        b"GET /healthz HTTP/1.1\r\n" + total_fields(MAX_HEADER_BYTES) + b"\r\n",
        200,
    ),
    (
        "total-over",
        b"GET /healthz HTTP/1.1\r\n" + total_fields(MAX_HEADER_BYTES + 1) + b"\r\n",
        431,
    ),
]


@pytest.mark.parametrize(("data", "status"), [c[1:] for c in LIMITS], ids=[c[0] for c in LIMITS])
def test_head_limits_are_the_same(stacks: Stacks, data: bytes, status: int) -> None:
    for name, server in stacks.servers.items():
        answer = exchange(server, data)
        assert answer.status == status, f"{name}: {answer.show()}"
        if status != 200:
            assert answer.headers.get("content-type") == PROBLEM, f"{name}: {answer.show()}"


@pytest.mark.parametrize("half_close", [True, False], ids=["half-closed", "closed"])
def test_truncated_body_writes_nothing(stacks: Stacks, half_close: bool) -> None:
    before = item_count(stacks)
    data = post_head(len(VALID_ITEM) + 50) + VALID_ITEM
    for name, server in stacks.servers.items():
        if half_close:
            answer = exchange(server, data, half_close=True)
            assert answer.status in (400, None), f"{name}: {answer.show()}"
        else:
            with socket.create_connection(address(server), timeout=10) as sock:
                sock.sendall(data)
    time.sleep(0.5)  # let the servers see the closed connections
    assert item_count(stacks) == before
    for name, server in stacks.servers.items():
        assert "Traceback" not in server.log(), f"{name}:\n{server.log()[-3000:]}"


def request_twice(server: Server, first: Callable[[http.client.HTTPConnection], None]) -> None:
    """``first`` on a keep-alive connection, then a GET /healthz on the same client."""
    host, port = address(server)
    client = http.client.HTTPConnection(host, port, timeout=10)
    try:
        first(client)
        answer = client.getresponse()
        answer.read()
        assert answer.status in (404, 413), answer.status
        assert answer.getheader("Connection", "").lower() == "close", answer.getheaders()
        client.request("GET", "/healthz")  # http.client reconnects after "close"
        second = client.getresponse()
        assert second.status == 200, second.read()
        second.read()
    finally:
        client.close()


def test_keep_alive_client_after_an_early_refusal(stacks: Stacks) -> None:
    def too_large(client: http.client.HTTPConnection) -> None:
        # Declared over the limit; the body would follow the answer (as after Expect).
        client.putrequest("POST", ITEMS)
        client.putheader("Content-Type", "application/json")
        client.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
        client.endheaders()

    def unread_body(client: http.client.HTTPConnection) -> None:
        client.request("POST", "/api/v1/nowhere", body=b"{}" * 1000)

    for server in stacks.servers.values():
        request_twice(server, too_large)
        request_twice(server, unread_body)


def trickle(sock: socket.socket, stop: threading.Event) -> None:
    """Send one byte of a header every second, never finishing the head."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\n" + HOST + b"X-Slow: ")
    while not stop.wait(1.0):
        with contextlib.suppress(OSError):
            sock.send(b"a")


@dataclass
class StallReport:
    healthz: list[float]
    closed_after: dict[str, list[float]]
    answers: dict[str, set[int | None]]
    still_open: int


def stall(server: Server) -> StallReport:
    """Open ``STALLED`` stalled connections, time /healthz meanwhile, and watch them close."""
    kinds = ["request-line", "headers", "body", "trickle"]
    opened: list[tuple[socket.socket, str, float]] = []
    stop = threading.Event()
    trickling: list[threading.Thread] = []
    try:
        for number in range(STALLED):
            kind = kinds[number % 3] if number >= 8 else "trickle"
            sock = socket.create_connection(address(server), timeout=5)
            opened.append((sock, kind, time.monotonic()))
            if kind == "request-line":
                sock.sendall(b"GET /healthz HT")
            elif kind == "headers":
                sock.sendall(b"GET /healthz HTTP/1.1\r\n" + HOST + b"X-Partial: ab")
            elif kind == "body":
                sock.sendall(post_head(len(VALID_ITEM)) + VALID_ITEM[:10])
            else:
                thread = threading.Thread(target=trickle, args=(sock, stop), daemon=True)
                thread.start()
                trickling.append(thread)
        healthz = []
        for _ in range(8):
            started = time.monotonic()
            answer = exchange(server, b"GET /healthz HTTP/1.1\r\n" + HOST + b"\r\n")
            healthz.append(time.monotonic() - started)
            assert answer.status == 200, answer.show()
            time.sleep(0.25)
        closed_after: dict[str, list[float]] = {kind: [] for kind in kinds}
        answers: dict[str, set[int | None]] = {kind: set() for kind in kinds}
        answered: set[socket.socket] = set()
        selector = selectors.DefaultSelector()
        for sock, kind, since in opened:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, (kind, since))
        deadline = time.monotonic() + max(HEADER_TIMEOUT, BODY_TIMEOUT) + 2 * CLOSE_MARGIN
        while selector.get_map() and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.5):
                kind, since = key.data
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if data:
                    if sock not in answered:  # the status line; later reads are the rest
                        answered.add(sock)
                        status = data.split(b" ", 2)[1] if data.startswith(b"HTTP/") else b""
                        answers[kind].add(int(status) if status.isdigit() else None)
                    continue
                closed_after[kind].append(time.monotonic() - since)
                selector.unregister(sock)
        return StallReport(healthz, closed_after, answers, len(selector.get_map()))
    finally:
        stop.set()
        for sock, _, _ in opened:
            sock.close()
        for thread in trickling:
            thread.join(timeout=5)


def test_stalled_connections_neither_starve_nor_linger(stacks: Stacks) -> None:
    before = item_count(stacks)
    reports: dict[str, StallReport] = {}

    def run(name: str, server: Server) -> None:
        reports[name] = stall(server)

    threads = [
        threading.Thread(target=run, args=item, daemon=True) for item in stacks.servers.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(reports) == set(stacks.servers), "a stall run did not finish"
    for name, report in reports.items():
        healthz = report.healthz
        summary = f"{name}: healthz p50 {statistics.median(healthz):.3f}s max {max(healthz):.3f}s"
        print(
            summary, {kind: (len(v), max(v, default=0)) for kind, v in report.closed_after.items()}
        )
        assert max(healthz) < HEALTHZ_BUDGET, summary
        assert report.still_open == 0, f"{name}: {report.still_open} stalled connections open"
        # Nothing more after a part of the head: closed by the idle (keep-alive) timeout.
        for kind in ("request-line", "headers"):
            assert max(report.closed_after[kind]) < KEEPALIVE_TIMEOUT + CLOSE_MARGIN, (name, kind)
            assert report.answers[kind] <= {None}, (name, kind, report.answers[kind])
        # A head that keeps trickling: closed by the header timeout, not before.
        trickled = report.closed_after["trickle"]
        assert min(trickled) > HEADER_TIMEOUT - 1, (name, trickled)
        assert max(trickled) < HEADER_TIMEOUT + CLOSE_MARGIN, (name, trickled)
        # A body that stops: 408, then closed.
        assert max(report.closed_after["body"]) < BODY_TIMEOUT + CLOSE_MARGIN, name
        assert report.answers["body"] == {408}, (name, report.answers["body"])
    assert item_count(stacks) == before
    for name, server in stacks.servers.items():
        assert "Traceback" not in server.log(), f"{name}:\n{server.log()[-3000:]}"


PIPELINED = 4000  # requests one connection sends at once


def pipelined_batch(server: Server) -> tuple[float, float]:
    """Seconds a connection pipelining ``PIPELINED`` requests takes, and seconds another
    client waits meanwhile for one answer."""
    request = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
    last = b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    done = threading.Event()
    with socket.create_connection(address(server), timeout=60) as busy:

        def drain() -> None:  # reads as fast as answers come: the server never waits
            with contextlib.suppress(OSError):
                while busy.recv(1 << 16):
                    pass
            done.set()

        reader = threading.Thread(target=drain, daemon=True)
        started = time.perf_counter()
        reader.start()
        busy.sendall(request * (PIPELINED - 1) + last)
        asked = time.perf_counter()
        answer = exchange(server, b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        waited = time.perf_counter() - asked
        assert answer.status == 200, answer.show()
        assert done.wait(60), "the pipelined answers did not end"
        batch = time.perf_counter() - started
    reader.join(timeout=5)
    return batch, waited


def test_a_client_that_never_waits_does_not_starve_the_others(stacks: Stacks) -> None:
    """Each request on a keep-alive connection gives the others a turn (gevent's greenlets
    switch only when one waits; a pipelining client never makes it wait)."""
    for name, server in stacks.servers.items():
        batch, waited = pipelined_batch(server)
        print(f"{name}: {PIPELINED} pipelined in {batch:.3f}s, another client waited {waited:.3f}s")
        assert waited < batch / 4, (name, batch, waited)
