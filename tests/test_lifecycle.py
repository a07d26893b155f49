"""Both stacks under their production servers: a database that goes away, and SIGTERM.

Contract section 8 and issue #3, sections 4 and 5: ``/healthz`` stays up while
PostgreSQL is down, ``/readyz`` and the item routes answer 503 and recover
without a restart; SIGTERM lets a request in flight finish, refuses new
connections and exits 0 within the grace period.

Issue #9, section 3: a frozen database (SIGSTOP) gets the same answers within
the documented bounds, a restart under writes loses no acknowledged write and
answers no 500, and readiness fails while the schema is behind the migrations.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from postgres import Postgres
from servers import Server, http_get, migrate, serve, starting

from conftest import FRAMEWORKS, running_postgres

pytestmark = pytest.mark.venv

ITEMS = "/api/v1/items"
# The generated README's bounds: /readyz answers within 2 s, an API call fails within 5 s.
READY_BOUND_SECONDS = 2.0
API_BOUND_SECONDS = 5.0
GRACE_SECONDS = 10
LOCK_ITEMS = "LOCK TABLE items IN ACCESS EXCLUSIVE MODE"


@pytest.fixture
def own_postgres() -> Iterator[Postgres]:
    """A PostgreSQL server of this test's own, so stopping it disturbs no other test."""
    with running_postgres() as server:
        yield server


def post_json(url: str, body: object) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def answer_within(server: Server, path: str, seconds: float) -> tuple[int, bytes, float]:
    started = time.monotonic()
    status, body = http_get(server.url + path, timeout=seconds)
    return status, body, time.monotonic() - started


def poll(check: Callable[[], bool], seconds: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_database_outage_and_recovery(
    framework: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    own_postgres: Postgres,
) -> None:
    venv = stack_venv(framework)
    project = generate(framework=framework)
    url = own_postgres.url(f"outage_{framework}")
    migrate(project, venv, DATABASE_URL=url)
    with serve(framework, project, venv, DATABASE_URL=url) as server:
        assert post_json(server.url + ITEMS, {"name": "before", "price": 1})[0] == 201

        own_postgres.stop()

        def readiness_fails() -> bool:
            status, body, _ = answer_within(server, "/readyz", 3)
            return status == 503 and json.loads(body)["status"] == "fail"

        assert poll(readiness_fails, 3), server.log()
        status, body, elapsed = answer_within(server, "/readyz", 5)
        assert status == 503
        assert elapsed < 3, f"/readyz took {elapsed:.1f}s with the database down"
        report = json.loads(body)
        assert report["checks"]["database"]["status"] == "fail"
        assert "postgres" not in report["checks"]["database"]["output"].lower()  # no URL, user

        assert http_get(server.url + "/healthz")[0] == 200
        status, body, elapsed = answer_within(server, ITEMS, 10)
        problem = json.loads(body)
        assert (status, problem["status"], problem["title"]) == (503, 503, "Service Unavailable")
        assert elapsed < 5, f"{ITEMS} took {elapsed:.1f}s with the database down"
        assert "Traceback" not in body.decode()

        own_postgres.start()

        assert poll(lambda: http_get(server.url + "/readyz")[0] == 200, 10), server.log()
        status, body = http_get(server.url + ITEMS)
        assert status == 200, body
        assert [item["name"] for item in json.loads(body)["items"]] == ["before"]
        assert post_json(server.url + ITEMS, {"name": "after", "price": 2})[0] == 201


def server_process(make_pid: int) -> int:
    """The production server that ``make serve`` started (its only child)."""
    children = Path(f"/proc/{make_pid}/task/{make_pid}/children").read_text().split()
    assert len(children) == 1, f"make serve has children {children}"
    return int(children[0])


def start_psql(url: str, script: str) -> subprocess.Popen[str]:
    """psql running ``script`` in the background."""
    return subprocess.Popen(
        ["psql", "--no-psqlrc", "--quiet", url, "--command", script],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def lock_is_held(url: str) -> bool:
    query = (
        "SELECT count(*) FROM pg_locks WHERE relation = 'items'::regclass "
        "AND mode = 'AccessExclusiveLock' AND granted"
    )
    result = subprocess.run(
        ["psql", "--no-psqlrc", "-At", url, "--command", query],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return result.stdout.strip() == "1"


def connection_refused(server: Server) -> bool:
    host, port = server.url.removeprefix("http://").split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return False
    except OSError:
        return True


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_sigterm_drains_the_request_in_flight(
    framework: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    postgres: Postgres,
) -> None:
    venv = stack_venv(framework)
    project = generate(framework=framework)
    url = postgres.url(f"shutdown_{framework}")
    migrate(project, venv, DATABASE_URL=url)
    with serve(
        framework,
        project,
        venv,
        DATABASE_URL=url,
        GRACEFUL_TIMEOUT=str(GRACE_SECONDS),
        LOG_FORMAT="json",  # access lines are batched in this format: none may be lost at exit
    ) as server:
        pid = server_process(server.process.pid)
        # The test-only way to slow one request: hold a lock its query must wait for
        # (for less than the services' 1.5 s statement timeout).
        lock = start_psql(url, f"BEGIN; {LOCK_ITEMS}; SELECT pg_sleep(1.2); COMMIT;")
        try:
            assert poll(lambda: lock_is_held(url), 10), "psql did not take the lock"
            answers: list[tuple[int, bytes]] = []
            request = threading.Thread(
                target=lambda: answers.append(http_get(server.url + ITEMS, timeout=30))
            )
            request.start()
            time.sleep(0.5)  # the request is now waiting on the lock, inside the server
            assert not answers, f"the request did not wait for the lock: {answers}\n{server.log()}"

            os.kill(pid, signal.SIGTERM)
            signalled = time.monotonic()
            assert poll(lambda: connection_refused(server), 2), "new connections still accepted"

            request.join(timeout=30)
            assert answers, "the request in flight got no answer"
            status, body = answers[0]
            assert status == 200, body
            assert json.loads(body)["items"] == []

            exit_code = server.process.wait(timeout=GRACE_SECONDS + 5)
            stopped_after = time.monotonic() - signalled
        finally:
            lock.wait(timeout=30)
        assert exit_code == 0, f"the server exited {exit_code}:\n{server.log()}"
        assert stopped_after < GRACE_SECONDS, f"stopped after {stopped_after:.1f}s"
        drained = [
            entry
            for entry in map(json.loads, re.findall(r"^\{.*\}$", server.log(), re.MULTILINE))
            if entry.get("path") == ITEMS and entry.get("status") == 200
        ]
        assert len(drained) == 1, f"no access line for the drained request:\n{server.log()}"


# The line each stack's server logs as a worker process starts.
WORKER_BOOTS = {"flask": "Booting worker with pid", "fastapi": "Started server process"}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_sigterm_while_workers_boot(
    framework: str, generate: Callable[..., Path], stack_venv: Callable[[str], Path]
) -> None:
    """A SIGTERM as the workers start (a rollout that changes its mind) stops the server at
    once: a worker that has not set up its own handlers yet must not lose it, or the server
    waits GRACEFUL_TIMEOUT for that worker."""
    venv = stack_venv(framework)
    project = generate(framework=framework)  # not migrated: a worker boots all the same
    settings = {"WEB_CONCURRENCY": "2", "GRACEFUL_TIMEOUT": "60"}
    for _ in range(3):
        with starting(framework, project, venv, **settings) as server:
            assert poll(lambda: WORKER_BOOTS[framework] in server.log(), 60, every=0.01), (
                f"no worker started:\n{server.log()}"
            )
            os.kill(server_process(server.process.pid), signal.SIGTERM)
            signalled = time.monotonic()
            exit_code = server.process.wait(timeout=90)
            stopped_after = time.monotonic() - signalled
            assert exit_code == 0, f"the server exited {exit_code}:\n{server.log()}"
            assert stopped_after < 20, f"stopped after {stopped_after:.1f}s:\n{server.log()}"


def timed(method: str, url: str, body: object = None, timeout: float = 15) -> Answer:
    """One request: its status (0 when no answer came), parsed body and duration."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw, content_type = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, content_type = error.code, error.read(), error.headers
    except OSError:  # no answer in time, or the connection dropped
        status, raw, content_type = 0, b"", {}
    return Answer(
        status,
        json.loads(raw) if raw else None,
        content_type.get("Content-Type", ""),
        time.monotonic() - started,
    )


@dataclass
class Answer:
    status: int
    body: Any
    content_type: str
    seconds: float


def report(name: str, **timings: object) -> None:
    """Timings for the issue's record: printed, shown with ``pytest -s`` or on failure."""
    print(f"\n[{name}] " + ", ".join(f"{key}={value}" for key, value in timings.items()))


def in_parallel(calls: list[Callable[[], Answer]], timeout: float) -> list[Answer]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result(timeout=timeout) for future in futures]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_frozen_database(
    framework: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    own_postgres: Postgres,
) -> None:
    """SIGSTOP keeps the connections open and unanswered: every wait must end on its own."""
    venv = stack_venv(framework)
    project = generate(framework=framework)
    url = own_postgres.url(f"frozen_{framework}")
    migrate(project, venv, DATABASE_URL=url)
    with serve(framework, project, venv, DATABASE_URL=url) as server:
        # Open a few pooled connections, so the freeze catches some idle ones.
        warm = [lambda: timed("GET", server.url + ITEMS)] * 4
        assert {answer.status for answer in in_parallel(warm, 30)} == {200}
        assert timed("POST", server.url + ITEMS, {"name": "before", "price": 1}).status == 201

        with own_postgres.frozen():
            frozen_at = time.monotonic()
            # API calls in parallel (reads and writes), with /readyz probed meanwhile.
            calls = [lambda: timed("GET", server.url + ITEMS)] * 4
            calls += [
                lambda n=n: timed("POST", server.url + ITEMS, {"name": f"frozen-{n}", "price": 1})
                for n in range(2)
            ]
            calls += [lambda: timed("GET", server.url + "/readyz")] * 2
            first = in_parallel(calls, 60)
            readiness = [timed("GET", server.url + "/readyz") for _ in range(3)]
            api = [timed("GET", server.url + ITEMS), timed("GET", server.url + f"{ITEMS}/1")]
            liveness = timed("GET", server.url + "/healthz")
            frozen_for = time.monotonic() - frozen_at
        thawed_at = time.monotonic()
        recovered = poll(lambda: timed("GET", server.url + "/readyz", timeout=5).status == 200, 15)
        recovery = time.monotonic() - thawed_at

        api += first[:6]
        readiness += first[6:]
        report(
            f"frozen {framework}",
            readyz=[f"{a.status}/{a.seconds:.2f}s" for a in readiness],
            api=[f"{a.status}/{a.seconds:.2f}s" for a in api],
            frozen_for=f"{frozen_for:.1f}s",
            recovery=f"{recovery:.2f}s",
        )
        assert liveness.status == 200, liveness
        for answer in readiness:
            assert answer.status == 503, (answer, server.log())
            assert answer.seconds < READY_BOUND_SECONDS, answer
            assert answer.body["checks"]["database"]["status"] == "fail"
        for answer in api:
            assert answer.status == 503, (answer, server.log())
            assert answer.content_type == "application/problem+json", answer
            assert answer.body["title"] == "Service Unavailable", answer
            assert answer.seconds < API_BOUND_SECONDS, answer
        assert recovered, f"not ready {recovery:.1f}s after the thaw:\n{server.log()}"
        assert recovery < 5, f"ready only {recovery:.1f}s after the thaw"
        names = [item["name"] for item in timed("GET", server.url + ITEMS).body["items"]]
        assert names[0] == "before", names
        assert timed("POST", server.url + ITEMS, {"name": "after", "price": 2}).status == 201


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_restart_under_write_load(
    framework: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    own_postgres: Postgres,
) -> None:
    """PostgreSQL shuts down (fast) and starts again while a client writes 10 items a second."""
    venv = stack_venv(framework)
    project = generate(framework=framework)
    url = own_postgres.url(f"restart_{framework}")
    migrate(project, venv, DATABASE_URL=url)
    with serve(framework, project, venv, DATABASE_URL=url) as server:
        answers: dict[str, Answer] = {}

        def write() -> None:
            for n in range(120):  # 12 s at most
                name = f"write-{n}"
                answers[name] = timed("POST", server.url + ITEMS, {"name": name, "price": 1})
                time.sleep(max(0.0, 0.1 - answers[name].seconds))

        writer = threading.Thread(target=write)
        writer.start()
        try:
            time.sleep(2)
            own_postgres.stop()
            time.sleep(1)
            own_postgres.start()
        finally:
            writer.join(timeout=120)
        assert not writer.is_alive()
        statuses = [answer.status for answer in answers.values()]
        report(
            f"restart {framework}",
            writes=len(statuses),
            acknowledged=statuses.count(201),
            unavailable=statuses.count(503),
            other=sorted({s for s in statuses if s not in (201, 503)}),
        )
        assert set(statuses) <= {201, 503}, f"{statuses}\n{server.log()}"
        assert 503 in statuses, "the restart went unnoticed: the test proves nothing"
        assert statuses[-10:] == [201] * 10, f"no recovery: {statuses}"

        assert poll(lambda: timed("GET", server.url + "/readyz").status == 200, 10)
        stored: set[str] = set()
        for offset in range(0, 200, 100):
            page = timed("GET", server.url + f"{ITEMS}?limit=100&offset={offset}").body
            stored |= {item["name"] for item in page["items"]}
        acknowledged = {name for name, answer in answers.items() if answer.status == 201}
        assert acknowledged <= stored, sorted(acknowledged - stored)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_never_migrated_database_is_not_ready(
    framework: str,
    database: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    postgres: Postgres,
    tmp_path: Path,
) -> None:
    venv = stack_venv(framework)
    project = generate(framework=framework)
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'never-migrated.db'}"
    else:
        url = postgres.url(f"never_migrated_{framework}")
    with serve(framework, project, venv, DATABASE_URL=url) as server:
        answer = timed("GET", server.url + "/readyz")
        assert answer.status == 503, answer
        assert answer.body["checks"]["database"] == {
            "status": "fail",
            "output": "schema not at the latest migration",
        }
        migrate(project, venv, DATABASE_URL=url)
        answer = timed("GET", server.url + "/readyz")
        assert answer.status == 200, (answer, server.log())
        assert timed("POST", server.url + ITEMS, {"name": "first", "price": 1}).status == 201
