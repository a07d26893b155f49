"""CORS for the configured origins only; any other origin gets no CORS headers at all.

``*`` lets every origin in (settings refuse it in production), answered with the request's
own origin, as a listed one is.
"""

ALLOW_METHODS = "DELETE, GET, HEAD, PATCH, POST"
ALLOW_HEADERS = "Content-Type, X-Request-ID"
EXPOSE_HEADERS = "Location, X-Request-ID"
MAX_AGE = "600"


class CorsPolicy:
    def __init__(self, origins: tuple[str, ...]) -> None:
        self.origins = frozenset(origins)
        self.any_origin = "*" in self.origins

    def allows(self, origin: str | None) -> bool:
        return origin is not None and (self.any_origin or origin in self.origins)

    @staticmethod
    def is_preflight(method: str, origin: str | None, requested_method: str | None) -> bool:
        return method == "OPTIONS" and origin is not None and requested_method is not None

    @staticmethod
    def preflight_headers(origin: str) -> list[tuple[str, str]]:
        return [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", ALLOW_METHODS),
            ("Access-Control-Allow-Headers", ALLOW_HEADERS),
            ("Access-Control-Max-Age", MAX_AGE),
            ("Vary", "Origin"),
        ]

    @staticmethod
    def response_headers(origin: str) -> list[tuple[str, str]]:
        return [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Expose-Headers", EXPOSE_HEADERS),
            ("Vary", "Origin"),
        ]
