"""The FastAPI side of the shared test suite: an app and a client for each test."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

pytest_plugins = ["tests.fixtures"]


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def crashing_client(app: FastAPI) -> Iterator[TestClient]:
    """A client whose app has a route that fails with an unexpected exception."""

    @app.get("/api/v1/crash")
    async def crash() -> None:
        raise RuntimeError("secret: /etc/service/config.py SELECT * FROM items")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def sync_engine(client: TestClient, app: FastAPI) -> Engine:
    """The app's engine, for event hooks (the client has started the app)."""
    engine: Engine = app.state.engine.sync_engine
    return engine
