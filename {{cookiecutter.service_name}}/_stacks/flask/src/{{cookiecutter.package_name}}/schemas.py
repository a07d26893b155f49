"""Request and response bodies (marshmallow), strict JSON types as the contract asks.

Request schemas derive from ``Input`` (bodies from ``StrictBody``): every error of
their fields and validators, marshmallow's own included, is a type of the contract's
vocabulary (``problems.ERROR_MESSAGES``); ``errors.py`` turns the types into problem details.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from apiflask import Schema
from marshmallow import EXCLUDE, ValidationError, fields, validate

from .models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, PRICE_MAX, QUANTITY_MAX
from .problems import FALLBACK_TYPE
from .timestamps import to_rfc3339
from .values import NAME_PATTERN, TEXT_PATTERN, integer_from_text, integral_number, text_violation


class Violation(str):
    """A type of the vocabulary that keeps the numbers its message needs (e.g. ``ge``).

    Your own validators may raise ``ValidationError(Violation("multiple_of", multiple_of=5))``;
    any other message is reported as the fallback type.
    """

    context: dict[str, Any]

    def __new__(cls, code: str, **context: Any) -> "Violation":
        violation = super().__new__(cls, code)
        violation.context = context
        return violation

    def format(self, *args: object, **kwargs: object) -> "Violation":
        # marshmallow formats field messages with the field's numbers; a type has no
        # placeholders, and its context already holds what its message needs.
        return self


def expected(choices: Iterable[Any]) -> str:
    """Choices as pydantic lists them: ``'a', 'b' or 'c'``."""
    shown = [repr(choice) for choice in choices]
    return " or ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)


def violation(validator: Callable[[Any], Any], value: Any) -> Violation:
    """The type for a failure of one of marshmallow's validators (the fallback for others)."""
    if isinstance(validator, validate.OneOf):
        return Violation("enum", expected=expected(validator.choices))
    if isinstance(validator, validate.Regexp):
        return Violation("string_pattern_mismatch", pattern=validator.regex.pattern)
    if isinstance(validator, validate.Range):
        low, high = validator.min, validator.max
        if low is not None and (value < low or (value == low and not validator.min_inclusive)):
            if validator.min_inclusive:
                return Violation("greater_than_equal", ge=low)
            return Violation("greater_than", gt=low)
        if validator.max_inclusive:
            return Violation("less_than_equal", le=high)
        return Violation("less_than", lt=high)
    if isinstance(validator, validate.Length):
        kind = "string_" if isinstance(value, str) else ""  # else a list
        low = validator.min if validator.equal is None else validator.equal
        high = validator.max if validator.equal is None else validator.equal
        if low is not None and len(value) < low:
            return Violation(f"{kind}too_short", min_length=low)
        return Violation(f"{kind}too_long", max_length=high)
    return Violation(FALLBACK_TYPE)


class InVocabulary:
    """A validator whose failures are types of the vocabulary.

    It carries the wrapped validator's attributes (``min``, ``choices``...): the
    OpenAPI document reads the limits from them.
    """

    def __init__(self, validator: Callable[[Any], Any]) -> None:
        self.__dict__.update(vars(validator) if hasattr(validator, "__dict__") else {})
        self.wrapped = validator

    def __call__(self, value: Any) -> Any:
        try:
            return self.wrapped(value)
        except ValidationError as error:
            if all(isinstance(message, Violation) for message in error.messages):
                raise  # already types of the vocabulary
            raise ValidationError(violation(self.wrapped, value)) from None


# marshmallow's fields, most specific first, and the type of their errors for a
# value of the wrong kind (``invalid``, ``invalid_uuid``, ``unknown``, ...).
FIELD_TYPES: list[tuple[type[fields.Field[Any]], str]] = [
    (fields.UUID, "uuid_type"),
    (fields.String, "string_type"),
    (fields.Boolean, "bool_type"),
    (fields.Integer, "int_type"),
    (fields.Number, "number_type"),
    (fields.Date, "date_type"),
    (fields.DateTime, "datetime_type"),
    (fields.List, "list_type"),
    (fields.Nested, "object_type"),
    (fields.Mapping, "object_type"),
    (fields.Enum, "enum"),
]
# The errors every field has.
FIELD_ERRORS = {
    "required": "missing",
    "null": "null_not_allowed",
    "validator_failed": FALLBACK_TYPE,
}


def use_vocabulary(field: fields.Field[Any]) -> None:
    """Make every error of ``field`` (and of a list's items) a type of the vocabulary."""
    kind = next((code for cls, code in FIELD_TYPES if isinstance(field, cls)), FALLBACK_TYPE)
    wrong_kind = Violation(kind)
    if isinstance(field, fields.Enum):
        members = [member.value if field.by_value else member.name for member in field.enum]
        wrong_kind = Violation(kind, expected=expected(members))
    field.error_messages = {key: FIELD_ERRORS.get(key, wrong_kind) for key in field.error_messages}
    field.validators = [InVocabulary(validator) for validator in field.validators]
    if isinstance(field, fields.List):
        use_vocabulary(field.inner)


class Input(Schema):
    """A request part (body, query or path) whose errors are types of the vocabulary."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        use_vocabulary(field_obj)


class Integer(fields.Integer):
    """A JSON integer only (``5.0`` counts, as in JSON Schema): not ``5.5``, ``"5"``, ``true``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        value = integral_number(value)
        # ``bool`` is an ``int`` in Python: refused.
        if type(value) is not int:
            raise self.make_error("invalid")
        return value


class Number(fields.Float):
    """A JSON number (integers too), never a string, a boolean or null."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if type(value) not in (int, float):
            raise self.make_error("invalid")
        # Kept as sent: the range check compares huge integers without overflow.
        return value  # type: ignore[no-any-return]


class IntegerString(fields.Integer):
    """An integer in a query string or a path segment: ``2.5`` and ``abc`` are not."""

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


class Text(validate.Length):
    """Length bounds, then no NUL and (unless ``blank``) a non-whitespace character.

    One error at most; the rules after the length are ``values.text_violation``.
    """

    def __init__(self, min: int | None = None, max: int | None = None, *, blank: bool = True):
        super().__init__(min=min, max=max)
        self.blank = blank

    def __call__(self, value: Any) -> Any:
        if self.min is not None and len(value) < self.min:
            raise ValidationError(Violation("string_too_short", min_length=self.min))
        if self.max is not None and len(value) > self.max:
            raise ValidationError(Violation("string_too_long", max_length=self.max))
        error_type = text_violation(value, blank=self.blank)
        if error_type is not None:
            raise ValidationError(Violation(error_type, pattern=TEXT_PATTERN))
        return value


class StrictBody(Input):
    """A JSON object whose unknown fields are refused, never dropped."""

    error_messages = {"unknown": "extra_forbidden", "type": "object_type"}  # noqa: RUF012


# The patterns document the text rules in the OpenAPI document; Text checks them.
NAME = {"pattern": NAME_PATTERN}
TEXT = {"pattern": TEXT_PATTERN}


class ItemCreate(StrictBody):
    name = fields.String(
        required=True, validate=Text(1, NAME_MAX_LENGTH, blank=False), metadata=NAME
    )
    description = fields.String(
        allow_none=True, validate=Text(max=DESCRIPTION_MAX_LENGTH), metadata=TEXT
    )
    price = Number(required=True, validate=validate.Range(0, PRICE_MAX))
    quantity = Integer(load_default=0, validate=validate.Range(0, QUANTITY_MAX))


class ItemUpdate(StrictBody):
    """Every field optional; ``name``, ``price`` and ``quantity`` may not be null."""

    name = fields.String(validate=Text(1, NAME_MAX_LENGTH, blank=False), metadata=NAME)
    description = fields.String(
        allow_none=True, validate=Text(max=DESCRIPTION_MAX_LENGTH), metadata=TEXT
    )
    price = Number(validate=validate.Range(0, PRICE_MAX))
    quantity = Integer(validate=validate.Range(0, QUANTITY_MAX))


class ListQuery(Input):
    limit = IntegerString(load_default=20, validate=validate.Range(1, 100))
    offset = IntegerString(load_default=0, validate=validate.Range(0))


class ItemPath(Input):
    item_id = IntegerString(required=True, validate=validate.Range(1))


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
