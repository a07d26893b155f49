"""Timestamps as the API writes them and as the database gives them back (core/timestamps.py)."""

from datetime import UTC, datetime, timedelta, timezone

import httpx
from sqlalchemy import DateTime, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.core.database import run_with_connection
from {{ cookiecutter.package_name }}.core.timestamps import UtcDateTime, in_utc, to_rfc3339, utcnow
from {{ cookiecutter.package_name }}.models import Base, Item
from {{ cookiecutter.package_name }}.settings import Settings

from .helpers import create

PLUS_TWO = timezone(timedelta(hours=2))


def test_timestamps_are_rfc3339_in_utc_with_four_digit_years() -> None:
    assert to_rfc3339(datetime(999, 1, 2, 3, 4, 5)) == "0999-01-02T03:04:05.000000Z"
    offset = datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=PLUS_TWO)
    assert to_rfc3339(offset) == "2026-01-02T01:04:05.000007Z"
    assert to_rfc3339(offset.astimezone(UTC)) == "2026-01-02T01:04:05.000007Z"


def test_a_moment_outside_the_years_utc_can_hold_has_no_utc_form() -> None:
    assert in_utc(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))) is None
    assert in_utc(datetime(9999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1)))) is None
    assert in_utc(datetime(2026, 1, 2)) == datetime(2026, 1, 2, tzinfo=UTC)


def test_a_stored_timestamp_reads_back_in_utc_on_every_database(
    client: httpx.Client, settings: Settings
) -> None:
    """SQLite keeps no offset; a ``UtcDateTime`` column still reads back aware, in UTC, so
    a route can compare it with a request's date-time or ``utcnow()`` on either database."""
    created = create(client)
    sent = datetime(2026, 1, 2, 3, 4, 5, tzinfo=PLUS_TWO)
    loaded: list[tuple[datetime, datetime]] = []

    def write_and_read(connection: Connection) -> None:
        with Session(connection) as session:
            item = session.get_one(Item, created["id"])
            item.created_at = sent  # an ORM write, not through the API: stored as UTC too
            session.flush()
            session.expire_all()
            item = session.scalars(select(Item)).one()
            loaded.append((item.created_at, item.updated_at))

    run_with_connection(settings, write_and_read)
    ((created_at, updated_at),) = loaded
    assert created_at == sent
    assert created_at.utcoffset() == timedelta(0)
    assert updated_at.utcoffset() == timedelta(0)
    assert sent < updated_at <= utcnow()


def test_every_date_time_column_reads_back_in_utc() -> None:
    """SQLAlchemy's plain ``DateTime`` reads back naive on SQLite (aware on PostgreSQL):
    comparing one with a request's date-time or ``utcnow()`` is a TypeError, a 500."""
    plain = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, DateTime)
    ]
    assert not plain, f"make these columns UtcDateTime() (core/timestamps.py): {plain}"


def test_sqlite_text_reads_as_utc_with_or_without_an_offset() -> None:
    read = UtcDateTime().result_processor(sqlite.dialect(), None)
    assert read is not None
    assert read("2026-01-02 03:04:05.000007") == datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=UTC)
    shifted = read("2026-01-02 03:04:05+02:00")
    assert shifted == datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert shifted is not None
    assert shifted.tzinfo is UTC
    assert read(None) is None
