"""Liveness and readiness (contract section 2, section 8)."""

from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from {{ cookiecutter.package_name }}.core.database import run_with_connection
from {{ cookiecutter.package_name }}.core.schema import BEHIND
from {{ cookiecutter.package_name }}.settings import Settings

from .fixtures import downgrade, make_settings, sqlite_url, upgrade
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


def database_check(response: httpx.Response) -> tuple[int, dict[str, Any]]:
    assert response.headers["content-type"] == HEALTH
    return response.status_code, response.json()["checks"]["database"]


BEHIND_CHECK = (503, {"status": "fail", "output": BEHIND})


def set_version(settings: Settings, revision: str) -> None:
    def update(connection: Connection) -> None:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})

    run_with_connection(settings, update)


class TestSchemaNotMigrated:
    @pytest.fixture
    def settings(self, tmp_path: Path) -> Settings:
        return make_settings(sqlite_url(tmp_path / "never-migrated.db"))

    def test_readiness_fails_until_migrated(self, client: httpx.Client, settings: Settings) -> None:
        assert database_check(client.get("/readyz")) == BEHIND_CHECK
        upgrade(settings)
        assert database_check(client.get("/readyz")) == (200, {"status": "pass"})


class TestSchemaVersions:
    """The PostgreSQL test database is shared: each test puts the schema back at the head."""

    def test_behind_the_code_is_not_ready(self, client: httpx.Client, settings: Settings) -> None:
        downgrade(settings, "base")
        try:
            assert database_check(client.get("/readyz")) == BEHIND_CHECK
        finally:
            upgrade(settings)

    def test_ahead_of_the_code_is_ready(self, client: httpx.Client, settings: Settings) -> None:
        """A revision this code does not know: migrated for the next release."""
        head = ScriptDirectory.from_config(Config("alembic.ini")).get_current_head()
        assert head
        set_version(settings, "f00dcafe")
        try:
            assert database_check(client.get("/readyz")) == (200, {"status": "pass"})
        finally:
            set_version(settings, head)


class TestNoMigrationsFound:
    @pytest.fixture
    def settings(
        self, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> Settings:
        monkeypatch.chdir(tmp_path)  # no alembic.ini here
        return make_settings(database_url)

    def test_readiness_fails_with_the_reason(self, client: httpx.Client) -> None:
        status, check = database_check(client.get("/readyz"))
        assert status == 503
        assert "alembic.ini" in check["output"]
