"""Logging: one format for the service, its server and its libraries.

``json`` writes one JSON object per line; ``console`` is for people.
Every record carries the id of the request it was written for.
"""

import json
import logging
import sys
import time
from typing import Any

from .request_context import request_id_var
from .settings import LogFormat, Settings

# Attributes every LogRecord has; anything else was passed as ``extra``
# (some servers add a terminal-coloured copy of their messages: not for JSON).
_RECORD_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "color_message",
}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    _cached_second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": self.formatTime(record),
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
        return json.dumps(entry, default=str)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """RFC 3339 in UTC with microseconds; the date and time part once per second."""
        second, micros = divmod(int(record.created * 1_000_000), 1_000_000)
        cached_second, prefix = self._cached_second
        if second != cached_second:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._cached_second = (second, prefix)  # one tuple: safe across threads
        return f"{prefix}.{micros:06d}Z"


CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


def build_handler(settings: Settings) -> logging.Handler:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(RequestIdFilter())
    if settings.effective_log_format is LogFormat.JSON:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    return handler


def configure_logging(settings: Settings) -> None:
    """Route every logger through one handler at ``LOG_LEVEL``; idempotent."""
    # Neither format shows the caller's file and line, thread or process: a log
    # call on the request path need not look them up.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_service_handler", False):
            root.removeHandler(handler)
    handler = build_handler(settings)
    handler._service_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(settings.log_level)
