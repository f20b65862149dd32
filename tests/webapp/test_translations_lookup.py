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
