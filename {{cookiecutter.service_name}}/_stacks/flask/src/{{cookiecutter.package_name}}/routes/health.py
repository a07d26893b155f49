"""Liveness and readiness probes."""

import json

from apiflask import APIBlueprint
from apiflask.types import ResponsesObjectType
from flask import Response, current_app

from ..problems import title_for
from ..schemas import Health

health = APIBlueprint("health", __name__, tag="health")

HEALTH_CONTENT_TYPE = "application/health+json"
PASS = json.dumps({"status": "pass"})
READY = json.dumps({"status": "pass", "checks": {"database": {"status": "pass"}}})


def health_responses(*statuses: int) -> ResponsesObjectType:
    content = {HEALTH_CONTENT_TYPE: {"schema": Health}}
    return {status: {"description": title_for(status), "content": content} for status in statuses}


@health.get("/healthz")
@health.doc(operation_id="liveness", responses=health_responses(200))
def liveness() -> Response:
    """The process is up. Never touches the database."""
    return Response(PASS, content_type=HEALTH_CONTENT_TYPE)


@health.get("/readyz")
@health.doc(operation_id="readiness", responses=health_responses(200, 503))
def readiness() -> Response:
    """Ready for traffic: the database answers within 1.5 s, its schema at the latest migration."""
    reason = current_app.extensions["readiness"]()
    if reason is None:
        return Response(READY, content_type=HEALTH_CONTENT_TYPE)
    body = {"status": "fail", "checks": {"database": {"status": "fail", "output": reason}}}
    return Response(json.dumps(body), 503, content_type=HEALTH_CONTENT_TYPE)
