"""What the fuzz test (test_api_fuzz.py) holds the service to, beyond schemathesis' defaults."""

from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from {{ cookiecutter.package_name }}.core.values import DATETIME_TEXT

# A team's own rules (a custom validator, a check across fields) and what a format cannot
# spell out (an email address's rules) fail as value_error: the document cannot state them.
RULES_THE_DOCUMENT_CANNOT_STATE = {"value_error"}
# Nor the bounds of a date or a date and time (``Field(gt=datetime(...))``, a ``Range``), in
# a body or a parameter: JSON Schema bounds numbers only. They fail as these types on a value
# sent as such a text.
BOUND_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def refused_by_unstated_rules(response: Any, sent: dict[str, Any] | None = None) -> bool:
    """A 422 whose every error is one of ``RULES_THE_DOCUMENT_CANNOT_STATE`` or a bound
    of a date or a date and time the request ``sent``: its parts by the first item of an
    error's ``loc`` (``{"body": ..., "query": {...}}``)."""
    if response.status_code != 422:
        return False
    try:
        errors = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        return False  # not the service's validation problem: the check decides
    return bool(errors) and all(
        isinstance(error, dict) and _unstated(error, sent or {}) for error in errors
    )


def _unstated(error: dict[str, Any], sent: dict[str, Any]) -> bool:
    if error.get("type") in RULES_THE_DOCUMENT_CANNOT_STATE:
        return True
    value = _sent(sent, error.get("loc"))
    return (
        error.get("type") in BOUND_TYPES
        and isinstance(value, str)
        and bool(DATETIME_TEXT.fullmatch(value))
    )


def _sent(sent: dict[str, Any], loc: Any) -> Any:
    """What ``sent`` holds at ``loc`` (``["body", "stamps", 0]``); None if nothing."""
    if not isinstance(loc, list):
        return None
    value: Any = sent
    for part in loc:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def valid_data_accepted(ctx: Any, response: Any, case: schemathesis.Case[Any]) -> bool | None:
    """Schemathesis' positive_data_acceptance: a request the document calls valid is taken,
    unless only rules the document cannot state refused it."""
    sent = {"body": case.body, "query": case.query, "path": case.path_parameters}
    if refused_by_unstated_rules(response, sent):
        return None
    return positive_data_acceptance(ctx, response, case)


def call_and_check(case: schemathesis.Case[Any], app: Any) -> None:
    """Send ``case`` to ``app`` and run every default check, ``valid_data_accepted`` for
    schemathesis' own."""
    case.call_and_validate(
        app=app,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_data_accepted],
    )
