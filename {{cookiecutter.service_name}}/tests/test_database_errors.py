"""Only the database layer's errors of "not available now" are 503, a value no column can
hold is a 422; anything else is a 500."""

import logging
from typing import NoReturn

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from {{ cookiecutter.package_name }}.core import crud
from {{ cookiecutter.package_name }}.core.database import is_unavailable
from {{ cookiecutter.package_name }}.core.integrity import refused_value

from .helpers import ITEMS, assert_problem, error_pairs


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


def _caused_by(cause: BaseException) -> DBAPIError:
    """One driver's shape: SQLAlchemy's error around an adapter's, caused by the driver's."""
    adapter = Exception("invalid input for query argument $1")
    adapter.__cause__ = cause
    return DBAPIError("INSERT ...", None, adapter)


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (DBAPIError("INSERT ...", None, DriverError("22003")), True),  # numeric out of range
        (DBAPIError("INSERT ...", None, DriverError("22001")), True),  # string too long
        (_caused_by(DriverError("22001")), True),
        (_caused_by(OverflowError("value out of int32 range")), True),
        (OverflowError("Python int too large to convert to SQLite INTEGER"), True),
        (DBAPIError("INSERT ...", None, DriverError("23505")), False),  # a conflict: 409
        (DBAPIError("SELECT 1", None, DriverError("57P01")), False),  # unavailable: 503
        (_caused_by(ValueError("a bug")), False),
    ],
)
def test_refused_values_by_sqlstate_and_cause(error: BaseException, refused: bool) -> None:
    assert refused_value(error) is refused


@pytest.mark.parametrize(
    "error",
    [
        DBAPIError("SELECT ...", None, DriverError("22003")),
        OverflowError("Python int too large to convert to SQLite INTEGER"),
    ],
)
def test_a_value_no_column_holds_is_422_from_any_route(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """A route of your own that writes without ``crud`` gets the 422 ``crud`` answers."""

    def refuse(*_args: object) -> NoReturn:
        raise error

    monkeypatch.setattr(crud, "get", refuse)
    answer = client.get(f"{ITEMS}/1")
    assert_problem(answer, 422, "Unprocessable Content", f"{ITEMS}/1")
    assert error_pairs(answer.json()) == [(["body"], "value_error")]


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
