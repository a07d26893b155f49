"""Plain marshmallow fields and validators answer with types of the shared vocabulary."""

from enum import Enum
from typing import Any

import pytest
from marshmallow import ValidationError, fields, validate, validates

from {{ cookiecutter.package_name }}.errors import to_error_items
from {{ cookiecutter.package_name }}.problems import validation_problem
from {{ cookiecutter.package_name }}.schemas import Integer, Number, StrictBody, Violation

from .helpers import SAMPLE, SAMPLE_ERRORS, error_pairs


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


def multiple_of(number: int) -> Any:
    """marshmallow has no such validator: ours raises a type of the vocabulary."""

    def check(value: int) -> None:
        if value % number:
            raise ValidationError(Violation("multiple_of", multiple_of=number))

    return check


class Line(StrictBody):
    sku = fields.String(required=True)


class Sample(StrictBody):
    kind = fields.String(required=True, validate=validate.OneOf(["a", "b"]))
    colour = fields.Enum(Colour, by_value=True, required=True)
    ref = fields.UUID(required=True)
    day = fields.Date(required=True)
    at = fields.DateTime(required=True)
    code = fields.String(
        required=True, validate=[validate.Length(2, 4), validate.Regexp("^[A-Z]+$")]
    )
    size = Integer(
        required=True,
        validate=[validate.Range(0, 10, min_inclusive=False, max_inclusive=False), multiple_of(5)],
    )
    ratio = Number(required=True, validate=validate.Range(0, 1))
    paid = fields.Boolean(required=True)
    email = fields.Email(required=True)
    lines = fields.List(fields.Nested(Line), required=True, validate=validate.Length(1, 2))
    note = fields.String(required=True)

    @validates("note")
    def no_shouting(self, value: str, data_key: str) -> None:
        if value.isupper():
            raise ValidationError("no shouting")


def errors_of(body: dict[str, Any]) -> dict[str, Any]:
    """The problem the service answers for ``body`` (as webargs reports a body's errors)."""
    messages = Sample().validate(body)
    assert messages
    return dict(validation_problem(to_error_items({"json": messages}), "/samples"))


def test_the_sample_is_valid() -> None:
    assert Sample().load(SAMPLE)["colour"] is Colour.RED


@pytest.mark.parametrize(("change", "expected"), SAMPLE_ERRORS)
def test_validators_give_vocabulary_types(change: dict[str, Any], expected: list[Any]) -> None:
    problem = errors_of({**SAMPLE, **change})
    assert error_pairs(problem) == expected
    assert all(error["msg"] for error in problem["errors"])
