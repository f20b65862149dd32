"""Answers of an observation: checked against the definition, normalised, errors bilingual and stable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mobile_forms.answers import (
    ERROR_MESSAGES,
    PAYLOAD_KEY,
    AnswerError,
    AnswerErrors,
    NormalisedAnswers,
    validate_answers,
)
from mobile_forms.schema import FormDefinition, latest


@pytest.fixture(scope="module")
def grid() -> FormDefinition:
    return latest("marche_exploratoire")


def _errors(definition: FormDefinition, payload: Any) -> dict[str, list[str]]:
    with pytest.raises(AnswerErrors) as caught:
        validate_answers(definition, payload)
    return {key: [error.code for error in errors] for key, errors in caught.value.errors.items()}


QUICK = {"theme": "eclairage", "polarity": "negative", "location": {"lat": 49.894, "lon": 2.295}}


def test_quick_observation_with_theme_polarity_and_location_is_valid(grid: FormDefinition) -> None:
    answers = validate_answers(grid, QUICK)
    assert answers == NormalisedAnswers(
        form_key="marche_exploratoire",
        form_version=grid.version,
        theme="eclairage",
        subtheme=None,
        values={"polarity": "negative"},
        external={"location": {"lat": 49.894, "lon": 2.295}},
    )


def test_full_observation_is_normalised(grid: FormDefinition) -> None:
    payload = {
        **QUICK,
        "subtheme": "lampadaire_en_panne",
        "feeling": "2",
        "moment": "mostly_at_night",
        "note": "  Le lampadaire\x07 ne marche plus.\r\nDepuis un mois.  ",
        "proposal": "",
        "photos": ["photo-1"],
    }
    answers = validate_answers(grid, payload)
    assert answers.subtheme == "lampadaire_en_panne"
    assert dict(answers.values) == {
        "polarity": "negative",
        "feeling": 2,
        "moment": "mostly_at_night",
        "note": "Le lampadaire ne marche plus.\nDepuis un mois.",
    }
    assert dict(answers.external) == {"location": QUICK["location"], "photos": ["photo-1"]}


def test_to_dict_is_the_json_stored_with_the_observation(grid: FormDefinition) -> None:
    stored = validate_answers(grid, {**QUICK, "feeling": 4.0}).to_dict()
    assert json.loads(json.dumps(stored)) == {
        "form": "marche_exploratoire",
        "version": grid.version,
        "theme": "eclairage",
        "subtheme": None,
        "answers": {"polarity": "negative", "feeling": 4},
    }


def test_missing_theme_is_required(grid: FormDefinition) -> None:
    assert _errors(grid, {"polarity": "positive"}) == {"theme": ["required"]}
    assert _errors(grid, {"theme": "  ", "polarity": "positive"}) == {"theme": ["required"]}


def test_unknown_theme_is_rejected(grid: FormDefinition) -> None:
    assert _errors(grid, {**QUICK, "theme": "securite"}) == {"theme": ["unknown_theme"]}
    assert _errors(grid, {**QUICK, "theme": 3}) == {"theme": ["wrong_type"]}


def test_subtheme_of_another_theme_is_rejected(grid: FormDefinition) -> None:
    assert _errors(grid, {**QUICK, "subtheme": "tags"}) == {"subtheme": ["unknown_subtheme"]}


def test_required_polarity_is_checked(grid: FormDefinition) -> None:
    assert _errors(grid, {"theme": "eclairage"}) == {"polarity": ["required"]}
    assert _errors(grid, {"theme": "eclairage", "polarity": ""}) == {"polarity": ["required"]}


def test_required_location_is_left_to_the_api(grid: FormDefinition) -> None:
    answers = validate_answers(grid, {"theme": "eclairage", "polarity": "neutral"})
    assert dict(answers.external) == {}


def test_unknown_choice_is_rejected(grid: FormDefinition) -> None:
    assert _errors(grid, {**QUICK, "polarity": "bof"}) == {"polarity": ["unknown_choice"]}


def test_rating_out_of_range_is_rejected(grid: FormDefinition) -> None:
    assert _errors(grid, {**QUICK, "feeling": 6}) == {"feeling": ["out_of_range"]}


@pytest.mark.parametrize("value", [True, 2.5, "beaucoup"])
def test_rating_that_is_not_a_whole_number_is_wrong_type(grid: FormDefinition, value: object) -> None:
    assert _errors(grid, {**QUICK, "feeling": value}) == {"feeling": ["wrong_type"]}


def test_text_too_long_after_stripping_is_rejected(grid: FormDefinition) -> None:
    assert (
        validate_answers(grid, {**QUICK, "note": " " * 50 + "x" * 2000 + "\n"}).values["note"] == "x" * 2000
    )
    assert _errors(grid, {**QUICK, "note": "x" * 2001}) == {"note": ["too_long"]}


def test_unknown_keys_are_rejected(grid: FormDefinition) -> None:
    assert _errors(grid, {**QUICK, "comment": "hello", "walk_id": 3}) == {
        "comment": ["unknown_field"],
        "walk_id": ["unknown_field"],
    }


def test_every_problem_is_reported_at_once(grid: FormDefinition) -> None:
    payload = {"theme": "eclairage", "subtheme": "tags", "feeling": 0, "moment": "hier", "extra": 1}
    assert _errors(grid, payload) == {
        "subtheme": ["unknown_subtheme"],
        "extra": ["unknown_field"],
        "polarity": ["required"],
        "feeling": ["out_of_range"],
        "moment": ["unknown_choice"],
    }


def test_payload_that_is_not_a_mapping_is_wrong_type(grid: FormDefinition) -> None:
    assert _errors(grid, ["eclairage"]) == {PAYLOAD_KEY: ["wrong_type"]}


def test_errors_carry_french_and_english_messages_and_params(grid: FormDefinition) -> None:
    with pytest.raises(AnswerErrors) as caught:
        validate_answers(grid, {**QUICK, "note": "x" * 2001, "feeling": 9})
    too_long = caught.value.errors["note"][0]
    assert too_long.code == "too_long"
    assert too_long.message_fr == "Texte trop long : 2001 caractères pour 2000 au plus."
    assert too_long.message_en == "Text too long: 2001 characters, 2000 at most."
    assert dict(too_long.params) == {"max_length": 2000, "length": 2001}
    assert caught.value.to_dict()["feeling"] == [
        {
            "code": "out_of_range",
            "message": {"fr": "Choisissez une note de 1 à 5.", "en": "Choose a rating from 1 to 5."},
            "params": {"min": 1, "max": 5},
        }
    ]
    json.dumps(caught.value.to_dict())


def test_multiple_choice_answers_are_checked(small_definition: FormDefinition) -> None:
    base = {"theme": "proprete", "polarity": "positive"}
    answers = validate_answers(small_definition, {**base, "needs": ["bin", "light", "bin"]})
    assert answers.values["needs"] == ["light", "bin"]
    assert _errors(small_definition, {**base, "needs": ["light", "bench", "bin"]}) == {
        "needs": ["too_many_choices"]
    }
    assert _errors(small_definition, {**base, "needs": ["wifi"]}) == {"needs": ["unknown_choice"]}
    assert _errors(small_definition, {**base, "needs": "light"}) == {"needs": ["wrong_type"]}


def test_short_text_is_checked(small_definition: FormDefinition) -> None:
    base = {"theme": "proprete", "polarity": "positive"}
    assert validate_answers(small_definition, {**base, "title": " Rue\nHugo "}).values["title"] == "Rue Hugo"
    assert _errors(small_definition, {**base, "title": "x" * 11}) == {"title": ["too_long"]}


@pytest.mark.parametrize("code", sorted(ERROR_MESSAGES))
def test_every_error_code_has_french_and_english_messages(code: str) -> None:
    params = {"choices": ["a", "b"], "max": 2, "min": 1, "length": 3, "max_length": 2, "count": 3}
    error = AnswerError.build(code, **params)
    assert error.message_fr and error.message_en and error.message_fr != error.message_en
    assert "{" not in error.message_fr + error.message_en


def test_stored_answers_are_shown_with_the_forms_labels_in_its_order(
    small_definition: FormDefinition,
) -> None:
    from mobile_forms import ShownAnswer, shown_answers

    stored = {"note": "Trop noir", "needs": ["bin", "light"], "feeling": 2, "gone": "x", "title": ""}
    assert shown_answers(small_definition, stored, "fr") == [
        ShownAnswer("needs", "Besoins", "Poubelle, Lumière"),
        ShownAnswer("feeling", "Ressenti", "2 / 5"),
        ShownAnswer("note", "Note", "Trop noir"),
    ]
    assert [a.answer for a in shown_answers(small_definition, {"polarity": "negative"}, "en")] == ["Not fine"]


def test_a_sensitive_theme_needs_no_good_bad_answer_and_keeps_none() -> None:
    from mobile_forms import get_definition

    grid = get_definition("marche_exploratoire", 2)
    harassment = validate_answers(grid, {"theme": "harcelement", "subtheme": "regards_suivi"})
    assert "polarity" not in harassment.values
    # sent anyway (an older page): not kept either, so both pages store the same thing
    sent_anyway = validate_answers(grid, {"theme": "harcelement", "polarity": "positive", "feeling": 1})
    assert "polarity" not in sent_anyway.values and sent_anyway.values["feeling"] == 1
    with pytest.raises(AnswerErrors) as refused:
        validate_answers(grid, {"theme": "eclairage"})
    assert [e.code for e in refused.value.errors["polarity"]] == ["required"]
