"""Field types of observation forms, as a registry of classes.

Each field type is one frozen dataclass registered under its ``name`` (the ``type`` written in a definition
file). Like indico's registration field classes, a type knows three things: which settings it accepts
(:meth:`FieldType.from_settings` checks them and records every problem with its path), how to check and
normalise one answer (:meth:`FieldType.normalise`), and how to describe itself to the capture page
(:meth:`FieldType.describe`). The lower-level pieces every definition needs (localised text, keys,
collected problems) live here too, so that ``schema.py`` can import this module and not the reverse.
"""

from __future__ import annotations

import math
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Self, TypeVar

#: keys of forms, themes, sub-themes, fields, axes and principles: they end up in URLs, JSON and HTML names
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: choice keys may start with a digit ("1", "24_7"), which imported XLSForm lists often do
CHOICE_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
#: every text shown to people exists in these languages, French first
REQUIRED_LANGUAGES = ("fr", "en")
#: other languages may be added (ISO 639-1 or 639-3 codes), e.g. a workbook's Swahili labels
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")


class _Missing:
    """Type of :data:`MISSING`."""

    def __repr__(self) -> str:
        return "MISSING"


#: stands for an absent key: ``check_mapping`` already reported it, so the parsers below stay silent
MISSING: Final = _Missing()


# --- collected problems -----------------------------------------------------------------------------------


class Problems:
    """Every problem found in a definition, each prefixed with the path of the offending value."""

    def __init__(self) -> None:
        #: messages like ``themes[3].subthemes[1].label.fr: required``
        self.messages: list[str] = []

    def add(self, path: str, message: str) -> None:
        """Record one problem at ``path``."""
        self.messages.append(f"{path}: {message}" if path else message)

    def __bool__(self) -> bool:
        return bool(self.messages)


def join_path(path: str, key: str) -> str:
    """Path of mapping entry ``key`` below ``path``."""
    return f"{path}.{key}" if path else key


def item_path(path: str, index: int) -> str:
    """Path of list item ``index`` below ``path``."""
    return f"{path}[{index}]"


def check_mapping(
    raw: object, path: str, problems: Problems, *, required: Sequence[str], optional: Sequence[str] = ()
) -> Mapping[str, Any] | None:
    """Return ``raw`` if it is a mapping, reporting missing required keys and unknown keys."""
    if raw is MISSING:
        return None
    if not isinstance(raw, Mapping):
        problems.add(path, "must be a mapping")
        return None
    for key in required:
        if key not in raw:
            problems.add(join_path(path, key), "required")
    allowed = set(required) | set(optional)
    for key in raw:
        if key not in allowed:
            # a typo in an optional setting would otherwise be silently ignored
            problems.add(join_path(path, str(key)), f"unknown key (allowed: {', '.join(sorted(allowed))})")
    return raw


def check_list(raw: object, path: str, problems: Problems, *, min_items: int = 0) -> list[Any]:
    """Return ``raw`` as a list, or an empty list after reporting why it is not one."""
    if raw is MISSING:
        return []
    if not isinstance(raw, list):
        problems.add(path, "must be a list")
        return []
    if len(raw) < min_items:
        problems.add(path, f"must have at least {min_items} item{'s' if min_items > 1 else ''}")
    return raw


def parse_key(raw: object, path: str, problems: Problems, pattern: re.Pattern[str] = KEY_PATTERN) -> str:
    """Return a valid key, or ``""`` after reporting the problem."""
    if raw is MISSING:
        return ""
    if not isinstance(raw, str) or not pattern.match(raw):
        problems.add(path, f"must be a key matching {pattern.pattern}, got {raw!r}")
        return ""
    return raw


def parse_bool(raw: object, path: str, problems: Problems) -> bool:
    """Return a boolean, reporting anything else (YAML's ``yes`` is already a boolean)."""
    if raw is MISSING:
        return False
    if not isinstance(raw, bool):
        problems.add(path, f"must be true or false, got {raw!r}")
        return False
    return raw


def parse_int(raw: object, path: str, problems: Problems, *, minimum: int, maximum: int) -> int:
    """Return an integer within bounds, or ``minimum`` after reporting the problem."""
    if raw is MISSING:
        return minimum
    # bool is an int subclass: `true` must not pass for 1
    if isinstance(raw, bool) or not isinstance(raw, int) or not minimum <= raw <= maximum:
        problems.add(path, f"must be a whole number from {minimum} to {maximum}, got {raw!r}")
        return minimum
    return raw


def parse_unique_keys(
    items: Sequence[Any], path: str, problems: Problems, *, get_key: Callable[[Any], str]
) -> None:
    """Report keys that appear more than once among ``items``."""
    seen: set[str] = set()
    for index, item in enumerate(items):
        key = get_key(item)
        if key and key in seen:
            problems.add(join_path(item_path(path, index), "key"), f"duplicate key {key!r}")
        seen.add(key)


# --- localised text ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalizedText:
    """A text shown to people, in French and English and optionally other languages."""

    #: French text, always present: the people Arpenteur is for read it first
    fr: str
    #: English text, always present
    en: str
    #: other languages, as sorted ``(code, text)`` pairs
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, lang: str) -> str:
        """Text in ``lang``, falling back to French for a language the definition lacks."""
        if lang == "en":
            return self.en
        return dict(self.extra).get(lang, self.fr)

    def languages(self) -> tuple[str, ...]:
        """Language codes this text exists in."""
        return (*REQUIRED_LANGUAGES, *(code for code, _ in self.extra))

    def to_dict(self) -> dict[str, str]:
        """The text as written in a definition file."""
        return {"fr": self.fr, "en": self.en, **dict(self.extra)}


def parse_text(raw: object, path: str, problems: Problems) -> LocalizedText:
    """Read a ``{fr: ..., en: ...}`` mapping, reporting each missing or blank language."""
    if raw is MISSING:
        return LocalizedText("", "")
    if not isinstance(raw, Mapping):
        problems.add(path, "must be a mapping of language code to text, e.g. {fr: ..., en: ...}")
        return LocalizedText("", "")
    texts: dict[str, str] = {}
    for lang in REQUIRED_LANGUAGES:
        if lang not in raw:
            problems.add(join_path(path, lang), "required")
    for lang, text in raw.items():
        lang_path = join_path(path, str(lang))
        if not isinstance(lang, str) or not LANGUAGE_PATTERN.match(lang):
            problems.add(lang_path, "must be a language code such as fr or en")
        elif not isinstance(text, str) or not text.strip():
            problems.add(lang_path, "must be non-empty text")
        else:
            texts[lang] = text.strip()
    extra = tuple(sorted((k, v) for k, v in texts.items() if k not in REQUIRED_LANGUAGES))
    return LocalizedText(texts.get("fr", ""), texts.get("en", ""), extra)


# --- answers ----------------------------------------------------------------------------------------------


class InvalidAnswer(Exception):
    """Raised by :meth:`FieldType.normalise`; ``answers.py`` turns it into a bilingual ``AnswerError``."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        #: one of the stable codes listed in ``answers.ERROR_MESSAGES``
        self.code = code
        #: values the message needs, e.g. ``max_length``
        self.params: dict[str, Any] = params


_CRLF = re.compile(r"\r\n?")


def clean_text(value: str, *, multiline: bool) -> str:
    """Normalise submitted text: NFC, no control characters but newlines, no surrounding blanks."""
    text = _CRLF.sub("\n", unicodedata.normalize("NFC", value)).replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    # Cc: control characters; Cs: lone surrogates, which JSON allows but PostgreSQL rejects.
    # Cf (zero-width joiner...) is kept: emoji sequences need it. Text Python deems printable (but for
    # its newlines) has neither, and is kept whole without looking at each character (a phone's note
    # on the ingest's path: about 0.4 µs a character).
    if not (text.replace("\n", "") if multiline else text).isprintable():
        text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return text.strip()


# --- field types ------------------------------------------------------------------------------------------

_FieldTypeClass = TypeVar("_FieldTypeClass", bound="type[FieldType]")

#: field type name -> class, filled by :func:`register_field_type`
FIELD_TYPES: dict[str, type[FieldType]] = {}


def register_field_type(cls: _FieldTypeClass) -> _FieldTypeClass:
    """Class decorator adding a field type to :data:`FIELD_TYPES` under its ``name``."""
    if cls.name in FIELD_TYPES:
        raise ValueError(f"field type {cls.name!r} is already registered")
    FIELD_TYPES[cls.name] = cls
    return cls


def field_type(name: str) -> type[FieldType]:
    """The field type class registered as ``name``; ``KeyError`` names the known ones."""
    try:
        return FIELD_TYPES[name]
    except KeyError:
        raise KeyError(f"unknown field type {name!r} (known: {', '.join(sorted(FIELD_TYPES))})") from None


class FieldType(ABC):
    """Base of field types: settings in, answers checked and normalised, a description out."""

    #: the ``type`` written in definition files
    name: ClassVar[str]
    #: setting keys this type accepts besides the common ones (key, type, label, required, help)
    setting_keys: ClassVar[tuple[str, ...]] = ()
    #: True when the API, not ``validate_answers``, checks values (coordinates, uploaded photos)
    external: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def from_settings(cls, raw: Mapping[str, Any], path: str, problems: Problems) -> Self:
        """Build the type from a field's settings, recording every problem; defaults fill the gaps."""

    @abstractmethod
    def normalise(self, value: object) -> Any:
        """Return the cleaned, JSON-able answer, ``None`` when empty; raise ``InvalidAnswer`` otherwise."""

    def normalise_json(self, value: object) -> Any:
        """:meth:`normalise` for a JSON client (the API), which must send the types its schema says.

        A plain HTML form can only send text ("4" for a rating); a JSON client has no such excuse, so
        what its published schema refuses is refused here too (a fuzzer checks the two agree).
        """
        return self.normalise(value)

    def json_schema(self) -> dict[str, Any]:
        """JSON Schema of a non-blank answer (the API's OpenAPI document is built from it)."""
        return {}

    def blank_json_schema(self) -> dict[str, Any] | None:
        """JSON Schema of a blank answer besides ``null`` (e.g. ``""``), or None if there is none."""
        return None

    def describe(self, lang: str) -> dict[str, Any]:
        """Settings the capture page needs, with texts in ``lang``."""
        return {}

    def to_settings(self) -> dict[str, Any]:
        """Settings as written in a definition file (the inverse of ``from_settings``)."""
        return {}


@dataclass(frozen=True)
class Choice:
    """One answer of a choice field."""

    #: stored in answers; never reused for another meaning
    key: str
    #: what people read
    label: LocalizedText


def parse_choices(raw: object, path: str, problems: Problems) -> tuple[Choice, ...]:
    """Read a list of at least two ``{key, label}`` choices with unique keys."""
    choices = []
    for index, item in enumerate(check_list(raw, path, problems, min_items=2)):
        choice_path = item_path(path, index)
        data = check_mapping(item, choice_path, problems, required=("key", "label"))
        if data is None:
            continue
        choices.append(
            Choice(
                key=parse_key(
                    data.get("key", MISSING), join_path(choice_path, "key"), problems, CHOICE_KEY_PATTERN
                ),
                label=parse_text(data.get("label", MISSING), join_path(choice_path, "label"), problems),
            )
        )
    parse_unique_keys(choices, path, problems, get_key=lambda choice: choice.key)
    return tuple(choices)


def _choice_value(value: object) -> str | None:
    """A submitted choice key, ``None`` when empty."""
    if not isinstance(value, str):
        raise InvalidAnswer("wrong_type", expected="choice_key")
    return value.strip() or None


@register_field_type
@dataclass(frozen=True)
class SingleChoiceField(FieldType):
    """Exactly one answer from a list (the ``polarity`` of an observation)."""

    name: ClassVar[str] = "single_choice"
    setting_keys: ClassVar[tuple[str, ...]] = ("choices",)

    #: in display order
    choices: tuple[Choice, ...]

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any], path: str, problems: Problems) -> Self:
        """Read ``choices`` (required)."""
        if "choices" not in raw:
            problems.add(join_path(path, "choices"), "required")
            return cls(choices=())
        return cls(choices=parse_choices(raw["choices"], join_path(path, "choices"), problems))

    def normalise(self, value: object) -> str | None:
        """Return the choice key."""
        if value is None:
            return None
        key = _choice_value(value)
        if key is not None and key not in {choice.key for choice in self.choices}:
            raise InvalidAnswer("unknown_choice", choices=[key[:64]])
        return key

    def normalise_json(self, value: object) -> str | None:
        """As :meth:`normalise`, but a key must be sent exactly (no surrounding spaces)."""
        if isinstance(value, str) and value.strip() and value != value.strip():
            raise InvalidAnswer("unknown_choice", choices=[value[:64]])
        return self.normalise(value)

    def json_schema(self) -> dict[str, Any]:
        """One of the choice keys."""
        return {"type": "string", "enum": [c.key for c in self.choices]}

    def blank_json_schema(self) -> dict[str, Any] | None:
        """Spaces only."""
        return {"type": "string", "pattern": r"^\s*$"}

    def describe(self, lang: str) -> dict[str, Any]:
        """The choices with their labels."""
        return {"choices": [{"key": c.key, "label": c.label.get(lang)} for c in self.choices]}

    def to_settings(self) -> dict[str, Any]:
        """The choices as written in a definition file."""
        return {"choices": [{"key": c.key, "label": c.label.to_dict()} for c in self.choices]}


@register_field_type
@dataclass(frozen=True)
class MultipleChoiceField(FieldType):
    """Any number of answers from a list, optionally at most ``max``."""

    name: ClassVar[str] = "multiple_choice"
    setting_keys: ClassVar[tuple[str, ...]] = ("choices", "max")

    #: in display order, which is also the order of stored answers
    choices: tuple[Choice, ...]
    #: most answers one may tick; ``None`` for no limit
    max: int | None = None

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any], path: str, problems: Problems) -> Self:
        """Read ``choices`` (required) and ``max`` (from 1 to the number of choices)."""
        if "choices" not in raw:
            problems.add(join_path(path, "choices"), "required")
            return cls(choices=())
        choices = parse_choices(raw["choices"], join_path(path, "choices"), problems)
        maximum = None
        if raw.get("max") is not None:
            maximum = parse_int(raw["max"], join_path(path, "max"), problems, minimum=1, maximum=len(choices))
        return cls(choices=choices, max=maximum)

    def normalise(self, value: object) -> list[str] | None:
        """Return the ticked keys without duplicates, in the definition's order."""
        if value is None:
            return None
        if not isinstance(value, list | tuple):
            raise InvalidAnswer("wrong_type", expected="list_of_choice_keys")
        keys = {key for key in map(_choice_value, value) if key is not None}
        known = [choice.key for choice in self.choices]
        unknown = sorted(keys.difference(known))
        if unknown:
            raise InvalidAnswer("unknown_choice", choices=[key[:64] for key in unknown])
        if self.max is not None and len(keys) > self.max:
            raise InvalidAnswer("too_many_choices", max=self.max, count=len(keys))
        return [key for key in known if key in keys] or None

    def normalise_json(self, value: object) -> list[str] | None:
        """As :meth:`normalise`, but every item must be a key sent exactly (no blank item)."""
        if isinstance(value, list | tuple):
            odd = [v for v in value if not isinstance(v, str) or not v or v != v.strip()]
            if odd:
                raise InvalidAnswer("unknown_choice", choices=[str(v)[:64] for v in odd])
        return self.normalise(value)

    def json_schema(self) -> dict[str, Any]:
        """A list of choice keys (repeats are merged)."""
        schema: dict[str, Any] = {
            "type": "array",
            "items": {"type": "string", "enum": [c.key for c in self.choices]},
            "minItems": 1,
        }
        if self.max is not None:
            # repeats are merged, so the limit counts distinct keys: only lists of distinct keys
            # can be held to it in a schema
            schema["uniqueItems"] = True
            schema["maxItems"] = self.max
        return schema

    def blank_json_schema(self) -> dict[str, Any] | None:
        """An empty list."""
        return {"type": "array", "maxItems": 0}

    def describe(self, lang: str) -> dict[str, Any]:
        """The choices with their labels and the limit."""
        return {
            "choices": [{"key": c.key, "label": c.label.get(lang)} for c in self.choices],
            "max": self.max,
        }

    def to_settings(self) -> dict[str, Any]:
        """The choices and limit as written in a definition file."""
        settings: dict[str, Any] = {
            "choices": [{"key": c.key, "label": c.label.to_dict()} for c in self.choices]
        }
        if self.max is not None:
            settings["max"] = self.max
        return settings


#: accepted as a rating: a plain HTML form posts "4", not 4
_INTEGER_TEXT = re.compile(r"^\s*[+-]?\d{1,6}\s*$")


@register_field_type
@dataclass(frozen=True)
class RatingField(FieldType):
    """A whole number on a short scale, 1 to 5 by default, with words for both ends."""

    name: ClassVar[str] = "rating"
    setting_keys: ClassVar[tuple[str, ...]] = ("min", "max", "min_label", "max_label")

    #: lowest value
    min: int = 1
    #: highest value
    max: int = 5
    #: what the lowest value means ("Très mal à l'aise")
    min_label: LocalizedText | None = None
    #: what the highest value means ("Tout à fait à l'aise")
    max_label: LocalizedText | None = None

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any], path: str, problems: Problems) -> Self:
        """Read ``min`` (0-9, default 1), ``max`` (above min, at most 10, default 5) and end labels."""
        low = parse_int(raw.get("min", 1), join_path(path, "min"), problems, minimum=0, maximum=9)
        high = parse_int(raw.get("max", 5), join_path(path, "max"), problems, minimum=low + 1, maximum=10)
        labels = {
            name: parse_text(raw[name], join_path(path, name), problems)
            if raw.get(name) is not None
            else None
            for name in ("min_label", "max_label")
        }
        return cls(min=low, max=high, **labels)

    def normalise(self, value: object) -> int | None:
        """Return the value as an int; whole floats and digit strings are accepted, bools are not."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise InvalidAnswer("wrong_type", expected="integer")
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                raise InvalidAnswer("wrong_type", expected="integer")
            value = int(value)
        elif isinstance(value, str):
            if not _INTEGER_TEXT.match(value):
                raise InvalidAnswer("wrong_type", expected="integer")
            value = int(value)
        elif not isinstance(value, int):
            raise InvalidAnswer("wrong_type", expected="integer")
        if not self.min <= value <= self.max:
            raise InvalidAnswer("out_of_range", min=self.min, max=self.max)
        return value

    def normalise_json(self, value: object) -> int | None:
        """As :meth:`normalise`, but a number must be sent as a JSON number, not as text."""
        if isinstance(value, str):
            raise InvalidAnswer("wrong_type", expected="integer")
        return self.normalise(value)

    def json_schema(self) -> dict[str, Any]:
        """A whole number on the scale."""
        return {"type": "integer", "minimum": self.min, "maximum": self.max}

    def describe(self, lang: str) -> dict[str, Any]:
        """The scale and the words for its ends."""
        return {
            "min": self.min,
            "max": self.max,
            "min_label": self.min_label.get(lang) if self.min_label else None,
            "max_label": self.max_label.get(lang) if self.max_label else None,
        }

    def to_settings(self) -> dict[str, Any]:
        """The scale as written in a definition file."""
        settings: dict[str, Any] = {"min": self.min, "max": self.max}
        if self.min_label:
            settings["min_label"] = self.min_label.to_dict()
        if self.max_label:
            settings["max_label"] = self.max_label.to_dict()
        return settings


@dataclass(frozen=True)
class _TextField(FieldType):
    """Shared behaviour of the text types."""

    #: the type's limits: (default, largest allowed) max_length
    limits: ClassVar[tuple[int, int]]
    #: whether newlines are kept
    multiline: ClassVar[bool]
    setting_keys: ClassVar[tuple[str, ...]] = ("max_length",)

    #: characters allowed after cleaning
    max_length: int

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any], path: str, problems: Problems) -> Self:
        """Read ``max_length`` (default and upper bound depend on the type)."""
        default, largest = cls.limits
        length = parse_int(
            raw.get("max_length", default),
            join_path(path, "max_length"),
            problems,
            minimum=1,
            maximum=largest,
        )
        return cls(max_length=length)

    def normalise(self, value: object) -> str | None:
        """Return the cleaned text; its length is counted after cleaning."""
        if value is None:
            return None
        if not isinstance(value, str):
            raise InvalidAnswer("wrong_type", expected="text")
        text = clean_text(value, multiline=self.multiline)
        if len(text) > self.max_length:
            raise InvalidAnswer("too_long", max_length=self.max_length, length=len(text))
        return text or None

    def json_schema(self) -> dict[str, Any]:
        """Text with something besides spaces, within the length limit."""
        return {"type": "string", "pattern": r"\S", "maxLength": self.max_length}

    def blank_json_schema(self) -> dict[str, Any] | None:
        """Spaces only."""
        return {"type": "string", "pattern": r"^\s*$"}

    def describe(self, lang: str) -> dict[str, Any]:
        """The length limit."""
        return {"max_length": self.max_length}

    def to_settings(self) -> dict[str, Any]:
        """The length limit as written in a definition file."""
        return {"max_length": self.max_length}


@register_field_type
@dataclass(frozen=True)
class ShortTextField(_TextField):
    """One line of text, 280 characters by default."""

    name: ClassVar[str] = "short_text"
    limits: ClassVar[tuple[int, int]] = (280, 1000)
    multiline: ClassVar[bool] = False

    max_length: int = 280


@register_field_type
@dataclass(frozen=True)
class LongTextField(_TextField):
    """Free text with line breaks (a note, a proposal), 2000 characters by default."""

    name: ClassVar[str] = "long_text"
    limits: ClassVar[tuple[int, int]] = (2000, 10000)
    multiline: ClassVar[bool] = True

    max_length: int = 2000


@dataclass(frozen=True)
class _ExternalField(FieldType):
    """A field whose values the API checks (it has the files and the geometry tools)."""

    external: ClassVar[bool] = True

    def normalise(self, value: object) -> Any:
        """Pass the value through untouched for the API to check."""
        return value


@register_field_type
@dataclass(frozen=True)
class PhotoField(_ExternalField):
    """Photos taken on the spot, 3 at most by default; uploads are checked by the API."""

    name: ClassVar[str] = "photo"
    setting_keys: ClassVar[tuple[str, ...]] = ("max_count",)

    #: most photos one observation may carry
    max_count: int = 3

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any], path: str, problems: Problems) -> Self:
        """Read ``max_count`` (1-10, default 3)."""
        count = parse_int(
            raw.get("max_count", 3), join_path(path, "max_count"), problems, minimum=1, maximum=10
        )
        return cls(max_count=count)

    def describe(self, lang: str) -> dict[str, Any]:
        """The photo limit."""
        return {"max_count": self.max_count}

    def to_settings(self) -> dict[str, Any]:
        """The photo limit as written in a definition file."""
        return {"max_count": self.max_count}


@register_field_type
@dataclass(frozen=True)
class LocationField(_ExternalField):
    """A point on the map (the phone's position, movable by hand); coordinates are checked by the API."""

    name: ClassVar[str] = "location"

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any], path: str, problems: Problems) -> Self:
        """No settings."""
        return cls()


#: a field's keys every type accepts
COMMON_FIELD_KEYS: tuple[str, ...] = ("key", "type", "label", "required", "help", "asked")
#: field keys the answer payload uses for other things
RESERVED_FIELD_KEYS = frozenset({"theme", "subtheme"})
#: the good/bad question ("Ici, ça va ?"): by default not asked about a sensitive theme, since a
#: report of harassment is not "fine or not", and asking it of someone who was harassed is unkind
GOOD_BAD_KEY: Final = "polarity"
#: when a field is asked: about every theme, only about sensitive themes (e.g. "lived or seen"),
#: or only about the other themes
ASKED_VALUES: Final = ("always", "sensitive", "other")


@dataclass(frozen=True)
class FieldDefinition:
    """One question of a form beyond theme and sub-theme."""

    #: answer key in payloads and stored JSON
    key: str
    #: the question as people read it
    label: LocalizedText
    #: whether an observation needs an answer
    required: bool
    #: type and type-specific settings
    kind: FieldType
    #: a short explanation under the question
    help: LocalizedText | None = None
    #: one of :data:`ASKED_VALUES`: asked about every theme, only sensitive ones, or only the others
    asked: str = "always"

    @property
    def type(self) -> str:
        """Name of the field type."""
        return self.kind.name

    def is_asked(self, sensitive_theme: bool) -> bool:
        """Whether the question is asked (and its answer kept) for a theme that is or is not sensitive."""
        return self.asked == "always" or (self.asked == "sensitive") == sensitive_theme

    def to_dict(self, lang: str) -> dict[str, Any]:
        """JSON-able description for the capture page, texts in ``lang``."""
        return {
            "key": self.key,
            "type": self.type,
            "label": self.label.get(lang),
            "help": self.help.get(lang) if self.help else None,
            "required": self.required,
            "asked": self.asked,
            "external": self.kind.external,
            **self.kind.describe(lang),
        }


def parse_field(raw: object, path: str, problems: Problems) -> FieldDefinition | None:
    """Read one field, checking the common keys then the type's own settings."""
    if not isinstance(raw, Mapping):
        problems.add(path, "must be a mapping")
        return None
    type_name = raw.get("type")
    kind_cls: type[FieldType] | None = None
    if "type" in raw and (not isinstance(type_name, str) or type_name not in FIELD_TYPES):
        problems.add(
            join_path(path, "type"),
            f"unknown field type {type_name!r} (known: {', '.join(sorted(FIELD_TYPES))})",
        )
    elif isinstance(type_name, str):
        kind_cls = FIELD_TYPES.get(type_name)
    optional = ("help", "asked", *(kind_cls.setting_keys if kind_cls else ()))
    if kind_cls is None:
        # without a type the settings cannot be judged: only report what is certainly wrong
        optional = tuple(raw.keys())
    check_mapping(raw, path, problems, required=("key", "type", "label", "required"), optional=optional)
    key = parse_key(raw.get("key", MISSING), join_path(path, "key"), problems)
    if key in RESERVED_FIELD_KEYS:
        problems.add(join_path(path, "key"), f"{key!r} is reserved for the observation's theme")
    label = parse_text(raw.get("label", MISSING), join_path(path, "label"), problems)
    required = parse_bool(raw.get("required", MISSING), join_path(path, "required"), problems)
    help_text = (
        parse_text(raw["help"], join_path(path, "help"), problems) if raw.get("help") is not None else None
    )
    asked = raw.get("asked", "other" if key == GOOD_BAD_KEY else "always")
    if asked not in ASKED_VALUES:
        problems.add(join_path(path, "asked"), f"must be one of {', '.join(ASKED_VALUES)}, got {asked!r}")
        asked = "always"
    if kind_cls is None:
        return None
    kind = kind_cls.from_settings(raw, path, problems)
    return FieldDefinition(key=key, label=label, required=required, kind=kind, help=help_text, asked=asked)
