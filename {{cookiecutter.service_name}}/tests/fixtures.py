"""Shared fixtures: settings and a freshly migrated database per test.

The tests run on SQLite files by default. With ``TEST_DATABASE_URL`` set to a
PostgreSQL database that the tests may wipe, they run there instead.
"""

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from {{ cookiecutter.package_name }}.core.database import run_with_connection
from {{ cookiecutter.package_name }}.models import Base
from {{ cookiecutter.package_name }}.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Settings for tests, ignoring any ``.env`` of the developer."""
    values: dict[str, object] = {
        "app_env": "test",
        "database_url": database_url,
        "log_format": "json",
        "cors_origins": "",
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def upgrade(settings: Settings, revision: str = "head") -> None:
    """``alembic upgrade`` through the stack's own database driver."""
    _alembic(settings, command.upgrade, revision)


def downgrade(settings: Settings, revision: str) -> None:
    _alembic(settings, command.downgrade, revision)


def _alembic(settings: Settings, action: Callable[[Config, str], object], revision: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        action(config, revision)

    run_with_connection(settings, run)


def _empty_tables(connection: Connection) -> None:
    """Empty every table of the models in one statement: foreign keys between them can't stop it."""
    quote = connection.dialect.identifier_preparer.format_table
    tables = ", ".join(quote(table) for table in Base.metadata.sorted_tables)
    connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per session: the PostgreSQL test database, or a template SQLite file."""
    if TEST_DATABASE_URL:
        upgrade(make_settings(TEST_DATABASE_URL))
        return TEST_DATABASE_URL
    url = sqlite_url(tmp_path_factory.mktemp("template") / "app.db")
    upgrade(make_settings(url))
    return url


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    """An empty, migrated database for one test."""
    if TEST_DATABASE_URL:
        run_with_connection(make_settings(migrated_database), _empty_tables)
        return migrated_database
    path = tmp_path / "app.db"
    shutil.copyfile(migrated_database.removeprefix("sqlite:///"), path)
    return sqlite_url(path)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)
