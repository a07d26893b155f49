"""Alembic environment: the database comes from the service's settings."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from {{ cookiecutter.package_name }}.core.database import run_with_connection
from {{ cookiecutter.package_name }}.core.logs import configure_logging
from {{ cookiecutter.package_name }}.core.timestamps import UtcDateTime
from {{ cookiecutter.package_name }}.models import Base
from {{ cookiecutter.package_name }}.settings import load_settings


def render_item(kind: str, item: Any, autogen: AutogenContext) -> str | Literal[False]:
    """A ``UtcDateTime`` column as the plain type the database has: a migration is
    history and must not import the service's code."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    # Tests hand in a connection; the command line reads DATABASE_URL.
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    settings = load_settings()
    configure_logging(settings)
    if context.is_offline_mode():
        context.configure(url=settings.database, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
    else:
        run_with_connection(settings, run_migrations)


main()
