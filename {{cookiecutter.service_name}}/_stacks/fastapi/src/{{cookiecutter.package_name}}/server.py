"""The production server: uvicorn with uvloop and httptools, configured from the settings.

``python -m {{ cookiecutter.package_name }}.server`` (``make serve``); ``--reload`` for development.
"""

import sys

import uvicorn

from .settings import load_settings


def main(argv: list[str] | None = None) -> None:
    reload = "--reload" in (sys.argv[1:] if argv is None else argv)
    settings = load_settings()  # bad configuration stops here, with one line
    uvicorn.run(
        f"{__package__}.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=None if reload else settings.web_concurrency,
        reload=reload,
        loop="uvloop",
        http="httptools",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=int(settings.graceful_timeout),
        access_log=False,  # the service logs each request itself
        server_header=False,
        log_config=None,  # keep the service's logging configuration
    )


if __name__ == "__main__":
    main()
