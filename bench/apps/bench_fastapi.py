"""ASGI apps the benchmark serves with the FastAPI stack's production server.

Every factory here is passed as ``python -m <package>.server --app bench_fastapi:<factory>``,
so the server, its options and ``WEB_CONCURRENCY`` are the generated project's own:

- ``template``: the generated ``create_app()``, plus the I/O-bound route below;
- ``bare``: FastAPI with the same routes, models, schemas and database engine, but none
  of the template's layers (middleware, problem+json handlers, strict JSON, logging); its
  routes are on an ``APIRouter`` included in the app, as in the template and in FastAPI's
  "bigger applications" layout;
- ``bare_flat``: the same bare app with its routes declared on the app itself: since
  FastAPI 0.137 ``include_router`` resolves included routes on every request, and this
  variant shows what that costs the framework;
- ``raw``: a bare ASGI callable, the ceiling of one core under this server.

The generated package is named by ``BENCH_PACKAGE``. Not shipped in any service.
"""

import asyncio
import importlib
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

PACKAGE = os.environ.get("BENCH_PACKAGE", "inventory_service")
DOWNSTREAM_PATH = "/bench/downstream"
DOWNSTREAM_SECONDS = float(os.environ.get("BENCH_DOWNSTREAM_SECONDS", "0.05"))
PASS = {"status": "pass"}


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


async def downstream() -> dict[str, str]:
    """Wait on a (simulated) downstream call without holding the event loop."""
    await asyncio.sleep(DOWNSTREAM_SECONDS)
    return PASS


def template() -> FastAPI:
    """The generated service, with the I/O-bound route mounted through its own router."""
    app: FastAPI = _module("app").create_app()
    app.add_api_route(DOWNSTREAM_PATH, downstream, methods=["GET"], include_in_schema=False)
    return app


class HealthResponse(JSONResponse):
    media_type = "application/health+json"


def bare(flat: bool = False) -> FastAPI:
    """The same work on plain FastAPI: what the framework costs without the template."""
    database, models, schemas = _module("core.database"), _module("models"), _module("schemas")
    settings = _module("settings").load_settings()
    engine = database.create_engine(settings)
    sessionmaker = database.create_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    router = app.router if flat else APIRouter()

    async def get_session() -> AsyncIterator[Any]:
        async with sessionmaker() as session:
            yield session

    Session = Annotated[Any, Depends(get_session)]

    @router.get("/healthz", response_class=HealthResponse)
    async def liveness() -> HealthResponse:
        return HealthResponse(PASS)

    @router.get("/api/v1/items", response_model=schemas.ItemPage)
    async def list_items(
        session: Session,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        after: Annotated[int, Query(ge=0)] = 0,
    ) -> Any:
        # The same two queries as the template's: a capped count, a keyset range.
        capped = select(models.Item.id).limit(10_001).subquery()
        counted = await session.scalar(select(func.count()).select_from(capped)) or 0
        query = select(models.Item).where(models.Item.id > after).order_by(models.Item.id)
        rows = (await session.scalars(query.offset(offset).limit(limit + 1))).all()
        return {
            "items": [schemas.Item.model_validate(row) for row in rows[:limit]],
            "total": min(counted, 10_000),
            "total_exact": counted <= 10_000,
            "limit": limit,
            "offset": offset,
            "after": after,
            "next_after": rows[limit - 1].id if len(rows) > limit else None,
        }

    @router.post("/api/v1/items", status_code=201, response_model=schemas.Item)
    async def create_item(body: schemas.ItemCreate, session: Session, response: Response) -> Any:
        item = models.Item(**body.model_dump())
        session.add(item)
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            raise HTTPException(409, "name taken") from None
        response.headers["Location"] = f"/api/v1/items/{item.id}"
        return item

    @router.get("/api/v1/items/{item_id}", response_model=schemas.Item)
    async def get_item(item_id: int, session: Session) -> Any:
        item = await session.get(models.Item, item_id)
        if item is None:
            raise HTTPException(404, "not found")
        return item

    router.add_api_route(DOWNSTREAM_PATH, downstream, methods=["GET"])
    if not flat:
        app.include_router(router)
    return app


def bare_flat() -> FastAPI:
    """The bare app with its routes on the app: no ``include_router``."""
    return bare(flat=True)


_RAW_BODY = json.dumps(PASS).encode()
_RAW_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_RAW_BODY)).encode()),
]


async def _raw_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more_body = True
    while more_body:  # read (and drop) any request body
        message = await receive()
        more_body = message.get("more_body", False)
    if scope["path"] == DOWNSTREAM_PATH:
        await asyncio.sleep(DOWNSTREAM_SECONDS)
    await send({"type": "http.response.start", "status": 200, "headers": _RAW_HEADERS})
    await send({"type": "http.response.body", "body": _RAW_BODY})


def raw() -> Any:
    """A raw ASGI callable: the same answer for every request, nothing else."""
    return _raw_app
