"""Shipped definitions: they load, the default grid is complete and bilingual, no version is edited."""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest

from mobile_forms.fields import LocalizedText, MultipleChoiceField, RatingField, SingleChoiceField
from mobile_forms.schema import (
    AXES,
    DEFINITIONS_DIR,
    HASHES_FILE,
    PRINCIPLES,
    FormDefinition,
    get_definition,
    latest,
    load_definition,
    load_definitions,
)

DEFAULT_GRID_THEMES = [
    "signaletique",
    "eclairage",
    "visibilite",
    "isolement",
    "aide_surveillance",
    "proprete",
    "cheminements",
    "transports",
    "usages",
    "harcelement",
    "sentiment_securite",
    "lieux_qui_fonctionnent",
]


@pytest.fixture(scope="module")
def grid() -> FormDefinition:
    return latest("marche_exploratoire")


def _texts(definition: FormDefinition) -> list[tuple[str, LocalizedText]]:
    """Every text a person may read in a definition, with where it is."""
    texts = [("title", definition.title), ("description", definition.description)]
    texts += [(f"axis {a.key}", a.label) for a in definition.axes]
    texts += [(f"principle {p.key}", p.label) for p in definition.principles]
    for theme in definition.themes:
        texts += [(f"theme {theme.key}", theme.label), (f"theme {theme.key} help", theme.help)]
        texts += [(f"subtheme {theme.key}.{s.key}", s.label) for s in theme.subthemes]
    for field in definition.fields:
        texts += [(f"field {field.key}", field.label)]
        texts += [(f"field {field.key} help", field.help)] if field.help else []
        if isinstance(field.kind, SingleChoiceField | MultipleChoiceField):
            texts += [(f"choice {field.key}.{c.key}", c.label) for c in field.kind.choices]
        if isinstance(field.kind, RatingField):
            texts += [
                (f"field {field.key} ends", t) for t in (field.kind.min_label, field.kind.max_label) if t
            ]
    return texts


def _contrast_with_white(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_every_shipped_definition_loads() -> None:
    definitions = load_definitions()
    files = sorted(DEFINITIONS_DIR.glob("*.yaml"))
    assert files, "no definition shipped"
    assert len(definitions) == len(files)


def test_default_grid_has_the_twelve_items_of_walk_guides_in_order(grid: FormDefinition) -> None:
    assert [theme.key for theme in grid.themes] == DEFAULT_GRID_THEMES


def test_default_grid_defines_the_three_axes_and_six_principles(grid: FormDefinition) -> None:
    assert [axis.key for axis in grid.axes] == list(AXES)
    assert [principle.key for principle in grid.principles] == list(PRINCIPLES)


def test_default_grid_uses_every_axis_and_every_principle(grid: FormDefinition) -> None:
    assert {theme.axis for theme in grid.themes} == set(AXES)
    assert {theme.principle for theme in grid.themes} == set(PRINCIPLES)


def test_default_grid_themes_have_three_to_six_subthemes(grid: FormDefinition) -> None:
    for theme in grid.themes:
        assert 3 <= len(theme.subthemes) <= 6, theme.key


def test_default_grid_has_french_and_english_for_every_text(grid: FormDefinition) -> None:
    for where, text in _texts(grid):
        assert text.fr.strip() and text.en.strip(), where
        assert text.fr != "" and text.en != "", where


def test_default_grid_labels_are_short_enough_for_a_phone_button(grid: FormDefinition) -> None:
    for theme in grid.themes:
        assert len(theme.label.fr) <= 40, theme.key
        for subtheme in theme.subthemes:
            assert len(subtheme.label.fr) <= 50, subtheme.key


def test_default_grid_theme_colours_are_distinct_and_readable_under_white_text(grid: FormDefinition) -> None:
    colours = [theme.color.lower() for theme in grid.themes]
    assert len(set(colours)) == len(colours)
    for theme in grid.themes:
        assert _contrast_with_white(theme.color) >= 4.5, theme.key
    for a, b in itertools.combinations(grid.themes, 2):
        distance = (
            sum((int(a.color[i : i + 2], 16) - int(b.color[i : i + 2], 16)) ** 2 for i in (1, 3, 5)) ** 0.5
        )
        assert distance > 30, (a.key, b.key)


def test_default_grid_themes_have_an_emoji_and_a_map_symbol(grid: FormDefinition) -> None:
    for theme in grid.themes:
        assert theme.icon.emoji and theme.icon.symbol, theme.key
    assert len({theme.icon.emoji for theme in grid.themes}) == len(grid.themes)


def test_default_grid_core_fields_have_their_types(grid: FormDefinition) -> None:
    types = {field.key: field.type for field in grid.fields}
    assert types == {
        "polarity": "single_choice",
        "feeling": "rating",
        "moment": "single_choice",
        "note": "long_text",
        "proposal": "long_text",
        "photos": "photo",
        "location": "location",
    }


def test_default_grid_quick_observation_needs_only_polarity_and_location(grid: FormDefinition) -> None:
    assert [field.key for field in grid.fields if field.required] == ["polarity", "location"]


def test_default_grid_polarity_is_positive_negative_or_neutral(grid: FormDefinition) -> None:
    kind = grid.field("polarity").kind
    assert isinstance(kind, SingleChoiceField)
    assert [choice.key for choice in kind.choices] == ["positive", "negative", "neutral"]
    assert [choice.label.fr for choice in kind.choices] == ["Ça va bien", "Ça ne va pas", "Neutre"]


def test_default_grid_feeling_is_rated_from_one_to_five(grid: FormDefinition) -> None:
    kind = grid.field("feeling").kind
    assert isinstance(kind, RatingField)
    assert (kind.min, kind.max) == (1, 5)
    assert kind.min_label is not None and kind.max_label is not None
    assert grid.field("feeling").label.fr == "Comment vous sentez-vous ici ?"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_to_dict_is_json_in_the_asked_language(grid: FormDefinition, lang: str) -> None:
    described = json.loads(json.dumps(grid.to_dict(lang)))
    assert described["lang"] == lang
    assert described["title"] == grid.title.get(lang)
    assert [theme["key"] for theme in described["themes"]] == DEFAULT_GRID_THEMES
    lighting = described["themes"][1]
    assert lighting["label"] == grid.theme("eclairage").label.get(lang)
    assert lighting["icon"] == {"emoji": "💡", "symbol": "lightbulb"}
    polarity = described["fields"][0]
    assert polarity["type"] == "single_choice" and polarity["required"] is True
    assert [choice["key"] for choice in polarity["choices"]] == ["positive", "negative", "neutral"]
    location = next(field for field in described["fields"] if field["key"] == "location")
    assert location["external"] is True


def test_to_dict_falls_back_to_french_for_an_unknown_language(grid: FormDefinition) -> None:
    described = grid.to_dict("de")
    assert described["lang"] == "fr"
    assert described["title"] == grid.title.fr


def test_content_hash_is_the_sha256_of_the_file() -> None:
    path = DEFINITIONS_DIR / "marche_exploratoire.v1.yaml"
    assert load_definition(path).content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_get_definition_finds_a_version_and_rejects_an_unknown_one() -> None:
    assert get_definition("marche_exploratoire", 1).version == 1
    with pytest.raises(KeyError, match="version 999"):
        get_definition("marche_exploratoire", 999)
    with pytest.raises(KeyError, match="no form definition"):
        latest("no_such_form")


def _registered_hashes() -> dict[str, str]:
    hashes = {}
    for line in HASHES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            hashes[name.strip().lstrip("*")] = digest
    return hashes


def test_shipped_definition_versions_are_never_edited() -> None:
    hashes = _registered_hashes()
    assert hashes, f"{HASHES_FILE} lists no definition"
    for name, digest in hashes.items():
        path = DEFINITIONS_DIR / name
        assert path.is_file(), f"{name} was shipped and must not be deleted"
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        assert actual == digest, (
            f"{name} was shipped and has been edited: restore it and put the change in a new version"
        )


def test_every_definition_file_is_registered_in_hashes() -> None:
    hashes = _registered_hashes()
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        assert path.name in hashes, (
            f"{path.name} is not in {HASHES_FILE.name}: once it is final, run "
            f"`sha256sum {path.name} >> {HASHES_FILE.name}` in {DEFINITIONS_DIR}"
        )


def test_the_default_grid_marks_harassment_sensitive_from_version_2_only() -> None:
    from mobile_forms import get_definition

    assert get_definition("marche_exploratoire", 1).sensitive_themes == frozenset()
    assert get_definition("marche_exploratoire", 2).sensitive_themes == {"harcelement"}
    assert get_definition("marche_exploratoire", 2).to_dict()["themes"][-1]["sensitive"] in (True, False)


def test_sensitive_must_be_a_boolean(definition_data, write_definition) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from mobile_forms import DefinitionError, load_definition

    definition_data["themes"][0]["sensitive"] = "oui"
    with pytest.raises(DefinitionError, match=r"themes\[0\]\.sensitive: must be true or false"):
        load_definition(write_definition(definition_data))
