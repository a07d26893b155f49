"""The databases the benchmark runs on: a SQLite file per stack, and PostgreSQL.

PostgreSQL is the one ``DATABASE_URL`` names or else a throwaway PostgreSQL 15 the
bench starts itself with the template's test helper (``tests/postgres.py``: the
``postgres`` OS user, loopback only, a temporary data directory), stopped and
removed after, by its postmaster's PID if ``pg_ctl stop`` fails.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .common import TEMPLATE_DIR, BenchError, log

sys.path.append(str(TEMPLATE_DIR / "tests"))
from postgres import Postgres, PostgresUnavailable, throwaway  # noqa: E402  (the tests' helper)

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DATABASES = (SQLITE, POSTGRESQL)
LABELS = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}


def default_sqlite_dir() -> str | None:
    """tmpfs when there is one: SQLite's fsync per commit would time the disk, not the service."""
    shm = Path("/dev/shm")  # noqa: S108
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


@contextlib.contextmanager
def sqlite_dir(choice: str, work_dir: Path) -> Iterator[Path]:
    """Where the SQLite files live: tmpfs (a new directory there), ``work``, or a directory."""
    if choice == "work":
        yield work_dir
        return
    if choice != "tmpfs":
        yield Path(choice)
        return
    shm = default_sqlite_dir()
    if shm is None:
        yield work_dir
        return
    with tempfile.TemporaryDirectory(prefix="template-bench-", dir=shm) as directory:
        yield Path(directory)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    """A new PostgreSQL 15 server on the loopback, stopped and removed after, even on failure."""
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(throwaway())
        except PostgresUnavailable as error:
            raise BenchError(
                f"PostgreSQL cannot start here ({error}); give DATABASE_URL or --database sqlite"
            ) from None
        log(f"PostgreSQL 15 started on 127.0.0.1:{server.port} (throwaway, {server.root})")
        yield server


@contextlib.contextmanager
def postgres_urls(frameworks: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """A ``postgresql://`` URL per stack: ``DATABASE_URL`` (shared) or a throwaway server's."""
    given = os.environ.get("DATABASE_URL")
    if given:
        yield dict.fromkeys(frameworks, given)
        return
    with throwaway_postgres() as server:
        yield {framework: server.url(f"bench_{framework}") for framework in frameworks}
