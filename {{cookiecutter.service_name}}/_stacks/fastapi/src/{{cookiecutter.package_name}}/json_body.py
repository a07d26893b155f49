"""Routes whose JSON bodies are checked before validation: 415, then 400."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from . import strict_json

_MISSING = object()


class StrictJSONRequest(Request):
    """A request whose ``json()`` is strict RFC 8259 (see ``strict_json``)."""

    _parsed: Any = _MISSING

    async def json(self) -> Any:
        if self._parsed is _MISSING:
            try:
                self._parsed = strict_json.loads(await self.body())
            except strict_json.InvalidJSONError as error:
                raise HTTPException(400, f"Request body is not valid JSON: {error}") from None
        return self._parsed


class StrictJSONRoute(APIRoute):
    """For routes with a body: refuse other media types (415) and bad JSON (400)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def checked_handler(request: Request) -> Response:
            if not strict_json.is_json_content_type(request.headers.get("content-type")):
                raise HTTPException(415, "Request body must be application/json")
            strict_request = StrictJSONRequest(request.scope, request.receive)
            await strict_request.json()
            return await handler(strict_request)

        return checked_handler
