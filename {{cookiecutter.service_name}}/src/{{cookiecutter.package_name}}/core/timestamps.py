"""UTC timestamps, stored naive-free and written as RFC 3339 with a ``Z``."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_rfc3339(moment: datetime) -> str:
    """``2026-11-22T15:04:05.123456Z``: always UTC, always microseconds.

    SQLite hands back naive datetimes; they were written as UTC.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values to store, their datetimes in UTC (a naive one is taken as UTC, as above).

    SQLite keeps a datetime's wall time and drops its offset: ``03:00+02:00`` would read
    back as ``03:00Z``. In UTC, both databases store the same moment.
    """
    return {name: _in_utc(value) for name, value in values.items()}


def _in_utc(value: Any) -> Any:
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # before year 1 in UTC: as sent, for the database to judge
        return value
