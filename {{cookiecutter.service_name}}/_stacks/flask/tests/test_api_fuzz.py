"""Schemathesis calls every operation of the app's own OpenAPI document, in-process.

Whatever the document publishes is fuzzed, so an endpoint a team adds is checked
as soon as it exists: no 5xx, status codes, content types, headers and bodies as
documented, invalid input rejected and valid input accepted. The examples are
few and derived from a fixed seed, so the run is short and repeatable.
"""

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from apiflask import APIFlask
from hypothesis import HealthCheck, settings

from {{ cookiecutter.package_name }}.app import create_app
from tests.fixtures import make_settings, sqlite_url

# The document does not depend on the database; no request touches this app's own.
UNUSED_DATABASE = sqlite_url(Path(tempfile.gettempdir()) / "unused.db")
schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app(make_settings(UNUSED_DATABASE)))


@schema.parametrize()
# A fresh app and database per operation, shared by its examples (the checks hold
# whatever the earlier examples wrote).
@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_api(case: schemathesis.Case[Any], app: APIFlask) -> None:
    case.call_and_validate(app=app)
