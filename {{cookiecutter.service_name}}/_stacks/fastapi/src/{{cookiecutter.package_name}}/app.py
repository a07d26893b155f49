"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import DESCRIPTION, TITLE, __version__
from .cors import CorsPolicy
from .database import ReadinessCheck, create_engine, create_sessionmaker
from .errors import register_error_handlers
from .logs import configure_logging
from .middleware import BodyLimitMiddleware, CorsMiddleware, RequestContextMiddleware
from .openapi import install_openapi
from .routes import health, items
from .schema import SchemaCheck
from .settings import Settings, load_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service; ``settings`` defaults to the environment."""
    settings = settings or load_settings()
    configure_logging(settings)
    engine = create_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    docs = settings.effective_docs_enabled
    app = FastAPI(
        title=TITLE,
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
        redirect_slashes=False,
        openapi_url="/openapi.json" if docs else None,
        docs_url=None,  # openapi.py serves the docs pages with their own assets
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.readiness = ReadinessCheck(engine, SchemaCheck())

    app.include_router(health.router)
    app.include_router(items.router)
    register_error_handlers(app)
    install_openapi(app, __version__, docs_enabled=docs)

    # Added innermost first: the request context wraps everything else.
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(CorsMiddleware, policy=CorsPolicy(settings.cors_origins))
    app.add_middleware(RequestContextMiddleware)
    return app
