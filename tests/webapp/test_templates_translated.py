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
    return re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’\-]{2,}|\bn°", text)


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
    assert _words_outside_the_catalogue("<td>n° {{ o.id }}</td>") == ["n°"]


def test_pages_once_french_only_read_in_english(app, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/nulle-part?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "<title>Error 404" in html and "Back to the home page" in html
    assert "Revenir" not in html and "Erreur" not in html


def test_every_message_of_the_code_has_its_english_in_the_catalogue() -> None:
    """What `pybabel extract` finds in the code and templates (the command of make_en.py) is in the
    committed English catalogue, translated: a new `_l(...)` or `_()` without its English fails here,
    not on an English page."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.mofile import read_mo

    webapp = TEMPLATES.parent
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    method_map = [("**.py", "python"), ("**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(webapp),
        method_map,
        keywords=keywords,
        directory_filter=lambda path: not Path(path).name.startswith("."),
    ):
        found.add(message[0] if isinstance(message, tuple | list) else message)
    with (webapp / "translations" / "en" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        catalogue = read_mo(handle)
    translated = {
        (m.id[0] if isinstance(m.id, tuple | list) else m.id)
        for m in catalogue
        if m.id and (all(m.string) if isinstance(m.string, tuple | list) else m.string)
    }
    assert len(found) > 1000
    assert sorted(found - translated) == []
