"""Database models (SQLAlchemy 2 declarative), shared by the web layer and Alembic."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Float, Integer, MetaData, String
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .core.timestamps import UtcDateTime, utcnow

# Named constraints keep Alembic migrations stable across databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Largest id the integer column holds; larger path ids cannot exist.
MAX_ID = 2_147_483_647
NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 1000
PRICE_MAX = 1_000_000_000
QUANTITY_MAX = 2_147_483_647


def _created_at(context: DefaultExecutionContext) -> datetime:
    """A new row's ``updated_at`` is its ``created_at``, to the microsecond."""
    value: datetime = context.get_current_parameters()["created_at"]  # type: ignore[no-untyped-call]
    return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # A ``Mapped[datetime]`` given no type of its own reads back aware, in UTC, too.
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class Item(Base):
    __tablename__ = "items"
    # Never reuse the id of a deleted item (SQLite's default reuses the largest one):
    # a retried DELETE must not remove a newer item. PostgreSQL's sequence never does.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH), unique=True)
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_MAX_LENGTH))
    price: Mapped[float] = mapped_column(Float)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=_created_at, onupdate=utcnow
    )
