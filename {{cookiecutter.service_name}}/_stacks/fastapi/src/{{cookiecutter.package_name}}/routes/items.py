"""CRUD for items under ``/api/v1/items``."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Executable, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException

from .. import models
from ..json_body import StrictJSONRoute
from ..openapi import problem_responses
from ..problems import error_item
from ..schemas import IntegerText, Item, ItemCreate, ItemPage, ItemUpdate
from ..values import repeated_parameters

router = APIRouter(prefix="/api/v1/items", tags=["items"], route_class=StrictJSONRoute)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]
ItemId = Annotated[int, Path(ge=1), IntegerText]
LIST_PARAMETERS = ("limit", "offset")


def single_values(request: Request) -> None:
    """A query parameter sent twice is 422, before the values are read (the same in every stack)."""
    sent = [name for name, _ in request.query_params.multi_items()]
    repeated = repeated_parameters(LIST_PARAMETERS, sent)
    if repeated:
        raise RequestValidationError([error_item(["query", name], "int_type") for name in repeated])


def not_found(item_id: int) -> HTTPException:
    return HTTPException(404, f"Item {item_id} does not exist")


def check_range(item_id: int) -> None:
    """Ids past the column's range cannot exist; don't ask the database."""
    if item_id > models.MAX_ID:
        raise not_found(item_id)


async def find_item(session: AsyncSession, item_id: int) -> models.Item:
    check_range(item_id)
    item = await session.get(models.Item, item_id)
    if item is None:
        raise not_found(item_id)
    return item


async def write(session: AsyncSession, statement: Executable, name: str | None = None) -> Any:
    """Run one INSERT, UPDATE or DELETE ... RETURNING and commit; what it returned, or None.

    One statement, so requests racing for the same item never half-succeed: a row
    deleted meanwhile is not found (None), a name taken meanwhile is 409, and
    nothing is written then.
    """
    try:
        result = await session.scalar(statement)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise HTTPException(409, f"An item named {name!r} already exists") from None
    return result


@router.get(
    "",
    operation_id="list_items",
    response_model=ItemPage,
    responses=problem_responses(422, 503),
)
async def list_items(
    _single: Annotated[None, Depends(single_values)],
    session: Session,
    limit: Annotated[int, Query(ge=1, le=100), IntegerText] = 20,
    offset: Annotated[int, Query(ge=0), IntegerText] = 0,
) -> ItemPage:
    """A page of items, ordered by id."""
    total = await session.scalar(select(func.count()).select_from(models.Item)) or 0
    items: list[Item] = []
    if offset < total:  # also keeps huge offsets away from the database
        rows = await session.scalars(
            select(models.Item).order_by(models.Item.id).limit(limit).offset(offset)
        )
        items = [Item.model_validate(row) for row in rows]
    return ItemPage(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "",
    status_code=201,
    operation_id="create_item",
    response_model=Item,
    responses=problem_responses(400, 409, 413, 415, 422, 503),
)
async def create_item(body: ItemCreate, session: Session, response: Response) -> models.Item:
    """Create an item; ``Location`` names it."""
    statement = insert(models.Item).values(**body.model_dump()).returning(models.Item)
    item: models.Item = await write(session, statement, body.name)
    response.headers["Location"] = f"{router.prefix}/{item.id}"
    return item


@router.get(
    "/{item_id}",
    operation_id="get_item",
    response_model=Item,
    responses=problem_responses(404, 422, 503),
)
async def get_item(item_id: ItemId, session: Session) -> models.Item:
    """One item by id."""
    return await find_item(session, item_id)


@router.patch(
    "/{item_id}",
    operation_id="update_item",
    response_model=Item,
    responses=problem_responses(400, 404, 409, 413, 415, 422, 503),
)
async def update_item(item_id: ItemId, body: ItemUpdate, session: Session) -> models.Item:
    """Change the fields present in the body; an empty object changes nothing."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        return await find_item(session, item_id)
    check_range(item_id)
    statement = (
        update(models.Item)
        .where(models.Item.id == item_id)
        .values(**changes)
        .returning(models.Item)
    )
    item: models.Item | None = await write(session, statement, body.name)
    if item is None:
        raise not_found(item_id)
    return item


@router.delete(
    "/{item_id}",
    status_code=204,
    operation_id="delete_item",
    response_class=Response,
    responses=problem_responses(404, 422, 503),
)
async def delete_item(item_id: ItemId, session: Session) -> Response:
    """Delete an item."""
    check_range(item_id)
    statement = delete(models.Item).where(models.Item.id == item_id).returning(models.Item.id)
    if await write(session, statement) is None:
        raise not_found(item_id)
    return Response(status_code=204)
