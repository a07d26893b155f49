"""Request and response bodies (pydantic v2), strict JSON types as the contract asks."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, PRICE_MAX, QUANTITY_MAX
from .problems import ERROR_MESSAGES
from .timestamps import to_rfc3339


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_string", ERROR_MESSAGES["blank_string"])
    return value


def _not_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("null_not_allowed", ERROR_MESSAGES["null_not_allowed"])
    return value


Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=NAME_MAX_LENGTH),
    AfterValidator(_not_blank),
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX_LENGTH)]
# Strict mode takes a JSON integer for a number field, never a string or a boolean.
Price = Annotated[float, Field(ge=0, le=PRICE_MAX)]
# Strict mode refuses 5.0 for an integer field: only JSON integers are integers.
Quantity = Annotated[int, Field(ge=0, le=QUANTITY_MAX)]
Timestamp = Annotated[
    datetime,
    PlainSerializer(to_rfc3339, return_type=str, when_used="json"),
    Field(json_schema_extra={"format": "date-time"}),
]


NOT_NULL = ("name", "price", "quantity")


def _drop_null(schema: dict[str, Any], fields: tuple[str, ...]) -> None:
    """Document optional-but-not-null fields without the ``null`` that validation refuses."""
    for field in fields:
        prop = schema["properties"][field]
        (kept,) = [choice for choice in prop.pop("anyOf") if choice.get("type") != "null"]
        prop.update(kept)


class StrictBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class ItemCreate(StrictBody):
    name: Name
    description: Description | None = None
    price: Price
    quantity: Quantity = 0

    _reject_null = field_validator(*NOT_NULL, mode="before")(_not_null)


class ItemUpdate(StrictBody):
    """Every field optional; ``name``, ``price`` and ``quantity`` may not be null."""

    model_config = ConfigDict(json_schema_extra=lambda schema: _drop_null(schema, NOT_NULL))

    name: Name | None = None
    description: Description | None = None
    price: Price | None = None
    quantity: Quantity | None = None

    _reject_null = field_validator(*NOT_NULL, mode="before")(_not_null)


class Item(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    price: float
    quantity: int
    created_at: Timestamp
    updated_at: Timestamp


class ItemPage(BaseModel):
    items: list[Item]
    total: int
    limit: int
    offset: int


class HealthCheck(BaseModel):
    status: Literal["pass", "fail"]
    output: str | None = None


class Health(BaseModel):
    status: Literal["pass", "fail"]
    checks: dict[str, HealthCheck] | None = None


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str


class ValidationErrorItem(BaseModel):
    loc: list[str | int]
    type: str
    msg: str


class ValidationProblem(Problem):
    errors: list[ValidationErrorItem]
