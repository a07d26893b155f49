"""CRUD for items under ``/api/v1/items``."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from apiflask import APIBlueprint, HTTPError
from flask import Response, request
from sqlalchemy import func, select
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


def find_item(session: Session, item_id: int) -> models.Item:
    # Ids past the column's range cannot exist; don't ask the database.
    item = session.get(models.Item, item_id) if item_id <= models.MAX_ID else None
    if item is None:
        raise NotFound(f"Item {item_id} does not exist")
    return item


def commit_or_conflict(session: Session, name: str | None) -> None:
    """Commit; a taken name (unique constraint) is 409 and nothing is written."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"An item named {name!r} already exists") from None


# Before list_items: APIFlask must document Item before ItemPage nests it,
# or it adds the same schema a second time as "Item1".
@items.post("")
@items.doc(operation_id="create_item", responses=problem_responses(400, 409, 413, 415, 422, 503))
@strict_json_body
@items.input(schemas.ItemCreate, location="json")
@items.output(schemas.Item, status_code=201)
def create_item(json_data: dict[str, Any]) -> tuple[models.Item, dict[str, str]]:
    """Create an item; ``Location`` names it."""
    session = get_session()
    item = models.Item(**json_data)
    session.add(item)
    commit_or_conflict(session, json_data["name"])
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
    session = get_session()
    item = find_item(session, path_data["item_id"])
    for field, value in json_data.items():
        setattr(item, field, value)
    commit_or_conflict(session, json_data.get("name"))
    return item


@items.delete("/<item_id>")
@items.input(schemas.ItemPath, location="path")
@items.output({}, status_code=204)
@items.doc(operation_id="delete_item", responses=problem_responses(404, 422, 503))
def delete_item(item_id: str, path_data: dict[str, int]) -> Response:
    """Delete an item."""
    session = get_session()
    session.delete(find_item(session, path_data["item_id"]))
    session.commit()
    response = Response(status=204)
    del response.headers["Content-Type"]  # Flask adds text/html even to an empty 204
    return response
