"""Field types: each checks its own settings and normalises its answers."""

from __future__ import annotations

from typing import Any

import pytest

from mobile_forms.fields import (
    FIELD_TYPES,
    FieldType,
    InvalidAnswer,
    LocationField,
    LongTextField,
    MultipleChoiceField,
    PhotoField,
    Problems,
    RatingField,
    ShortTextField,
    SingleChoiceField,
    clean_text,
    field_type,
    parse_field,
    register_field_type,
)

CHOICES = [
    {"key": "positive", "label": {"fr": "Ça va", "en": "Fine"}},
    {"key": "negative", "label": {"fr": "Ça ne va pas", "en": "Not fine"}},
    {"key": "neutral", "label": {"fr": "Neutre", "en": "Neutral"}},
]


def _build(type_name: str, **settings: Any) -> tuple[FieldType, list[str]]:
    problems = Problems()
    kind = FIELD_TYPES[type_name].from_settings(settings, "fields[0]", problems)
    return kind, problems.messages


def _invalid(kind: FieldType, value: object) -> InvalidAnswer:
    with pytest.raises(InvalidAnswer) as caught:
        kind.normalise(value)
    return caught.value


# --- registry ---------------------------------------------------------------------------------------------


def test_registry_has_the_seven_field_types() -> None:
    assert sorted(FIELD_TYPES) == [
        "location", "long_text", "multiple_choice", "photo", "rating", "short_text", "single_choice",
    ]  # fmt: skip
    for name, cls in FIELD_TYPES.items():
        assert cls.name == name


def test_unknown_field_type_lookup_names_it_and_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown field type 'signature' .known: location, long_text"):
        field_type("signature")


def test_a_field_type_name_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_field_type(type("Copy", (RatingField,), {}))


def test_photo_and_location_are_checked_by_the_api() -> None:
    assert {name for name, cls in FIELD_TYPES.items() if cls.external} == {"photo", "location"}


# --- single_choice ----------------------------------------------------------------------------------------


def test_single_choice_requires_choices() -> None:
    assert _build("single_choice")[1] == ["fields[0].choices: required"]


def test_single_choice_needs_two_choices_with_labelled_unique_keys() -> None:
    _, messages = _build(
        "single_choice",
        choices=[{"key": "oui", "label": {"fr": "Oui"}}, {"key": "oui", "label": {"fr": "Oui", "en": "Yes"}}],
    )
    assert messages == [
        "fields[0].choices[0].label.en: required",
        "fields[0].choices[1].key: duplicate key 'oui'",
    ]
    assert _build("single_choice", choices=CHOICES[:1])[1] == [
        "fields[0].choices: must have at least 2 items"
    ]


def test_single_choice_accepts_a_known_key() -> None:
    kind, _ = _build("single_choice", choices=CHOICES)
    assert kind.normalise(" negative ") == "negative"
    assert kind.normalise("") is None
    assert kind.normalise(None) is None


def test_single_choice_unknown_key_is_rejected() -> None:
    kind, _ = _build("single_choice", choices=CHOICES)
    error = _invalid(kind, "maybe")
    assert (error.code, error.params) == ("unknown_choice", {"choices": ["maybe"]})


def test_single_choice_non_text_is_wrong_type() -> None:
    kind, _ = _build("single_choice", choices=CHOICES)
    assert _invalid(kind, 1).code == "wrong_type"
    assert _invalid(kind, ["positive"]).code == "wrong_type"


# --- multiple_choice --------------------------------------------------------------------------------------


def test_multiple_choice_max_must_fit_the_choices() -> None:
    assert _build("multiple_choice", choices=CHOICES, max=2)[1] == []
    assert _build("multiple_choice", choices=CHOICES, max=4)[1] == [
        "fields[0].max: must be a whole number from 1 to 3, got 4"
    ]
    assert _build("multiple_choice", choices=CHOICES, max=0)[1] != []


def test_multiple_choice_answers_are_deduplicated_in_definition_order() -> None:
    kind, _ = _build("multiple_choice", choices=CHOICES)
    assert kind.normalise(["neutral", "positive", "neutral"]) == ["positive", "neutral"]
    assert kind.normalise([]) is None


def test_multiple_choice_unknown_keys_are_all_named() -> None:
    kind, _ = _build("multiple_choice", choices=CHOICES)
    error = _invalid(kind, ["positive", "zut", "bof"])
    assert (error.code, error.params) == ("unknown_choice", {"choices": ["bof", "zut"]})


def test_multiple_choice_over_max_is_rejected() -> None:
    kind, _ = _build("multiple_choice", choices=CHOICES, max=2)
    error = _invalid(kind, ["positive", "negative", "neutral"])
    assert (error.code, error.params) == ("too_many_choices", {"max": 2, "count": 3})


def test_multiple_choice_needs_a_list_of_keys() -> None:
    kind, _ = _build("multiple_choice", choices=CHOICES)
    assert _invalid(kind, "positive").code == "wrong_type"
    assert _invalid(kind, ["positive", 3]).code == "wrong_type"


# --- rating -----------------------------------------------------------------------------------------------


def test_rating_defaults_to_one_to_five() -> None:
    kind, messages = _build("rating")
    assert messages == []
    assert isinstance(kind, RatingField) and (kind.min, kind.max) == (1, 5)


def test_rating_settings_are_bounded() -> None:
    assert _build("rating", min=3, max=3)[1] == ["fields[0].max: must be a whole number from 4 to 10, got 3"]
    assert _build("rating", max=11)[1] == ["fields[0].max: must be a whole number from 2 to 10, got 11"]
    assert _build("rating", min=True)[1] == ["fields[0].min: must be a whole number from 0 to 9, got True"]
    assert _build("rating", min_label={"fr": "Mal"})[1] == ["fields[0].min_label.en: required"]


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (5, 5), (3.0, 3), ("4", 4), (" 2 ", 2), ("", None)])
def test_rating_accepts_whole_numbers(value: object, expected: int | None) -> None:
    kind, _ = _build("rating")
    assert kind.normalise(value) == expected


@pytest.mark.parametrize("value", [0, 6, -1, "9", 5.0 + 1])
def test_rating_out_of_range_is_rejected(value: object) -> None:
    kind, _ = _build("rating")
    error = _invalid(kind, value)
    assert (error.code, error.params) == ("out_of_range", {"min": 1, "max": 5})


@pytest.mark.parametrize(
    "value", [True, False, 2.5, float("nan"), float("inf"), "3.5", "trois", [3], {"v": 3}]
)
def test_rating_rejects_booleans_fractions_and_other_types(value: object) -> None:
    kind, _ = _build("rating")
    assert _invalid(kind, value).code == "wrong_type"


# --- short_text / long_text -------------------------------------------------------------------------------


def test_text_lengths_default_to_280_and_2000() -> None:
    assert _build("short_text")[0] == ShortTextField(max_length=280)
    assert _build("long_text")[0] == LongTextField(max_length=2000)


def test_text_max_length_is_bounded() -> None:
    assert _build("short_text", max_length=0)[1] == [
        "fields[0].max_length: must be a whole number from 1 to 1000, got 0"
    ]
    assert _build("long_text", max_length=20_000)[1] != []
    assert _build("long_text", max_length="long")[1] != []


def test_text_length_is_counted_after_stripping() -> None:
    kind = ShortTextField(max_length=5)
    assert kind.normalise("   abcde \n ") == "abcde"
    error = _invalid(kind, "abcdef")
    assert (error.code, error.params) == ("too_long", {"max_length": 5, "length": 6})


def test_text_control_characters_are_removed_but_newlines_kept_in_long_text() -> None:
    assert (
        LongTextField().normalise("Lampadaire\x00 cassé\r\nrue\x1b Hugo\x7f") == "Lampadaire cassé\nrue Hugo"
    )
    assert ShortTextField().normalise("deux\nlignes\ttab") == "deux lignes tab"


def test_text_keeps_emoji_sequences_and_composes_accents() -> None:
    assert LongTextField().normalise("e\u0301clairage 👩\u200d👧") == "éclairage 👩\u200d👧"


def test_text_blank_is_no_answer_and_non_text_is_wrong_type() -> None:
    assert LongTextField().normalise(" \n\t ") is None
    assert _invalid(LongTextField(), 12).code == "wrong_type"


def _clean_each_character(value: str, *, multiline: bool) -> str:
    """``clean_text`` as it was: every character looked at."""
    import re
    import unicodedata

    text = re.sub(r"\r\n?", "\n", unicodedata.normalize("NFC", value)).replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs")).strip()


@pytest.mark.parametrize("multiline", [True, False])
def test_clean_text_keeps_printable_text_whole_and_looks_at_each_character_otherwise(multiline: bool) -> None:
    """Printable text skips the look at each character: the answers must be those of the look."""
    import random
    import sys

    samples = [
        "Lampadaire en panne depuis 3 semaines, rue de la Paix.",
        "Ligne 1\r\nLigne 2\rLigne 3\n\tindentée",
        "emoji 👩‍👧 avec ZWJ (Cf) et\u200bespace nulle",
        "contrôle \x00\x07\x1b[31m et \x7f\x9f",
        "surrogate a\ud800b",
        "séparateurs \u2028 \u2029 \u00a0 insécable",
        "privé \ue000 non assigné \U000e0001",
        "",
        "   ",
    ]
    rng = random.Random(7)
    for _ in range(300):
        top = 0x3000 if rng.random() < 0.9 else sys.maxunicode
        samples.append("".join(chr(rng.randrange(0, top)) for _ in range(12)))
    for value in samples:
        assert clean_text(value, multiline=multiline) == _clean_each_character(value, multiline=multiline)


def test_clean_text_drops_lone_surrogates() -> None:
    assert clean_text("a\ud800b", multiline=True) == "ab"


# --- photo / location -------------------------------------------------------------------------------------


def test_photo_max_count_defaults_to_three_and_is_bounded() -> None:
    assert _build("photo")[0] == PhotoField(max_count=3)
    assert _build("photo", max_count=11)[1] == [
        "fields[0].max_count: must be a whole number from 1 to 10, got 11"
    ]


def test_photo_and_location_values_are_passed_through() -> None:
    point = {"lat": 49.89, "lon": 2.30}
    assert LocationField().normalise(point) is point
    assert PhotoField().normalise(["a.jpg"]) == ["a.jpg"]


def test_location_has_no_settings() -> None:
    problems = Problems()
    parse_field(
        {
            "key": "where",
            "type": "location",
            "label": {"fr": "Où", "en": "Where"},
            "required": True,
            "max": 1,
        },
        "fields[0]",
        problems,
    )
    allowed = "asked, help, key, label, required, type"
    assert problems.messages == [f"fields[0].max: unknown key (allowed: {allowed})"]


# --- a whole field ----------------------------------------------------------------------------------------


def test_field_required_must_be_a_boolean() -> None:
    problems = Problems()
    parse_field(
        {"key": "note", "type": "long_text", "label": {"fr": "N", "en": "N"}, "required": "yes"},
        "f",
        problems,
    )
    assert problems.messages == ["f.required: must be true or false, got 'yes'"]


def test_field_to_dict_describes_type_settings_in_the_language() -> None:
    problems = Problems()
    definition_field = parse_field(
        {
            "key": "feeling",
            "type": "rating",
            "label": {"fr": "Ressenti", "en": "Feeling"},
            "required": False,
            "help": {"fr": "Aide", "en": "Help"},
            "min_label": {"fr": "Mal", "en": "Bad"},
        },
        "fields[0]",
        problems,
    )
    assert problems.messages == []
    assert definition_field is not None
    assert definition_field.to_dict("en") == {
        "key": "feeling",
        "type": "rating",
        "label": "Feeling",
        "help": "Help",
        "required": False,
        "asked": "always",
        "external": False,
        "min": 1,
        "max": 5,
        "min_label": "Bad",
        "max_label": None,
    }


@pytest.mark.parametrize("type_name", sorted(FIELD_TYPES))
def test_settings_round_trip_through_to_settings(type_name: str) -> None:
    settings: dict[str, Any] = {"choices": CHOICES} if "choice" in type_name else {}
    kind, messages = _build(type_name, **settings)
    assert messages == []
    again, messages = _build(type_name, **kind.to_settings())
    assert messages == [] and again == kind


def test_single_and_multiple_choice_share_choice_parsing() -> None:
    single, _ = _build("single_choice", choices=CHOICES)
    multiple, _ = _build("multiple_choice", choices=CHOICES)
    assert isinstance(single, SingleChoiceField) and isinstance(multiple, MultipleChoiceField)
    assert single.choices == multiple.choices


def test_a_field_may_be_asked_only_about_sensitive_themes_or_only_about_the_others() -> None:
    problems = Problems()
    base = {"type": "single_choice", "label": {"fr": "Q", "en": "Q"}, "required": True}
    choices = {"choices": [{"key": k, "label": {"fr": k, "en": k}} for k in ("a", "b")]}
    lived = parse_field({"key": "vecu", "asked": "sensitive", **base, **choices}, "fields[0]", problems)
    good_bad = parse_field({"key": "polarity", **base, **choices}, "fields[1]", problems)
    anyway = parse_field({"key": "polarity", "asked": "always", **base, **choices}, "fields[2]", problems)
    wrong = parse_field({"key": "x", "asked": "parfois", **base, **choices}, "fields[3]", problems)
    assert problems.messages == ["fields[3].asked: must be one of always, sensitive, other, got 'parfois'"]
    assert lived.is_asked(True) and not lived.is_asked(False)
    # the good/bad question is not asked about harassment unless the form says so
    assert good_bad.asked == "other" and not good_bad.is_asked(True) and good_bad.is_asked(False)
    assert anyway.is_asked(True) and anyway.is_asked(False)
    assert wrong.asked == "always"
