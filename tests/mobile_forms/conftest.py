"""Fixtures of the mobile_forms tests: a small valid definition to break on purpose, the real workbooks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mobile_forms.schema import PRINCIPLES, FormDefinition, load_definition


def _text(fr: str, en: str) -> dict[str, str]:
    return {"fr": fr, "en": en}


#: one theme and one field of every type: the smallest definition that exercises everything
SMALL_DEFINITION: dict[str, Any] = {
    "key": "essai",
    "version": 1,
    "title": _text("Essai", "Trial"),
    "description": _text("Un formulaire d'essai.", "A trial form."),
    "axes": [
        {"key": "cadre_de_vie", "label": _text("Cadre de vie", "Living environment")},
        {"key": "vivre_ensemble", "label": _text("Vivre ensemble", "Living together")},
        {"key": "harcelement_de_rue", "label": _text("Harcèlement de rue", "Street harassment")},
    ],
    "principles": [
        {"key": key, "label": _text(f"Principe {index}", f"Principle {index}")}
        for index, key in enumerate(PRINCIPLES, start=1)
    ],
    "themes": [
        {
            "key": "eclairage",
            "label": _text("Éclairage", "Lighting"),
            "icon": {"emoji": "💡", "symbol": "lightbulb"},
            "color": "#8D5B00",
            "axis": "cadre_de_vie",
            "principle": "voir_et_etre_vu",
            "help": _text("La lumière.", "The light."),
            "subthemes": [
                {"key": "lampadaire_en_panne", "label": _text("Lampadaire en panne", "Streetlight out")},
                {"key": "trop_sombre", "label": _text("Trop sombre", "Too dark")},
            ],
        },
        {
            "key": "proprete",
            "label": _text("Propreté", "Cleanliness"),
            "icon": {"emoji": "🧹", "symbol": "broom"},
            "color": "#827717",
            "axis": "cadre_de_vie",
            "principle": "lieu_propre_accueillant",
            "help": _text("Les déchets.", "Litter."),
            "subthemes": [{"key": "tags", "label": _text("Tags", "Graffiti")}],
        },
    ],
    "fields": [
        {
            "key": "polarity",
            "type": "single_choice",
            "label": _text("Ça va ?", "Fine?"),
            "required": True,
            "choices": [
                {"key": "positive", "label": _text("Ça va", "Fine")},
                {"key": "negative", "label": _text("Ça ne va pas", "Not fine")},
            ],
        },
        {
            "key": "needs",
            "type": "multiple_choice",
            "label": _text("Besoins", "Needs"),
            "required": False,
            "max": 2,
            "choices": [
                {"key": "light", "label": _text("Lumière", "Light")},
                {"key": "bench", "label": _text("Banc", "Bench")},
                {"key": "bin", "label": _text("Poubelle", "Bin")},
            ],
        },
        {"key": "feeling", "type": "rating", "label": _text("Ressenti", "Feeling"), "required": False},
        {
            "key": "title",
            "type": "short_text",
            "label": _text("Titre", "Title"),
            "required": False,
            "max_length": 10,
        },
        {
            "key": "note",
            "type": "long_text",
            "label": _text("Note", "Note"),
            "required": False,
            "max_length": 20,
        },
        {"key": "photos", "type": "photo", "label": _text("Photos", "Photos"), "required": False},
        {"key": "location", "type": "location", "label": _text("Où ?", "Where?"), "required": True},
    ],
}


@pytest.fixture
def definition_data() -> dict[str, Any]:
    """A fresh copy of a small valid definition, to modify in a test."""
    return copy.deepcopy(SMALL_DEFINITION)


@pytest.fixture
def write_definition(tmp_path: Path) -> Callable[..., Path]:
    """Write a definition dict as YAML, named after its key and version unless ``name`` is given."""

    def write(data: object, name: str | None = None) -> Path:
        if name is None:
            assert isinstance(data, dict)
            name = f"{data['key']}.v{data['version']}.yaml"
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_definition(
    definition_data: dict[str, Any], write_definition: Callable[..., Path]
) -> FormDefinition:
    """The small definition, loaded."""
    return load_definition(write_definition(definition_data))


@pytest.fixture(scope="session")
def xlsforms_dir(data_dir: Path) -> Path:
    """The real XLSForm workbooks shipped in ``tests/data/xlsforms`` (see ``tests/data/SOURCES.md``)."""
    return data_dir / "xlsforms"
