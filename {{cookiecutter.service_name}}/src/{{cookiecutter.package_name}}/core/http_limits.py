"""Limits and timeouts of the HTTP layer, (README: Limits and timeouts; docs/contract.md section 9).

The server enforces them where it can, the service's middleware where it cannot;
every refusal is a problem+json answer with ``Connection: close``.
"""

# While waiting for a request (after the connection opens or a response ends), a
# connection that receives no byte for this long is closed without an answer.
KEEPALIVE_TIMEOUT = 5.0
# The request line and headers must be complete this long after the connection
# opens or the previous response ends, or the connection is closed without an answer.
HEADER_TIMEOUT = 10.0
# A request body that stops arriving for this long ends the request: 408.
BODY_TIMEOUT = 10.0

# Request line (method, target, version; without CRLF), in bytes: 414 past it.
MAX_REQUEST_LINE = 8190
# One header field line ("Name: value", without CRLF), in bytes: 431 past it.
MAX_FIELD_SIZE = 8190
# Header fields in one request: 431 past it.
MAX_FIELDS = 100
# All header fields together (the sum of their "Name: value" lines), in bytes: 431 past it.
MAX_HEADER_BYTES = 65_536

# The only versions served; any other HTTP/x.y is answered 505.
SUPPORTED_VERSIONS = ("HTTP/1.0", "HTTP/1.1")
