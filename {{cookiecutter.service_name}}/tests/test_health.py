"""Liveness and readiness (contract section 2, section 8)."""

from pathlib import Path

import httpx
import pytest

from {{ cookiecutter.package_name }}.settings import Settings

from .fixtures import make_settings, sqlite_url
from .helpers import ITEMS, assert_problem

HEALTH = "application/health+json"


def test_liveness(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == HEALTH
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {"status": "pass"}


def test_readiness(client: httpx.Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.headers["content-type"] == HEALTH
    assert response.json() == {"status": "pass", "checks": {"database": {"status": "pass"}}}


class TestDatabaseDown:
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        # A directory where the database file should be: SQLite cannot open it.
        return make_settings(sqlite_url(tmp_path))

    def test_liveness_never_touches_the_database(self, client: httpx.Client) -> None:
        assert client.get("/healthz").json() == {"status": "pass"}

    def test_readiness_fails_with_a_reason(self, client: httpx.Client) -> None:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"] == HEALTH
        body = response.json()
        assert body["status"] == "fail"
        assert body["checks"]["database"]["status"] == "fail"
        assert body["checks"]["database"]["output"]
        assert str(Path.cwd()) not in body["checks"]["database"]["output"]

    def test_item_routes_answer_503(self, client: httpx.Client) -> None:
        assert_problem(client.get(ITEMS), 503, "Service Unavailable", ITEMS)
