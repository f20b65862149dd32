"""Every page reads in the language chosen: with English chosen no French sentence remains, and the reverse.

The pages are every ``GET`` row of the authorisation matrix that answers an HTML page to someone
(staff, partner, public, resident), visited as the first role let in, once with ``?lang=en`` and once
with ``?lang=fr``. What the people of the world typed (names, notes, titles: every text column of the
database) is taken out first: only the interface's own words are judged. A sentence is French when it
holds one of :data:`FRENCH_WORDS`, English when it holds one of :data:`ENGLISH_WORDS` (short, frequent
words that the other language never uses); the page must also say its language (``<html lang>``).
"""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from sqlalchemy import String, Text, inspect, select

from tests.webapp.test_authorization_matrix import (
    CASES,
    ROLES,
    World,
    _client_as,
    build_matrix_world,
)
from webapp.extensions import db

#: Words a French interface sentence almost always holds and an English one never does.
FRENCH_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "une",
        "est",
        "sont",
        "pour",
        "avec",
        "dans",
        "sur",
        "pas",
        "aucune",
        "aucun",
        "vos",
        "votre",
        "nous",
        "vous",
        "cette",
        "ces",
        "aux",
        "et",
        "ou",
        "ne",
        "par",
        "sans",
        "selon",
        "été",
        "être",
        "leur",
        "leurs",
        "qui",
        "que",
        "où",
        "déjà",
        "ici",
        "encore",
        # the state of a setting, alone after a colon (« Connexion en deux étapes : désactivée »)
        "activée",
        "désactivée",
    ]
)
#: The same for English.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "your",
        "you",
        "with",
        "this",
        "these",
        "are",
        "is",
        "to",
        "for",
        "not",
        "no",
        "yet",
        "from",
        "has",
        "have",
        "been",
        "which",
        "there",
        "their",
        "here",
        "please",
    ]
)


def _visible_text(page: str) -> str:
    """The words a person reads: no scripts, styles, maps (folium's iframe source), tags or entities."""
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    page = re.sub(r'(?is)srcdoc="[^"]*"', " ", page)
    text = re.sub(r"(?s)<[^>]+>", "\n", page)
    return html.unescape(text)


def _typed_by_people() -> list[str]:
    """Every text stored in the database (longest first), to be taken out of the pages."""
    values: set[str] = set()
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        for column in inspect(mapper.class_).columns:
            if isinstance(column.type, String | Text) and column.table is table:
                for value in db.session.scalars(select(column).distinct()):
                    if isinstance(value, str) and len(value) > 3:
                        values.add(value)
    return sorted(values, key=len, reverse=True)


def _sentences(text: str, typed: list[str]) -> list[str]:
    for value in typed:
        text = text.replace(value, " ")
    return [line.strip() for line in re.split(r"\n+", text) if line.strip()]


def _words(sentence: str) -> set[str]:
    """The words of a sentence, leaving out names quoted in it (« … », “…”) and codes (``pas_de_plan``)."""
    sentence = re.sub(r"«[^»]*»|“[^”]*”|\S*_\S*", " ", sentence)
    # Capitals alone are codes (a join code « K7P 3NE »), not words.
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", sentence) if not w.isupper()}


def _wrong(sentences: list[str], lang: str) -> list[str]:
    other = FRENCH_WORDS if lang == "en" else ENGLISH_WORDS
    return [s for s in sentences if _words(s) & other]


def _pages() -> list[tuple[str, str]]:
    """(endpoint, role): each HTML page with the first role it lets in."""
    pages = []
    for (method, endpoint), case in sorted(CASES.items()):
        if method != "GET" or endpoint in ("static",) or endpoint.startswith(("api.", "legacy.")):
            continue
        role = next((r for r in ROLES if case.expect[r] == 200), None)
        if role is not None:
            pages.append((endpoint, role))
    return pages


def _visit(app: Flask, world: World, endpoint: str, role: str, lang: str) -> tuple[str, str] | None:
    case = CASES[("GET", endpoint)]
    client = _client_as(app, world, role)
    path = case.path(world)
    with app.app_context():
        response = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
    try:
        if response.status_code != 200 or response.mimetype != "text/html":
            return None
        return path, response.get_data(as_text=True)
    finally:
        response.close()


def test_every_page_reads_in_the_language_chosen(app: Flask) -> None:
    """One world, every page, both languages."""
    world = build_matrix_world(app)
    db.session.flush()
    typed = _typed_by_people()
    wrong, visited = [], 0
    for endpoint, role in _pages():
        for lang in ("en", "fr"):
            answer = _visit(app, world, endpoint, role, lang)
            if answer is None:
                continue
            visited += 1
            path, page = answer
            bad = _wrong(_sentences(_visible_text(page), typed), lang)
            if f'<html lang="{lang}"' not in page:
                bad.insert(0, f"<html> not marked lang={lang}")
            if bad:
                wrong.append(f"{endpoint} ({path}, {lang}): " + " | ".join(bad[:6]))
    assert visited >= 60, visited
    assert wrong == [], "sentences in the other language:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("lang", "sentence", "expected"),
    [
        ("en", "Aucune observation pour ces filtres.", True),
        ("en", "No observation for these filters.", False),
        ("fr", "No observation for these filters.", True),
        ("fr", "Aucune observation pour ces filtres.", False),
        ("fr", "GeoJSON · CSV · XLSX", False),
        ("en", "Download the national file (dataset “Quartiers prioritaires de la ville”)", False),
        ("en", "saisie_le · pas_de_plan", False),
        ("en", "K7P 3NE", False),
    ],
)
def test_the_detector_tells_the_languages_apart(lang: str, sentence: str, expected: bool) -> None:
    assert bool(_wrong([sentence], lang)) is expected
