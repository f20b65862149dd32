"""Full links to the site for emails, pages and the command line.

Emailed links use ``PUBLIC_URL`` and never the request's ``Host`` header: otherwise anyone could ask
for a reset link to someone else's account with a forged host and receive the token when they click.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for

#: Where `make run` serves the app, for command-line links when PUBLIC_URL is not set.
DEV_ROOT = "http://127.0.0.1:5000"


def app_path(endpoint: str, **values: Any) -> str:
    """The path of an endpoint below the site's root (works without a request)."""
    return str(current_app.url_map.bind("localhost").build(endpoint, values))


def mail_link(endpoint: str, **values: Any) -> str | None:
    """A link for an email, or None when ``PUBLIC_URL`` is not set."""
    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return base + app_path(endpoint, **values) if base else None


def shown_link(endpoint: str, **values: Any) -> str:
    """A link to show on a page (to the person who asked for it) or print on the command line."""
    link = mail_link(endpoint, **values)
    if link:
        return link
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return DEV_ROOT + app_path(endpoint, **values)
