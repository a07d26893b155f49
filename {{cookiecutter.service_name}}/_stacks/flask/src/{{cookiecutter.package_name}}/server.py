"""The production server: gunicorn with ``gunicorn.conf.py``, configured from the settings.

``python -m {{ cookiecutter.package_name }}.server`` (``make serve``); ``--reload`` for
development runs Flask's own server with the reloader instead.
"""

import importlib
import os
import sys
from typing import Any

from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]
from werkzeug.serving import WSGIRequestHandler

from .cli import parse_args
from .settings import load_settings

# Read from the working directory (the project root), like gunicorn's own default.
GUNICORN_CONFIG = "gunicorn.conf.py"


class DrainingThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker that stops listening when it stops accepting.

    On SIGTERM gthread finishes the requests in flight but keeps its copy of
    the listening socket open, so the kernel would still queue new connections
    that no one serves; closed, they are refused at once.
    """

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            for listener in self.sockets:
                listener.close()


class QuietRequestHandler(WSGIRequestHandler):
    """The development server, without its own line per request: the service logs one."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def load_factory(target: str) -> Any:
    module, _, factory = target.partition(":")
    return getattr(importlib.import_module(module), factory)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = load_settings()  # bad configuration stops here, with one line
    if args.reload:
        load_factory(args.app)().run(
            host=settings.host,
            port=settings.port,
            debug=False,
            use_reloader=True,
            request_handler=QuietRequestHandler,
        )
        return
    # gunicorn replaces this process, so it receives SIGTERM directly.
    command = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG, f"{args.app}()"]
    os.execv(sys.executable, command)  # noqa: S606


if __name__ == "__main__":
    main()
