"""Reading JSON request bodies: standard JSON only, finite numbers, bounded nesting.

A body nested 100,000 deep made the parser raise ``RecursionError`` (a 500), and ``1e400`` became an
infinite float that later failed in ``int()``. Both are malformed requests: the provider turns them
into ``ValueError``, which Flask answers with 400 like any other unreadable body.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask.json.provider import DefaultJSONProvider


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:20]}")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"not standard JSON: {name}")


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's provider, stricter on input (output unchanged)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_float", _finite)
        kwargs.setdefault("parse_constant", _no_constant)
        try:
            return json.loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error
