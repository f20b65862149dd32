"""Helpers shared by the web tests: paths are built by the app (``url_for``), never written by hand."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, url_for


def url(endpoint: str, /, *, app: Flask | None = None, **values: Any) -> str:
    """The path of ``endpoint`` as the app builds it (extra values become the query string).

    Inside a test's app context the current app builds it; a browser test passes its live ``app``.
    """
    with (app or current_app).test_request_context():
        return url_for(endpoint, **values)


def old_url(endpoint: str, **values: Any) -> str:
    """The path ``endpoint`` had before the French paths (it answers a 308 to the new one)."""
    from webapp.legacy_urls import old_path

    with current_app.test_request_context():
        return old_path(endpoint, **values)
