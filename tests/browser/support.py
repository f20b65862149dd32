"""What the browser tests share: axe-core's serious and critical violations of a page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.conftest import REPO_ROOT

#: axe-core, installed from npm (a devDependency, used by the tests only).
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[str]:
    """Serious and critical axe-core violations of the page, run inside it (the CSP allows evaluate)."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run npm ci (it is a devDependency in package.json)")
    result = page.evaluate(
        AXE.read_text(encoding="utf-8") + "\n;axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
