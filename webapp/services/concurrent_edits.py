"""Two people editing one thing at once: a three-way merge, field by field, of what each form changed.

An edit page carries a mark of every field as it showed it (``marks``: ``field=digest;…``). When the
form comes back, each field is one of:

- changed by nobody, or by this form only: the form's value is saved;
- changed by someone else only (the stored value no longer matches the mark, the form's still does):
  the stored value is kept, so saving a walk's meeting point never wipes the route a colleague drew
  meanwhile;
- changed by both, differently: a conflict. Nothing is saved; the page comes back with the form's
  values and a fresh mark, so saving again keeps them, knowingly.

Digests compare values as the forms write them: coordinates to 6 decimals (about 10 cm), as the
route and stop texts and the map editor give them.
A form without a mark (a script, the command line) is saved as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any


def _normal(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list | tuple):
        return tuple(_normal(v) for v in value)
    return value


def digest(value: Any) -> str:
    """A short digest of one field's value."""
    return hashlib.blake2s(repr(_normal(value)).encode(), digest_size=5).hexdigest()


def marks(values: Mapping[str, Any]) -> str:
    """The mark of every field, for the form's hidden ``seen`` field."""
    return ";".join(f"{name}={digest(value)}" for name, value in values.items())


def parse_marks(text: str | None) -> dict[str, str]:
    """``{field: digest}`` from a form's ``seen`` value (empty when absent or unreadable)."""
    found: dict[str, str] = {}
    for part in (text or "").split(";"):
        name, _, value = part.partition("=")
        if name and value:
            found[name.strip()] = value.strip()
    return found


@dataclass
class Merge:
    """What to save, and what happened to each field."""

    #: the values to save: the form's, and the stored ones of the fields only someone else changed
    values: dict[str, Any]
    #: fields someone else changed that this form left alone (their values are kept)
    kept: list[str] = field(default_factory=list)
    #: fields both changed, differently (nothing may be saved)
    conflicts: list[str] = field(default_factory=list)


def merge(
    seen: Mapping[str, str],
    stored: Mapping[str, Any],
    mine: Mapping[str, Any],
    *,
    left_alone: Collection[str] = (),
) -> Merge:
    """Merge the form's values (``mine``) into the ``stored`` ones, given the marks the form showed.

    ``left_alone``: fields the form could not change (a locked choice); they keep the stored value.
    A field without a mark counts as changed by this form only.
    """
    values = dict(mine)
    result = Merge(values)
    for name, now in stored.items():
        if name in left_alone:
            values[name] = now
            continue
        shown = seen.get(name)
        if shown is None or digest(now) == shown:
            continue  # nobody else touched it
        if digest(mine.get(name)) == shown:
            values[name] = now  # someone else changed it, this form did not
            result.kept.append(name)
        elif digest(mine.get(name)) != digest(now):
            result.conflicts.append(name)
    return result
