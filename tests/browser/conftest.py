"""Playwright fixtures: Debian's Chromium on a phone-sized screen, and a live server on loopback.

The live server runs the app in a thread of the test process, on a fresh SQLite + SpatiaLite database
migrated to head (the rolled-back-transaction fixtures cannot serve a browser). Screenshots go to
``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from werkzeug.serving import make_server

from tests.conftest import REPO_ROOT, make_app

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"
#: Where the emulated phone is: on the test walk's route (see tests/webapp/capture_support.py).
PHONE_POSITION = {"latitude": 49.9196, "longitude": 2.2991, "accuracy": 12}


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


#: Every context: a phone held by someone in Amiens, in French.
CONTEXT_ARGS = {
    "locale": "fr-FR",
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "geolocation": PHONE_POSITION,
    "permissions": ["geolocation"],
    "service_workers": "allow",
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless (Playwright never downloads a browser here)."""
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(**CONTEXT_ARGS)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served on 127.0.0.1 (a free port) over a fresh migrated SQLite database."""
    from flask_migrate import upgrade

    from webapp.extensions import db

    tmp = tmp_path_factory.mktemp("live")
    app = make_app(f"sqlite:///{tmp / 'live.sqlite'}", tmp, SQLITE_EXPLICIT_TRANSACTIONS=False, TILES="none")
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
