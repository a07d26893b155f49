"""The OpenAPI document and the docs pages, adjusted to what the service really sends."""

from collections.abc import Callable
from functools import cache
from typing import Any

from apiflask import APIFlask
from apiflask.types import ResponsesObjectType
from apiflask.ui_templates import ui_templates
from flask import Blueprint, Response, jsonify, render_template_string, send_file

from .docs_assets import ASSETS, CACHE_SECONDS, Asset, url
from .problems import PROBLEM_CONTENT_TYPE, title_for
from .schemas import Problem, ValidationProblem

# Only what the views declare: no HTTPError/ValidationError schemas the service never sends.
SPEC_CONFIG = {
    "OPENAPI_VERSION": "3.1.0",
    "AUTO_SERVERS": False,
    "AUTO_200_RESPONSE": False,
    "AUTO_404_RESPONSE": False,
    "AUTO_VALIDATION_ERROR_RESPONSE": False,
    "AUTO_AUTH_ERROR_RESPONSE": False,
}
# Keys that describe a nullable field as a whole rather than its non-null value.
_OUTER_KEYS = {"default", "description", "title"}


def problem_responses(*statuses: int) -> ResponsesObjectType:
    """Document error statuses as problem+json (422 with its ``errors``), plus 500."""
    return {
        status: {
            "description": title_for(status),
            "content": {
                PROBLEM_CONTENT_TYPE: {"schema": ValidationProblem if status == 422 else Problem}
            },
        }
        for status in (*statuses, 500)
    }


def _nullable_as_any_of(node: Any) -> Any:
    """``{"type": ["string", "null"]}`` (apispec) as ``anyOf``, as pydantic spells it.

    Both stacks of the template publish the same document.
    """
    if isinstance(node, list):
        return [_nullable_as_any_of(value) for value in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_as_any_of(value) for key, value in node.items()}
    types = node.get("type")
    if isinstance(types, list) and "null" in types:
        (kind,) = (name for name in types if name != "null")
        inner = {key: value for key, value in node.items() if key not in _OUTER_KEYS}
        outer = {key: value for key, value in node.items() if key in _OUTER_KEYS}
        node = {"anyOf": [{**inner, "type": kind}, {"type": "null"}], **outer}
    return node


def finish_document(document: dict[Any, Any] | str) -> dict[Any, Any] | str:
    """Last touches APIFlask has no switch for."""
    assert isinstance(document, dict)  # SPEC_FORMAT is "json"
    document.pop("tags", None)  # operations carry their tags; no top-level list
    for path_item in document["paths"].values():
        for operation in path_item.values():
            if not operation.get("parameters"):
                operation.pop("parameters", None)
            if "requestBody" in operation:
                operation["requestBody"]["required"] = True
    document["components"] = _nullable_as_any_of(document.get("components", {}))
    for schema in document["components"].get("schemas", {}).values():
        if "required" in schema:  # apispec sorts it; keep the fields' order
            schema["required"] = [
                name for name in schema["properties"] if name in schema["required"]
            ]
    return document


def install_openapi(app: APIFlask, *, docs_enabled: bool) -> None:
    """Build the document from the views; serve it and the docs pages when enabled."""
    app.config.update(SPEC_CONFIG)
    app.spec_processor(finish_document)
    if not docs_enabled:
        return

    # APIFlask's page templates read these; its defaults are CDN URLs and Google Fonts.
    app.config.update(
        SWAGGER_UI_BUNDLE_JS=url("swagger-ui-bundle.js"),
        SWAGGER_UI_STANDALONE_PRESET_JS=url("swagger-ui-standalone-preset.js"),
        SWAGGER_UI_CSS=url("swagger-ui.css"),
        REDOC_STANDALONE_JS=url("redoc.standalone.js"),
        REDOC_USE_GOOGLE_FONT=False,
        DOCS_FAVICON=url("favicon.png"),
    )

    @cache
    def document() -> Any:
        return app.spec

    # APIFlask's page templates link to the endpoint "openapi.spec".
    pages = Blueprint("openapi", __name__)

    @pages.get("/openapi.json")
    def spec() -> Response:
        return jsonify(document())

    @pages.get("/docs")
    def docs() -> str:
        return render_template_string(
            ui_templates["swagger-ui"], title=app.title, version=app.version
        )

    @pages.get("/redoc")
    def redoc() -> str:
        return render_template_string(ui_templates["redoc"], title=app.title, version=app.version)

    for name, asset in ASSETS.items():
        pages.add_url_rule(url(name), name.replace(".", "_"), _serve(asset))
    app.register_blueprint(pages)


def _serve(asset: Asset) -> Callable[[], Response]:
    def send() -> Response:
        return send_file(asset.path, asset.media_type, max_age=CACHE_SECONDS)

    return send
