"""gunicorn settings for ``make serve``, taken from the service's settings."""

import logging
import sys

from {{ cookiecutter.package_name }}.logs import ServiceHandler
from {{ cookiecutter.package_name }}.settings import load_settings

settings = load_settings()

host = f"[{settings.host}]" if ":" in settings.host else settings.host
bind = [f"{host}:{settings.port}"]
workers = settings.web_concurrency
# Threads, not async workers: the views are plain synchronous code waiting on the
# database and the network; threads overlap those waits with no monkey-patching
# (gevent/eventlet) of the database driver. A waiting thread costs little, and 32
# of them keep a worker serving while many requests wait on slow calls; database
# work still queues for the connection pool. Override: GUNICORN_CMD_ARGS="--threads N".
# gthread, closing its listening socket once it drains: see server.py.
worker_class = "{{ cookiecutter.package_name }}.server.DrainingThreadWorker"
threads = 32
timeout = 30
graceful_timeout = int(settings.graceful_timeout)  # gunicorn takes whole seconds
keepalive = 5
# No request-line limit of gunicorn's own: past 4094 bytes it would answer 414 in
# HTML itself, where the service answers every error as problem+json (the other
# stack has no such limit either). Header sizes stay limited; a proxy bounds URLs.
limit_request_line = 0
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
