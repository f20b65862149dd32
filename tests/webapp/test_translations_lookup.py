"""Templates look the request's catalogue up once, and still follow a language forced for a while."""

from __future__ import annotations

import flask_babel
import pytest
from flask import Flask, render_template_string

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import login, url
from webapp.i18n import in_languages


def test_a_page_of_many_labels_looks_its_catalogue_up_once(app: Flask, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Flask-Babel looked the catalogue up again for each of a page's messages: about a third of the
    making of a moderation list of a few hundred observations (each card has a dozen labels)."""
    world = build_world()
    login(client)
    lookups = []
    original = flask_babel.get_translations

    def counted():  # type: ignore[no-untyped-def]
        lookups.append(1)
        return original()

    monkeypatch.setattr(flask_babel, "get_translations", counted)
    page = url("facilitators.moderation_queue", slug=world.project.slug, walk_id=world.day.id, status="all")
    for lang, word in (("fr", "Déplacer le point"), ("en", "Move the point")):
        lookups.clear()
        body = client.get(page + f"&lang={lang}").get_data(as_text=True)
        assert body.count(word) == 5  # one per card of the day walk
        assert len(lookups) <= 2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_language_forced_for_a_while_is_followed_then_left(app: Flask, lang: str) -> None:
    words = {"fr": "Déplacer", "en": "Move"}
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        template = "{{ _('Déplacer') }}"
        assert render_template_string(template) == words[lang]
        assert in_languages(lambda: flask_babel.gettext("Déplacer")) == words
        with flask_babel.force_locale("en" if lang == "fr" else "fr"):
            assert render_template_string(template) == words["en" if lang == "fr" else "fr"]
        assert render_template_string(template) == words[lang]


def test_labels_in_a_list_do_not_copy_the_templates_context(app: Flask, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Jinja's gettext functions take the whole template context: called inside a loop, each copied
    it with the loop's variables, for every label of every card (a third of a long list's making)."""
    from jinja2.runtime import Context

    world = build_world()
    login(client)
    copies = []
    derived = Context.derived
    monkeypatch.setattr(Context, "derived", lambda self, *a, **k: copies.append(1) or derived(self, *a, **k))
    page = url("facilitators.moderation_queue", slug=world.project.slug, walk_id=world.day.id, status="all")
    assert client.get(page).status_code == 200
    assert len(copies) < 5  # one card's labels alone made 30


CASES = [
    ("gettext", ("Déplacer",), {}),
    ("gettext", ("Cocher l'observation %(n)s",), {"n": "<b>7</b>"}),
    ("gettext", ("100 %% sûr",), {}),
    ("ngettext", ("%(num)s observation", "%(num)s observations", 1), {}),
    ("ngettext", ("%(num)s observation", "%(num)s observations", 3), {"extra": "<i>"}),
    ("pgettext", ("carte", "Zones"), {}),
    ("npgettext", ("carte", "%(num)s zone", "%(num)s zones", 2), {}),
]


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_templates_translations_say_what_jinjas_own_said(app: Flask, lang: str, autoescape: bool) -> None:
    from jinja2 import Environment
    from jinja2.ext import _make_new_gettext, _make_new_ngettext, _make_new_npgettext, _make_new_pgettext

    translations = flask_babel.get_translations
    makers = {
        "gettext": (_make_new_gettext, lambda s: translations().ugettext(s)),
        "ngettext": (_make_new_ngettext, lambda s, p, n: translations().ungettext(s, p, n)),
        "pgettext": (_make_new_pgettext, lambda c, s: translations().upgettext(c, s)),
        "npgettext": (_make_new_npgettext, lambda c, s, p, n: translations().unpgettext(c, s, p, n)),
    }
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        for name, args, variables in CASES:
            jinjas, ours = Environment(autoescape=autoescape), app.jinja_env.overlay(autoescape=autoescape)
            make, func = makers[name]
            jinjas.globals["f"], ours.globals["f"] = make(func), app.jinja_env.globals[name]
            template = "{{ f(*args, **variables) }}"
            expected = jinjas.from_string(template).render(args=args, variables=variables)
            assert ours.from_string(template).render(args=args, variables=variables) == expected, (name, args)


def test_a_moderation_card_translates_only_its_own_words(app: Flask, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The cards' fixed words (buttons, labels, hints) are translated once for the page: a card only
    translates the sentences that carry its own numbers."""
    from webapp import i18n

    world = build_world()
    login(client)
    calls = []
    original = i18n.current_translations
    monkeypatch.setattr(i18n, "current_translations", lambda: calls.append(1) or original())
    per_walk = {}
    for walk in (world.day, world.night):
        page = url("facilitators.moderation_queue", slug=world.project.slug, walk_id=walk.id, status="all")
        calls.clear()
        body = client.get(page).get_data(as_text=True)
        per_walk[walk.id] = (body.count('<article class="card obs'), len(calls))
    (cards_a, calls_a), (cards_b, calls_b) = per_walk.values()
    assert cards_a != cards_b
    assert (calls_a - calls_b) / (cards_a - cards_b) <= 3  # « Cocher l'observation n », « ressenti n/5 »
