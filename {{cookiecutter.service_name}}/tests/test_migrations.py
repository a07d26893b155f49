"""The schema comes from Alembic, and the migrations match the models (section 8)."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from {{ cookiecutter.package_name }}.database import run_with_connection
from {{ cookiecutter.package_name }}.models import Base

from .fixtures import downgrade, make_settings, upgrade


def test_migrations_match_the_models(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "fresh.db")
    upgrade(settings)
    differences: list[object] = []

    def compare(connection: Connection) -> None:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences.extend(compare_metadata(context, Base.metadata))

    run_with_connection(settings, compare)
    assert differences == []


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "cycle.db")
    upgrade(settings)
    downgrade(settings, "base")
    upgrade(settings)
