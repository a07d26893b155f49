"""Constraints: foreign keys enforced on SQLite too, and a broken one explained (409)."""

from typing import Any

from sqlalchemy.exc import IntegrityError


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
