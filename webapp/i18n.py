"""Interface language with Flask-Babel: French by default, English available.

The language is chosen from ``?lang=`` (remembered in a cookie), then the browser's preferences,
then ``DEFAULT_LANGUAGE``. ``g.lang`` feeds the ``lang`` attribute of every page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, g, request

#: Languages the interface is translated into; the first is the default.
LANGUAGES = ("fr", "en")
COOKIE = "lang"


def select_locale() -> str:
    """The language of this request (the default one outside a request: commands, scripts)."""
    from flask import current_app, has_request_context

    default = current_app.config.get("DEFAULT_LANGUAGE", "fr")
    if not has_request_context():
        return default
    asked = request.args.get("lang") or request.cookies.get(COOKIE)
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=default) or default


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and set ``g.lang`` for templates."""
    from webapp.extensions import babel

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_locale="fr",
        default_translation_directories=str(Path(__file__).resolve().parent / "translations"),
    )

    @app.before_request
    def _lang() -> None:
        g.lang = select_locale()

    @app.after_request
    def _remember(response: Response) -> Response:
        asked = request.args.get("lang")
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
        return response
