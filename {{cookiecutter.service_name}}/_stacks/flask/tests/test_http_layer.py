"""The HTTP limits below Flask: gunicorn's refusals, chunk sizes, and the WSGI checks.

The same behaviour over a real server is checked by the template's own tests.
"""

import io
import json
from collections.abc import Iterable
from typing import Any

import pytest
from gunicorn.http import errors  # type: ignore[import-untyped]
from gunicorn.http.unreader import IterUnreader  # type: ignore[import-untyped]
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestTimeout
from werkzeug.test import create_environ

from {{ cookiecutter.package_name }}.http_limits import MAX_HEADER_BYTES
from {{ cookiecutter.package_name }}.middleware import (
    BodyLimitMiddleware,
    CappedInput,
    RequestLimitsMiddleware,
)
from {{ cookiecutter.package_name }}.server import (
    BoundedChunkedReader,
    honour_connection_close,
    problem_response,
    refusal_status,
)


class Request:
    def __init__(self, *headers: tuple[str, str]) -> None:
        self.headers = list(headers)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.LimitRequestLine(8191, 8190), 414),
        (errors.LimitRequestHeaders("limit request headers fields"), 431),
        (errors.UnsupportedTransferCoding("frob"), 501),
        (errors.InvalidHTTPVersion((2, 0)), 505),
        (errors.InvalidHTTPVersion("FOO/1.1"), 400),
        (errors.InvalidHeader("TRANSFER-ENCODING", Request(("TRANSFER-ENCODING", "gzip"))), 501),
        (errors.InvalidHeader("TRANSFER-ENCODING", Request(("TRANSFER-ENCODING", "chunked"))), 400),
        (errors.InvalidHeader("HOST"), 400),
        (errors.InvalidRequestLine("GET /"), 400),
        (errors.InvalidChunkSize(b"ZZ"), 400),
        (ValueError("not a parse error"), None),
    ],
)
def test_gunicorn_refusals_have_the_contract_status(error: Exception, status: int | None) -> None:
    assert refusal_status(error) == status


def test_refusal_is_a_closing_problem_response() -> None:
    head, _, body = problem_response(431, "too large", "/healthz").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert b"Content-Type: application/problem+json" in head
    assert b"Connection: close" in head
    assert json.loads(body)["status"] == 431


def chunked(data: bytes) -> BoundedChunkedReader:
    return BoundedChunkedReader(Request(), IterUnreader([data]))


def test_chunk_sizes_past_64_bits_are_refused() -> None:
    with pytest.raises(errors.InvalidChunkSize):
        chunked(b"F" * 17 + b"\r\nab\r\n0\r\n\r\n").read(10)
    assert chunked(b"2\r\nab\r\n0\r\n\r\n").read(10) == b"ab"


class Response:
    closed = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> None:
        self.status = status

    def force_close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(("headers", "closed"), [([("Connection", "close")], True), ([], False)])
def test_connection_close_from_the_application_closes(
    headers: list[tuple[str, str]], closed: bool
) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", list(headers))
        return [b""]

    response = Response()
    closing: Any = honour_connection_close(app)  # called as gunicorn calls it
    closing({}, response.start_response)
    assert response.closed is closed


def call(app: Any, environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=status, headers=dict(headers))

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


def ok(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [])
    return [b""]


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"SERVER_PROTOCOL": "HTTP/1.7"}, "505 HTTP Version Not Supported"),
        ({"REQUEST_METHOD": "FROB"}, "400 Bad Request"),
        ({"HTTP_TRANSFER_ENCODING": "gzip, chunked"}, "501 Not Implemented"),
        ({"HTTP_X_BIG": "v" * MAX_HEADER_BYTES}, "431 Request Header Fields Too Large"),
        ({"CONTENT_TYPE": "application/json", "HTTP_TRANSFER_ENCODING": "chunked"}, "200 OK"),
    ],
)
def test_what_gunicorn_lets_through_is_refused(overrides: dict[str, str], status: str) -> None:
    environ = create_environ("/healthz")
    environ.update(overrides)
    answer_status, headers, _ = call(RequestLimitsMiddleware(ok), environ)
    assert answer_status == status
    if status != "200 OK":
        assert headers["Connection"] == "close"


class Stream:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def read(self, size: int) -> bytes:
        raise self.error


@pytest.mark.parametrize(
    ("stream", "declared", "error"),
    [
        (io.BytesIO(b"abc"), 10, BadRequest),  # the client left before its Content-Length
        (io.BytesIO(b"x" * 20), None, RequestEntityTooLarge),
        (Stream(TimeoutError()), 10, RequestTimeout),
        (Stream(errors.InvalidChunkSize(b"ZZ")), None, BadRequest),
        (Stream(errors.NoMoreData()), None, BadRequest),
    ],
)
def test_a_body_that_does_not_arrive_whole_fails_the_read(
    stream: Any, declared: int | None, error: type[Exception]
) -> None:
    body = CappedInput(stream, 16, declared)
    with pytest.raises(error):
        body.read()


def test_a_whole_body_is_read_and_complete() -> None:
    body = CappedInput(io.BytesIO(b"abcdef"), 16, 6)
    assert body.read() == b"abcdef"
    assert body.complete
    assert body.read(1) == b""


@pytest.mark.parametrize(("read", "closes"), [(True, False), (False, True)])
def test_an_answer_before_the_whole_body_closes_the_connection(read: bool, closes: bool) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if read:
            environ["wsgi.input"].read()
        start_response("200 OK", [])
        return [b""]

    environ = create_environ("/api/v1/items", method="POST", data=b"{}")
    _, headers, _ = call(BodyLimitMiddleware(app, 16), environ)
    assert (headers.get("Connection") == "close") is closes
