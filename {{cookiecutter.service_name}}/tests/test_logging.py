"""One log line per request, with the request id, and nothing secret (contract section 7)."""

import io
import json
import logging
import re
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import util as sqlalchemy_util

from {{ cookiecutter.package_name }}.core import logs
from {{ cookiecutter.package_name }}.core.logs import (
    ACCESS_LOGGER,
    BATCH_LINES,
    FLUSH_INTERVAL,
    ServiceHandler,
    configure_logging,
)
from {{ cookiecutter.package_name }}.core.request_context import resolve_request_id
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


def test_lines_between_requests_carry_no_request_id(
    client: httpx.Client, log_output: io.StringIO
) -> None:
    """The id is the request's only: a line written after it has none (not the last one's)."""
    client.get("/healthz", headers={"X-Request-ID": "earlier-1"})
    logging.getLogger("some.library").warning("between requests")
    (entry,) = [e for e in written(log_output) if e["logger"] == "some.library"]
    assert entry["request_id"] is None


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abc", "abc"),
        (" \tabc  ", "abc"),  # spaces around a value are not part of it (HTTP)
        ("a,b", None),  # two X-Request-ID headers, as a WSGI server joins them
        ("a b", None),
        ("", None),
        (None, None),
    ],
)
def test_which_request_ids_are_kept(incoming: str | None, kept: str | None) -> None:
    resolved = resolve_request_id(incoming)
    if kept is None:
        assert re.fullmatch(r"[0-9a-f]{32}", resolved), resolved  # a new one
    else:
        assert resolved == kept


@pytest.fixture
def fresh_warnings_capture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Warnings as at the start of a process; pytest's own display and handlers are back after."""
    monkeypatch.setattr(logging, "_warnings_showwarning", None)
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    for logger in (logging.getLogger(), logging.getLogger(ACCESS_LOGGER)):
        monkeypatch.setattr(logger, "handlers", list(logger.handlers))


@pytest.mark.usefixtures("fresh_warnings_capture")
def test_warnings_are_json_lines(settings: Settings) -> None:
    stream = io.StringIO()
    handler = configure_logging(settings, stream)
    try:
        sqlalchemy_util.warn("a SQLAlchemy warning")
        warnings.warn_explicit("an old API", UserWarning, "library.py", 7)
        handler.flush()
    finally:
        handler.close()
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [entry["logger"] for entry in entries] == ["py.warnings", "py.warnings"]
    assert "SAWarning: a SQLAlchemy warning" in entries[0]["message"]
    assert entries[1]["level"] == "WARNING"
    assert entries[1]["message"].startswith("library.py:7: UserWarning: an old API")


@pytest.mark.usefixtures("fresh_warnings_capture")
def test_deprecations_in_the_service_still_fail_its_tests(settings: Settings) -> None:
    """pyproject's ``filterwarnings`` turns them into errors, whatever logs the others."""
    handler = configure_logging(settings, io.StringIO())
    try:
        with pytest.raises(DeprecationWarning):
            warnings.warn_explicit("old", DeprecationWarning, "logs.py", 1, module=logs.__name__)
    finally:
        handler.close()
