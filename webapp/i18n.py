"""Interface language with Flask-Babel: French by default, English available.

The language is chosen from ``?lang=`` (remembered in a cookie), then the browser's preferences,
then ``DEFAULT_LANGUAGE``. ``g.lang`` feeds the ``lang`` attribute of every page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, Response, g, request
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

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


def language_of_environ(environ: dict[str, Any]) -> str:
    """:func:`select_locale`'s choice for a WSGI request without a query string, read from its
    headers alone (the ingest's fast path, ``webapp.api.fast_ingest``, has no Flask request)."""
    from flask import current_app
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header, parse_cookie

    default = current_app.config.get("DEFAULT_LANGUAGE", "fr")
    asked = parse_cookie(environ.get("HTTP_COOKIE", "")).get(COOKIE) if "HTTP_COOKIE" in environ else None
    if asked in LANGUAGES:
        return asked
    accept = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
    return accept.best_match(LANGUAGES, default=default) or default


def forced_language(language: str) -> Any:
    """A context in which messages are in ``language`` (Flask-Babel's ``force_locale``)."""
    from flask_babel import force_locale

    return force_locale(language)


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


# Jinja's own "new style" gettext functions (``jinja2.ext``), as Flask-Babel installs them, take the
# template's whole context: called in a loop, each one copies that context with the loop's variables
# (``Context.derived``), for every label of every card of a list. These take only the evaluation
# context — whether the template escapes — and give the same result: the message, marked safe when
# the template escapes, formatted with its variables (escaped), ``num`` and ``context`` included.


def _formatted(message: str, variables: dict[str, Any], autoescape: bool) -> str:
    text = Markup(message) if autoescape else message  # noqa: S704 (our own catalogue, as Jinja marks it)
    if not variables and "%" not in message:
        return text  # what formatting with no variable would give, without making it again
    return text % variables


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    return _formatted(current_translations().ugettext(string), variables, eval_ctx.autoescape)


@pass_eval_context
def _template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    message = current_translations().ungettext(singular, plural, num)
    return _formatted(message, variables, eval_ctx.autoescape)


@pass_eval_context
def _template_pgettext(eval_ctx: EvalContext, context: str, string: str, /, **variables: Any) -> str:
    variables.setdefault("context", context)
    message = current_translations().upgettext(context, string)
    return _formatted(message, variables, eval_ctx.autoescape)


@pass_eval_context
def _template_npgettext(
    eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    message = current_translations().unpgettext(context, singular, plural, num)
    return _formatted(message, variables, eval_ctx.autoescape)


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
    app.jinja_env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
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
