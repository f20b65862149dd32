"""Row ids and small whole numbers from URLs and forms: one parser, bounded, ASCII digits only.

``str.isdigit()`` accepts « ² » and other Unicode digits that ``int()`` then refuses, and an
unbounded number overflows the database's 32-bit ids (PostgreSQL answers "integer out of range"):
both ended as 500s. Everything that reads an id from a request goes through :func:`parse_id`, and the
``int`` URL converter is bounded the same way, so a crafted id is an ordinary 404 or 4xx.
"""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: A UUID as the API's schema writes it (``format: uuid``): 8-4-4-4-12 hexadecimal digits.
CANONICAL_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

#: The largest id a table holds (``INTEGER`` is 32-bit on PostgreSQL).
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_int(raw: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """A whole number written with ASCII digits within ``[minimum, maximum]``, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not _DIGITS.fullmatch(text):
            return None
        value = int(text)
    return value if minimum <= value <= maximum else None


def parse_id(raw: object) -> int | None:
    """A row id (1 to :data:`MAX_ID`) from a form or query string, else None."""
    return parse_int(raw, minimum=1)


def is_canonical_uuid(raw: object) -> bool:
    """Whether ``raw`` is a UUID written the canonical way (``uuid.UUID`` also takes braces, URNs…)."""
    return isinstance(raw, str) and CANONICAL_UUID.match(raw) is not None


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in URL rules: at most :data:`MAX_ID`, so a 25-digit id is a 404, not a 500."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max)


def init_app(app: Flask) -> None:
    """Bound every ``<int:…>`` rule (call before blueprints are registered)."""
    app.url_map.converters["int"] = BoundedIntConverter
