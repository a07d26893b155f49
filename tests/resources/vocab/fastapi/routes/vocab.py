"""Orders: a resource whose schemas use every kind of validator a team writes (pydantic).

Copied into a generated FastAPI project by the template's tests/test_vocabulary.py.
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel, EmailStr, Field, field_validator

from ..core.fields import IntegerText, StrictBody
from ..core.routing import resource_router

router = resource_router("/api/v1/orders", tag="orders")


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Line(StrictBody):
    sku: str = Field(pattern=r"^[A-Z]{3}-[0-9]{2}$")
    count: int = Field(ge=1, le=99)


class Customer(StrictBody):
    name: str = Field(min_length=2, max_length=20)
    email: EmailStr


class Order(StrictBody):
    kind: Literal["retail", "trade"]
    # Strict mode takes these only as Python objects; JSON sends them as strings.
    colour: Colour = Field(strict=False)
    ref: UUID = Field(strict=False)
    day: date = Field(strict=False)
    at: datetime = Field(strict=False)
    title: str = Field(min_length=2, max_length=10)
    count: int = Field(gt=0, lt=10)
    step: int = Field(multiple_of=5)
    ratio: float = Field(ge=0, le=1)
    paid: bool
    customer: Customer
    lines: list[Line] = Field(min_length=1, max_length=3)
    tags: list[Annotated[str, Field(max_length=5)]] = Field(default_factory=list)
    note: str = ""
    # Decimals and dates, alone and in lists, as a team declares them (no strict=False); a
    # list's default made by a function, as marshmallow's load_default=list (not documented).
    amount: Decimal = Field(default=Decimal(0), ge=0, max_digits=6, decimal_places=2)
    days: list[date] = Field(default_factory=list)
    moments: list[datetime] = Field(default_factory=list)
    opens: time | None = None
    hours: list[time] = Field(default_factory=list)
    # Date-time bounds, one with an offset and one without (taken as UTC), alone and in a list.
    since: datetime | None = Field(default=None, gt=datetime(2000, 1, 1))
    stamps: list[Annotated[datetime, Field(ge=datetime(2000, 1, 1, tzinfo=UTC))]] = Field(
        default_factory=list
    )
    # A date bound: checked as a date-time's, and not documented either.
    due: date | None = Field(default=None, gt=date(2000, 1, 1))

    @field_validator("note")
    @classmethod
    def no_shouting(cls, value: str) -> str:
        if value.isupper():
            raise ValueError("no shouting")
        return value


class Taken(BaseModel):
    title: str


class Listing(BaseModel):
    sort: str
    size: int


class Moments(BaseModel):
    since: str
    until: str
    day: str
    later: bool


@router.post("", status_code=201)
async def create_order(order: Order) -> Taken:
    return Taken(title=order.title)


@router.get("")
async def list_orders(
    sort: Literal["name", "date"] = "name",
    size: Annotated[int, Query(ge=1, le=10), IntegerText] = 5,
) -> Listing:
    return Listing(sort=sort, size=size)


# Date-time query parameters, bounded without an offset (taken as UTC) and with one, and a
# date: the handler gets aware date-times (none sent is UTC) and compares them with its own.
@router.get("/moments")
async def read_moments(
    since: Annotated[datetime | None, Query(gt=datetime(2000, 1, 1))] = None,
    until: Annotated[datetime | None, Query(le=datetime(2100, 1, 1, tzinfo=UTC))] = None,
    day: Annotated[date | None, Query(gt=date(2000, 1, 1))] = None,
) -> Moments:
    return Moments(
        since=since.isoformat() if since else "",
        until=until.isoformat() if until else "",
        day=day.isoformat() if day else "",
        later=since is not None and until is not None and since < until,
    )
