"""Every kind of pydantic validator answers with a type of the shared vocabulary."""

from datetime import date, datetime
from enum import Enum
from typing import Any, Literal
from uuid import UUID

import pytest
from pydantic import EmailStr, Field, ValidationError, field_validator

from {{ cookiecutter.package_name }}.errors import to_error_items
from {{ cookiecutter.package_name }}.problems import validation_problem
from {{ cookiecutter.package_name }}.schemas import StrictBody

from .helpers import SAMPLE, SAMPLE_ERRORS, error_pairs


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Line(StrictBody):
    sku: str


class Sample(StrictBody):
    kind: Literal["a", "b"]
    # Strict mode takes these only as Python objects; JSON sends them as strings.
    colour: Colour = Field(strict=False)
    ref: UUID = Field(strict=False)
    day: date = Field(strict=False)
    at: datetime = Field(strict=False)
    code: str = Field(min_length=2, max_length=4, pattern="^[A-Z]+$")
    size: int = Field(gt=0, lt=10, multiple_of=5)
    ratio: float = Field(ge=0, le=1)
    paid: bool
    email: EmailStr
    lines: list[Line] = Field(min_length=1, max_length=2)
    note: str

    @field_validator("note")
    @classmethod
    def no_shouting(cls, value: str) -> str:
        if value.isupper():
            raise ValueError("no shouting")
        return value


def errors_of(body: dict[str, Any]) -> dict[str, Any]:
    """The problem the service answers for ``body`` (as FastAPI reports a body's errors)."""
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(body)
    errors = [{**error, "loc": ("body", *error["loc"])} for error in caught.value.errors()]
    return dict(validation_problem(to_error_items(errors), "/samples"))


def test_the_sample_is_valid() -> None:
    assert Sample.model_validate(SAMPLE).colour is Colour.RED


@pytest.mark.parametrize(("change", "expected"), SAMPLE_ERRORS)
def test_validators_give_vocabulary_types(change: dict[str, Any], expected: list[Any]) -> None:
    problem = errors_of({**SAMPLE, **change})
    assert error_pairs(problem) == expected
    assert all(error["msg"] for error in problem["errors"])
