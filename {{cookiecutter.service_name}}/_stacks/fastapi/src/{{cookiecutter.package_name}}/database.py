"""Async SQLAlchemy engine and sessions (aiosqlite for SQLite, asyncpg for PostgreSQL).

Every wait on PostgreSQL is bounded, so a database that stops answering (a network
partition, a stuck host) costs a request at most ``API_BOUND_SECONDS`` and ``/readyz``
at most ``READY_TIMEOUT_SECONDS`` (the README's "Database timeouts").
"""

import asyncio
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no type hints
from sqlalchemy import Connection, event
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from .schema import SchemaCheck
from .settings import Settings

DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
POOL_TIMEOUT_SECONDS = 0.5  # waiting for a free pooled connection
CONNECT_TIMEOUT_SECONDS = 2.0
STATEMENT_TIMEOUT_SECONDS = 1.5  # the server cancels a statement after this
ROUND_TRIP_TIMEOUT_SECONDS = 2.0  # any wait for the server's answer, in the client
CLOSE_TIMEOUT_SECONDS = 0.5  # a broken connection's goodbye, before it is dropped
# Wait for a connection, its ping times out, it is closed, a new one fails to connect.
API_BOUND_SECONDS = (
    POOL_TIMEOUT_SECONDS
    + ROUND_TRIP_TIMEOUT_SECONDS
    + CLOSE_TIMEOUT_SECONDS
    + CONNECT_TIMEOUT_SECONDS
)
READY_TIMEOUT_SECONDS = 1.5
SQLITE_BUSY_TIMEOUT_SECONDS = 2.0  # another process holding SQLite's write lock
# SQLSTATE classes of a server that cannot serve now: connection exception,
# insufficient resources, operator intervention (shutting down, starting up, cancelled).
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
DATABASE_PACKAGES = ("sqlalchemy.", "asyncpg.", "aiosqlite.")


class BoundedCloseConnection(asyncpg.Connection):  # type: ignore[misc]
    """An asyncpg connection that waits briefly for the server to acknowledge its close.

    SQLAlchemy closes a connection it gives up on (a timeout) gracefully; a frozen
    server never acknowledges, and the request would wait out a longer timeout.
    """

    async def close(self, *, timeout: float | None = None) -> None:
        await super().close(timeout=CLOSE_TIMEOUT_SECONDS)


def driver_url(url: URL) -> URL:
    """The user's plain URL with this stack's async driver."""
    return url.set(drivername=DRIVERS[url.get_backend_name()])


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database is not available now (503), not a bug (500)."""
    if isinstance(error, DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None) or ""
        return (
            isinstance(error, OperationalError | InterfaceError)
            or error.connection_invalidated
            or sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES
        )
    if isinstance(error, PoolTimeoutError):
        return True
    # Socket errors and timeouts count only when raised by the database layer itself.
    return isinstance(error, OSError | TimeoutError) and any(
        frame.f_globals.get("__name__", "").startswith(DATABASE_PACKAGES)
        for frame, _ in traceback.walk_tb(error.__traceback__)
    )


def create_engine(settings: Settings) -> AsyncEngine:
    url = driver_url(settings.database)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite has one writer at a time: requests queue for the one connection
        # instead of busy-waiting on the file lock (and failing after the timeout).
        return create_async_engine(
            url,
            pool_size=1,
            max_overflow=0,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
    engine = create_async_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "command_timeout": ROUND_TRIP_TIMEOUT_SECONDS,
            "server_settings": {"statement_timeout": f"{STATEMENT_TIMEOUT_SECONDS * 1000:.0f}"},
            "connection_class": BoundedCloseConnection,
        },
    )
    event.listen(engine.sync_engine, "handle_error", drop_timed_out_connection)
    return engine


def drop_timed_out_connection(context: ExceptionContext) -> None:
    """A connection whose answer did not come in time is unusable: drop it (and the pool).

    asyncpg raises the bare ``TimeoutError``/``OSError``, which SQLAlchemy would
    otherwise leave in the pool.
    """
    if isinstance(context.original_exception, TimeoutError | OSError):
        context.is_disconnect = True


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def check_database(engine: AsyncEngine, schema: SchemaCheck) -> str | None:
    """None when the database answers and its schema is current, else a short reason."""
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(schema.reason)
    except Exception as error:
        return f"database unavailable ({type(error).__name__})"


class ReadinessCheck:
    """The check behind ``/readyz``: answered within ``READY_TIMEOUT_SECONDS``.

    One check runs at a time; probes arriving meanwhile share its result. A check
    still waiting at the deadline goes on in the background (its waits are bounded
    too) instead of holding the probe while its connection is cleaned up.
    """

    def __init__(self, engine: AsyncEngine, schema: SchemaCheck) -> None:
        self.engine = engine
        self.schema = schema
        self.running: asyncio.Task[str | None] | None = None

    async def __call__(self) -> str | None:
        if self.running is None or self.running.done():
            self.running = asyncio.create_task(check_database(self.engine, self.schema))
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                return await asyncio.shield(self.running)
        except TimeoutError:
            return f"database did not answer within {READY_TIMEOUT_SECONDS} s"


def run_with_connection(settings: Settings, function: Callable[[Connection], Any]) -> None:
    """Run a synchronous function (Alembic's migrations) on a connection of this stack."""

    async def run() -> None:
        engine = create_engine(settings)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(function)
        finally:
            await engine.dispose()

    asyncio.run(run())
