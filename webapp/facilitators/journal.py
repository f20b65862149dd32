"""The moderation journal as people read it: each stored code and value given its label."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from webapp.models.enums import (
    OUTSIDE_ZONE,
    EntryChannel,
    JournalField,
    LocationSource,
    ModerationStatus,
)

#: How an empty "before" or "after" reads.
NOTHING = "∅"


@dataclass(frozen=True)
class JournalChange:
    """One changed field of a journal line: its label and the values before and after, as text."""

    field: str
    before: str
    after: str


def _value(key: str, value: Any, zone_names: Mapping[int, str]) -> str:
    if key == JournalField.ZONE_ID:
        return zone_names.get(value, str(OUTSIDE_ZONE)) if value else str(OUTSIDE_ZONE)
    if value is None or value == "":
        return NOTHING
    if key == JournalField.MODERATION_STATUS:
        return ModerationStatus.label_of(value)
    if key == JournalField.LOCATION_SOURCE:
        return LocationSource.label_of(value)
    if key == JournalField.VIA:
        return EntryChannel.label_of(value)
    if key == JournalField.OUT_OF_AREA:
        return _("oui") if value else _("non")
    if key == JournalField.LOCATION and isinstance(value, (list, tuple)) and len(value) == 2:
        return f"{float(value[0]):.5f}, {float(value[1]):.5f}"
    if key in (JournalField.MERGED_FROM, JournalField.MERGED_INTO):
        return _("n° %(id)s", id=value)
    if key == JournalField.PHOTOS and isinstance(value, list):
        return ", ".join(_("n° %(id)s", id=v) for v in value)
    return str(value)


def describe_changes(changes: Mapping[str, Any] | None, zone_names: Mapping[int, str]) -> list[JournalChange]:
    """The changes of one journal line (``ModerationEvent.changes``), labelled for the page."""
    out = []
    for key, pair in (changes or {}).items():
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        out.append(
            JournalChange(
                JournalField.label_of(key), _value(key, before, zone_names), _value(key, after, zone_names)
            )
        )
    return out
