"""The production server: uvicorn with uvloop and httptools, configured from the settings.

HTTP limits and timeouts (``http_limits``) are the protocol's, in ``http_protocol``.

``python -m {{ cookiecutter.package_name }}.server`` (``make serve``); ``--reload`` for development.
"""

import signal
import sys
from types import FrameType

import uvicorn

from .cli import parse_args
from .logs import configure_logging
from .http_limits import KEEPALIVE_TIMEOUT
from .http_protocol import LimitedHttpToolsProtocol
from .settings import load_settings


def exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = load_settings()  # bad configuration stops here, with one line
    # The service's format from the first line on, in this process too: with several
    # workers it is uvicorn's supervisor, which never builds the app.
    configure_logging(settings)
    # uvicorn drains requests in flight on SIGTERM, then raises the signal again
    # against the handler it found; make that a clean exit (status 0).
    signal.signal(signal.SIGTERM, exit_cleanly)
    uvicorn.run(
        args.app,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=None if args.reload else settings.web_concurrency,
        reload=args.reload,
        loop="uvloop",
        http=LimitedHttpToolsProtocol,
        timeout_keep_alive=int(KEEPALIVE_TIMEOUT),
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=int(settings.graceful_timeout),
        access_log=False,  # the service logs each request itself
        server_header=False,
        log_config=None,  # keep the service's logging configuration
    )


if __name__ == "__main__":
    main()
