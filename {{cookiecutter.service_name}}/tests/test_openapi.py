"""The OpenAPI document and the docs pages (contract section 6).

The rules hold for every operation the app publishes, so they keep checking the
resources a team adds without a list to update here.
"""

import json
import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from {{ cookiecutter.package_name }} import TITLE, __version__
from {{ cookiecutter.package_name }}.core.values import DATETIME_PATTERN, TIME_PATTERN
from {{ cookiecutter.package_name }}.settings import Settings

from .helpers import DATETIMES_READ, SAMPLE_ERRORS, TIMES_READ

PROBLEM = "application/problem+json"
HEALTH = "application/health+json"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Statuses every operation with a JSON request body can answer before it runs.
BODY_STATUSES = {"400", "413", "415", "422"}
# Schemas the error responses of every operation share.
PROBLEM_SCHEMAS = {"Problem", "ValidationProblem", "ValidationErrorItem"}
OPERATION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
SCHEMA_REF = "#/components/schemas/"

Operation = tuple[str, str, dict[str, Any]]
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The API definition catalog-info.yaml points the software catalog at.
OPENAPI_FILE = PROJECT_ROOT / "openapi.json"


@pytest.fixture
def document(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
def operations(document: dict[str, Any]) -> list[Operation]:
    """``(method, path, operation)`` for every operation of the document."""
    found = [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert found
    return found


def refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` under a node of the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def content(response: dict[str, Any]) -> set[str]:
    """The media types of a response (none for 204)."""
    return set(response.get("content", {}))


def schema_name(schema: dict[str, Any]) -> str:
    ref: str = schema["$ref"]
    assert ref.startswith(SCHEMA_REF), ref
    return ref.removeprefix(SCHEMA_REF)


def test_version_and_info(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == TITLE
    assert document["info"]["version"] == __version__


def test_openapi_file_is_current(document: dict[str, Any]) -> None:
    """openapi.json is the app's document; ``make openapi`` rewrites it (WRITE_OPENAPI=1)."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # The app reports the installed version ("0.0.0" when not installed); the file, the project's.
    expected = {
        **document,
        "info": {**document["info"], "version": pyproject["project"]["version"]},
    }
    if os.environ.get("WRITE_OPENAPI") == "1":
        text = json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
        OPENAPI_FILE.write_text(text, encoding="utf-8")
    committed = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    assert committed == expected, "openapi.json differs from the app's document: run make openapi"


def test_operations_have_unique_ids_and_a_tag(operations: list[Operation]) -> None:
    ids = [operation.get("operationId", "") for _, _, operation in operations]
    for (method, path, operation), operation_id in zip(operations, ids, strict=True):
        assert OPERATION_ID.match(operation_id), (method, path, operation_id)
        assert operation.get("tags"), (method, path)
    assert len(set(ids)) == len(ids), ids


def test_every_response_is_described(operations: list[Operation]) -> None:
    for method, path, operation in operations:
        assert operation["responses"], (method, path)
        assert any(status.startswith("2") for status in operation["responses"]), (method, path)
        for status, response in operation["responses"].items():
            assert response.get("description"), (method, path, status)
            if status == "204":
                assert "content" not in response, (method, path)
                continue
            assert response.get("content"), (method, path, status)
            for media in response["content"].values():
                assert "schema" in media, (method, path, status)


def test_errors_are_documented_as_problems(operations: list[Operation]) -> None:
    for method, path, operation in operations:
        responses = operation["responses"]
        errors = {status: r for status, r in responses.items() if int(status) >= 400}
        success = {
            media for status in responses.keys() - errors for media in content(responses[status])
        }
        # Health checks answer in their own format, failures included.
        allowed = success if success == {HEALTH} else {PROBLEM}
        for status, response in errors.items():
            assert set(response["content"]) == allowed, (method, path, status)
            if PROBLEM in response["content"]:
                name = schema_name(response["content"][PROBLEM]["schema"])
                expected = "ValidationProblem" if status == "422" else "Problem"
                assert name == expected, (method, path, status)
        if any(PROBLEM in response["content"] for response in errors.values()):
            # The error handler answers any failure with a problem.
            assert "500" in errors, (method, path)


def test_inputs_document_their_failures(operations: list[Operation]) -> None:
    for method, path, operation in operations:
        statuses = set(operation["responses"])
        places = {parameter["in"] for parameter in operation.get("parameters", [])}
        if places or "requestBody" in operation:
            assert "422" in statuses, (method, path)
        if places & {"path", "query"}:
            # A long enough value passes the request line's limit.
            assert "414" in statuses, (method, path)
        if "header" in places:
            assert "431" in statuses, (method, path)
        if "requestBody" in operation:
            assert operation["requestBody"]["required"] is True, (method, path)
            assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)
            assert statuses >= BODY_STATUSES, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)


def test_path_parameters_are_declared(operations: list[Operation]) -> None:
    for method, path, operation in operations:
        declared = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}
        assert set(declared) == set(re.findall(r"\{(\w+)\}", path)), (method, path)
        for parameter in declared.values():
            assert parameter["required"] is True, (method, path, parameter["name"])


def test_parameters_are_typed_and_pages_bounded(operations: list[Operation]) -> None:
    for method, path, operation in operations:
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        for name, parameter in parameters.items():
            assert parameter["in"] in {"path", "query", "header"}, (method, path, name)
            assert "type" in parameter["schema"], (method, path, name)
        if "limit" in parameters:  # a paged list: a bounded page and offset, a cursor from 0
            limit = parameters["limit"]["schema"]
            assert limit["minimum"] == 1, (method, path)
            assert limit["maximum"] >= 1, (method, path)
            offset = parameters["offset"]["schema"]
            assert (offset["minimum"], offset["maximum"]) == (0, 10_000), (method, path)
            assert parameters["after"]["schema"]["minimum"] == 0, (method, path)


def test_component_schemas(document: dict[str, Any]) -> None:
    """Every reference resolves and every component schema is used (no stale schemas)."""
    schemas = document["components"]["schemas"]
    assert set(schemas) >= PROBLEM_SCHEMAS
    referenced = {ref.removeprefix(SCHEMA_REF) for ref in refs(document)}
    assert all(ref.startswith(SCHEMA_REF) for ref in refs(document))
    assert referenced == set(schemas)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


class TestDocsDisabled:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"docs_enabled": False})

    @pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc"])
    def test_docs_are_404(self, client: httpx.Client, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


def test_the_published_time_pattern_is_the_times_the_service_reads() -> None:
    """A time of day is documented by a pattern that takes what the service reads, no more."""
    refused = [
        change["opens"]
        for change, errors in SAMPLE_ERRORS
        if errors == [(["body", "opens"], "time_type")] and isinstance(change["opens"], str)
    ]
    assert len(refused) > 5
    assert [text for text in TIMES_READ if not re.search(TIME_PATTERN, text)] == []
    assert [text for text in refused if re.search(TIME_PATTERN, text)] == []


def test_the_published_datetime_pattern_is_the_years_the_service_stores() -> None:
    """A date and time's pattern takes what the service reads, less what it cannot store."""
    unstored = [
        change["at"]
        for change, errors in SAMPLE_ERRORS
        if errors == [(["body", "at"], "datetime_type")]
        and str(change["at"]).startswith(("0001-01-01", "9999-12-31"))
    ]
    assert len(unstored) >= 4
    assert [text for text in DATETIMES_READ if not re.search(DATETIME_PATTERN, text)] == []
    assert [text for text in unstored if re.search(DATETIME_PATTERN, text)] == []
