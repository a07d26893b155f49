"""Pages of a list whose cost does not grow with the table (contract section 2, Pagination).

A page is the rows with an id greater than ``after`` (a cursor: the last id already seen),
in id order, skipping ``offset`` of them; at most ``limit``. The primary key's index finds
the first row of any page directly, so a page deep into the table costs what the first one
does. ``offset`` stays for compatibility, capped at ``MAX_OFFSET``: the database walks every
row it skips. ``total`` is counted up to ``COUNT_CAP`` rows only, so it costs the same on a
table of a thousand rows or of a billion.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000
COUNT_CAP = 10_000

# The query parameters' descriptions in the OpenAPI document.
DESCRIPTIONS = {
    "limit": "At most this many items.",
    "offset": f"Skip this many items (at most {MAX_OFFSET}); prefer after.",
    "after": "Only items whose id is greater: the next_after of the previous page.",
}


@dataclass(frozen=True)
class PageBounds:
    """What a client asked for: ``limit`` rows after id ``after``, skipping ``offset``."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    after: int = 0


def envelope(rows: Sequence[Any], counted: int, bounds: PageBounds) -> dict[str, Any]:
    """The page's body from up to ``limit + 1`` rows (one more tells that a next page exists).

    ``counted`` is the number of rows up to ``COUNT_CAP + 1``: past the cap ``total`` is the
    cap and ``total_exact`` false.
    """
    shown = rows[: bounds.limit]
    return {
        "items": shown,
        "total": min(counted, COUNT_CAP),
        "total_exact": counted <= COUNT_CAP,
        "limit": bounds.limit,
        "offset": bounds.offset,
        "after": bounds.after,
        "next_after": shown[-1].id if len(rows) > bounds.limit else None,
    }
