"""The id of the request being served, for responses and every log line.

The rule: exactly one ``X-Request-ID`` header whose
value (without surrounding spaces or tabs, which HTTP does not count as part of
a value) is 1 to 128 of ``A-Z a-z 0-9 . _ -`` is kept; anything else, two such
headers included, gets a new id. (Some servers join repeated headers with ``,``,
which no id may contain, so a joined value is refused the same way.)
"""

import random
import re
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

# Set for the time of one request only (the middleware resets it), so a line
# written outside any request carries no id, not the last request's.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# What the access line shows for a request whose client went away before its
# body was complete: nginx's "client closed request" (it is not there to read an answer).
CLIENT_CLOSED_REQUEST = 499
# Set in an ASGI scope's state when the client left before its request body was whole.
CLIENT_GONE = "client_gone"


def resolve_request_id(incoming: str | None) -> str:
    """Keep a well-formed incoming id; otherwise make a new one (32 hex characters)."""
    if incoming is not None:
        incoming = incoming.strip(" \t")
        if _VALID_REQUEST_ID.fullmatch(incoming):
            return incoming
    # A correlation id, not a secret (clients may choose their own): the process's
    # seeded generator, not a system call per request (os.urandom cost ~4 us under load).
    return f"{random.getrandbits(128):032x}"
