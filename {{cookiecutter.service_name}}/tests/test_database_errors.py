"""Only the database layer's errors of "not available now" are 503; anything else is a 500."""

import logging
from typing import NoReturn

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from {{ cookiecutter.package_name }}.core import crud
from {{ cookiecutter.package_name }}.core.database import is_unavailable

from .helpers import ITEMS, assert_problem


class DriverError(Exception):
    """A database driver's error, carrying the server's SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "unavailable"),
    [
        ("57P01", True),  # terminating connection due to administrator command
        ("57P03", True),  # the database system is starting up / shutting down
        ("08006", True),  # connection failure
        ("53300", True),  # too many connections
        ("57014", True),  # statement timeout
        ("23505", False),  # unique violation: the route's business
        ("42P01", False),  # undefined table: a bug
    ],
)
def test_driver_errors_by_sqlstate(sqlstate: str, unavailable: bool) -> None:
    assert is_unavailable(DBAPIError("SELECT 1", None, DriverError(sqlstate))) is unavailable


def test_no_free_pooled_connection_is_unavailable() -> None:
    assert is_unavailable(PoolTimeoutError("QueuePool limit reached"))


@pytest.mark.parametrize("error", [ConnectionRefusedError, TimeoutError])
def test_the_database_layers_socket_errors_are_503(
    client: httpx.Client,
    sync_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    error: type[OSError],
) -> None:
    def refuse(*_args: object) -> NoReturn:
        raise error("no answer from the database")

    # Every connection the request asks the engine for fails, pooled or new.
    monkeypatch.setattr(sync_engine, "raw_connection", refuse)
    assert_problem(client.get(ITEMS), 503, "Service Unavailable", ITEMS)


@pytest.mark.parametrize("error", [ConnectionResetError, TimeoutError, OSError])
def test_other_socket_errors_are_500_and_logged(
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: type[OSError],
) -> None:
    def fail(*_args: object) -> NoReturn:
        raise error("the mail server hung up")

    monkeypatch.setattr(crud, "get", fail)
    assert_problem(client.get(f"{ITEMS}/1"), 500, "Internal Server Error", f"{ITEMS}/1")
    logged = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert logged
    assert logged[0].exc_info
    assert logged[0].exc_info[0] is error
