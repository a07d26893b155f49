"""Both stacks generated, migrated and served side by side, for black-box tests.

``running_stacks(...)`` yields a :class:`Stacks`: one production server per
framework on the same kind of database, each with its own empty database.
Every request goes to each server in turn; the answers are compared and the
status codes recorded per documented operation (for the OpenAPI honesty check).
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cookiecutter.main import cookiecutter
from servers import Server, migrate, serve
from wire import Request, Response, assert_same, send

from conftest import FRAMEWORKS, TEMPLATE_DIR

ITEMS = "/api/v1/items"
# Documented operations, keyed as in the OpenAPI document: (path template, method).
_OPERATIONS = [
    (re.compile(r"/healthz"), "/healthz"),
    (re.compile(r"/readyz"), "/readyz"),
    (re.compile(r"/api/v1/items"), "/api/v1/items"),
    (re.compile(r"/api/v1/items/[^/]+"), "/api/v1/items/{item_id}"),
]


def operation_of(request: Request) -> tuple[str, str] | None:
    """The documented operation a request is for (HEAD is GET's, and not documented)."""
    if request.method == "HEAD":
        return None
    path = urlsplit(request.path).path
    for pattern, template in _OPERATIONS:
        if pattern.fullmatch(path):
            return template, request.method.lower()
    return None


@dataclass
class Stacks:
    servers: dict[str, Server]
    database: str
    # (path template, method) -> statuses seen from any stack.
    observed: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))

    def send(self, request: Request | Callable[[str], Request]) -> dict[str, Response]:
        """Send to every stack; a callable builds each stack's request from its name."""
        responses = {}
        for name, server in self.servers.items():
            concrete = request(name) if callable(request) else request
            responses[name] = send(server.url, concrete)
            operation = operation_of(concrete)
            if operation is not None:
                self.observed[operation].add(responses[name].status)
        return responses

    def same(self, request: Request | Callable[[str], Request]) -> dict[str, Response]:
        """Send to every stack and assert the answers are equal (up to what may differ)."""
        responses = self.send(request)
        assert_same(responses)
        return responses

    def items(self) -> dict[str, list[dict[str, Any]]]:
        """Every stored item of each stack, through the API (page by page)."""
        result = {}
        for name, server in self.servers.items():
            rows: list[dict[str, Any]] = []
            while True:
                page = send(server.url, Request("GET", f"{ITEMS}?limit=100&offset={len(rows)}"))
                assert page.status == 200, page.show()
                body = page.json()
                rows += body["items"]
                if len(rows) >= body["total"] or not body["items"]:
                    assert len(rows) == body["total"], body
                    break
            result[name] = rows
        return result

    def log(self) -> str:
        return "\n".join(f"--- {name} log:\n{s.log()[-4000:]}" for name, s in self.servers.items())


def generate(framework: str, output_dir: Path, config_file: Path) -> Path:
    """The default answers, except the framework."""
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"framework": framework},
            output_dir=str(output_dir),
            config_file=str(config_file),
        )
    )


@contextlib.contextmanager
def running_stacks(
    database: str,
    workdir: Path,
    config_file: Path,
    stack_venv: Callable[[str], Path],
    database_url: Callable[[str, Path], str],
    prepare: Callable[[str, Path], None] | None = None,
) -> Iterator[Stacks]:
    """Both stacks served, each on its own empty database from ``database_url(framework, dir)``.

    ``prepare(framework, project)`` may change each generated project before it is served.
    """
    with contextlib.ExitStack() as stack:
        servers = {}
        for framework in FRAMEWORKS:
            output = workdir / framework
            output.mkdir(parents=True)
            project = generate(framework, output, config_file)
            venv = stack_venv(framework)
            if prepare is not None:
                prepare(framework, project)
            url = database_url(framework, output)
            migrate(project, venv, DATABASE_URL=url)
            servers[framework] = stack.enter_context(
                serve(framework, project, venv, DATABASE_URL=url)
            )
        yield Stacks(servers, database)
