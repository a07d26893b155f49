"""Orders: a resource whose schemas use every kind of validator a team writes (marshmallow).

Copied into a generated Flask project by the template's tests/test_vocabulary.py.
"""

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from apiflask import APIBlueprint
from marshmallow import ValidationError, fields, validate, validates

from ..core.fields import (
    Digits,
    Input,
    Integer,
    IntegerString,
    MultipleOf,
    Number,
    ResponseBody,
    StrictBody,
)

router = APIBlueprint("orders", __name__, tag="orders", url_prefix="/api/v1/orders")


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Line(StrictBody):
    sku = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}-[0-9]{2}$"))
    count = Integer(required=True, validate=validate.Range(1, 99))


class Customer(StrictBody):
    name = fields.String(required=True, validate=validate.Length(2, 20))
    email = fields.Email(required=True)


class Order(StrictBody):
    kind = fields.String(required=True, validate=validate.OneOf(["retail", "trade"]))
    colour = fields.Enum(Colour, by_value=True, required=True)
    ref = fields.UUID(required=True)
    day = fields.Date(required=True)
    at = fields.DateTime(required=True)
    title = fields.String(required=True, validate=validate.Length(2, 10))
    count = Integer(
        required=True,
        validate=validate.Range(0, 10, min_inclusive=False, max_inclusive=False),
    )
    step = fields.Integer(required=True, validate=MultipleOf(5))
    ratio = Number(required=True, validate=validate.Range(0, 1))
    paid = fields.Boolean(required=True)
    customer = fields.Nested(Customer, required=True)
    lines = fields.List(fields.Nested(Line), required=True, validate=validate.Length(1, 3))
    tags = fields.List(fields.String(validate=validate.Length(max=5)), load_default=list)
    note = fields.String(load_default="")
    # Decimals and dates, alone and in lists, as a team declares them.
    amount = fields.Decimal(load_default=0, places=2, validate=[validate.Range(0), Digits(6)])
    days = fields.List(fields.Date(), load_default=list)
    moments = fields.List(fields.DateTime(), load_default=list)
    opens = fields.Time(load_default=None, allow_none=True)
    hours = fields.List(fields.Time(), load_default=list)
    # Date-time bounds, one with an offset and one without (taken as UTC), alone and in a list.
    since = fields.DateTime(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=datetime(2000, 1, 1), min_inclusive=False),
    )
    stamps = fields.List(
        fields.DateTime(validate=validate.Range(min=datetime(2000, 1, 1, tzinfo=UTC))),
        load_default=list,
    )
    # A date bound: checked as a date-time's, and not documented either.
    due = fields.Date(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=date(2000, 1, 1), min_inclusive=False),
    )

    @validates("note")
    def no_shouting(self, value: str, data_key: str) -> None:
        if value.isupper():
            raise ValidationError("no shouting")


class Taken(ResponseBody):
    title = fields.String(required=True)


class Listing(ResponseBody):
    sort = fields.String(required=True)
    size = fields.Integer(required=True)


class Moments(ResponseBody):
    since = fields.String(required=True)
    until = fields.String(required=True)
    day = fields.String(required=True)
    later = fields.Boolean(required=True)


class MomentsQuery(Input):
    since = fields.DateTime(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=datetime(2000, 1, 1), min_inclusive=False),
    )
    until = fields.DateTime(
        load_default=None,
        allow_none=True,
        validate=validate.Range(max=datetime(2100, 1, 1, tzinfo=UTC)),
    )
    day = fields.Date(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=date(2000, 1, 1), min_inclusive=False),
    )


class OrderQuery(Input):
    sort = fields.String(load_default="name", validate=validate.OneOf(["name", "date"]))
    size = IntegerString(load_default=5, validate=validate.Range(1, 10))


@router.post("")
@router.input(Order, location="json")
@router.output(Taken, status_code=201)
def create_order(json_data: dict[str, Any]) -> dict[str, str]:
    return {"title": json_data["title"]}


@router.get("")
@router.input(OrderQuery, location="query")
@router.output(Listing)
def list_orders(query_data: dict[str, Any]) -> dict[str, Any]:
    return {"sort": query_data["sort"], "size": query_data["size"]}


# Date-time query parameters, bounded without an offset (taken as UTC) and with one, and a
# date: the handler gets aware date-times (none sent is UTC) and compares them with its own.
@router.get("/moments")
@router.input(MomentsQuery, location="query")
@router.output(Moments)
def read_moments(query_data: dict[str, Any]) -> dict[str, Any]:
    since, until, day = (query_data[name] for name in ("since", "until", "day"))
    return {
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
        "day": day.isoformat() if day else "",
        "later": since is not None and until is not None and since < until,
    }
