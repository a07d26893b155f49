"""SQLAlchemy engine and sessions (pysqlite for SQLite, psycopg for PostgreSQL).

Every wait on PostgreSQL is bounded, so a database that stops answering (a network
partition, a stuck host) costs a request at most ``API_BOUND_SECONDS`` and ``/readyz``
at most ``READY_TIMEOUT_SECONDS`` (the README's "Database timeouts"). The bounds hold
under threads and under gevent, where psycopg waits cooperatively.
"""

import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from threading import Lock
from typing import Any, TypeVar

import psycopg
import sqlalchemy
from flask import current_app, g
from psycopg.abc import PQGen
from psycopg.pq import TransactionStatus
from psycopg.rows import TupleRow
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from .schema import SchemaCheck
from .settings import Settings

DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}
POOL_TIMEOUT_SECONDS = 0.5  # waiting for a free pooled connection
CONNECT_TIMEOUT_SECONDS = 2  # libpq counts whole seconds, 2 at least
STATEMENT_TIMEOUT_SECONDS = 1.5  # the server cancels a statement after this
ROUND_TRIP_TIMEOUT_SECONDS = 2.0  # any wait for the server's answer, in the client
# Wait for a connection, its ping times out, a new one fails to connect.
API_BOUND_SECONDS = POOL_TIMEOUT_SECONDS + ROUND_TRIP_TIMEOUT_SECONDS + CONNECT_TIMEOUT_SECONDS
READY_TIMEOUT_SECONDS = 1.5
SQLITE_BUSY_TIMEOUT_SECONDS = 2.0  # another process holding SQLite's write lock
# The kernel gives up on a peer that stops acknowledging (libpq's TCP settings).
TCP_SETTINGS = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 5000,
}

# SQLSTATE classes of a server that cannot serve now: connection exception,
# insufficient resources, operator intervention (shutting down, starting up, cancelled).
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
DATABASE_PACKAGES = ("sqlalchemy.", "psycopg.")

Result = TypeVar("Result")


class BoundedConnection(psycopg.Connection[TupleRow]):
    """A psycopg connection that waits at most ``ROUND_TRIP_TIMEOUT_SECONDS`` for the server.

    psycopg waits on the socket without limit; past the deadline the connection is
    mid-exchange and unusable, so it is closed and SQLAlchemy discards it.
    """

    def wait(
        self, gen: PQGen[Result], interval: float = 0.1, timeout: float | None = None
    ) -> Result:
        try:
            return super().wait(gen, interval, timeout or ROUND_TRIP_TIMEOUT_SECONDS)
        except psycopg.OperationalError:
            if self.info.transaction_status == TransactionStatus.ACTIVE:
                self.close()  # no answer yet: the wait timed out
            raise


def connect_bounded(
    _dialect: Any, _record: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> BoundedConnection:
    return BoundedConnection.connect(*args, **kwargs)


def driver_url(url: URL) -> URL:
    """The user's plain URL with this stack's driver."""
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


def create_engine(settings: Settings) -> Engine:
    url = driver_url(settings.database)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite has one writer at a time: requests queue for the one connection
        # instead of busy-waiting on the file lock (and failing after the timeout).
        return sqlalchemy.create_engine(
            url,
            pool_size=1,
            max_overflow=0,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
    engine = sqlalchemy.create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_SECONDS * 1000:.0f}",
            **TCP_SETTINGS,
        },
    )
    event.listen(engine, "do_connect", connect_bounded)
    return engine


def create_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def check_database(engine: Engine, schema: SchemaCheck) -> str | None:
    """None when the database answers and its schema is current, else a short reason."""
    try:
        with engine.connect() as connection:
            return schema.reason(connection)
    except Exception as error:
        return f"database unavailable ({type(error).__name__})"


class ReadinessCheck:
    """The check behind ``/readyz``: answered within ``READY_TIMEOUT_SECONDS``.

    One check runs at a time, in its own thread; probes arriving meanwhile share its
    result. A check still waiting at the deadline goes on (its waits are bounded too)
    while the probe answers.
    """

    def __init__(self, engine: Engine, schema: SchemaCheck) -> None:
        self.engine = engine
        self.schema = schema
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readiness")
        self.lock = Lock()
        self.running: Future[str | None] | None = None

    def __call__(self) -> str | None:
        with self.lock:
            if self.running is None or self.running.done():
                self.running = self.executor.submit(check_database, self.engine, self.schema)
            running = self.running
        try:
            return running.result(timeout=READY_TIMEOUT_SECONDS)
        except FutureTimeout:
            return f"database did not answer within {READY_TIMEOUT_SECONDS} s"


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


def run_with_connection(settings: Settings, function: Callable[[Connection], Any]) -> None:
    """Run ``function`` (Alembic's migrations) in a transaction on this stack's driver."""
    engine = create_engine(settings)
    try:
        with engine.begin() as connection:
            function(connection)
    finally:
        engine.dispose()
