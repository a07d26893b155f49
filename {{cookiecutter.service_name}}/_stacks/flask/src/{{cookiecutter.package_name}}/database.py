"""SQLAlchemy engine and sessions (pysqlite for SQLite, psycopg for PostgreSQL)."""

from collections.abc import Callable
from pathlib import Path

import sqlalchemy
from flask import current_app, g
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from .settings import Settings

DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}
READY_TIMEOUT_SECONDS = 2
STATEMENT_TIMEOUT_MS = 10_000


def driver_url(url: URL) -> URL:
    """The user's plain URL with this stack's driver."""
    return url.set(drivername=DRIVERS[url.get_backend_name()])


def create_engine(settings: Settings) -> Engine:
    url = driver_url(settings.database)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite has one writer at a time: requests queue for the one connection
        # instead of busy-waiting on the file lock (and failing after the timeout).
        return sqlalchemy.create_engine(
            url, pool_size=1, max_overflow=0, connect_args={"timeout": READY_TIMEOUT_SECONDS}
        )
    return sqlalchemy.create_engine(
        url,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": READY_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
        },
    )


def create_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def check_database(engine: Engine) -> str | None:
    """None when the database answers ``SELECT 1``, else a short reason without secrets.

    The connect timeouts above bound the wait to about 2 s.
    """
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return f"database unavailable ({type(error).__name__})"
    return None


def get_session() -> Session:
    """The request's session: opened on first use, closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessionmaker"]()
    session: Session = g.db_session
    return session


def close_session(_error: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def run_with_connection(settings: Settings, function: Callable[[Connection], None]) -> None:
    """Run ``function`` (Alembic's migrations) in a transaction on this stack's driver."""
    engine = create_engine(settings)
    try:
        with engine.begin() as connection:
            function(connection)
    finally:
        engine.dispose()
