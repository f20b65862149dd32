"""Interface language with Flask-Babel: French by default, English available.

The language is chosen from ``?lang=`` (remembered in a cookie), then the browser's preferences,
then ``DEFAULT_LANGUAGE``. ``g.lang`` feeds the ``lang`` attribute of every page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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


def current_translations() -> Any:
    """The catalogue of the language in force, looked up once per request (or app context).

    Flask-Babel finds it anew at every message: three look-ups of its state through ``g``, the
    locale's name rebuilt, a dictionary read — about a third of the making of a page of a few hundred
    observations, which translates each label of each card. The catalogue is kept where Flask-Babel
    keeps a request's (``babel_translations``), which ``force_locale`` and ``refresh`` reset.
    """
    from flask_babel import _get_current_context, get_translations

    state = _get_current_context()
    if state is None:
        return get_translations()
    kept = getattr(state, "babel_translations", None)
    if kept is None:
        kept = state.babel_translations = get_translations()
    return kept


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and set ``g.lang`` for templates."""
    from webapp.extensions import babel

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_locale="fr",
        default_translation_directories=str(Path(__file__).resolve().parent / "translations"),
    )

    # Templates translate through the request's catalogue, looked up once (see current_translations).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
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
