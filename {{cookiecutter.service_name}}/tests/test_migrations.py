"""The schema comes from Alembic, and the migrations match the models (section 8)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect

from {{ cookiecutter.package_name }}.core.database import run_with_connection
from {{ cookiecutter.package_name }}.models import Base
from {{ cookiecutter.package_name }}.settings import Settings

from .fixtures import downgrade, upgrade


def test_migrations_match_the_models(settings: Settings) -> None:
    """The database as the migrations left it, compared with the models."""
    differences: list[object] = []

    def compare(connection: Connection) -> None:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences.extend(compare_metadata(context, Base.metadata))

    run_with_connection(settings, compare)
    assert differences == []


def test_downgrade_and_upgrade_again(settings: Settings) -> None:
    tables: list[set[str]] = []

    def record_tables(connection: Connection) -> None:
        tables.append(set(inspect(connection).get_table_names()) - {"alembic_version"})

    downgrade(settings, "base")
    run_with_connection(settings, record_tables)
    upgrade(settings)
    run_with_connection(settings, record_tables)
    assert tables == [set(), set(Base.metadata.tables)]
