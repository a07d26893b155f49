"""What the fuzz test (test_api_fuzz.py) holds the service to, beyond schemathesis' defaults."""

from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

# A team's own rules (a custom validator, a check across fields) and what a format cannot
# spell out (an email address's rules) fail as value_error: the document cannot state them.
RULES_THE_DOCUMENT_CANNOT_STATE = {"value_error"}


def refused_by_unstated_rules(response: Any) -> bool:
    """A 422 whose every error is one of ``RULES_THE_DOCUMENT_CANNOT_STATE``."""
    if response.status_code != 422:
        return False
    try:
        errors = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        return False  # not the service's validation problem: the check decides
    types = {error.get("type") for error in errors if isinstance(error, dict)}
    return bool(types) and types <= RULES_THE_DOCUMENT_CANNOT_STATE


def valid_data_accepted(ctx: Any, response: Any, case: schemathesis.Case[Any]) -> bool | None:
    """Schemathesis' positive_data_acceptance: a request the document calls valid is taken,
    unless only rules the document cannot state refused it."""
    if refused_by_unstated_rules(response):
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
