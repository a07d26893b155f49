"""Rows built from ``INSERT ... RETURNING`` (core/inserts.py), whatever the model looks like."""

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from {{ cookiecutter.package_name }}.core.inserts import insert_returning, insert_values, stored_row
from {{ cookiecutter.package_name }}.core.timestamps import utc_values


class Base(DeclarativeBase):
    pass


class Ticket(Base):
    """A team's model with its own constructor and an attribute named apart from its column."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column("subject", sa.String(50))
    opened_at: Mapped[datetime] = mapped_column(server_default=sa.func.current_timestamp())
    due_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    def __init__(self, title: str) -> None:
        self.title = title.strip()


def test_a_stored_row_is_built_from_the_returned_columns_without_the_constructor() -> None:
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        returned = session.execute(
            insert_returning(Ticket), insert_values(Ticket, {"title": "  kept as sent  "})
        ).one()
        row = stored_row(Ticket, returned)
        session.add(row)
        session.commit()

        assert (row.id, row.title) == (1, "  kept as sent  ")
        assert isinstance(row.opened_at, datetime)  # the database's default, returned
        assert session.get(Ticket, 1) is row  # the session knows it as a loaded row
        assert not session.dirty
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT subject FROM tickets")).scalar_one() == (
            "  kept as sent  "
        )
    engine.dispose()


def test_a_datetime_is_stored_as_the_moment_it_names() -> None:
    """SQLite drops a datetime's offset: the values are made UTC before they are written."""
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    sent = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    with Session(engine) as session:
        session.execute(
            insert_returning(Ticket), insert_values(Ticket, {"title": "a", "due_at": sent})
        )
        due = sa.select(Ticket.due_at)
        assert session.scalars(due).one() == datetime(2026, 1, 2, 1, 4, 5)  # naive: UTC
        session.execute(sa.update(Ticket).values(**utc_values({"due_at": sent.replace(hour=4)})))
        assert session.scalars(due).one() == datetime(2026, 1, 2, 2, 4, 5)
    naive = datetime(2026, 1, 2, 3, 4, 5)
    assert utc_values({"at": naive, "n": 1}) == {"at": naive.replace(tzinfo=UTC), "n": 1}
    engine.dispose()
