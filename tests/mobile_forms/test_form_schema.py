"""Loading definitions: every problem is collected and named by its path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mobile_forms.schema import (
    DefinitionError,
    FormDefinition,
    load_definition,
    load_definitions,
    parse_definition,
)

Write = Callable[..., Path]


def _messages(write: Write, data: object, name: str | None = None) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_definition(write(data, name))
    return caught.value.messages


def test_small_definition_loads_into_frozen_dataclasses(small_definition: FormDefinition) -> None:
    assert small_definition.key == "essai"
    assert small_definition.theme("eclairage").subtheme("trop_sombre").label.en == "Too dark"
    assert small_definition.field("note").type == "long_text"
    with pytest.raises(AttributeError):
        small_definition.key = "other"  # type: ignore[misc]


def test_unknown_theme_or_field_lookup_raises_key_error(small_definition: FormDefinition) -> None:
    with pytest.raises(KeyError, match="no theme 'nope'"):
        small_definition.theme("nope")
    with pytest.raises(KeyError, match="no field 'nope'"):
        small_definition.field("nope")
    with pytest.raises(KeyError, match="no sub-theme 'nope'"):
        small_definition.theme("eclairage").subtheme("nope")


def test_every_error_is_collected_with_its_path(
    definition_data: dict[str, Any], write_definition: Write
) -> None:
    del definition_data["themes"][1]["subthemes"][0]["label"]["fr"]
    definition_data["themes"][0]["color"] = "orange"
    definition_data["fields"][2]["max"] = 42
    definition_data["title"] = {"fr": "Essai"}
    messages = _messages(write_definition, definition_data)
    assert "themes[1].subthemes[0].label.fr: required" in messages
    assert any(m.startswith("themes[0].color: must be a colour") for m in messages)
    assert any(m.startswith("fields[2].max: must be a whole number from 2 to 10") for m in messages)
    assert "title.en: required" in messages
    assert len(messages) == 4


def test_error_message_names_the_file(definition_data: dict[str, Any], write_definition: Write) -> None:
    definition_data["description"]["en"] = ""
    with pytest.raises(DefinitionError, match=r"essai\.v1\.yaml") as caught:
        load_definition(write_definition(definition_data))
    assert caught.value.messages == ["description.en: must be non-empty text"]


def test_file_name_must_agree_with_key(definition_data: dict[str, Any], write_definition: Write) -> None:
    messages = _messages(write_definition, definition_data, "autre.v1.yaml")
    assert messages == ["key: 'essai' does not match the file name 'autre.v1.yaml'"]


def test_file_name_must_agree_with_version(definition_data: dict[str, Any], write_definition: Write) -> None:
    messages = _messages(write_definition, definition_data, "essai.v2.yaml")
    assert messages == ["version: 1 does not match the file name 'essai.v2.yaml'"]


def test_file_name_without_version_is_rejected(
    definition_data: dict[str, Any], write_definition: Write
) -> None:
    messages = _messages(write_definition, definition_data, "essai.yaml")
    assert messages == ["file name: must be <key>.v<version>.yaml, got 'essai.yaml'"]


def test_unknown_field_type_is_named(definition_data: dict[str, Any], write_definition: Write) -> None:
    definition_data["fields"][0]["type"] = "signature"
    messages = _messages(write_definition, definition_data)
    assert len(messages) == 1
    assert messages[0].startswith("fields[0].type: unknown field type 'signature' (known: ")
    assert "single_choice" in messages[0]


def test_missing_field_type_is_required(definition_data: dict[str, Any], write_definition: Write) -> None:
    del definition_data["fields"][3]["type"]
    assert _messages(write_definition, definition_data) == ["fields[3].type: required"]


def test_unknown_keys_are_rejected_so_typos_are_caught(
    definition_data: dict[str, Any], write_definition: Write
) -> None:
    definition_data["fields"][4]["max_lenght"] = 10
    definition_data["colour"] = "#000000"
    messages = _messages(write_definition, definition_data)
    assert any(m.startswith("fields[4].max_lenght: unknown key") for m in messages)
    assert any(m.startswith("colour: unknown key") for m in messages)


def test_theme_must_use_a_defined_axis_and_principle(
    definition_data: dict[str, Any], write_definition: Write
) -> None:
    definition_data["themes"][0]["axis"] = "securite"
    definition_data["themes"][0]["principle"] = "surveiller"
    messages = _messages(write_definition, definition_data)
    assert any(m.startswith("themes[0].axis: unknown axis 'securite'") for m in messages)
    assert any(m.startswith("themes[0].principle: unknown principle 'surveiller'") for m in messages)


def test_the_six_principles_must_all_be_defined(
    definition_data: dict[str, Any], write_definition: Write
) -> None:
    del definition_data["principles"][5]
    definition_data["themes"][0]["principle"] = "voir_et_etre_vu"
    assert _messages(write_definition, definition_data) == ["principles: missing agir_ensemble"]


def test_axes_other_than_the_project_ones_are_rejected(
    definition_data: dict[str, Any], write_definition: Write
) -> None:
    definition_data["axes"].append({"key": "mobilite", "label": {"fr": "Mobilité", "en": "Mobility"}})
    messages = _messages(write_definition, definition_data)
    assert messages == [
        "axes[3].key: must be one of cadre_de_vie, vivre_ensemble, harcelement_de_rue, got 'mobilite'"
    ]


def test_duplicate_keys_are_rejected(definition_data: dict[str, Any], write_definition: Write) -> None:
    definition_data["themes"][1]["key"] = "eclairage"
    definition_data["fields"][1]["choices"][1]["key"] = "light"
    definition_data["themes"][0]["subthemes"][1]["key"] = "lampadaire_en_panne"
    messages = _messages(write_definition, definition_data)
    assert "themes[1].key: duplicate key 'eclairage'" in messages
    assert "fields[1].choices[1].key: duplicate key 'light'" in messages
    assert "themes[0].subthemes[1].key: duplicate key 'lampadaire_en_panne'" in messages


def test_field_key_theme_is_reserved(definition_data: dict[str, Any], write_definition: Write) -> None:
    definition_data["fields"][3]["key"] = "theme"
    assert _messages(write_definition, definition_data) == [
        "fields[3].key: 'theme' is reserved for the observation's theme"
    ]


def test_keys_must_be_slugs(definition_data: dict[str, Any], write_definition: Write) -> None:
    definition_data["themes"][0]["key"] = "Éclairage public"
    messages = _messages(write_definition, definition_data)
    assert len(messages) == 1 and messages[0].startswith("themes[0].key: must be a key matching")


def test_boolean_version_is_rejected(definition_data: dict[str, Any], write_definition: Write) -> None:
    definition_data["version"] = True
    messages = _messages(write_definition, definition_data, "essai.v1.yaml")
    assert "version: must be a whole number from 1 to 10000, got True" in messages


def test_a_form_needs_at_least_one_theme(definition_data: dict[str, Any], write_definition: Write) -> None:
    definition_data["themes"] = []
    assert _messages(write_definition, definition_data) == ["themes: must have at least 1 item"]


def test_icon_needs_an_emoji_and_a_symbol(definition_data: dict[str, Any], write_definition: Write) -> None:
    definition_data["themes"][0]["icon"] = {"emoji": "lamp", "symbol": "Light Bulb"}
    messages = _messages(write_definition, definition_data)
    assert any(m.startswith("themes[0].icon.emoji: must be a short emoji") for m in messages)
    assert any(m.startswith("themes[0].icon.symbol: must be an icon name") for m in messages)


def test_yaml_booleans_are_not_taken_for_text(
    definition_data: dict[str, Any], write_definition: Write
) -> None:
    path = write_definition(definition_data)
    path.write_text(path.read_text(encoding="utf-8").replace("en: Fine\n", "en: yes\n", 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.messages == ["fields[0].choices[0].label.en: must be non-empty text"]


def test_duplicate_yaml_keys_are_rejected(definition_data: dict[str, Any], write_definition: Write) -> None:
    path = write_definition(definition_data)
    path.write_text(path.read_text(encoding="utf-8") + "key: essai\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="duplicate key 'key'"):
        load_definition(path)


def test_invalid_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "essai.v1.yaml"
    path.write_text("key: [essai\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="not valid UTF-8 YAML"):
        load_definition(path)


def test_a_definition_that_is_not_a_mapping_is_rejected() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(["key", "essai"])
    assert caught.value.messages == ["must be a mapping"]


def test_load_definitions_reports_the_errors_of_every_file(
    definition_data: dict[str, Any], write_definition: Write, tmp_path: Path
) -> None:
    write_definition(definition_data)
    definition_data["version"] = 2
    definition_data["title"]["fr"] = ""
    write_definition(definition_data)
    (tmp_path / "autre.v1.yaml").write_text("key: autre\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definitions(tmp_path)
    messages = caught.value.messages
    assert "essai.v2.yaml: title.fr: must be non-empty text" in messages
    assert "autre.v1.yaml: version: required" in messages
    assert not any(m.startswith("essai.v1.yaml") for m in messages)


def test_load_definitions_indexes_by_key_and_version(
    definition_data: dict[str, Any], write_definition: Write, tmp_path: Path
) -> None:
    write_definition(definition_data)
    definition_data["version"] = 2
    write_definition(definition_data)
    assert sorted(load_definitions(tmp_path)) == [("essai", 1), ("essai", 2)]


def test_parse_definition_hashes_the_data_when_there_is_no_file(definition_data: dict[str, Any]) -> None:
    first = parse_definition(definition_data)
    definition_data["title"]["en"] = "Another trial"
    assert parse_definition(definition_data).content_hash != first.content_hash
