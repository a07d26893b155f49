"""Creating a row in one round trip: ``INSERT ... RETURNING``, the row built from the answer.

On the table, not the model: the ORM's ``insert(model).returning(model)`` costs about
twice as much per request (its cache key, bulk bookkeeping). The row is built from what
the database returned, so it holds what was stored, not what was sent.
"""

import functools
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached

from ..models import Base

Row = TypeVar("Row", bound=Base)


@functools.cache
def insert_returning(model: type[Base]) -> sa.Executable:
    """``INSERT ... RETURNING`` every column, built once per model: its values are parameters."""
    columns = [attr.columns[0].label(attr.key) for attr in sa.inspect(model).column_attrs]
    return sa.insert(cast(sa.Table, model.__table__)).returning(*columns)


def stored_row(model: type[Row], returned: sa.Row[Any]) -> Row:
    """The row ``insert_returning`` answered, ready to join a session as a loaded row does
    (``session.add``), so that what it refers to loads the same way."""
    row = model(**returned._mapping)
    make_transient_to_detached(row)
    return row
