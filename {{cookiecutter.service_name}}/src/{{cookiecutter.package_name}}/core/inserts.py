"""Creating a row in one round trip: ``INSERT ... RETURNING``, the row built from the answer.

On the table, not the model: the ORM's ``insert(model).returning(model)`` costs about
twice as much per request (its cache key, bulk bookkeeping). The row is built from what
the database returned, so it holds what was stored, not what was sent, and it is built
the way the ORM builds a row it loads: without calling the model's ``__init__``.
"""

import functools
from collections.abc import Mapping
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from .timestamps import utc_values

Row = TypeVar("Row", bound=DeclarativeBase)


@functools.cache
def _column_keys(model: type[DeclarativeBase]) -> dict[str, str]:
    """Each mapped attribute's column, by the attribute's name (they may differ)."""
    return {attr.key: attr.columns[0].key for attr in sa.inspect(model).column_attrs}


@functools.cache
def insert_returning(model: type[DeclarativeBase]) -> sa.Executable:
    """``INSERT ... RETURNING`` every column, built once per model: its values are parameters
    (``insert_values``); the columns come back under their attributes' names."""
    columns = [attr.columns[0].label(attr.key) for attr in sa.inspect(model).column_attrs]
    return sa.insert(cast(sa.Table, model.__table__)).returning(*columns)


def insert_values(model: type[DeclarativeBase], values: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of ``insert_returning`` for values given by attribute name (datetimes
    in UTC: ``timestamps.utc_values``)."""
    keys = _column_keys(model)
    return {keys[name]: value for name, value in utc_values(values).items()}


def stored_row(model: type[Row], returned: sa.Row[Any]) -> Row:
    """The row ``insert_returning`` answered, ready to join a session as a loaded row does
    (``session.add``), so that what it refers to loads the same way."""
    mapper: Mapper[Row] = sa.inspect(model)
    row = mapper.class_manager.new_instance()
    for name, value in returned._mapping.items():
        set_committed_value(row, name, value)
    make_transient_to_detached(row)
    return row
