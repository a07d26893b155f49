"""Writes that race each other, over the wire, on both stacks, SQLite and PostgreSQL.

Each stack runs under its production server with two worker processes, so
requests race in the database itself (on SQLite too, where one process queues
its requests for its one connection). Every race is bounded: a fixed number of
threads, each sending one request with a timeout, released together.

- DELETEs of one id: exactly one 204, the others 404.
- PATCHes racing a DELETE: each PATCH 200 (it won) or 404 (it lost), never 500.
- POSTs of one name, or PATCHes to one name: exactly one success, the others 409.
- Ids are never reused: not after a delete, not after a restart (SQLite's
  default reuses the largest id once its row is gone).
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from servers import Server, migrate, serve
from stacks import generate
from wire import Request, Response, patch_json, post_json, send

from conftest import FRAMEWORKS

pytestmark = [pytest.mark.venv, pytest.mark.xdist_group("servers")]

DATABASES = ["sqlite", "postgresql"]
ITEMS = "/api/v1/items"
WORKERS = "2"  # processes per server: races between processes, as in production
THREADS = 20
ROUNDS = 10
RACE_TIMEOUT = 60.0  # seconds for one race, all its requests included


@dataclass
class Service:
    """One stack served on its own database, and what it takes to serve it again."""

    server: Server
    project: Path
    venv: Path
    database_url: str

    def send(self, request: Request) -> Response:
        return send(self.server.url, request)

    def create(self, **fields: Any) -> dict[str, Any]:
        body = {"name": f"item-{uuid.uuid4().hex}", "price": 1, **fields}
        response = self.send(post_json(ITEMS, body))
        assert response.status == 201, response.show()
        item: dict[str, Any] = response.json()
        return item


@pytest.fixture(scope="module", params=DATABASES)
def services(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    cookiecutter_config: Path,
    stack_venv: Callable[[str], Path],
) -> Iterator[dict[str, Service]]:
    """Each stack served on its own empty database of the parameter's kind."""
    database: str = request.param
    postgres = request.getfixturevalue("postgres") if database == "postgresql" else None
    workdir = tmp_path_factory.mktemp(f"concurrency-{database}")
    with contextlib.ExitStack() as stack:
        result = {}
        for framework in FRAMEWORKS:
            output = workdir / framework
            output.mkdir()
            project = generate(framework, output, cookiecutter_config)
            venv = stack_venv(framework)
            if postgres is not None:
                url = str(postgres.url(f"concurrency_{framework}"))
            else:
                url = f"sqlite:///{output / 'concurrency.db'}"
            migrate(project, venv, DATABASE_URL=url)
            server = stack.enter_context(
                serve(framework, project, venv, DATABASE_URL=url, WEB_CONCURRENCY=WORKERS)
            )
            result[framework] = Service(server, project, venv, url)
        yield result


@pytest.fixture(params=FRAMEWORKS)
def service(request: pytest.FixtureRequest, services: dict[str, Service]) -> Service:
    return services[request.param]


def race(service: Service, requests: list[Request]) -> list[Response]:
    """Send the requests at once, one thread each; the answers in the same order."""
    start = threading.Barrier(len(requests), timeout=RACE_TIMEOUT)

    def one(request: Request) -> Response:
        start.wait()
        return service.send(request)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        futures = [pool.submit(one, request) for request in requests]
        return [future.result(timeout=RACE_TIMEOUT) for future in futures]


def statuses(responses: list[Response]) -> Counter[int]:
    return Counter(response.status for response in responses)


def shown(responses: list[Response]) -> str:
    """The answers that were not expected, for the failure message."""
    odd = [r for r in responses if r.status not in {200, 201, 204, 404, 409}]
    return "\n".join(f"{r.request}\n{r.show()}" for r in (odd or responses)[:3])


def test_concurrent_deletes_of_one_item(service: Service) -> None:
    """Exactly one DELETE deletes; the others find nothing (404), in every round."""
    for _ in range(ROUNDS // 2):
        path = f"{ITEMS}/{service.create()['id']}"
        answers = race(service, [Request("DELETE", path)] * THREADS)
        assert statuses(answers) == {204: 1, 404: THREADS - 1}, shown(answers)
        assert service.send(Request("GET", path)).status == 404


def test_patches_racing_a_delete(service: Service) -> None:
    """A PATCH wins (200, written before the delete) or loses (404); never a 500."""
    for round_number in range(ROUNDS * 2):
        path = f"{ITEMS}/{service.create(quantity=0)['id']}"
        patches = [patch_json(path, {"quantity": n + 1}) for n in range(4)]
        answers = race(service, [*patches, Request("DELETE", path)])
        assert set(statuses(answers[:-1])) <= {200, 404}, shown(answers)
        assert answers[-1].status == 204, shown(answers)
        for answer in answers[:-1]:
            if answer.status == 200:
                assert answer.json()["quantity"] in range(1, 5), answer.show()
        after = service.send(Request("GET", path))
        assert after.status == 404, f"round {round_number}: {after.show()}"


def test_concurrent_creates_with_one_name(service: Service) -> None:
    name = f"same-{uuid.uuid4().hex}"
    answers = race(service, [post_json(ITEMS, {"name": name, "price": 1})] * THREADS)
    assert statuses(answers) == {201: 1, 409: THREADS - 1}, shown(answers)
    (created,) = [answer.json() for answer in answers if answer.status == 201]
    stored = service.send(Request("GET", f"{ITEMS}/{created['id']}"))
    assert stored.status == 200
    assert stored.json()["name"] == name


def test_concurrent_renames_to_one_name(service: Service) -> None:
    name = f"renamed-{uuid.uuid4().hex}"
    paths = [f"{ITEMS}/{service.create()['id']}" for _ in range(THREADS)]
    answers = race(service, [patch_json(path, {"name": name}) for path in paths])
    assert statuses(answers) == {200: 1, 409: THREADS - 1}, shown(answers)
    names = [service.send(Request("GET", path)).json()["name"] for path in paths]
    assert names.count(name) == 1, names


def test_ids_are_never_reused(service: Service) -> None:
    """A new item gets a new id: after deleting the newest item, and after a restart."""
    first = service.create()["id"]
    newest = service.create()["id"]
    assert newest > first
    assert service.send(Request("DELETE", f"{ITEMS}/{newest}")).status == 204
    after_delete = service.create()["id"]
    assert after_delete > newest
    assert service.send(Request("DELETE", f"{ITEMS}/{after_delete}")).status == 204
    # A server started anew on the same database: nothing kept in memory counts.
    with serve(
        service.server.framework,
        service.project,
        service.venv,
        DATABASE_URL=service.database_url,
        WEB_CONCURRENCY="1",
    ) as restarted:
        response = send(restarted.url, post_json(ITEMS, {"name": uuid.uuid4().hex, "price": 1}))
        assert response.status == 201, response.show()
        assert response.json()["id"] > after_delete
