"""UTC timestamps, stored naive-free and written as RFC 3339 with a ``Z``."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_rfc3339(moment: datetime) -> str:
    """``2026-11-22T15:04:05.123456Z``: always UTC, always microseconds.

    SQLite hands back naive datetimes; they were written as UTC.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
