"""The application factory."""

from typing import TYPE_CHECKING

from apiflask import APIFlask

from . import DESCRIPTION, TITLE, __version__
from .cors import CorsPolicy
from .database import ReadinessCheck, close_session, create_engine, create_sessionmaker
from .errors import register_error_handlers
from .logs import configure_logging
from .middleware import (
    BodyLimitMiddleware,
    CorsMiddleware,
    RequestContextMiddleware,
    RequestLimitsMiddleware,
)
from .openapi import install_openapi
from .routes.health import health
from .routes.items import items
from .schema import SchemaCheck
from .settings import Settings, load_settings

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def create_app(settings: Settings | None = None) -> APIFlask:
    """Build the service; ``settings`` defaults to the environment."""
    settings = settings or load_settings()
    configure_logging(settings)

    # No docs routes of APIFlask's own: openapi.py adds them when enabled.
    app = APIFlask(__package__, title=TITLE, version=__version__, spec_path=None, docs_path=None)
    app.config.update(
        DESCRIPTION=DESCRIPTION,
        # OPTIONS is a 405 like any other missing method, so ``Allow`` lists real ones.
        PROVIDE_AUTOMATIC_OPTIONS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.merge_slashes = False  # no redirects, for "//" either

    engine = create_engine(settings)
    app.extensions["settings"] = settings
    app.extensions["engine"] = engine
    app.extensions["sessionmaker"] = create_sessionmaker(engine)
    app.extensions["readiness"] = ReadinessCheck(engine, SchemaCheck())
    app.teardown_appcontext(close_session)

    app.register_blueprint(health)
    app.register_blueprint(items)
    register_error_handlers(app)
    install_openapi(app, docs_enabled=settings.effective_docs_enabled)

    # Innermost first: the request context wraps everything else.
    wsgi_app: WSGIApplication = BodyLimitMiddleware(app.wsgi_app, settings.max_body_bytes)
    if settings.cors_origins:
        wsgi_app = CorsMiddleware(wsgi_app, CorsPolicy(settings.cors_origins))
    wsgi_app = RequestLimitsMiddleware(wsgi_app)
    app.wsgi_app = RequestContextMiddleware(wsgi_app)  # type: ignore[method-assign]
    return app
