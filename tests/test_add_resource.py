"""A team's first resource, added exactly as the generated README's "Add a resource" says.

Each stack's project gets the README's orders resource (a foreign key, a status from a
list, a code with a pattern, a list of tags): the README's code blocks are applied as
written, the migration is generated with the README's command, then ``make format``,
``make lint`` and ``make test`` (SQLite and PostgreSQL) pass, and both stacks, served
side by side, answer the new routes the same way and publish equal OpenAPI documents.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from postgres import Postgres
from stacks import Stacks, running_stacks
from test_parity import normalise
from wire import Request, patch_json, post_json

from conftest import FRAMEWORKS, check, install

pytestmark = pytest.mark.venv

# A README block: ```python, then "# <path>: <what to do>", then the code.
BLOCK = re.compile(r"```python\n# (?P<path>\S+): (?P<how>[^\n]+)\n(?P<code>.*?)```", re.S)
REGISTRATION = "from . import items\n\nROUTERS = [items.router]\n"
ORDERS = "/api/v1/orders"
IMPORT = ("from ", "import ")


def add_to_module(path: Path, code: str) -> None:
    """Append ``code`` to a module, its import lines merged into the module's imports."""
    lines = code.strip("\n").splitlines()
    imports = [line for line in lines if line.startswith(IMPORT)]
    body = "\n".join(line for line in lines if not line.startswith(IMPORT)).strip("\n")
    text = path.read_text().splitlines()
    last = max(number for number, line in enumerate(text) if line.startswith(IMPORT))
    text[last + 1 : last + 1] = imports
    path.write_text("\n".join(text).rstrip("\n") + "\n\n\n" + body + "\n")


def follow_readme(project: Path, venv: Path) -> list[str]:
    """Apply the README's steps to ``project``; the files it touched, relative."""
    readme = project.joinpath("README.md").read_text()
    section = readme.split("## Add a resource", 1)[1].split("\n## ", 1)[0]
    touched = []
    for block in BLOCK.finditer(section):
        path, how, code = project / block["path"], block["how"], block["code"]
        if how == "a new file":
            assert not path.exists(), path
            path.write_text(code)
        elif how == "add at the end":
            add_to_module(path, code)
        elif how == "register the router":
            source = path.read_text()
            assert source.count(REGISTRATION) == 1, source
            path.write_text(source.replace(REGISTRATION, code))
        else:
            raise AssertionError(f"unknown step {how!r} for {block['path']}")
        touched.append(block["path"])
    (revision,) = re.findall(r"^\.venv/bin/(alembic revision .*)$", section, re.M)
    check(["make", "migrate", f"VENV={venv}"], project)
    check([f"{venv}/bin/{shlex.split(revision)[0]}", *shlex.split(revision)[1:]], project)
    assert "Then `make openapi`" in section
    check(["make", "openapi", f"VENV={venv}"], project)
    check(["make", "format", f"VENV={venv}"], project)
    (migration,) = project.glob("migrations/versions/0002_*.py")
    touched.append(str(migration.relative_to(project)))
    return touched


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_new_resource_as_the_readme_says(
    framework: str,
    generate: Callable[..., Path],
    stack_venv: Callable[[str], Path],
    postgres: Postgres,
) -> None:
    venv = stack_venv(framework)
    project = generate(framework=framework)
    install(project, venv)
    touched = follow_readme(project, venv)
    package = next(path.name for path in (project / "src").iterdir() if path.is_dir())
    # Five files of the resource's own and the registration line, by hand or by a command
    # (the migration); openapi.json is rewritten by `make openapi`.
    assert sorted(touched) == sorted(
        [
            f"src/{package}/models.py",
            f"src/{package}/schemas.py",
            f"src/{package}/routes/orders.py",
            f"src/{package}/routes/__init__.py",
            "tests/test_orders.py",
            "migrations/versions/0002_create_orders.py",
        ]
    )
    check(["make", "lint", f"VENV={venv}"], project)
    output = check(["make", "test", f"VENV={venv}"], project)
    assert "test_orders.py" in output or " passed" in output
    url = postgres.url(f"new_resource_{framework}")
    check(["make", "test", f"VENV={venv}"], project, TEST_DATABASE_URL=url)


@pytest.fixture(scope="module")
def stacks(
    tmp_path_factory: pytest.TempPathFactory,
    cookiecutter_config: Path,
    stack_venv: Callable[[str], Path],
) -> Iterator[Stacks]:
    """Both stacks with the orders resource, each on its own SQLite database."""

    def prepare(framework: str, project: Path) -> None:
        # The shared venv runs this project's code (its editable install may name another).
        install(project, stack_venv(framework))
        follow_readme(project, stack_venv(framework))

    def database_url(_framework: str, directory: Path) -> str:
        return f"sqlite:///{directory / 'orders.db'}"

    workdir = tmp_path_factory.mktemp("new-resource")
    with running_stacks(
        "sqlite", workdir, cookiecutter_config, stack_venv, database_url, prepare=prepare
    ) as both:
        both.same(post_json("/api/v1/items", {"name": "ordered", "price": 1}))
        yield both


BAD_ORDERS = [
    {"item_id": 1},
    {"item_id": "1", "code": "ORD-0001"},
    {"item_id": 1, "code": "order 7"},
    {"item_id": 1, "code": "ORD-0001", "status": "lost"},
    {"item_id": 1, "code": "ORD-0001", "tags": list("abcdef")},
    {"item_id": 1, "code": "ORD-0001", "tags": [""]},
    {"item_id": 1, "code": "ORD-0001", "tags": "gift"},
    {"item_id": 1, "code": "ORD-0001", "colour": "red"},
    {"item_id": 0, "code": "ORD-0001"},
    {"item_id": None, "code": None},
    [],
]


def test_the_new_routes_answer_the_same(stacks: Stacks) -> None:
    for body in BAD_ORDERS:
        answers = stacks.same(post_json(ORDERS, body))
        assert all(answer.status == 422 for answer in answers.values()), body
    missing_item = stacks.same(post_json(ORDERS, {"item_id": 999, "code": "ORD-0009"}))
    assert {answer.status for answer in missing_item.values()} == {409}
    created = stacks.same(post_json(ORDERS, {"item_id": 1, "code": "ORD-0001", "tags": ["x"]}))
    assert {answer.status for answer in created.values()} == {201}
    stacks.same(post_json(ORDERS, {"item_id": 1, "code": "ORD-0001"}))  # code taken: 409
    stacks.same(Request("GET", f"{ORDERS}/1"))
    stacks.same(Request("GET", f"{ORDERS}/abc"))
    stacks.same(Request("GET", f"{ORDERS}?limit=1&limit=2"))
    stacks.same(patch_json(f"{ORDERS}/abc", {"status": "lost"}))
    stacks.same(patch_json(f"{ORDERS}/1", {"status": "paid"}))
    stacks.same(Request("DELETE", "/api/v1/items/1"))  # still ordered: 409
    stacks.same(Request("DELETE", f"{ORDERS}/1"))
    stacks.same(Request("GET", ORDERS))
    # Keyset pages and their checks come with the machinery: nothing of the README's for them.
    stacks.same(Request("GET", f"{ORDERS}?limit=1&after=0"))
    stacks.same(Request("GET", f"{ORDERS}?after=abc&offset=10001"))


def test_the_documents_stay_equal(stacks: Stacks) -> None:
    documents = {}
    for name, response in stacks.send(Request("GET", "/openapi.json")).items():
        validate(response.json())
        documents[name] = normalise(response.json())
    first, second = documents.values()
    assert first == second
    assert {"/api/v1/orders", "/api/v1/orders/{order_id}"} <= set(first["paths"])
