"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..schemas import Health

router = APIRouter(tags=["health"])


class HealthResponse(JSONResponse):
    media_type = "application/health+json"


HEALTH_CONTENT = {"model": Health, "content": {HealthResponse.media_type: {}}}


@router.get(
    "/healthz",
    operation_id="liveness",
    response_class=HealthResponse,
    responses={200: HEALTH_CONTENT},
)
async def liveness() -> HealthResponse:
    """The process is up. Never touches the database."""
    return HealthResponse({"status": "pass"})


@router.get(
    "/readyz",
    operation_id="readiness",
    response_class=HealthResponse,
    responses={200: HEALTH_CONTENT, 503: HEALTH_CONTENT},
)
async def readiness(request: Request) -> HealthResponse:
    """Ready for traffic: the database answers within 1.5 s, its schema at the latest migration."""
    reason = await request.app.state.readiness()
    if reason is None:
        return HealthResponse({"status": "pass", "checks": {"database": {"status": "pass"}}})
    return HealthResponse(
        {"status": "fail", "checks": {"database": {"status": "fail", "output": reason}}},
        status_code=503,
    )
