"""Constraints: foreign keys enforced on SQLite too, a broken one explained (409), and a
value no column can hold recognised (422)."""

from typing import Any

from sqlalchemy.exc import DataError, IntegrityError


def enforce_foreign_keys(connection: Any, _record: Any) -> None:
    """SQLite checks foreign keys only when asked, per connection (PostgreSQL always does)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def conflict_detail(error: IntegrityError) -> str:
    """A taken unique value, a reference to a row that does not exist (or still does), or
    another rule of the table: a required value left empty, a check constraint."""
    message = str(error.orig).lower()
    if "foreign key" in message:
        return "The request refers to a row that does not exist, or another row refers to this one"
    if "unique" in message or "duplicate key" in message:
        return "A value that must be unique is already taken"
    return "A value breaks a rule of the table (a required value is empty, or a check fails)"


def refused_value(error: BaseException) -> bool:
    """Whether the database or its driver refused a value the request sent: a number past
    the column's range, a text longer than the column (SQLSTATE class 22, "data exception"),
    a number the driver cannot bind. The schema let it in; nothing was written.

    Drivers report them differently: as SQLAlchemy's ``DataError``, as a plain
    ``DBAPIError`` caused by an error with a SQLSTATE or by an ``OverflowError``, or (SQLite)
    as a bare ``OverflowError``: the chain of causes is searched.
    """
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, DataError | OverflowError):
            return True
        sqlstate = getattr(link, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith("22"):
            return True
        link = getattr(link, "orig", None) or link.__cause__
    return False
