"""One vocabulary, labels in one place: each code people see has its labels on its enum, in both languages."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from webapp.models import enums

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "webapp" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
VOCABULARIES = [
    value
    for value in vars(enums).values()
    if inspect.isclass(value) and issubclass(value, enums.LabelledEnum) and value is not enums.LabelledEnum
]


def _english() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_every_code_has_a_french_label_with_its_english(vocabulary: type[enums.LabelledEnum]) -> None:
    english = _english()
    titles = [vocabulary.__titles__, vocabulary.__group_titles__, vocabulary.__answer_titles__]
    assert set(vocabulary.__titles__) == {m.value for m in vocabulary}, "a code without a label"
    for title_set in titles:
        assert set(title_set) <= {m.value for m in vocabulary}, "a label for no code"
        for title in title_set.values():
            assert english.get(title._args[0]), f"no English for « {title._args[0]} »"


def test_profile_vocabularies_have_one_wording_per_context(app) -> None:
    """An age band reads « 11 à 14 ans » everywhere; residents are offered « Je préfère ne pas répondre »."""
    from webapp.residents.blueprint import profile_choices
    from webapp.services import summaries

    assert enums.AgeBand("11-14").label == "11 à 14 ans"
    assert profile_choices()["age_band"][0] == ("undisclosed", "Je préfère ne pas répondre")
    assert ("11-14", "11 à 14 ans") in profile_choices()["age_band"]
    assert enums.AgeBand.label_of("undisclosed") == "Non précisé"
    assert enums.Polarity.NEGATIVE.label == "Problème" and enums.Polarity.NEGATIVE.group_label == "Problèmes"
    assert (
        enums.Gender.WOMAN.group_label == "Femmes" and enums.Gender.UNDISCLOSED.group_label == "Non précisé"
    )
    assert enums.AgeGroup.YOUTH.bands == ("11-14", "15-17", "18-25")
    assert not hasattr(summaries, "AGE_LABELS") and not hasattr(summaries, "GENDER_LABELS")


#: Modules whose labels come from the enums (a dict of labels there would be a second place).
LABEL_FREE = [
    "webapp/services",
    "webapp/facilitators",
    "webapp/partners",
    "webapp/auth",
    "webapp/public",
    "geodata",
]


def _label_dicts(path: Path) -> list[str]:
    """Module-level ``NAME_LABELS = {...}`` (or ``LABELS_FR``) assignments of string values."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            strings = [
                v for v in node.value.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
            ]
            if any("LABEL" in name for name in names) and strings:
                found.append(f"{path.relative_to(ROOT)}: {names[0]}")
    return found


def test_no_module_keeps_its_own_label_dict() -> None:
    found = [
        hit
        for folder in LABEL_FREE
        for path in sorted((ROOT / folder).rglob("*.py"))
        for hit in _label_dicts(path)
    ]
    assert found == [], "labels belong on the enums (webapp/models/enums.py): " + ", ".join(found)


def test_coordinate_problems_are_codes_in_geodata_and_labels_in_the_app(app) -> None:
    from flask_babel import force_locale

    from geodata.shapes import lonlat_issue

    issue = lonlat_issue(49.8945, 2.3021)
    assert issue is not None and issue.reason == "swapped" and not hasattr(issue, "message_fr")
    problem = enums.CoordinateProblem(issue.reason)
    with app.test_request_context():
        assert problem.describe(issue.pair) == "longitude et latitude semblent inversées : (49.8945, 2.3021)"
        with force_locale("en"):
            assert problem.describe(issue.pair) == "longitude and latitude look swapped: (49.8945, 2.3021)"
