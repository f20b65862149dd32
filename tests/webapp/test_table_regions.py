"""Every wide table scrolls in a region the keyboard reaches and a screen reader names.

On a phone a table wider than the screen scrolls inside its ``.table-scroll`` box (the page never
scrolls sideways: ``tests/browser/test_accessibility_pages.py`` narrows every page to 320 px). A box
that scrolls must take the focus (``tabindex="0"``: axe-core's *scrollable-region-focusable*, serious),
and a focusable box needs a role and a name, or a screen reader announces an unnamed group.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates"
BOX = re.compile(r"<div\b[^>]*\bclass=\"table-scroll\"[^>]*>")


def test_every_table_scroll_box_is_a_named_focusable_region() -> None:
    boxes = [
        (path, m.group(0))
        for path in sorted(TEMPLATES.rglob("*.html"))
        for m in BOX.finditer(path.read_text())
    ]
    assert len(boxes) >= 15, boxes
    wrong = [
        f"{path.relative_to(TEMPLATES)}: {tag}"
        for path, tag in boxes
        if 'tabindex="0"' not in tag
        or 'role="region"' not in tag
        or not re.search(r"aria-label(ledby)?=", tag)
    ]
    assert wrong == [], "\n".join(wrong)
