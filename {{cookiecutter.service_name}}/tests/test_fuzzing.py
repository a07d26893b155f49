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
