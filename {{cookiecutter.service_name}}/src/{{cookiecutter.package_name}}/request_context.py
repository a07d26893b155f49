"""The id of the request being served, for responses and every log line."""

import random
import re
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def resolve_request_id(incoming: str | None) -> str:
    """Keep a well-formed incoming id; otherwise make a new one (32 hex characters)."""
    if incoming is not None and _VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    # A correlation id, not a secret (clients may choose their own): the process's
    # seeded generator, not a system call per request (os.urandom cost ~4 us under load).
    return f"{random.getrandbits(128):032x}"
