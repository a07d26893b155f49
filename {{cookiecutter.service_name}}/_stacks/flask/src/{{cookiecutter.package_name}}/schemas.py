"""Request and response bodies (marshmallow), strict JSON types as the contract asks.

Every validation error message is a code from the contract's vocabulary
(``problems.ERROR_MESSAGES``); ``errors.py`` turns the codes into problem details.
"""

from datetime import datetime
from typing import Any

from apiflask import Schema
from marshmallow import EXCLUDE, ValidationError, fields, validate

from .models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, PRICE_MAX, QUANTITY_MAX
from .timestamps import to_rfc3339
from .values import NAME_PATTERN, TEXT_PATTERN, integer_from_text, integral_number, text_violation


class Violation(str):
    """An error code that keeps the numbers its message needs (e.g. ``limit``)."""

    context: dict[str, Any]

    def __new__(cls, code: str, **context: Any) -> "Violation":
        violation = super().__new__(cls, code)
        violation.context = context
        return violation


# Absent when required, or null when not nullable: the same codes for every field.
# (The ``noqa: RUF012`` below: marshmallow reads its messages from class attributes.)
PRESENCE = {"required": "missing", "null": "null_not_allowed"}


class String(fields.String):
    """A JSON string only: not a number, not a boolean."""

    default_error_messages = {**PRESENCE, "invalid": "string_type"}  # noqa: RUF012


class Integer(fields.Integer):
    """A JSON integer only (``5.0`` counts, as in JSON Schema): not ``5.5``, ``"5"``, ``true``."""

    default_error_messages = {**PRESENCE, "invalid": "int_type"}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        value = integral_number(value)
        # ``bool`` is an ``int`` in Python: refused.
        if type(value) is not int:
            raise self.make_error("invalid")
        return value


class Number(fields.Float):
    """A JSON number (integers too), never a string, a boolean or null."""

    default_error_messages = {**PRESENCE, "invalid": "number_type"}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if type(value) not in (int, float):
            raise self.make_error("invalid")
        # Kept as sent: the range check compares huge integers without overflow.
        return value  # type: ignore[no-any-return]


class IntegerString(fields.Integer):
    """An integer in a query string or a path segment: ``2.5`` and ``abc`` are not."""

    default_error_messages = {**PRESENCE, "invalid": "int_type"}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = integer_from_text(value) if isinstance(value, str) else None
        if number is None:
            raise self.make_error("invalid")
        return number


class Timestamp(fields.DateTime):
    """UTC, RFC 3339, with microseconds and a ``Z``."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str:
        assert value is not None
        return to_rfc3339(value)


class Range(validate.Range):
    """Inclusive bounds, with a separate code for each side (marshmallow has one message)."""

    def __call__(self, value: Any) -> Any:
        if self.min is not None and value < self.min:
            raise ValidationError(Violation("greater_than_equal", limit=self.min))
        if self.max is not None and value > self.max:
            raise ValidationError(Violation("less_than_equal", limit=self.max))
        return value


class Text(validate.Length):
    """Length bounds, then no NUL and (unless ``blank``) a non-whitespace character.

    One error at most; the rules after the length are ``values.text_violation``.
    """

    def __init__(self, min: int | None = None, max: int | None = None, *, blank: bool = True):
        super().__init__(min=min, max=max)
        self.blank = blank

    def __call__(self, value: Any) -> Any:
        if self.min is not None and len(value) < self.min:
            raise ValidationError(Violation("string_too_short", limit=self.min))
        if self.max is not None and len(value) > self.max:
            raise ValidationError(Violation("string_too_long", limit=self.max))
        error_type = text_violation(value, blank=self.blank)
        if error_type is not None:
            raise ValidationError(Violation(error_type))
        return value


class StrictBody(Schema):
    """A JSON object whose unknown fields are refused, never dropped."""

    error_messages = {"unknown": "extra_forbidden", "type": "object_type"}  # noqa: RUF012


# The patterns document the text rules in the OpenAPI document; Text checks them.
NAME = {"pattern": NAME_PATTERN}
TEXT = {"pattern": TEXT_PATTERN}


class ItemCreate(StrictBody):
    name = String(required=True, validate=Text(1, NAME_MAX_LENGTH, blank=False), metadata=NAME)
    description = String(allow_none=True, validate=Text(max=DESCRIPTION_MAX_LENGTH), metadata=TEXT)
    price = Number(required=True, validate=Range(0, PRICE_MAX))
    quantity = Integer(load_default=0, validate=Range(0, QUANTITY_MAX))


class ItemUpdate(StrictBody):
    """Every field optional; ``name``, ``price`` and ``quantity`` may not be null."""

    name = String(validate=Text(1, NAME_MAX_LENGTH, blank=False), metadata=NAME)
    description = String(allow_none=True, validate=Text(max=DESCRIPTION_MAX_LENGTH), metadata=TEXT)
    price = Number(validate=Range(0, PRICE_MAX))
    quantity = Integer(validate=Range(0, QUANTITY_MAX))


class ListQuery(Schema):
    limit = IntegerString(load_default=20, validate=Range(1, 100))
    offset = IntegerString(load_default=0, validate=Range(0))


class ItemPath(Schema):
    item_id = IntegerString(required=True, validate=Range(1))


class ResponseBody(Schema):
    """A body the service sends; documented without ``additionalProperties``."""

    class Meta:
        unknown = EXCLUDE


class Item(ResponseBody):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    price = fields.Float(required=True)
    quantity = fields.Integer(required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class ItemPage(ResponseBody):
    items = fields.List(fields.Nested(Item), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


HEALTH_STATUS = validate.OneOf(["pass", "fail"])


class HealthCheck(ResponseBody):
    status = fields.String(required=True, validate=HEALTH_STATUS)
    output = fields.String(allow_none=True)


class Health(ResponseBody):
    status = fields.String(required=True, validate=HEALTH_STATUS)
    checks = fields.Dict(keys=fields.String(), values=fields.Nested(HealthCheck), allow_none=True)


class Problem(ResponseBody):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True)


class ValidationErrorItem(ResponseBody):
    loc = fields.List(
        fields.Raw(metadata={"anyOf": [{"type": "string"}, {"type": "integer"}]}), required=True
    )
    type = fields.String(required=True)
    msg = fields.String(required=True)


class ValidationProblem(Problem):
    errors = fields.List(fields.Nested(ValidationErrorItem), required=True)
