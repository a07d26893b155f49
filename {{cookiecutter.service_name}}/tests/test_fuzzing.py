"""The fuzz test's one tolerance (fuzzing.py): only rules the document cannot state."""

import json
from typing import Any

import pytest

from tests.fuzzing import refused_by_unstated_rules


class Answer:
    def __init__(self, status_code: int, body: Any) -> None:
        self.status_code = status_code
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body) if isinstance(self.body, str) else self.body


@pytest.mark.parametrize(
    ("answer", "excused"),
    [
        (Answer(422, {"errors": [{"type": "value_error"}]}), True),
        (Answer(422, {"errors": [{"type": "value_error"}, {"type": "value_error"}]}), True),
        (Answer(422, {"errors": [{"type": "value_error"}, {"type": "int_type"}]}), False),
        (Answer(422, {"errors": [{"type": "string_pattern_mismatch"}]}), False),
        (Answer(422, {"errors": []}), False),
        (Answer(422, {"detail": "no errors"}), False),
        (Answer(422, "not json"), False),
        (Answer(400, {"errors": [{"type": "value_error"}]}), False),
    ],
)
def test_only_value_errors_excuse_a_refusal(answer: Answer, excused: bool) -> None:
    assert refused_by_unstated_rules(answer) is excused


def bound(*loc: str | int) -> Answer:
    return Answer(422, {"errors": [{"type": "greater_than", "loc": list(loc)}]})


@pytest.mark.parametrize(
    ("answer", "sent", "excused"),
    [
        (bound("body", "since"), {"body": {"since": "1999-12-31T23:00:00"}}, True),
        (bound("body", "stamps", 0), {"body": {"stamps": ["1999-12-31"]}}, True),
        (bound("query", "since"), {"query": {"since": "1999-12-31T23:00:00Z"}}, True),
        (bound("path", "day"), {"path": {"day": "1999-12-31"}}, True),
        (bound("body", "count"), {"body": {"count": 0}}, False),  # a number's is documented
        (bound("body", "amount"), {"body": {"amount": "-1"}}, False),
        (bound("query", "size"), {"query": {"size": "0"}}, False),
        (bound("body", "since"), {"body": {}}, False),
        (bound("body", "since"), {"body": None}, False),
        (bound("body", "since"), None, False),
    ],
)
def test_a_date_and_time_bound_excuses_a_refusal(
    answer: Answer, sent: dict[str, Any] | None, excused: bool
) -> None:
    """JSON Schema bounds numbers only: not a date's or a date and time's."""
    assert refused_by_unstated_rules(answer, sent) is excused
