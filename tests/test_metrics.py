"""GET /metrics over the production servers (issue #12, section 3).

With two workers, N requests show up as exactly N in every scrape, whichever
worker answers it, also after a worker dies; and both stacks expose the same
metric names and label sets after the same requests.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from servers import Server, migrate, serve
from stacks import running_stacks
from wire import Request, post_json, send

from conftest import FRAMEWORKS

pytestmark = [pytest.mark.venv, pytest.mark.xdist_group("servers")]

ITEMS = "/api/v1/items"
ITEM_ROUTE = "/api/v1/items/{item_id}"
COUNT = "http_server_request_duration_seconds_count"
WORKER_FILE = re.compile(r"histogram_(\d+)\.db")
# One sample line of the text format: name, optional {labels}, value.
SAMPLE = re.compile(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
BATCH = 20
MAX_REQUESTS = 400
Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(server: Server) -> Series:
    response = send(server.url, Request("GET", "/metrics"))
    assert response.status == 200, response.show()
    series: Series = {}
    for line in response.body.decode().splitlines():
        if line and not line.startswith("#"):
            match = SAMPLE.fullmatch(line)
            assert match is not None, line
            name, labels, value = match.groups()
            series[name, tuple(sorted(LABEL.findall(labels or "")))] = float(value)
    return series


def settled(server: Server) -> Series:
    """A scrape once no request is in flight and the counts stand still.

    A client can read its response a moment before the server has booked it (the
    middleware records after the last byte is sent), so exact counts are read once
    the in-flight gauge is back to zero. One scrape is no snapshot either: it reads
    the workers' files one after another, so it can read a worker's histogram just
    before that worker books a request and its gauge just after; two scrapes in a
    row that agree are.
    """
    deadline = time.monotonic() + 5
    previous = None
    while time.monotonic() < deadline:
        series = scrape(server)
        if not total(series, "http_server_active_requests") and series == previous:
            return series
        previous = series
        time.sleep(0.05)
    return series


def count(series: Series, method: str, route: str, status: int) -> float:
    labels = (
        ("http_request_method", method),
        ("http_response_status_code", str(status)),
        ("http_route", route),
    )
    return series.get((COUNT, labels), 0.0)


def total(series: Series, name: str) -> float:
    return sum(value for (sample, _), value in series.items() if sample == name)


def workers_seen(directory: Path) -> set[int]:
    return {int(m.group(1)) for f in directory.iterdir() if (m := WORKER_FILE.fullmatch(f.name))}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_counts_are_exact_with_two_workers(
    framework: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    venv = stack_venv(framework)
    project = generate(framework=framework)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left by an earlier run")
    migrate(project, venv, DATABASE_URL=url)
    settings = {"DATABASE_URL": url, "WEB_CONCURRENCY": "2"}
    with serve(
        framework, project, venv, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), **settings
    ) as server:
        assert not (metrics_dir / "counter_1.db").exists()  # emptied at start
        created = send(server.url, post_json(ITEMS, {"name": "a", "price": 1}))
        assert created.status == 201, created.show()
        item = f"{ITEMS}/{created.json()['id']}"

        def get(path: str) -> int:
            return send(server.url, Request("GET", path)).status

        # Concurrent requests on fresh connections, in batches until both workers answered some.
        sent = unknown = 0
        with ThreadPoolExecutor(8) as pool:
            while sent < MAX_REQUESTS and len(workers_seen(metrics_dir)) < 2:
                assert set(pool.map(get, [item] * BATCH)) == {200}
                assert set(pool.map(get, [f"/scan/{sent + i}" for i in range(BATCH)])) == {404}
                sent += BATCH
                unknown += BATCH
        assert len(workers_seen(metrics_dir)) == 2, f"one worker answered {sent} requests"

        for _ in range(10):
            series = settled(server)
            assert count(series, "GET", ITEM_ROUTE, 200) == sent
            assert count(series, "GET", "", 404) == unknown
            assert count(series, "POST", ITEMS, 201) == 1
            probes = count(series, "GET", "/healthz", 200)  # serve() waits on /healthz
            assert total(series, COUNT) == sent + unknown + 1 + probes  # scrapes are not counted
            assert total(series, "http_server_active_requests") == 0
            assert total(series, "db_client_connection_count") >= 1

        # A worker that dies takes neither its counts nor the others' with it.
        victim = min(workers_seen(metrics_dir))
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(workers_seen(metrics_dir)) < 3:
            assert get(item) == 200
            sent += 1
        assert len(workers_seen(metrics_dir)) == 3, "no new worker answered within 30 s"
        for _ in range(5):
            series = settled(server)
            assert count(series, "GET", ITEM_ROUTE, 200) == sent
            assert total(series, "http_server_active_requests") == 0
    assert "/metrics" not in server.log()  # no access line per scrape


PARITY_REQUESTS = [
    Request("GET", "/healthz"),
    Request("HEAD", "/healthz"),
    Request("GET", "/readyz"),
    Request("GET", f"{ITEMS}?limit=2"),
    post_json(ITEMS, {"name": "a", "price": 1}),
    Request("GET", f"{ITEMS}/1"),
    Request("GET", f"{ITEMS}/999"),
    Request("GET", f"{ITEMS}/abc"),
    Request("DELETE", f"{ITEMS}/1"),
    Request("DELETE", "/healthz"),
    Request("GET", "/wp-login.php"),
]


def test_both_stacks_expose_the_same_series(
    tmp_path: Path, cookiecutter_config: Path, stack_venv: Callable[[str], Path]
) -> None:
    def sqlite(framework: str, directory: Path) -> str:
        return f"sqlite:///{directory / 'app.db'}"

    with running_stacks("sqlite", tmp_path, cookiecutter_config, stack_venv, sqlite) as stacks:
        for request in PARITY_REQUESTS:
            stacks.same(request)
        exposed = {name: scrape(server) for name, server in stacks.servers.items()}
    fastapi, flask = (set(exposed[name]) for name in FRAMEWORKS)
    assert fastapi == flask, f"only FastAPI: {fastapi - flask}\nonly Flask: {flask - fastapi}"
    names = {name for name, _ in fastapi}
    assert {COUNT, "http_server_active_requests", "db_client_connection_count"} <= names
    routes = {dict(labels).get("http_route") for name, labels in fastapi if name == COUNT}
    assert routes == {"/healthz", "/readyz", ITEMS, ITEM_ROUTE, ""}
