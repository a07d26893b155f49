"""One contract, two stacks, over the wire (contract sections 2 to 6).

Both stacks are generated, migrated and served under their production servers
(``make serve``), on SQLite and, where it can run, PostgreSQL. Every case of
``contract_cases`` goes to both in the same order; each answer must follow
the contract, and the two answers must be equal but for what the contract
lets differ. Refused writes must leave the stored items as they were.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from contract_cases import HOSTILE, ITEMS, MAX_BODY_BYTES, OTHER, PARITY, TARGET, Case
from openapi_spec_validator import validate
from stacks import Stacks, running_stacks
from wire import PROBLEM, REQUEST_ID, Request, Response, post_json, side_by_side

pytestmark = [pytest.mark.venv, pytest.mark.xdist_group("servers")]

DATABASES = ["sqlite", "postgresql"]
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
VOCABULARY = {
    "missing",
    "extra_forbidden",
    "string_type",
    "string_too_short",
    "string_too_long",
    "blank_string",
    "int_type",
    "number_type",
    "greater_than_equal",
    "less_than_equal",
    "null_not_allowed",
    "object_type",
    # Added by the template: a NUL character in a string (the documented ``pattern``).
    "string_pattern_mismatch",
}
NO_STORE = ("/api/", "/healthz", "/readyz")


@pytest.fixture(scope="session", params=DATABASES)
def stacks(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    cookiecutter_config: Path,
    stack_venv: Callable[[str], Path],
) -> Iterator[Stacks]:
    """Both stacks served on the parameter's database, with "target" (1) and "other" (2)."""
    database: str = request.param
    if database == "postgresql":
        postgres = request.getfixturevalue("postgres")

        def database_url(framework: str, _directory: Path) -> str:
            return str(postgres.url(f"parity_{framework}"))
    else:

        def database_url(framework: str, directory: Path) -> str:
            return f"sqlite:///{directory / 'parity.db'}"

    workdir = tmp_path_factory.mktemp(f"parity-{database}")
    with running_stacks(database, workdir, cookiecutter_config, stack_venv, database_url) as both:
        for number, fields in enumerate([TARGET, OTHER], start=1):
            created = both.same(post_json(ITEMS, fields))
            assert all(r.headers["location"] == f"{ITEMS}/{number}" for r in created.values())
        yield both


def resolve(case: Case, saved: dict[str, str] | None = None) -> Request:
    """The case's request with ``{id}`` as the target item and ``{name}`` as saved ids."""
    request = case.request
    path = request.path.replace("{id}", "1")
    for name, item_id in (saved or {}).items():
        path = path.replace(f"{{{name}}}", item_id)
    return Request(request.method, path, request.body, request.headers, request.chunks)


def check_contract(case: Case, request: Request, response: Response) -> None:
    """What sections 2, 4 and 5 ask of every answer, and what the case expects."""
    where = f"{case.id}: {response.request}\n{response.show()}"
    assert response.status == case.status, where
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", where
    sent_id = request.headers.get("X-Request-ID")
    if sent_id is not None and re.fullmatch(r"[A-Za-z0-9._-]{1,128}", sent_id):
        assert headers.get("x-request-id") == sent_id, where
    else:
        assert REQUEST_ID.fullmatch(headers.get("x-request-id", "")), where
    path = request.path.split("?")[0]
    if path.startswith(NO_STORE):
        assert headers.get("cache-control") == "no-store", where
    for name, value in case.headers.items():
        assert headers.get(name) == value, where
    if request.method == "HEAD" or response.status == 204:
        assert response.body == b"", where
        return
    body = response.json()
    if response.status >= 400:
        check_problem(case, path, body, headers, where)
    if case.body is not None:
        assert {key: body.get(key) for key in case.body} == case.body, where


def check_problem(
    case: Case, path: str, body: dict[str, Any], headers: dict[str, str], where: str
) -> None:
    status = case.status
    assert headers.get("content-type") == PROBLEM, where
    members = {"type", "title", "status", "detail", "instance"}
    assert set(body) == (members | {"errors"} if status == 422 else members), where
    assert body["type"] == "about:blank", where
    assert body["title"] == TITLES.get(status, HTTPStatus(status).phrase), where
    assert body["status"] == status, where
    assert isinstance(body["detail"], str), where
    assert body["detail"], where
    if "%" not in path:
        assert body["instance"] == path, where
    if status == 422:
        errors = body["errors"]
        assert errors, where
        locs = [[str(part) for part in error["loc"]] for error in errors]
        assert locs == sorted(locs), where
        for error in errors:
            assert error["loc"][0] in {"body", "query", "path"}, where
            assert error["type"] in VOCABULARY, where
            assert isinstance(error["msg"], str), where
            assert error["msg"], where
        if case.errors is not None:
            assert [(e["loc"], e["type"]) for e in errors] == case.errors, where


def exchange(
    stacks: Stacks, case: Case, saved: dict[str, dict[str, str]] | None = None
) -> dict[str, Response]:
    """Send the case to both stacks, check both answers and compare them."""
    requests = {name: resolve(case, (saved or {}).get(name)) for name in stacks.servers}
    responses = stacks.same(lambda name: requests[name])
    for name, response in responses.items():
        check_contract(case, requests[name], response)
        if response.status == 201:
            assert response.headers["location"] == f"{ITEMS}/{response.json()['id']}"
    return responses


def test_parity(stacks: Stacks, subtests: Any) -> None:
    """Every case of PARITY, in order; each failure is reported with both answers."""
    saved: dict[str, dict[str, str]] = {name: {} for name in stacks.servers}
    for case in PARITY:
        with subtests.test(case=case.id):
            responses = exchange(stacks, case, saved)
            if case.saves:
                for name, response in responses.items():
                    saved[name][case.saves] = str(response.json()["id"])


@pytest.mark.parametrize("case", HOSTILE, ids=lambda case: case.id)
def test_hostile_input(stacks: Stacks, case: Case) -> None:
    """A 4xx problem, the same from both stacks, and nothing stored changes."""
    assert 400 <= case.status < 500
    before = stacks.items()
    exchange(stacks, case)
    after = stacks.items()
    for name in stacks.servers:
        assert after[name] == before[name], f"{case.id} changed the items of {name}"


def test_hostile_catalogue_is_large() -> None:
    assert len(HOSTILE) >= 60
    assert len({case.id for case in PARITY + HOSTILE}) == len(PARITY) + len(HOSTILE)


# Section 6: the OpenAPI document.

DROPPED = {"description", "summary", "example", "examples"}


def normalise(node: Any, in_schema: bool = False) -> Any:
    """Sorted keys; no ``description``, ``summary``, ``example(s)``; no ``title`` in schemas."""
    if isinstance(node, dict):
        result = {}
        for key in sorted(node):
            if key in DROPPED or (in_schema and key == "title"):
                continue
            nested = in_schema or key in {"schema", "schemas", "properties", "items"}
            result[key] = normalise(node[key], nested)
        return result
    if isinstance(node, list):
        return [normalise(value, in_schema) for value in node]
    return node


def documents(stacks: Stacks) -> dict[str, dict[str, Any]]:
    result = {}
    for name, response in stacks.send(Request("GET", "/openapi.json")).items():
        assert response.status == 200, response.show()
        result[name] = response.json()
    return result


def test_openapi_documents_are_valid_and_equal(stacks: Stacks) -> None:
    docs = documents(stacks)
    for name, document in docs.items():
        validate(document)  # raises with the reason when invalid
        assert document["openapi"] == "3.1.0", name
    (first, a), (second, b) = ((name, normalise(doc)) for name, doc in docs.items())
    if a != b:  # JSON equality: 0 and 0.0 are the same number
        lines = [json.dumps(doc, indent=1, sort_keys=True).splitlines() for doc in (a, b)]
        diff = "\n".join(difflib.unified_diff(*lines, first, second, lineterm="", n=4))
        pytest.fail(f"the normalised OpenAPI documents differ:\n{diff}")


def test_openapi_documents_every_status_observed(stacks: Stacks) -> None:
    """Every status an operation answered (in this module's cases) is documented for it."""
    document = documents(stacks)["fastapi"]

    def operations() -> set[tuple[str, str]]:
        return {key for key in stacks.observed if key[1] in document["paths"][key[0]]}

    if len(operations()) < 7:  # run without the other tests: send the catalogues first
        for case in PARITY + HOSTILE:
            stacks.send(resolve(case, {"second": "3", "third": "4"}))
    missing = []
    for (path, method), statuses in sorted(stacks.observed.items()):
        if method not in document["paths"][path]:  # no such operation: only 405 is right
            assert statuses == {405}, (path, method, statuses)
            continue
        documented = set(document["paths"][path][method]["responses"])
        missing += [
            f"{method.upper()} {path}: {status}"
            for status in sorted(statuses)
            if str(status) not in documented
        ]
    assert not missing, "undocumented statuses:\n" + "\n".join(missing)
    assert len(operations()) == 7, sorted(operations())


def test_very_long_request_line(stacks: Stacks) -> None:
    request = Request("GET", f"{ITEMS}/{'1' * 5000}")
    responses = stacks.same(request)
    for response in responses.values():
        assert response.headers.get("content-type") == PROBLEM, response.show()


# One request of each kind of answer, each with a body the same on both stacks but
# for what ``wire`` masks; "\u2028" and "\u00e9" test the encoding of text, 0.000015
# the one of numbers (1.5e-05 in Python's own JSON).
TEXT = "Caf\u00e9 \u2028 \u2603"
ON_THE_WIRE = [
    Request("GET", "/healthz"),
    Request("HEAD", "/healthz"),
    Request("GET", "/readyz"),
    post_json(ITEMS, {"name": TEXT, "price": 0.000015, "quantity": 1}),
    Request("GET", f"{ITEMS}/1"),
    Request("GET", f"{ITEMS}?limit=2"),
    Request("GET", f"{ITEMS}/999999"),
    Request("GET", "/nowhere"),
    Request("DELETE", "/healthz"),
    post_json(ITEMS, {"name": "", "price": -1, "extra": True}),
    Request("POST", ITEMS, b"{", {"Content-Type": "application/json"}),
    Request("POST", ITEMS, b"{}", {"Content-Type": "text/plain"}),
    Request("POST", ITEMS, b"x" * (MAX_BODY_BYTES + 1), {"Content-Type": "application/json"}),
    Request("GET", f"{ITEMS}/{'1' * 5000}"),  # refused by the server, before the app
]


# JSON strings, to look at what is between them.
STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')


def test_same_bytes_on_the_wire(stacks: Stacks) -> None:
    """Both stacks send the same status line and body bytes: compact JSON, UTF-8, no newline.

    Equal parsed JSON is not enough: clients hash bodies and log raw lines. How
    numbers are written is compared between the stacks (``same``) rather than with
    Python's ``json``, which writes 0.000015 as ``1.5e-05``.
    """
    for request in ON_THE_WIRE:
        responses = stacks.same(request)  # status line and masked body bytes too
        for response in responses.values():
            where = f"{response.request}\n{response.show()}"
            assert response.reason == HTTPStatus(response.status).phrase, where
            if request.method == "HEAD":
                assert response.body == b"", where
                continue
            assert response.headers.get("content-length") == str(len(response.body)), where
            response.json()  # one JSON value, nothing after it
            assert not re.search(rb"\s", STRINGS.sub(b"", response.body)), where
            if response.status == 201:
                assert b'"name":"%s"' % TEXT.encode() in response.body, where


def test_byte_comparison_sees_spacing_and_reason() -> None:
    """Bodies equal as JSON but not as bytes, or status lines unlike, are not the same."""
    compact = Response(200, {"content-type": "application/json"}, b'{"a":1,"detail":"x"}')
    for other in (
        Response(200, {"content-type": "application/json"}, b'{"a": 1, "detail": "y"}'),
        Response(200, {"content-type": "application/json"}, b'{"a":1,"detail":"x"}\n'),
        Response(200, {"content-type": "application/json"}, b'{"detail":"x","a":1}'),
        Response(200, {"content-type": "application/json"}, b'{"a":1,"detail":"x"}', reason="OK"),
    ):
        assert compact.normalised()["body"] == other.normalised()["body"]
        assert compact.normalised() != other.normalised(), other
    masked = Response(200, {"content-type": "application/json"}, b'{"a":1,"detail":"\\"y"}')
    assert compact.normalised() == masked.normalised()


def test_side_by_side_shows_both_answers() -> None:
    """The failure message of a mismatch names both stacks and both bodies."""
    responses = {
        "fastapi": Response(200, {"content-type": "application/json"}, b'{"a": 1}', "GET /"),
        "flask": Response(200, {"content-type": "application/json"}, b'{"a": 2}', "GET /"),
    }
    text = side_by_side(responses)
    for expected in ("fastapi", "flask", '{"a": 1}', '{"a": 2}'):
        assert expected in text
