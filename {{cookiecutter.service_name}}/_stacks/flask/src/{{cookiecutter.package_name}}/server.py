"""The production server: gunicorn with ``gunicorn.conf.py``, configured from the settings.

``python -m {{ cookiecutter.package_name }}.server`` (``make serve``); ``--reload`` for
development runs Flask's own server with the reloader instead.
"""

import os
import sys

from werkzeug.serving import WSGIRequestHandler

from .settings import load_settings

# Read from the working directory (the project root), like gunicorn's own default.
GUNICORN_CONFIG = "gunicorn.conf.py"


class QuietRequestHandler(WSGIRequestHandler):
    """The development server, without its own line per request: the service logs one."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def main(argv: list[str] | None = None) -> None:
    reload = "--reload" in (sys.argv[1:] if argv is None else argv)
    settings = load_settings()  # bad configuration stops here, with one line
    if reload:
        from .app import create_app

        create_app(settings).run(
            host=settings.host,
            port=settings.port,
            debug=False,
            use_reloader=True,
            request_handler=QuietRequestHandler,
        )
        return
    # gunicorn replaces this process, so it receives SIGTERM directly.
    command = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG]
    os.execv(sys.executable, [*command, f"{__package__}.app:create_app()"])  # noqa: S606


if __name__ == "__main__":
    main()
