"""CRUD for items under ``/api/v1/items``."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from apiflask import APIBlueprint, HTTPError
from flask import Response, request
from sqlalchemy import Executable, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import Conflict, NotFound

from .. import models, schemas
from ..database import get_session
from ..json_body import strict_json_body, with_body_errors
from ..openapi import problem_responses
from ..schemas import Violation
from ..values import repeated_parameters

PREFIX = "/api/v1/items"
items = APIBlueprint("items", __name__, tag="items", url_prefix=PREFIX)

# Views with ``item_id`` get it twice: Flask passes the raw path segment (a
# string rule, so "abc" is a 422 rather than Werkzeug's 404) and ``path_data``
# holds it validated by ``schemas.ItemPath``.


LIST_PARAMETERS = ("limit", "offset")


def single_values(view: Callable[..., Any]) -> Callable[..., Any]:
    """A query parameter sent twice is 422, before the values are read (the same in every stack)."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        sent = [name for name, _ in request.args.items(multi=True)]
        repeated = repeated_parameters(LIST_PARAMETERS, sent)
        if repeated:
            errors = {name: [Violation("int_type")] for name in repeated}
            raise HTTPError(422, detail={"query": errors})
        return view(*args, **kwargs)

    return checked


def not_found(item_id: int) -> NotFound:
    return NotFound(f"Item {item_id} does not exist")


def check_range(item_id: int) -> None:
    """Ids past the column's range cannot exist; don't ask the database."""
    if item_id > models.MAX_ID:
        raise not_found(item_id)


def find_item(session: Session, item_id: int) -> models.Item:
    check_range(item_id)
    item = session.get(models.Item, item_id)
    if item is None:
        raise not_found(item_id)
    return item


def write(session: Session, statement: Executable, name: str | None = None) -> Any:
    """Run one INSERT, UPDATE or DELETE ... RETURNING and commit; what it returned, or None.

    One statement, so requests racing for the same item never half-succeed: a row
    deleted meanwhile is not found (None), a name taken meanwhile is 409, and
    nothing is written then.
    """
    try:
        result = session.scalar(statement)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"An item named {name!r} already exists") from None
    return result


# Before list_items: APIFlask must document Item before ItemPage nests it,
# or it adds the same schema a second time as "Item1".
@items.post("")
@items.doc(operation_id="create_item", responses=problem_responses(400, 409, 413, 415, 422, 503))
@strict_json_body
@items.input(schemas.ItemCreate, location="json")
@items.output(schemas.Item, status_code=201)
def create_item(json_data: dict[str, Any]) -> tuple[models.Item, dict[str, str]]:
    """Create an item; ``Location`` names it."""
    statement = insert(models.Item).values(**json_data).returning(models.Item)
    item: models.Item = write(get_session(), statement, json_data["name"])
    return item, {"Location": f"{PREFIX}/{item.id}"}


@items.get("")
@single_values
@items.input(schemas.ListQuery, location="query")
@items.output(schemas.ItemPage)
@items.doc(operation_id="list_items", responses=problem_responses(422, 503))
def list_items(query_data: dict[str, int]) -> dict[str, Any]:
    """A page of items, ordered by id."""
    session = get_session()
    limit, offset = query_data["limit"], query_data["offset"]
    total = session.scalar(select(func.count()).select_from(models.Item)) or 0
    rows: list[models.Item] = []
    if offset < total:  # also keeps huge offsets away from the database
        query = select(models.Item).order_by(models.Item.id).limit(limit).offset(offset)
        rows = list(session.scalars(query))
    return {"items": rows, "total": total, "limit": limit, "offset": offset}


@items.get("/<item_id>")
@items.input(schemas.ItemPath, location="path")
@items.output(schemas.Item)
@items.doc(operation_id="get_item", responses=problem_responses(404, 422, 503))
def get_item(item_id: str, path_data: dict[str, int]) -> models.Item:
    """One item by id."""
    return find_item(get_session(), path_data["item_id"])


@items.patch("/<item_id>")
@items.doc(
    operation_id="update_item",
    responses=problem_responses(400, 404, 409, 413, 415, 422, 503),
)
@strict_json_body
@with_body_errors(schemas.ItemUpdate)
@items.input(schemas.ItemPath, location="path")
@items.input(schemas.ItemUpdate, location="json")
@items.output(schemas.Item)
def update_item(item_id: str, path_data: dict[str, int], json_data: dict[str, Any]) -> models.Item:
    """Change the fields present in the body; an empty object changes nothing."""
    number = path_data["item_id"]
    session = get_session()
    if not json_data:
        return find_item(session, number)
    check_range(number)
    statement = (
        update(models.Item)
        .where(models.Item.id == number)
        .values(**json_data)
        .returning(models.Item)
    )
    item: models.Item | None = write(session, statement, json_data.get("name"))
    if item is None:
        raise not_found(number)
    return item


@items.delete("/<item_id>")
@items.input(schemas.ItemPath, location="path")
@items.output({}, status_code=204)
@items.doc(operation_id="delete_item", responses=problem_responses(404, 422, 503))
def delete_item(item_id: str, path_data: dict[str, int]) -> Response:
    """Delete an item."""
    number = path_data["item_id"]
    check_range(number)
    statement = delete(models.Item).where(models.Item.id == number).returning(models.Item.id)
    if write(get_session(), statement) is None:
        raise not_found(number)
    response = Response(status=204)
    del response.headers["Content-Type"]  # Flask adds text/html even to an empty 204
    return response
