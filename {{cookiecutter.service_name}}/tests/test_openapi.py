"""The OpenAPI document and the docs pages (contract section 6)."""

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest

from {{ cookiecutter.package_name }} import TITLE, __version__
from {{ cookiecutter.package_name }}.settings import Settings

OPERATIONS = {
    ("/healthz", "get"): ("liveness", "health"),
    ("/readyz", "get"): ("readiness", "health"),
    ("/api/v1/items", "get"): ("list_items", "items"),
    ("/api/v1/items", "post"): ("create_item", "items"),
    ("/api/v1/items/{item_id}", "get"): ("get_item", "items"),
    ("/api/v1/items/{item_id}", "patch"): ("update_item", "items"),
    ("/api/v1/items/{item_id}", "delete"): ("delete_item", "items"),
}
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The API definition catalog-info.yaml points the software catalog at.
OPENAPI_FILE = PROJECT_ROOT / "openapi.json"
SCHEMAS = {
    "Item",
    "ItemCreate",
    "ItemUpdate",
    "ItemPage",
    "Problem",
    "ValidationProblem",
    "ValidationErrorItem",
    "Health",
}


@pytest.fixture
def document(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


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


def test_operations_ids_and_tags(document: dict[str, Any]) -> None:
    found = {
        (path, method): (operation["operationId"], operation["tags"][0])
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert found == OPERATIONS


def test_component_schemas(document: dict[str, Any]) -> None:
    assert set(document["components"]["schemas"]) >= SCHEMAS


def test_errors_are_documented_as_problems(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and path != "/readyz":
                    assert list(response["content"]) == ["application/problem+json"], (path, status)
    create = document["paths"]["/api/v1/items"]["post"]["responses"]
    assert {"201", "400", "409", "413", "415", "422"} <= set(create)
    schema = create["422"]["content"]["application/problem+json"]["schema"]
    assert schema["$ref"].endswith("/ValidationProblem")


def test_parameters_and_bounds(document: dict[str, Any]) -> None:
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/items"]["get"]["parameters"]}
    assert parameters["limit"]["in"] == "query"
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert parameters["limit"]["schema"]["maximum"] == 100
    assert parameters["offset"]["schema"]["minimum"] == 0
    item_id = document["paths"]["/api/v1/items/{item_id}"]["get"]["parameters"][0]
    assert (item_id["name"], item_id["in"], item_id["required"]) == ("item_id", "path", True)


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
