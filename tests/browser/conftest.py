"""Playwright fixtures: Debian's Chromium on a phone-sized screen, and a live server on loopback.

The live server runs the app in a thread of the test process, on a fresh SQLite + SpatiaLite database
migrated to head (the rolled-back-transaction fixtures cannot serve a browser). Screenshots go to
``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import REPO_ROOT, make_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

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


#: Where ``_remember_response`` keeps a request's response iterable for ``_ClosingHandler``.
_RESPONSE_KEY = "tests.response"


class _ClosingResponse:
    """A response iterable closed at most once, whoever asks first."""

    def __init__(self, iterable: Iterable[bytes]) -> None:
        self._iterable = iterable
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._iterable)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            close = getattr(self._iterable, "close", None)
            if close is not None:
                close()


def _remember_response(app: Flask) -> WSGIApplication:
    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = _ClosingResponse(app(environ, start_response))
        environ[_RESPONSE_KEY] = response
        return response

    return wsgi


class _ClosingHandler(WSGIRequestHandler):
    """werkzeug's development server, closing the response when the browser resets the connection.

    After writing a response werkzeug drains what the client sent beyond the request, then closes the
    response; a reset (the browser leaving a page while an icon still loads) raises out of that drain
    and skips the close, so the open static file is left to the garbage collector: a ResourceWarning in
    whichever test runs then (an error in this suite). ``connection_dropped`` closes it instead.
    """

    def connection_dropped(self, error: BaseException, environ: WSGIEnvironment | None = None) -> None:
        response = (environ or {}).get(_RESPONSE_KEY)
        if response is not None:
            response.close()
        super().connection_dropped(error, environ)


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
    server = make_server(
        "127.0.0.1", 0, _remember_response(app), threaded=True, request_handler=_ClosingHandler
    )
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
