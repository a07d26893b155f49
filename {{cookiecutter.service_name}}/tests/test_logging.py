"""One log line per request, with the request id, and nothing secret (contract section 7)."""

import json
import logging

import httpx
import pytest

from {{ cookiecutter.package_name }}.logs import JsonFormatter

from .helpers import ITEMS


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name.endswith(".access")]


def test_one_json_line_per_request(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    client.get(ITEMS, headers={"X-Request-ID": "req-42"})
    (record,) = access_records(caplog)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"].endswith(".access")
    assert entry["request_id"] == "req-42"
    assert entry["method"] == "GET"
    assert entry["path"] == ITEMS
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float)
    assert entry["timestamp"].endswith("Z")
    assert entry["message"]


def test_errors_are_logged_with_the_request_id(
    crashing_client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    crashing_client.get("/api/v1/crash", headers={"X-Request-ID": "boom-7"})
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors
    entry = json.loads(JsonFormatter().format(errors[0]))
    assert entry["request_id"] == "boom-7"
    assert "RuntimeError" in entry["exception"]


def test_secrets_are_not_logged(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client.get(ITEMS, headers={"Authorization": "Bearer hunter2"})
    assert "hunter2" not in caplog.text
    assert all("hunter2" not in JsonFormatter().format(record) for record in caplog.records)
