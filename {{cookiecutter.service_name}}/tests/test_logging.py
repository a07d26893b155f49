"""One log line per request, with the request id, and nothing secret (contract section 7)."""

import io
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from {{ cookiecutter.package_name }} import logs
from {{ cookiecutter.package_name }}.logs import (
    ACCESS_LOGGER,
    BATCH_LINES,
    FLUSH_INTERVAL,
    ServiceHandler,
)
from {{ cookiecutter.package_name }}.settings import LogFormat, Settings

from .fixtures import make_settings
from .helpers import ITEMS

ACCESS_KEYS = [
    "timestamp",
    "level",
    "logger",
    "message",
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
]


def service_handler() -> ServiceHandler:
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, ServiceHandler)]
    return handler


@pytest.fixture
def log_output(client: httpx.Client) -> Iterator[io.StringIO]:
    """Everything the service's log handler writes during the test."""
    handler = service_handler()
    previous, stream = handler.stream, io.StringIO()
    handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@contextmanager
def as_deployed() -> Iterator[None]:
    """The access logger with the service handler only, as deployed.

    While a test runs, pytest's log capture adds its handlers to every logger that
    does not propagate; that would send access lines the ordinary logging way.
    """
    access = logging.getLogger(ACCESS_LOGGER)
    others = [other for other in access.handlers if not isinstance(other, ServiceHandler)]
    for other in others:
        access.removeHandler(other)
    try:
        yield
    finally:
        for other in others:
            access.addHandler(other)


def written(output: io.StringIO, flush: bool = True) -> list[dict[str, Any]]:
    if flush:
        service_handler().flush()
    return [json.loads(line) for line in output.getvalue().splitlines()]


def access_lines(output: io.StringIO, flush: bool = True) -> list[dict[str, Any]]:
    return [entry for entry in written(output, flush) if entry["logger"] == ACCESS_LOGGER]


def test_one_json_line_per_request(client: httpx.Client, log_output: io.StringIO) -> None:
    with as_deployed():
        client.get(ITEMS, headers={"X-Request-ID": "req-42"})
    (entry,) = access_lines(log_output)
    assert list(entry) == ACCESS_KEYS
    assert entry["level"] == "INFO"
    assert entry["request_id"] == "req-42"
    assert entry["method"] == "GET"
    assert entry["path"] == ITEMS
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float)
    assert entry["timestamp"].endswith("Z")
    assert entry["message"] == f"GET {ITEMS} 200 {entry['duration_ms']:.3f}ms"


def test_a_generated_request_id_is_logged(client: httpx.Client, log_output: io.StringIO) -> None:
    with as_deployed():
        response = client.get("/healthz")
    (entry,) = access_lines(log_output)
    assert entry["request_id"] == response.headers["X-Request-ID"]


def test_access_lines_are_written_within_the_flush_interval(
    client: httpx.Client, log_output: io.StringIO
) -> None:
    with as_deployed():
        client.get("/healthz")
    deadline = time.monotonic() + 10 * FLUSH_INTERVAL
    while not access_lines(log_output, flush=False) and time.monotonic() < deadline:
        time.sleep(FLUSH_INTERVAL / 4)
    assert len(access_lines(log_output, flush=False)) == 1


def test_a_full_batch_is_written_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "FLUSH_INTERVAL", 3600)  # only the batch size writes
    stream = io.StringIO()
    handler = ServiceHandler(LogFormat.JSON, stream)
    for n in range(BATCH_LINES - 1):
        handler.write_line(f"line {n}")
    assert stream.getvalue() == ""
    handler.write_line("the last one")
    assert stream.getvalue().splitlines()[-1] == "the last one"
    assert len(stream.getvalue().splitlines()) == BATCH_LINES
    handler.close()


def test_other_records_keep_their_place_after_access_lines(
    client: httpx.Client, log_output: io.StringIO
) -> None:
    with as_deployed():
        client.get("/healthz")
    logging.getLogger("some.library").warning("after the request")
    loggers = [entry["logger"] for entry in written(log_output, flush=False)]
    assert loggers.index(ACCESS_LOGGER) < loggers.index("some.library")


def test_another_handler_gets_the_same_line_through_logging(
    client: httpx.Client, log_output: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    """With anything else attached to the access logger, lines take the ordinary path."""
    access = logging.getLogger(ACCESS_LOGGER)
    with as_deployed():
        access.addHandler(caplog.handler)
        try:
            client.get(ITEMS, headers={"X-Request-ID": "req-43"})
        finally:
            access.removeHandler(caplog.handler)
    (record,) = [r for r in caplog.records if r.name == ACCESS_LOGGER]
    assert record.getMessage().startswith(f"GET {ITEMS} 200 ")
    (entry,) = access_lines(log_output)
    assert list(entry) == ACCESS_KEYS
    assert entry["request_id"] == "req-43"
    assert entry["message"] == record.getMessage()


class TestLogLevelWarning:
    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return make_settings(database_url, log_level="WARNING")

    def test_no_access_lines(self, client: httpx.Client, log_output: io.StringIO) -> None:
        with as_deployed():
            assert client.get("/healthz").status_code == 200
        assert access_lines(log_output) == []


def test_errors_are_logged_with_the_request_id(
    crashing_client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    crashing_client.get("/api/v1/crash", headers={"X-Request-ID": "boom-7"})
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors
    entry = json.loads(service_handler().format(errors[0]))
    assert entry["request_id"] == "boom-7"
    assert "RuntimeError" in entry["exception"]


def test_secrets_are_not_logged(
    client: httpx.Client, log_output: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with as_deployed():
        client.get(ITEMS, headers={"Authorization": "Bearer hunter2"})
    assert access_lines(log_output)
    assert "hunter2" not in log_output.getvalue()
    assert "hunter2" not in caplog.text
