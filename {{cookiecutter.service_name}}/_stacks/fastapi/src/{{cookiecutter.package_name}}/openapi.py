"""The OpenAPI document and the docs pages, adjusted to what the service really sends."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse

from .docs_assets import ASSETS, CACHE_SECONDS, Asset, url
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


def install_openapi(app: FastAPI, version: str, *, docs_enabled: bool) -> None:
    """Build the document from the routes; serve it and the docs pages when enabled."""

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
    if docs_enabled:
        _install_docs_pages(app)


def _install_docs_pages(app: FastAPI) -> None:
    """Swagger UI and ReDoc with their assets from this service, not FastAPI's CDN defaults."""
    openapi_url = app.openapi_url
    assert openapi_url is not None  # the document is served whenever the pages are

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=url("swagger-ui-bundle.js"),
            swagger_css_url=url("swagger-ui.css"),
            swagger_favicon_url=url("favicon.png"),
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=url("redoc.standalone.js"),
            redoc_favicon_url=url("favicon.png"),
            with_google_fonts=False,
        )

    for name, asset in ASSETS.items():
        app.add_api_route(url(name), _serve(asset), include_in_schema=False)


def _serve(asset: Asset) -> Callable[[], Awaitable[FileResponse]]:
    async def send() -> FileResponse:
        headers = {"Cache-Control": f"public, max-age={CACHE_SECONDS}"}
        return FileResponse(asset.path, media_type=asset.media_type, headers=headers)

    return send
