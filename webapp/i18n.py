"""Interface language with Flask-Babel: French by default, English available.

The language is chosen from ``?lang=`` (remembered in a cookie), then the browser's preferences,
then ``DEFAULT_LANGUAGE``. ``g.lang`` feeds the ``lang`` attribute of every page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask, Response, g, request

#: Languages the interface is translated into; the first is the default.
LANGUAGES = ("fr", "en")
COOKIE = "lang"
T = TypeVar("T")


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

    from webapp.models import enums

    # Templates label codes through the vocabularies: ``vocab.Polarity.label_of(o.polarity)``.
    app.jinja_env.globals["vocab"] = enums

    @app.before_request
    def _lang() -> None:
        g.lang = select_locale()

    @app.after_request
    def _remember(response: Response) -> Response:
        asked = request.args.get("lang")
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
        return response


def in_languages(render: Callable[[], object]) -> dict[str, str]:
    """``{language: text}`` for every interface language, e.g. ``{"fr": …, "en": …}``.

    For the API's problems, which carry their message in both languages: ``render`` builds the text
    from labels (``Enum(code).label``, lazy gettext) and runs once per language.
    """
    from flask_babel import force_locale

    texts = {}
    for language in LANGUAGES:
        with force_locale(language):
            texts[language] = str(render())
    return texts


def in_french(render: Callable[[], T]) -> T | str:
    """What ``render`` builds, in French whatever the interface language (exports, mails).

    A lazy string comes back as a plain ``str``; anything else (a dict of labels…) as it is.
    """
    from flask_babel import LazyString, force_locale

    with force_locale("fr"):
        value = render()
        return str(value) if isinstance(value, LazyString) else value
