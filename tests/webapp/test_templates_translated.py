"""Every word a template shows goes through the catalogue, so the English interface is English throughout.

French typed straight into a template (« Rôle : », « Revenir à l'accueil », a walk's counts, the
report's stop headings…) stayed French on English pages. This reads each template with its Jinja
expressions, statements and comments, scripts, styles and code samples taken out, and looks for words
left in the markup.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates"

#: Words that are the same in every language: the product's name, the language switch, a format.
EVERYWHERE = {"Arpenteur", "Français", "English", "PDF"}
#: Attribute text that macros write outside a tag (the scan cannot tell it from page text).
ATTRIBUTES = {
    "facilitators/entry/form.html": {"aria-describedby", "err-", "aria-invalid", "true"},
    "reports/report.html": {"srcset", "sizes", "min-width", "rem"},
}


def _words_outside_the_catalogue(source: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", " ", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style|code|textarea|pre)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&[a-z#0-9]+;", " ", text)
    return re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’\-]{2,}", text)


@pytest.mark.parametrize(
    "name", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")), ids=str
)
def test_a_template_shows_no_word_outside_the_catalogue(name: str) -> None:
    words = _words_outside_the_catalogue((TEMPLATES / name).read_text(encoding="utf-8"))
    left = [w for w in words if w not in EVERYWHERE | ATTRIBUTES.get(name, set())]
    assert left == [], f"{name}: wrap these in _() or ngettext(): {left}"


def test_the_scan_sees_text_between_tags_and_not_what_jinja_translates() -> None:
    assert _words_outside_the_catalogue("<p>Rôle : {{ role }}</p>") == ["Rôle"]
    assert _words_outside_the_catalogue('<p>{{ _("Rôle : %(r)s", r=role) }}</p>') == []
    assert _words_outside_the_catalogue("{% block title %}Équipe · {{ name }}{% endblock %}") == ["Équipe"]


def test_pages_once_french_only_read_in_english(app, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/nulle-part?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "<title>Error 404" in html and "Back to the home page" in html
    assert "Revenir" not in html and "Erreur" not in html
