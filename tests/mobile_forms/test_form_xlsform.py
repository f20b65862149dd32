"""Importing real XLSForm workbooks (``tests/data/xlsforms``) as Arpenteur definitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobile_forms.schema import FormDefinition, load_definition
from mobile_forms.xlsform import MANY_FIELDS, ImportResult, XLSFormError, import_xlsform, to_yaml
from tests.xlsform_builder import write_duplicate_name_workbook, write_xlsform

VALID_WORKBOOKS = [
    "hotosm-osm-fieldwork_toilets.xls",
    "hotosm-osm-fieldwork_transportation.xls",
    "hotosm-osm-fieldwork_waste_collection.xlsx",
]

#: a small workbook in pyxform's markdown form: a category list, groups, a repeat, French and English
THEMED_WORKBOOK = """
| survey |
|  | type | name | label::Français (fr) | label::English (en) | appearance | constraint |
|  | begin_group | obs | Observation | Observation |
|  | select_one categories | category | Catégorie | Category |
|  | text | note | Note | Note | multiline |
|  | text | titre | Titre | Title |
|  | integer | feeling | Ressenti | Feeling |  | . >= 1 and . <= 5 |
|  | integer | age | Âge | Age |
|  | select_multiple things | things | Choses | Things |
|  | end_group |
|  | begin_repeat | people | Personnes | People |
|  | text | pname | Nom | Name |
|  | end_repeat |
|  | geopoint | where | Où ? | Where? |
|  | image | pic | Photo | Photo |
|  | note | intro | Bonjour | Hello |
| choices |
|  | list_name | name | label::Français (fr) | label::English (en) |
|  | categories | eclairage | Éclairage | Lighting |
|  | categories | proprete | Propreté | Cleanliness |
|  | things | a | Une | One |
|  | things | b | Deux |
| settings |
|  | form_title | form_id |
|  | Essai thématique | essai |
"""


def _load(result: ImportResult, tmp_path: Path) -> FormDefinition:
    path = tmp_path / f"{result.definition['key']}.v{result.definition['version']}.yaml"
    path.write_text(to_yaml(result.definition), encoding="utf-8")
    return load_definition(path)


@pytest.fixture
def themed(tmp_path: Path) -> ImportResult:
    path = tmp_path / "essai.md"
    path.write_text(THEMED_WORKBOOK, encoding="utf-8")
    return import_xlsform(path)


@pytest.mark.parametrize("name", VALID_WORKBOOKS)
def test_real_workbook_imports_as_a_definition_that_loads(
    name: str, xlsforms_dir: Path, tmp_path: Path
) -> None:
    result = import_xlsform(xlsforms_dir / name)
    definition = _load(result, tmp_path)
    assert definition.version == 1
    assert definition.fields
    assert result.report.source == name
    assert result.report.notes


def test_invalid_workbook_raises_xlsform_error_with_pyxforms_message(tmp_path: Path) -> None:
    workbook = write_duplicate_name_workbook(tmp_path / "menages.xlsx")
    with pytest.raises(XLSFormError, match=r"menages\.xlsx is invalid: .*'HandWashHabits1' is invalid"):
        import_xlsform(workbook)


def test_toilets_keeps_french_labels_and_fills_missing_ones_from_english(xlsforms_dir: Path) -> None:
    definition, report = import_xlsform(xlsforms_dir / "hotosm-osm-fieldwork_toilets.xls")
    fields = {field["key"]: field for field in definition["fields"]}
    assert (
        fields["operational_status"]["label"]["fr"] == "Quel est l'état de fonctionnement de ces toilettes ?"
    )
    assert fields["lit"]["label"] == {
        "fr": "Does this toilet have lighting ?",
        "en": "Does this toilet have lighting ?",
    }
    index = list(fields).index("lit")
    assert f"fields[{index}].label.fr (from English(en))" in report.untranslated
    assert report.languages == ("en", "fr")
    assert dict(report.language_columns) == {"en": ("English(en)",), "fr": ("French(fr)",)}


def test_toilets_unsupported_rows_are_skipped_and_reported(xlsforms_dir: Path) -> None:
    definition, report = import_xlsform(xlsforms_dir / "hotosm-osm-fieldwork_toilets.xls")
    skipped = {row.name: row for row in report.skipped}
    assert skipped["xid"].reason == "calculation"
    assert skipped["instructions"].reason == "display-only text"
    assert skipped["existing"].reason == "choices come from an external file"
    assert skipped["num_chambers"].type == "integer"
    assert skipped["start"].reason == "metadata recorded by the phone app"
    types = {field["key"]: field["type"] for field in definition["fields"]}
    assert types["location"] == "location"
    assert types["image"] == "photo"
    assert types["name"] == "short_text"
    assert "xid" not in types and "existing" not in types


def test_transportation_maps_range_select_multiple_and_skips_geotrace(xlsforms_dir: Path) -> None:
    definition, report = import_xlsform(xlsforms_dir / "hotosm-osm-fieldwork_transportation.xls")
    fields = {field["key"]: field for field in definition["fields"]}
    assert (fields["width"]["type"], fields["width"]["min"], fields["width"]["max"]) == ("rating", 1, 5)
    assert fields["vehicle"]["type"] == "multiple_choice"
    assert fields["highway_type"]["required"] is True
    assert [f["key"] for f in definition["fields"] if f["type"] == "location"] == [
        "bridge_point", "barrier_point", "highway_point",
    ]  # fmt: skip
    skipped = {row.name: row.type for row in report.skipped}
    assert skipped["track"] == "geotrace"
    assert skipped["audio"] == "audio"
    assert ("cattle grid", "cattle_grid") in report.renamed


def test_waste_collection_keeps_swahili_as_an_extra_language(xlsforms_dir: Path, tmp_path: Path) -> None:
    result = import_xlsform(xlsforms_dir / "hotosm-osm-fieldwork_waste_collection.xlsx")
    assert result.definition["key"] == "waste_collection"  # its form_id is a timestamp: the title is used
    fields = {field["key"]: field for field in result.definition["fields"]}
    assert fields["ward"]["label"] == {"fr": "Ward name", "en": "Ward name", "sw": "Jina la Kata"}
    assert ("Sub-ward", "sub_ward") in result.report.renamed
    assert _load(result, tmp_path).field("ward").label.get("sw") == "Jina la Kata"


def test_without_a_category_question_one_generic_theme_is_created(xlsforms_dir: Path) -> None:
    definition, report = import_xlsform(xlsforms_dir / "hotosm-osm-fieldwork_toilets.xls")
    assert [theme["key"] for theme in definition["themes"]] == ["observation"]
    assert report.themes_from is None
    assert any("generic theme" in note for note in report.notes)


def test_imported_definition_reuses_the_default_grid_axes_and_principles(xlsforms_dir: Path) -> None:
    definition, _ = import_xlsform(xlsforms_dir / "hotosm-osm-fieldwork_toilets.xls")
    assert [axis["key"] for axis in definition["axes"]] == [
        "cadre_de_vie",
        "vivre_ensemble",
        "harcelement_de_rue",
    ]
    assert len(definition["principles"]) == 6


def test_category_question_becomes_the_themes(themed: ImportResult, tmp_path: Path) -> None:
    definition = _load(themed, tmp_path)
    assert themed.report.themes_from == "category"
    assert [theme.key for theme in definition.themes] == ["eclairage", "proprete"]
    assert definition.theme("eclairage").label.fr == "Éclairage"
    assert "category" not in {field.key for field in definition.fields}


def test_groups_are_flattened_and_types_mapped(themed: ImportResult, tmp_path: Path) -> None:
    definition = _load(themed, tmp_path)
    assert [(field.key, field.type) for field in definition.fields] == [
        ("note", "long_text"),
        ("titre", "short_text"),
        ("feeling", "rating"),
        ("things", "multiple_choice"),
        ("where", "location"),
        ("pic", "photo"),
    ]
    assert definition.field("pic").kind.to_settings() == {"max_count": 1}
    assert definition.field("feeling").label.en == "Feeling"


def test_repeats_notes_and_unbounded_integers_are_skipped(themed: ImportResult) -> None:
    skipped = {row.name: row.type for row in themed.report.skipped}
    assert skipped == {"age": "integer", "people": "repeat", "intro": "note"}
    assert "pname" not in {field["key"] for field in themed.definition["fields"]}


def test_missing_translation_of_a_choice_is_filled_and_reported(themed: ImportResult) -> None:
    things = next(field for field in themed.definition["fields"] if field["key"] == "things")
    assert things["choices"][1]["label"] == {"fr": "Deux", "en": "Deux"}
    assert "fields[3].choices[1].label.en (from Français (fr))" in themed.report.untranslated


def test_key_can_be_given(themed: ImportResult, tmp_path: Path) -> None:
    path = tmp_path / "essai.md"
    assert import_xlsform(path, key="securite_parc").definition["key"] == "securite_parc"
    assert themed.definition["key"] == "essai"
    with pytest.raises(ValueError, match="key must match"):
        import_xlsform(path, key="Sécurité")


def test_missing_or_unreadable_workbook_raises_xlsform_error(tmp_path: Path) -> None:
    with pytest.raises(XLSFormError, match="does not exist"):
        import_xlsform(tmp_path / "absent.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(XLSFormError, match=r"broken\.xlsx"):
        import_xlsform(broken)
    other = tmp_path / "form.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(XLSFormError, match="not an XLSForm workbook"):
        import_xlsform(other)


# --- defects seen with real field workbooks ------------------------------------------------------------


def test_required_question_with_a_relevant_condition_becomes_optional_and_is_reported(tmp_path: Path) -> None:
    """The condition is dropped, so a required conditional question would be required of everyone."""
    workbook = write_xlsform(
        tmp_path / "securite.xlsx",
        survey=[
            ("type", "name", "label", "required", "relevant"),
            ("select_one oui_non", "agresse", "Avez-vous été importuné·e ?", "yes", ""),
            ("text", "details", "Que s'est-il passé ?", "yes", "${agresse} = 'oui'"),
            ("begin_group", "suite", "Suite", "", "${agresse} = 'oui'"),
            ("select_one oui_non", "signale", "L'avez-vous signalé ?", "yes", ""),
            ("end_group", "", "", "", ""),
            ("text", "commentaire", "Commentaire", "", "${agresse} = 'non'"),
        ],
        choices=[("list_name", "name", "label"), ("oui_non", "oui", "Oui"), ("oui_non", "non", "Non")],
    )
    definition, report = import_xlsform(workbook)
    required = {field["key"]: field["required"] for field in definition["fields"]}
    assert required == {"agresse": True, "details": False, "signale": False, "commentaire": False}
    made_optional = {(q.name, q.row, q.relevant) for q in report.made_optional}
    assert made_optional == {
        ("details", 3, "${agresse} = 'oui'"),
        ("signale", 5, "${agresse} = 'oui'"),  # required inside a conditional group
    }
    assert any("details is required only when" in note for note in report.notes)
    assert report.to_dict()["made_optional"][0]["name"] == "details"


def test_real_workbook_with_conditional_required_questions(xlsforms_dir: Path) -> None:
    definition, report = import_xlsform(xlsforms_dir / "hotosm-osm-fieldwork_transportation.xls")
    fields = {field["key"]: field for field in definition["fields"]}
    assert fields["surface"]["required"] is False
    surface = next(q for q in report.made_optional if q.name == "surface")
    assert surface.relevant == "${highway_type} = 'highway'" and surface.row == 22


def test_gps_type_is_mapped_like_geopoint(tmp_path: Path) -> None:
    """``gps`` is ODK's old name for ``geopoint``: pyxform accepts it and so must the import."""
    workbook = write_xlsform(
        tmp_path / "ancien.xlsx",
        survey=[
            ("type", "name", "label"),
            ("gps", "position", "Où êtes-vous ?"),
            ("geopoint", "lieu", "Lieu"),
        ],
    )
    definition, report = import_xlsform(workbook)
    assert [(field["key"], field["type"]) for field in definition["fields"]] == [
        ("position", "location"),
        ("lieu", "location"),
    ]
    assert not report.skipped


def test_one_english_text_in_three_columns_is_one_language(tmp_path: Path) -> None:
    """``label`` on the survey sheet, ``hint::English`` beside it, ``label::English(en)`` for the choices."""
    workbook = write_xlsform(
        tmp_path / "english.xlsx",
        survey=[
            ("type", "name", "label", "hint::English"),
            ("select_one places", "place", "Which place?", "Pick one"),
            ("text", "remark", "Remark", "Anything"),
        ],
        choices=[
            ("list_name", "name", "label::English(en)"),
            ("places", "park", "Park"),
            ("places", "street", "Street"),
        ],
    )
    definition, report = import_xlsform(workbook)
    assert report.languages == ("en",)
    assert dict(report.language_columns) == {"en": ("English", "English(en)", "default")}
    # the plain label is English: only French had to be filled in
    assert "fields[0].label.fr (from default)" in report.untranslated
    assert not [path for path in report.untranslated if ".en " in path]


def test_a_form_of_hundreds_of_fields_gets_a_warning(tmp_path: Path) -> None:
    survey = [("type", "name", "label")] + [
        ("text", f"q{n}", f"Question {n}") for n in range(MANY_FIELDS + 50)
    ]
    definition, report = import_xlsform(write_xlsform(tmp_path / "long.xlsx", survey=survey))
    assert report.field_count == len(definition["fields"]) == MANY_FIELDS + 50
    assert report.many_fields
    assert any(f"{MANY_FIELDS + 50} fields" in note for note in report.notes)
    short = write_xlsform(tmp_path / "short.xlsx", survey=survey[:5])
    assert not import_xlsform(short).report.many_fields


def test_problems_and_skipped_rows_carry_their_sheet_and_row(tmp_path: Path, xlsforms_dir: Path) -> None:
    with pytest.raises(XLSFormError) as raised:
        import_xlsform(write_duplicate_name_workbook(tmp_path / "menages.xlsx"))
    (problem,) = raised.value.problems
    assert (problem.sheet, problem.row, problem.code) == ("survey", 6, "invalid")
    assert "HandWashHabits1" in problem.message and "[row" not in problem.message
    duplicate_choice = write_xlsform(
        tmp_path / "choix.xlsx",
        survey=[("type", "name", "label"), ("select_one l", "q", "Q")],
        choices=[("list_name", "name", "label"), ("l", "a", "A"), ("l", "a", "B")],
    )
    with pytest.raises(XLSFormError) as raised:
        import_xlsform(duplicate_choice)
    assert (raised.value.problems[0].sheet, raised.value.problems[0].row) == ("choices", 3)
    _, report = import_xlsform(xlsforms_dir / "hotosm-osm-fieldwork_transportation.xls")
    skipped = {row.name: row for row in report.skipped}
    assert (skipped["track"].code, skipped["track"].row, skipped["track"].is_question) == (
        "unsupported_type",
        52,
        True,
    )
    assert skipped["start"].code == "metadata" and not skipped["start"].is_question


def test_choice_columns_give_themes_a_pictogram_a_colour_and_the_sensitive_flag(tmp_path: Path) -> None:
    workbook = write_xlsform(
        tmp_path / "themes.xlsx",
        survey=[("type", "name", "label"), ("select_one themes", "theme", "Thème")],
        choices=[
            ("list_name", "name", "label", "emoji", "color", "sensitive"),
            ("themes", "bruit", "Bruit", "🔊", "#123456", ""),
            ("themes", "agression", "Agression", "🚨", "rouge", "yes"),
        ],
    )
    result = import_xlsform(workbook)
    definition = _load(result, tmp_path)
    assert definition.sensitive_themes == frozenset({"agression"})
    assert definition.theme("bruit").icon.emoji == "🔊" and definition.theme("bruit").color == "#123456"
    assert definition.theme("agression").color.startswith("#")  # "rouge" is not a colour: the palette's
    assert any("Sensitive themes" in note and "agression" in note for note in result.report.notes)
