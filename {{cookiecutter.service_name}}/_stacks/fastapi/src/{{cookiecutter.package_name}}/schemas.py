"""Request and response bodies (pydantic v2), strict JSON types as the contract asks."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
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
from .values import (
    NAME_PATTERN,
    TEXT_PATTERN,
    comparable_number,
    integer_from_text,
    integral_number,
    text_violation,
)


def _text_rules(*, blank: bool) -> AfterValidator:
    """No NUL, and (unless ``blank``) a non-whitespace character: see ``values``."""

    def check(value: str) -> str:
        error_type = text_violation(value, blank=blank)
        if error_type is not None:
            raise PydanticCustomError(
                error_type, ERROR_MESSAGES[error_type], {"pattern": TEXT_PATTERN}
            )
        return value

    return AfterValidator(check)


def _integer_from_text(value: Any) -> Any:
    """Path and query integers by the shared rule (pydantic's lax mode takes ``1_000``)."""
    if isinstance(value, str):
        number = integer_from_text(value)
        if number is None:
            raise PydanticCustomError("int_type", ERROR_MESSAGES["int_type"])
        return number
    return value


def _not_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("null_not_allowed", ERROR_MESSAGES["null_not_allowed"])
    return value


# The patterns only document the rules (pydantic would report them as a
# pattern mismatch, before the length); _text_rules checks them.
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=NAME_MAX_LENGTH),
    _text_rules(blank=False),
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
]
Description = Annotated[
    str,
    StringConstraints(max_length=DESCRIPTION_MAX_LENGTH),
    _text_rules(blank=True),
    Field(json_schema_extra={"pattern": TEXT_PATTERN}),
]
# Strict mode takes a JSON integer for a number field, never a string or a boolean.
Price = Annotated[float, Field(ge=0, le=PRICE_MAX), BeforeValidator(comparable_number)]
# Strict mode refuses floats; integral_number first turns 5.0 into 5 (JSON Schema's view).
Quantity = Annotated[int, Field(ge=0, le=QUANTITY_MAX), BeforeValidator(integral_number)]
IntegerText = BeforeValidator(_integer_from_text)
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
