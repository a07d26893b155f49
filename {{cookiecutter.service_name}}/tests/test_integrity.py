"""A broken constraint is explained by its kind (the 409's detail), whatever the database."""

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from {{ cookiecutter.package_name }}.core.database import run_with_connection
from {{ cookiecutter.package_name }}.core.integrity import conflict_detail
from {{ cookiecutter.package_name }}.settings import Settings

metadata = sa.MetaData()
parents = sa.Table("integrity_parents", metadata, sa.Column("id", sa.Integer, primary_key=True))
children = sa.Table(
    "integrity_children",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(10), unique=True),
    sa.Column("size", sa.Integer, sa.CheckConstraint("size > 0"), nullable=False),
    sa.Column("parent_id", sa.ForeignKey("integrity_parents.id")),
)
CASES = [
    ({"id": 2, "code": "a", "size": 1}, "must be unique"),
    ({"id": 3, "code": "b", "size": None}, "a required value is empty"),
    ({"id": 4, "code": "c", "size": 0}, "a check fails"),
    ({"id": 5, "code": "d", "size": 1, "parent_id": 9}, "refers to a row that does not exist"),
]


@pytest.mark.parametrize(("row", "detail"), CASES)
def test_each_kind_of_constraint_has_its_own_detail(
    settings: Settings, row: dict[str, object], detail: str
) -> None:
    errors: list[IntegrityError] = []

    def insert(connection: Connection) -> None:
        metadata.create_all(connection)
        connection.execute(children.insert(), {"id": 1, "code": "a", "size": 1})
        try:
            with connection.begin_nested():
                connection.execute(children.insert(), row)
        except IntegrityError as error:
            errors.append(error)
        metadata.drop_all(connection)

    run_with_connection(settings, insert)
    (error,) = errors
    assert detail in conflict_detail(error)
