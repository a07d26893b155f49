"""gunicorn settings for ``make serve``, taken from the service's settings."""

import logging
import sys

from {{ cookiecutter.package_name }}.http_limits import (
    KEEPALIVE_TIMEOUT,
    MAX_FIELD_SIZE,
    MAX_FIELDS,
    MAX_REQUEST_LINE,
)
from {{ cookiecutter.package_name }}.logs import ServiceHandler
from {{ cookiecutter.package_name }}.settings import load_settings

settings = load_settings()

host = f"[{settings.host}]" if ":" in settings.host else settings.host
bind = [f"{host}:{settings.port}"]
workers = settings.web_concurrency
# gevent: each connection is a greenlet, so clients that send slowly or stall
# cost little and cannot take every worker's turn (a thread pool can be filled
# by a few hundred of them); views waiting on the database (psycopg cooperates
# with gevent) or the network overlap. Up to worker_connections connections each.
# See server.py (ServiceWorker) and the README (Limits and timeouts).
worker_class = "{{ cookiecutter.package_name }}.server.ServiceWorker"
worker_connections = 1000
timeout = 30
graceful_timeout = int(settings.graceful_timeout)  # gunicorn takes whole seconds
keepalive = int(KEEPALIVE_TIMEOUT)
# The same limits as the other stack (http_limits); gunicorn answers 414/431 and
# the worker makes its answers problem+json. All fields together: the middleware.
limit_request_line = MAX_REQUEST_LINE
limit_request_field_size = MAX_FIELD_SIZE + 2  # gunicorn counts the line's CRLF too
limit_request_fields = MAX_FIELDS
# Recycle workers now and then, staggered so they don't restart together.
max_requests = 10_000
max_requests_jitter = 1_000
worker_tmp_dir = "/dev/shm"  # noqa: S108  (heartbeat file in memory, not on a slow disk)
forwarded_allow_ips = settings.forwarded_allow_ips
accesslog = None  # the service logs each request itself
control_socket_disable = True  # signals manage the server; no socket under $HOME
errorlog = "-"


def _service_handler() -> logging.Handler:
    """The service's log format, on stderr like gunicorn's own error log."""
    return ServiceHandler(settings.effective_log_format, sys.stderr)


# Every logger of the master, gunicorn's and any library's, goes through the
# service's handler; gunicorn.error propagates to it. Each worker's create_app()
# replaces that handler with its own (on stdout); no other handler writes.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": settings.log_level, "handlers": ["service"]},
    "loggers": {
        "gunicorn.error": {"level": settings.log_level, "handlers": [], "propagate": True},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
    "handlers": {"service": {"()": _service_handler}},
    "formatters": {},
}
logging.captureWarnings(True)  # warnings in the master are log records too
