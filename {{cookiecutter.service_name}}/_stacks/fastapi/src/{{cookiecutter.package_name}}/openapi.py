"""The OpenAPI document, adjusted to what the service really sends."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from .problems import PROBLEM_CONTENT_TYPE, title_for
from .schemas import Problem, ValidationProblem

JSON = "application/json"


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document error statuses as problem+json (422 with its ``errors``), plus 500."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in (*statuses, 500):
        model = ValidationProblem if status == 422 else Problem
        responses[status] = {
            "model": model,
            "description": title_for(status),
            "content": {PROBLEM_CONTENT_TYPE: {}},
        }
    return responses


def _move_schemas_to_declared_media_types(document: dict[str, Any]) -> None:
    """FastAPI puts a response ``model`` under application/json; move it where we declared."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                declared = [media for media in content if media != JSON]
                if declared and JSON in content:
                    schema = content.pop(JSON)
                    for media in declared:
                        content[media] = {**schema, **content[media]}


def install_openapi(app: FastAPI, version: str) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=version,
                openapi_version="3.1.0",
                description=app.description,
                routes=app.routes,
            )
            _move_schemas_to_declared_media_types(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
