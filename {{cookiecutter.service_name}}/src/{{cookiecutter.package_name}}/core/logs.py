"""Logging: one format for the service, its server and its libraries.

``json`` writes one JSON object per line; ``console`` is for people.
Every record carries the id of the request it was written for (``None``
outside a request) and, when tracing is on, the ``trace_id`` and ``span_id`` of the
span it was written in; Python warnings are records too (logger ``py.warnings``).
"""

import logging
import os
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, TextIO

import orjson

from ..settings import LogFormat, Settings
from . import SERVICE_PACKAGE
from .request_context import request_id_var

ACCESS_LOGGER = f"{SERVICE_PACKAGE}.access"

# Attributes every LogRecord has; anything else was passed as ``extra``
# (some servers add a terminal-coloured copy of their messages: not for JSON).
_RECORD_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "color_message",
}

_cached_second: tuple[int, str] = (-1, "")

# The current span's ids as log fields (none outside a span): set by core/tracing.py
# when tracing is on; while it is None, a line costs nothing more.
span_fields: Callable[[], dict[str, str]] | None = None


def timestamp(created: float) -> str:
    """RFC 3339 in UTC with microseconds; the date and time part once per second."""
    global _cached_second
    second, micros = divmod(int(created * 1_000_000), 1_000_000)
    cached, prefix = _cached_second
    if second != cached:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _cached_second = (second, prefix)  # one tuple: safe across threads
    # printf-style: it costs fewer instructions than a format spec (counted), on every line.
    return "%s.%06dZ" % (prefix, micros)  # noqa: UP031


def json_line(entry: dict[str, Any]) -> str:
    return orjson.dumps(entry, default=str).decode()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if span_fields is not None:
            record.__dict__.update(span_fields())
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json_line(entry)


CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


# Access lines wait in memory at most this long, or until this many are waiting
# (as nginx's ``access_log ... buffer= flush=``): one write per batch, not per request.
FLUSH_INTERVAL = 0.2
BATCH_LINES = 64

_pid = os.getpid()


def _remember_pid() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_remember_pid)


class ServiceHandler(logging.StreamHandler[TextIO]):
    """The service's one handler: its stream, its format, the request id on every record.

    Access lines (``write_line``) are written in batches: at the latest
    ``FLUSH_INTERVAL`` later, before any other record, and at exit.
    """

    def __init__(self, log_format: LogFormat, stream: TextIO | None = None) -> None:
        super().__init__(stream or sys.stdout)
        self.addFilter(RequestIdFilter())
        self.writes_json = log_format is LogFormat.JSON
        formatter = JsonFormatter() if self.writes_json else logging.Formatter(CONSOLE_FORMAT)
        self.setFormatter(formatter)
        self._pending: deque[str] = deque()  # appended without a lock: deque is thread-safe
        self._flusher_pid = 0
        self._closing = False

    def write_line(self, line: str) -> None:
        """Queue an already formatted line; it is written within ``FLUSH_INTERVAL``."""
        self._pending.append(line)
        if len(self._pending) >= BATCH_LINES:
            self.flush()
        elif self._flusher_pid != _pid:
            self._start_flusher()

    def emit(self, record: logging.LogRecord) -> None:
        self._write_pending()  # keep the order of lines; ``handle`` holds the lock
        super().emit(record)

    def flush(self) -> None:
        self.acquire()
        try:
            self._write_pending()
            super().flush()
        finally:
            self.release()

    def close(self) -> None:
        self._closing = True
        self.flush()
        super().close()

    def _write_pending(self) -> None:
        pending = self._pending
        if pending:
            lines = [pending.popleft() for _ in range(len(pending))]
            self.stream.write(self.terminator.join(lines) + self.terminator)

    def _start_flusher(self) -> None:
        """One thread per handler and process; it ends when the handler is closed or gone."""
        self._flusher_pid = _pid
        handler_ref = weakref.ref(self)

        def flush_periodically() -> None:
            while True:
                time.sleep(FLUSH_INTERVAL)
                handler = handler_ref()
                if handler is None or handler._closing:
                    return
                if handler._pending:
                    handler.flush()
                del handler

        threading.Thread(target=flush_periodically, name="log-flush", daemon=True).start()


class AccessLog:
    """The one line per request (contract section 7), written by the middleware.

    Its logger has the service handler to itself and does not propagate (as the
    servers' own access loggers). While nothing else is attached to it and the
    format is JSON, the line is built here and handed to the handler's batch: the
    same line the handler would write, without the record, filter and dispatch
    machinery and a write per request, which cost about 10 us a request, most of the
    template's overhead on a small endpoint (see the benchmark). Any other
    configuration takes the ordinary logging path.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger(ACCESS_LOGGER)

    def log(self, method: str, path: str, status: int, started_at: float, request_id: str) -> None:
        logger = self.logger
        if not logger.isEnabledFor(logging.INFO):
            return
        # Whole microseconds; printf-style formatting, the cheapest Python has (counted).
        duration_ms = round((time.perf_counter() - started_at) * 1_000_000) / 1000
        message = "%s %s %d %.3fms" % (method, path, status, duration_ms)  # noqa: UP031
        handlers = logger.handlers
        handler = handlers[0] if len(handlers) == 1 and not logger.filters else None
        if not (isinstance(handler, ServiceHandler) and handler.writes_json):
            fields = {"method": method, "path": path, "status": status, "duration_ms": duration_ms}
            logger.info(message, extra={**fields, "request_id": request_id})
            return
        # One dict literal, in the order JsonFormatter writes a record's keys.
        entry = {
            "timestamp": timestamp(time.time()),
            "level": "INFO",
            "logger": logger.name,
            "message": message,
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
        }
        if span_fields is not None:
            entry.update(span_fields())
        handler.write_line(json_line(entry))


def configure_logging(settings: Settings, stream: TextIO | None = None) -> ServiceHandler:
    """Route every logger through one handler at ``LOG_LEVEL``; idempotent."""
    # Neither format shows the caller's file and line, thread or process: a log
    # call on the request path need not look them up.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = ServiceHandler(settings.effective_log_format, stream)
    root = logging.getLogger()
    access = logging.getLogger(ACCESS_LOGGER)
    for logger in (root, access):
        for old in list(logger.handlers):
            if isinstance(old, ServiceHandler):
                logger.removeHandler(old)
                old.close()
        logger.addHandler(handler)
    access.propagate = False
    root.setLevel(settings.log_level)
    # Warnings (deprecations, SQLAlchemy's) as log records, not raw text on stderr.
    logging.captureWarnings(True)
    return handler
