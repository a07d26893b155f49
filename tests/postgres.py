"""A throwaway PostgreSQL server on the loopback, for the tests and the benchmark.

PostgreSQL refuses to run as root, so the server runs as the ``postgres`` OS
user (``runuser``) in a temporary data directory. It trusts loopback clients:
it is reachable from this machine only and lives as long as its ``throwaway()`` block.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

from project_tools import free_port

BIN_DIR = Path(os.environ.get("POSTGRES_BIN_DIR", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"


class PostgresUnavailable(Exception):
    """PostgreSQL cannot run on this machine; the message says why, in one line."""


class Postgres:
    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="template-pg-"))
        self.data_dir = self.root / "data"
        self.log_file = self.root / "server.log"
        self.databases: set[str] = set()

    @classmethod
    def check_available(cls) -> None:
        if not (BIN_DIR / "pg_ctl").exists():
            raise PostgresUnavailable(f"no PostgreSQL server binaries in {BIN_DIR}")
        if shutil.which("runuser") is None or os.geteuid() != 0:
            raise PostgresUnavailable("starting PostgreSQL as the postgres user needs root")
        try:
            subprocess.run(["id", OS_USER], check=True, capture_output=True)
        except subprocess.CalledProcessError:
            raise PostgresUnavailable(f"no {OS_USER!r} OS user") from None

    def _as_postgres(self, *command: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["runuser", "-u", OS_USER, "--", *command],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()}"
            )
        return result

    def init(self) -> None:
        shutil.chown(self.root, OS_USER, OS_USER)
        self._as_postgres(
            str(BIN_DIR / "initdb"),
            "--pgdata",
            str(self.data_dir),
            "--username",
            OS_USER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c max_connections=200"
        )
        self._as_postgres(
            str(BIN_DIR / "pg_ctl"),
            "--pgdata",
            str(self.data_dir),
            "--log",
            str(self.log_file),
            "--options",
            options,
            "--wait",
            "start",
        )

    def stop(self) -> None:
        self._as_postgres(
            str(BIN_DIR / "pg_ctl"),
            "--pgdata",
            str(self.data_dir),
            "--mode",
            "fast",
            "--wait",
            "stop",
        )

    def postmaster_pid(self) -> int:
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """The server stops answering but keeps its connections (SIGSTOP), until the block ends.

        The postmaster (PID from ``postmaster.pid``) stops first, so it forks no child
        that escapes the freeze; then its children (from ``/proc``). Every process gets
        SIGCONT after the block, even when it fails.
        """
        postmaster = self.postmaster_pid()
        stopped: list[int] = []
        try:
            os.kill(postmaster, signal.SIGSTOP)
            stopped.append(postmaster)
            children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text()
            for pid in map(int, children.split()):
                with contextlib.suppress(ProcessLookupError):  # a child that just exited
                    os.kill(pid, signal.SIGSTOP)
                    stopped.append(pid)
            yield
        finally:
            for pid in reversed(stopped):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def is_running(self) -> bool:
        return (self.data_dir / "postmaster.pid").exists()

    def url(self, database: str) -> str:
        """A plain ``postgresql://`` URL of ``database``, created on first use."""
        if database not in self.databases:
            self._as_postgres(
                str(BIN_DIR / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), database
            )
            self.databases.add(database)
        return f"postgresql://{OS_USER}@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        """Stop the server and delete its directory.

        When ``pg_ctl stop`` fails, the postmaster is stopped by its PID (SIGQUIT) with a
        warning, so no server outlives its block.
        """
        try:
            if self.is_running():
                self.stop()
        except (PostgresUnavailable, subprocess.TimeoutExpired) as error:
            warnings.warn(
                f"pg_ctl stop failed ({error}); stopping the postmaster by its PID", stacklevel=2
            )
            with contextlib.suppress(OSError, ValueError):
                os.kill(self.postmaster_pid(), signal.SIGQUIT)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def throwaway() -> Iterator[Postgres]:
    """A new PostgreSQL 15 server, removed after, even on failure.

    Raises PostgresUnavailable (one line why) where none can start here.
    """
    Postgres.check_available()
    server = Postgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()
