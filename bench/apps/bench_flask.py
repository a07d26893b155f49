"""WSGI apps the benchmark serves with the Flask stack's production server.

Every factory here is passed as ``python -m <package>.server --app bench_flask:<factory>``,
so gunicorn, ``gunicorn.conf.py`` and ``WEB_CONCURRENCY`` are the generated project's own:

- ``template``: the generated ``create_app()``, plus the I/O-bound route below;
- ``bare``: APIFlask with the same routes, models, schemas and database engine, but none
  of the template's layers (WSGI middleware, problem+json handlers, strict JSON, logging);
  its routes are on an ``APIBlueprint`` registered on the app, as in the template and in
  Flask's "modular applications" layout;
- ``bare_flat``: the same bare app with its routes declared on the app itself, to show
  what a blueprint costs the framework;
- ``raw``: a bare WSGI callable, the ceiling of one core under this server.

The generated package is named by ``BENCH_PACKAGE``. Not shipped in any service.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from typing import Any

from apiflask import APIBlueprint, APIFlask
from flask import Response, g
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict, NotFound

PACKAGE = os.environ.get("BENCH_PACKAGE", "inventory_service")
DOWNSTREAM_PATH = "/bench/downstream"
DOWNSTREAM_SECONDS = float(os.environ.get("BENCH_DOWNSTREAM_SECONDS", "0.05"))
PASS = {"status": "pass"}
PASS_JSON = json.dumps(PASS)


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def downstream() -> Response:
    """Wait on a (simulated) downstream call: blocks this worker thread."""
    time.sleep(DOWNSTREAM_SECONDS)
    return Response(PASS_JSON, content_type="application/json")


def template() -> Any:
    """The generated service, with the I/O-bound route mounted on its own app."""
    app = _module("app").create_app()
    app.add_url_rule(DOWNSTREAM_PATH, "bench_downstream", downstream, methods=["GET"])
    return app


def bare(flat: bool = False) -> APIFlask:
    """The same work on plain APIFlask: what the framework costs without the template."""
    database, models, schemas = _module("core.database"), _module("models"), _module("schemas")
    settings = _module("settings").load_settings()
    engine = database.create_engine(settings)
    sessionmaker = database.create_sessionmaker(engine)

    app = APIFlask(__name__, spec_path=None, docs_path=None)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    router: APIFlask | APIBlueprint = app if flat else APIBlueprint("bench", __name__)

    def session() -> Any:
        if "db_session" not in g:
            g.db_session = sessionmaker()
        return g.db_session

    @app.teardown_appcontext
    def close_session(_error: BaseException | None = None) -> None:
        db_session = g.pop("db_session", None)
        if db_session is not None:
            db_session.close()

    @router.get("/healthz")
    def liveness() -> Response:
        return Response(PASS_JSON, content_type="application/health+json")

    @router.get("/api/v1/items")
    @router.input(_module("core.fields").PageQuery, location="query")
    @router.output(schemas.ItemPage)
    def list_items(query_data: Any) -> dict[str, Any]:
        limit, offset, after = query_data.limit, query_data.offset, query_data.after
        # The same two queries as the template's: a capped count, a keyset range.
        capped = select(models.Item.id).limit(10_001).subquery()
        counted = session().scalar(select(func.count()).select_from(capped)) or 0
        query = select(models.Item).where(models.Item.id > after).order_by(models.Item.id)
        rows = list(session().scalars(query.offset(offset).limit(limit + 1)))
        return {
            "items": rows[:limit],
            "total": min(counted, 10_000),
            "total_exact": counted <= 10_000,
            "limit": limit,
            "offset": offset,
            "after": after,
            "next_after": rows[limit - 1].id if len(rows) > limit else None,
        }

    @router.post("/api/v1/items")
    @router.input(schemas.ItemCreate, location="json")
    @router.output(schemas.Item, status_code=201)
    def create_item(json_data: dict[str, Any]) -> Any:
        item = models.Item(**json_data)
        session().add(item)
        try:
            session().commit()
        except IntegrityError:
            session().rollback()
            raise Conflict("name taken") from None
        return item, {"Location": f"/api/v1/items/{item.id}"}

    @router.get("/api/v1/items/<int:item_id>")
    @router.output(schemas.Item)
    def get_item(item_id: int) -> Any:
        item = session().get(models.Item, item_id)
        if item is None:
            raise NotFound("not found")
        return item

    app.add_url_rule(DOWNSTREAM_PATH, "bench_downstream", downstream, methods=["GET"])
    if not flat:
        app.register_blueprint(router)
    return app


def bare_flat() -> APIFlask:
    """The bare app with its routes on the app: no blueprint."""
    return bare(flat=True)


_RAW_BODY = PASS_JSON.encode()
_RAW_HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(_RAW_BODY)))]


def _raw_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    length = environ.get("CONTENT_LENGTH")
    if length:
        environ["wsgi.input"].read(int(length))  # read (and drop) the request body
    if environ["PATH_INFO"] == DOWNSTREAM_PATH:
        time.sleep(DOWNSTREAM_SECONDS)
    start_response("200 OK", list(_RAW_HEADERS))
    return [_RAW_BODY]


def raw() -> Any:
    """A raw WSGI callable: the same answer for every request, nothing else."""
    return _raw_app
