"""The Flask side of the shared test suite: an app and a client for each test."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from apiflask import APIFlask
from sqlalchemy import Engine

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

pytest_plugins = ["tests.fixtures"]


@pytest.fixture
def app(settings: Settings) -> Iterator[APIFlask]:
    app = create_app(settings)
    yield app
    app.extensions["engine"].dispose()


class WSGITransport(httpx.WSGITransport):
    """httpx's WSGI transport, taking header values that are not ASCII.

    httpx decodes header values as ASCII and fails on any other byte; a WSGI
    server decodes them as latin-1 (PEP 3333). Such headers are put into the
    environ that way, so the app sees what a real server would give it.
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raw = [(name, value) for name, value in request.headers.raw if not value.isascii()]
        if not raw:
            return super().handle_request(request)
        extra = {
            "HTTP_" + name.decode().upper().replace("-", "_"): value.decode("latin-1")
            for name, value in raw
        }
        for name, _ in raw:
            del request.headers[name.decode()]
        app = self.app

        def app_with_headers(environ: dict[str, Any], start_response: Any) -> Any:
            environ.update(extra)
            return app(environ, start_response)

        transport = httpx.WSGITransport(app=app_with_headers, raise_app_exceptions=False)
        return transport.handle_request(request)


def wsgi_client(app: APIFlask) -> httpx.Client:
    transport = WSGITransport(app=app, raise_app_exceptions=False)
    return httpx.Client(transport=transport, base_url="http://testserver")


@pytest.fixture
def client(app: APIFlask) -> Iterator[httpx.Client]:
    with wsgi_client(app) as client:
        yield client


@pytest.fixture
def crashing_client(app: APIFlask) -> Iterator[httpx.Client]:
    """A client whose app has a route that fails with an unexpected exception."""

    @app.get("/api/v1/crash")
    def crash() -> None:
        raise RuntimeError("secret: /etc/service/config.py SELECT * FROM items")

    with wsgi_client(app) as client:
        yield client


@pytest.fixture
def sync_engine(app: APIFlask) -> Engine:
    """The app's engine, for event hooks."""
    engine: Engine = app.extensions["engine"]
    return engine
