"""Fixtures every stack shares: settings and a freshly migrated database per test."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from {{ cookiecutter.package_name }}.database import run_with_connection
from {{ cookiecutter.package_name }}.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def make_settings(database: Path, **overrides: object) -> Settings:
    """Settings for tests, ignoring any ``.env`` of the developer."""
    values: dict[str, object] = {
        "app_env": "test",
        "database_url": f"sqlite:///{database}",
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


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once per session; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "app.db"
    upgrade(make_settings(path))
    return path


@pytest.fixture
def database(migrated_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "app.db"
    shutil.copyfile(migrated_template, path)
    return path


@pytest.fixture
def settings(database: Path) -> Settings:
    return make_settings(database)
