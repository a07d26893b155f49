"""Async SQLAlchemy engine and sessions (aiosqlite for SQLite, asyncpg for PostgreSQL)."""

import asyncio
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from .settings import Settings

DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
READY_TIMEOUT_SECONDS = 2.0


def driver_url(url: URL) -> URL:
    """The user's plain URL with this stack's async driver."""
    return url.set(drivername=DRIVERS[url.get_backend_name()])


def create_engine(settings: Settings) -> AsyncEngine:
    url = driver_url(settings.database)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite has one writer at a time: requests queue for the one connection
        # instead of busy-waiting on the file lock (and failing after the timeout).
        return create_async_engine(
            url, pool_size=1, max_overflow=0, connect_args={"timeout": READY_TIMEOUT_SECONDS}
        )
    return create_async_engine(
        url,
        pool_pre_ping=True,
        connect_args={"timeout": READY_TIMEOUT_SECONDS, "command_timeout": 10},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def check_database(engine: AsyncEngine) -> str | None:
    """None when the database answers within the timeout, else a short reason."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return "database did not answer within 2 s"
    except Exception as error:
        return f"database unavailable ({type(error).__name__})"
    return None


def run_with_connection(settings: Settings, function: Callable[[Connection], None]) -> None:
    """Run a synchronous function (Alembic's migrations) on a connection of this stack."""

    async def run() -> None:
        engine = create_engine(settings)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(function)
        finally:
            await engine.dispose()

    asyncio.run(run())
