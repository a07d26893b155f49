"""The validation vocabulary over the wire: every kind of validator, one ``type`` in both stacks.

Each stack's generated project gets an extra "orders" resource (tests/resources/vocab/<stack>)
whose schemas use every kind of validator a team writes: choices and enums, patterns,
lengths and ranges, email, UUID, date and date-time, nested objects and lists, custom
validators. Both are served on SQLite; every bad input of ``vocab_cases`` goes to both,
and each answer is a 422 problem+json with exactly the listed ``(loc, type)`` pairs. Each
project's own fuzz test then runs against the orders, as a team runs it.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from servers import migrate, serve
from stacks import Stacks, generate
from test_parity import normalise
from vocab_cases import (
    ACCEPTED_CASES,
    BODY_CASES,
    MOMENT_ANSWERS,
    MOMENT_CASES,
    MOMENTS,
    ORDERS,
    QUERY_CASES,
    VALID,
    Errors,
)
from wire import PROBLEM, Request, post_json

from conftest import FRAMEWORKS, check

pytestmark = [pytest.mark.venv, pytest.mark.xdist_group("servers")]

RESOURCES = Path(__file__).parent / "resources" / "vocab"
# The one registration line of a new resource (routes/__init__.py), before and after.
REGISTRATION = (
    "from . import items\n\nROUTERS = [items.router]\n",
    "from . import items, vocab\n\nROUTERS = [items.router, vocab.router]\n",
)


def add_orders_resource(framework: str, project: Path) -> None:
    """Copy the stack's orders resource into ``project`` and register its router."""
    (package,) = [path for path in (project / "src").iterdir() if (path / "app.py").is_file()]
    shutil.copytree(RESOURCES / framework, package, dirs_exist_ok=True)
    registry = package / "routes" / "__init__.py"
    before, after = REGISTRATION
    source = registry.read_text()
    assert source.count(before) == 1, f"no single registration line in {registry}"
    registry.write_text(source.replace(before, after))


@pytest.fixture(scope="module")
def stacks(
    tmp_path_factory: pytest.TempPathFactory,
    cookiecutter_config: Path,
    stack_venv: Callable[[str], Path],
) -> Iterator[Stacks]:
    """Both stacks, with the orders resource, each on its own SQLite database."""
    workdir = tmp_path_factory.mktemp("vocab")
    servers = {}
    with contextlib.ExitStack() as stack:
        for framework in FRAMEWORKS:
            output = workdir / framework
            output.mkdir()
            project = generate(framework, output, cookiecutter_config)
            add_orders_resource(framework, project)
            venv = stack_venv(framework)
            url = f"sqlite:///{output / 'vocab.db'}"
            migrate(project, venv, DATABASE_URL=url)
            servers[framework] = stack.enter_context(
                serve(framework, project, venv, DATABASE_URL=url)
            )
        yield Stacks(servers, "sqlite")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_projects_fuzz_test_passes_with_the_orders(
    stacks: Stacks, framework: str, stack_venv: Callable[[str], Path]
) -> None:
    """The project's own fuzz test, as a team runs it, takes every validator of the orders:
    what the document says of a field is what the service takes (no schema-valid order is
    refused for a rule the document states, no invalid one accepted)."""
    project = stacks.servers[framework].project
    python = stack_venv(framework) / "bin" / "python"
    # -v against the project's own -q: the summary line counts what ran.
    command = [str(python), "-m", "pytest", "-v", "--no-cov", "-p", "no:cacheprovider"]
    fuzz = [*command, "tests/test_api_fuzz.py", "-k", "orders"]
    output = check(fuzz, project, PYTHONPATH=str(project / "src"))
    assert "3 passed" in output, output  # POST and GET /api/v1/orders, GET its moments


def assert_errors(stacks: Stacks, request: Request, expected: Errors) -> None:
    """Both stacks answer ``request`` with a 422 whose ``(loc, type)`` pairs are ``expected``."""
    for name, response in stacks.send(request).items():
        where = f"{name}: {request.describe()}\n{response.show()}"
        assert response.status == 422, where
        assert response.content_type == PROBLEM, where
        errors = response.json()["errors"]
        assert [(error["loc"], error["type"]) for error in errors] == expected, where
        assert all(isinstance(error["msg"], str) and error["msg"] for error in errors), where


def test_a_valid_order_is_accepted(stacks: Stacks) -> None:
    answers = stacks.same(post_json(ORDERS, VALID))
    assert {response.status for response in answers.values()} == {201}


@pytest.mark.parametrize(("body"), [pytest.param(body, id=id) for id, body in ACCEPTED_CASES])
def test_a_good_body_is_accepted(stacks: Stacks, body: object) -> None:
    answers = stacks.same(post_json(ORDERS, body))
    assert {response.status for response in answers.values()} == {201}, answers


@pytest.mark.parametrize(
    ("body", "expected"), [pytest.param(body, errors, id=id) for id, body, errors in BODY_CASES]
)
def test_bad_body(stacks: Stacks, body: object, expected: Errors) -> None:
    assert_errors(stacks, post_json(ORDERS, body), expected)


@pytest.mark.parametrize(
    ("body", "bound"),
    [
        pytest.param(body, "2000-01-01T00:00:00Z" if "datetime" in id else "than 2000-01-01", id=id)
        for id, body, _ in BODY_CASES
        if "-bound" in id
    ],
)
def test_a_date_and_time_bound_is_told_alike(stacks: Stacks, body: object, bound: str) -> None:
    """The same answer from both stacks, the bound in the message as pydantic writes it."""
    answers = stacks.same(post_json(ORDERS, body))
    for response in answers.values():
        assert bound in response.json()["errors"][0]["msg"], response.show()


@pytest.mark.parametrize(("query", "expected"), QUERY_CASES, ids=[c[0] for c in QUERY_CASES])
def test_bad_query(stacks: Stacks, query: str, expected: Errors) -> None:
    assert_errors(stacks, Request("GET", f"{ORDERS}?{query}"), expected)


# The bounds of MOMENTS, as pydantic writes them in a message.
BOUNDS = {"since": "2000-01-01T00:00:00Z", "until": "2100-01-01T00:00:00Z", "day": "2000-01-01"}


@pytest.mark.parametrize(("query", "expected"), MOMENT_CASES, ids=[c[0] for c in MOMENT_CASES])
def test_bad_date_and_time_query(stacks: Stacks, query: str, expected: Errors) -> None:
    """Query date-times compared with their bounds in UTC (none in the value or the bound is
    UTC), as a body's are; the bound in the message as pydantic writes it."""
    assert_errors(stacks, Request("GET", f"{MOMENTS}?{query}"), expected)
    [(loc, error_type)] = expected
    if error_type in ("greater_than", "less_than_equal"):
        bound = BOUNDS[loc[-1]]
        for response in stacks.same(Request("GET", f"{MOMENTS}?{query}")).values():
            assert bound in response.json()["errors"][0]["msg"], response.show()


@pytest.mark.parametrize(("query", "answer"), MOMENT_ANSWERS, ids=[c[0] for c in MOMENT_ANSWERS])
def test_a_query_date_and_time_is_aware(stacks: Stacks, query: str, answer: object) -> None:
    """The handler gets each date-time with its offset (none sent is UTC), on both stacks."""
    for name, response in stacks.same(Request("GET", f"{MOMENTS}?{query}")).items():
        assert (response.status, response.json()) == (200, answer), f"{name}: {response.show()}"


def test_every_validator_is_documented_alike(stacks: Stacks) -> None:
    """Both stacks publish the same document for the orders: every validator, each the same way."""
    documents = {}
    for name, response in stacks.send(Request("GET", "/openapi.json")).items():
        assert response.status == 200, response.show()
        validate(response.json())
        documents[name] = normalise(response.json())
    order = documents["fastapi"]["components"]["schemas"]["Order"]["properties"]
    assert order["amount"]["anyOf"] == [  # up to 6 digits, 2 after the point, >= 0
        {"type": "number", "minimum": 0, "exclusiveMaximum": 10000, "multipleOf": 0.01},
        {"type": "string", "pattern": "^\\+?(0*[0-9]{1,4}(\\.[0-9]{1,2}0*)?)$"},
    ]
    assert order["colour"] == {"$ref": "#/components/schemas/Colour"}
    if documents["flask"] != documents["fastapi"]:
        lines = [
            json.dumps(doc, indent=1, sort_keys=True).splitlines() for doc in documents.values()
        ]
        diff = "\n".join(difflib.unified_diff(*lines, *documents, lineterm="", n=4))
        pytest.fail(f"the normalised OpenAPI documents differ:\n{diff}")


def test_no_answer_was_a_server_error(stacks: Stacks) -> None:
    """Run last: nothing above made either server log an unhandled error."""
    for name, server in stacks.servers.items():
        assert "Traceback" not in server.log(), f"{name}:\n{server.log()[-4000:]}"
