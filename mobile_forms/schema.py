"""Form definitions: loading, validating and describing the versioned YAML files.

A definition lives in ``definitions/<key>.v<version>.yaml``. It is validated on load into frozen dataclasses;
every problem is collected with its path (``themes[3].subthemes[1].label.fr: required``) and raised together
in one :class:`DefinitionError`. A shipped version is never edited, only superseded by a new version:
``definitions/HASHES.txt`` keeps the sha256 of each shipped file and a test checks it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from mobile_forms.fields import (
    KEY_PATTERN,
    MISSING,
    FieldDefinition,
    LocalizedText,
    Problems,
    check_list,
    check_mapping,
    item_path,
    join_path,
    parse_bool,
    parse_field,
    parse_int,
    parse_key,
    parse_text,
    parse_unique_keys,
)

#: where the shipped definitions live
DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
#: sha256 of every shipped definition file, in ``sha256sum`` format
HASHES_FILE = DEFINITIONS_DIR / "HASHES.txt"
#: ``<key>.v<version>.yaml``
FILE_NAME_PATTERN = re.compile(r"^(?P<key>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.yaml$")

#: the three axes of the project, in display order; each file labels them
AXES = ("cadre_de_vie", "vivre_ensemble", "harcelement_de_rue")
#: the six principles of a safe public space (Montréal), in their usual order; each file labels them
PRINCIPLES = (
    "s_orienter",
    "voir_et_etre_vu",
    "entendre_et_etre_entendu",
    "pouvoir_s_echapper",
    "lieu_propre_accueillant",
    "agir_ensemble",
)
#: ``#rrggbb``: maps and buttons both take it
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
#: a Font Awesome 6 free-solid icon name, as ``folium.Icon(icon=..., prefix="fa")`` takes it
SYMBOL_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class DefinitionError(Exception):
    """A definition (or several) is invalid; ``messages`` lists every problem with its path."""

    def __init__(self, messages: list[str], source: str = "") -> None:
        #: one line per problem, e.g. ``themes[3].subthemes[1].label.fr: required``
        self.messages = messages
        #: the file (or other origin) the problems were found in
        self.source = source
        heading = f"invalid form definition {source}" if source else "invalid form definition"
        super().__init__("\n  ".join([f"{heading}:", *messages]))


@dataclass(frozen=True)
class Axis:
    """One of the project's three axes (cadre de vie, vivre ensemble, harcèlement de rue)."""

    #: one of :data:`AXES`
    key: str
    #: its name
    label: LocalizedText


@dataclass(frozen=True)
class Principle:
    """One of the six principles of a safe, welcoming public space."""

    #: one of :data:`PRINCIPLES`
    key: str
    #: the principle as a short sentence
    label: LocalizedText


@dataclass(frozen=True)
class Icon:
    """A theme's pictogram: an emoji for buttons and a symbol name for map markers."""

    #: shown on the phone's theme buttons
    emoji: str
    #: Font Awesome 6 free-solid name for map markers (folium's ``prefix="fa"``)
    symbol: str


@dataclass(frozen=True)
class SubTheme:
    """A finer choice within a theme, worded as residents say it."""

    #: unique within its theme
    key: str
    #: what people read
    label: LocalizedText


@dataclass(frozen=True)
class Theme:
    """One item of the observation grid (lighting, signage...)."""

    #: stored with each observation
    key: str
    #: the button's text
    label: LocalizedText
    #: pictogram for buttons and map markers
    icon: Icon
    #: ``#rrggbb`` for map markers and buttons
    color: str
    #: key of one of the file's axes
    axis: str
    #: key of one of the file's principles
    principle: str
    #: what to look at, in a sentence
    help: LocalizedText
    #: optional finer choices
    subthemes: tuple[SubTheme, ...]
    #: reports of this theme (street harassment, incidents) are never shown at their place, nor
    #: quoted, outside the team: every privacy rule reads this flag, never a theme key or a title
    sensitive: bool = False

    def subtheme(self, key: str) -> SubTheme:
        """The sub-theme ``key``; ``KeyError`` when this theme has none such."""
        for subtheme in self.subthemes:
            if subtheme.key == key:
                return subtheme
        raise KeyError(f"theme {self.key!r} has no sub-theme {key!r}")


@dataclass(frozen=True)
class FormDefinition:
    """A validated, immutable form: themes to choose from and the fields of an observation."""

    #: the form's name, shared by its versions
    key: str
    #: bumped for any change once a version has been used
    version: int
    #: the form's title
    title: LocalizedText
    #: what the form is for, in a sentence or two
    description: LocalizedText
    #: the three axes, as labelled in this file
    axes: tuple[Axis, ...]
    #: the six principles, as labelled in this file
    principles: tuple[Principle, ...]
    #: in display order
    themes: tuple[Theme, ...]
    #: in display order
    fields: tuple[FieldDefinition, ...]
    #: sha256 of the file's bytes (of canonical JSON when built from data), to prove it never changed
    content_hash: str
    _themes: Mapping[str, Theme] = dataclass_field(init=False, repr=False, compare=False)
    _fields: Mapping[str, FieldDefinition] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # frozen: the lookup tables are set once, here
        object.__setattr__(self, "_themes", MappingProxyType({t.key: t for t in self.themes}))
        object.__setattr__(self, "_fields", MappingProxyType({f.key: f for f in self.fields}))

    def theme(self, key: str) -> Theme:
        """The theme ``key``; ``KeyError`` if the form has none such."""
        try:
            return self._themes[key]
        except KeyError:
            raise KeyError(f"form {self.key} v{self.version} has no theme {key!r}") from None

    def field(self, key: str) -> FieldDefinition:
        """The field ``key``; ``KeyError`` if the form has none such."""
        try:
            return self._fields[key]
        except KeyError:
            raise KeyError(f"form {self.key} v{self.version} has no field {key!r}") from None

    def axis(self, key: str) -> Axis:
        """The axis ``key`` with this file's labels."""
        return next(axis for axis in self.axes if axis.key == key)

    def answers_json_schema(self) -> dict[str, Any]:
        """JSON Schema of the ``answers`` a JSON client sends for this form (``validate_answers`` with
        ``json_client=True`` accepts exactly what it describes): the theme, a sub-theme of that theme,
        and each field by its type; required fields must be answered, others may be blank or null.
        """
        properties: dict[str, Any] = {
            "theme": {"type": "string", "enum": [theme.key for theme in self.themes]},
            "subtheme": {
                "anyOf": [{"type": "null"}, {"type": "string", "pattern": r"^\s*$"}, {"type": "string"}]
            },
        }
        required = ["theme"]

        def answer_schema(definition_field: FieldDefinition) -> dict[str, Any]:
            answer = definition_field.kind.json_schema()
            if definition_field.required and not definition_field.kind.external:
                return answer
            blank = definition_field.kind.blank_json_schema()
            return {"anyOf": [answer, {"type": "null"}, *([blank] if blank else [])]} if answer else {}

        conditional = [f for f in self.fields if f.asked != "always"]
        for definition_field in self.fields:
            if definition_field.asked != "always":
                # asked about some themes only: anything goes (and is dropped) for the others
                properties[definition_field.key] = {}
                continue
            properties[definition_field.key] = answer_schema(definition_field)
            if definition_field.required and not definition_field.kind.external:
                required.append(definition_field.key)

        def per_theme(theme: Theme) -> dict[str, Any]:
            then: dict[str, Any] = {
                "properties": {
                    "subtheme": {
                        "anyOf": [
                            {"type": "null"},
                            {"type": "string", "pattern": r"^\s*$"},
                            *(
                                [{"type": "string", "enum": [sub.key for sub in theme.subthemes]}]
                                if theme.subthemes
                                else []
                            ),
                        ]
                    }
                }
            }
            asked = [f for f in conditional if f.is_asked(theme.sensitive)]
            for definition_field in asked:
                then["properties"][definition_field.key] = answer_schema(definition_field)
            needed = [f.key for f in asked if f.required and not f.kind.external]
            if needed:
                then["required"] = needed
            return {
                "if": {"properties": {"theme": {"const": theme.key}}, "required": ["theme"]},
                "then": then,
            }

        per_themes = [per_theme(theme) for theme in self.themes]
        return {
            "type": "object",
            "required": required,
            "additionalProperties": False,
            "properties": properties,
            "allOf": per_themes,
        }

    @property
    def sensitive_themes(self) -> frozenset[str]:
        """Keys of the themes marked ``sensitive``."""
        return frozenset(theme.key for theme in self.themes if theme.sensitive)

    def principle(self, key: str) -> Principle:
        """The principle ``key`` with this file's labels."""
        return next(principle for principle in self.principles if principle.key == key)

    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        """JSON-able description the capture page renders itself from, texts in ``lang`` (else French)."""
        return {
            "key": self.key,
            "version": self.version,
            "lang": lang if lang in self.title.languages() else "fr",
            "title": self.title.get(lang),
            "description": self.description.get(lang),
            "axes": [{"key": a.key, "label": a.label.get(lang)} for a in self.axes],
            "principles": [{"key": p.key, "label": p.label.get(lang)} for p in self.principles],
            "themes": [
                {
                    "key": t.key,
                    "label": t.label.get(lang),
                    "help": t.help.get(lang),
                    "icon": {"emoji": t.icon.emoji, "symbol": t.icon.symbol},
                    "color": t.color,
                    "axis": t.axis,
                    "principle": t.principle,
                    "subthemes": [{"key": s.key, "label": s.label.get(lang)} for s in t.subthemes],
                    "sensitive": t.sensitive,
                }
                for t in self.themes
            ],
            "fields": [f.to_dict(lang) for f in self.fields],
        }


# --- parsing ----------------------------------------------------------------------------------------------

_TOP_LEVEL_KEYS = ("key", "version", "title", "description", "axes", "principles", "themes", "fields")


def _parse_labelled(
    raw: object, path: str, problems: Problems, expected: tuple[str, ...]
) -> list[tuple[str, LocalizedText]]:
    """Read the ``axes`` or ``principles`` list: exactly the ``expected`` keys, each labelled."""
    items = []
    for index, entry in enumerate(check_list(raw, path, problems)):
        entry_path = item_path(path, index)
        data = check_mapping(entry, entry_path, problems, required=("key", "label"))
        if data is None:
            continue
        key = parse_key(data.get("key", MISSING), join_path(entry_path, "key"), problems)
        if key and key not in expected:
            problems.add(join_path(entry_path, "key"), f"must be one of {', '.join(expected)}, got {key!r}")
        items.append((key, parse_text(data.get("label", MISSING), join_path(entry_path, "label"), problems)))
    parse_unique_keys(items, path, problems, get_key=lambda item: item[0])
    missing = [key for key in expected if key not in {k for k, _ in items}]
    if isinstance(raw, list) and missing:
        problems.add(path, f"missing {', '.join(missing)}")
    return items


def _is_emoji(value: object) -> bool:
    # an emoji may be several code points (skin tone, variation selector, joiner), but never a word
    return (
        isinstance(value, str)
        and 1 <= len(value) <= 8
        and not any(ch.isspace() or ch.isascii() for ch in value)
    )


def _parse_icon(raw: object, path: str, problems: Problems) -> Icon:
    data = check_mapping(raw, path, problems, required=("emoji", "symbol"))
    if data is None:
        return Icon("", "")
    emoji = data.get("emoji", "")
    if "emoji" in data and not _is_emoji(emoji):
        problems.add(join_path(path, "emoji"), f"must be a short emoji, got {emoji!r}")
        emoji = ""
    symbol = data.get("symbol", "")
    if "symbol" in data and (not isinstance(symbol, str) or not SYMBOL_PATTERN.match(symbol)):
        problems.add(join_path(path, "symbol"), f"must be an icon name like 'lightbulb', got {symbol!r}")
        symbol = ""
    return Icon(emoji, symbol)


def _parse_theme(
    raw: object, path: str, problems: Problems, axes: set[str], principles: set[str]
) -> Theme | None:
    data = check_mapping(
        raw,
        path,
        problems,
        required=("key", "label", "icon", "color", "axis", "principle", "help"),
        optional=("subthemes", "sensitive"),
    )
    if data is None:
        return None
    sensitive = parse_bool(data.get("sensitive", False), join_path(path, "sensitive"), problems)
    color = data.get("color", "")
    if "color" in data and (not isinstance(color, str) or not COLOR_PATTERN.match(color)):
        problems.add(join_path(path, "color"), f"must be a colour like '#1565c0', got {color!r}")
        color = ""
    axis = parse_key(data.get("axis", MISSING), join_path(path, "axis"), problems)
    if axis and axis not in axes:
        problems.add(join_path(path, "axis"), f"unknown axis {axis!r} (known: {', '.join(sorted(axes))})")
    principle = parse_key(data.get("principle", MISSING), join_path(path, "principle"), problems)
    if principle and principle not in principles:
        problems.add(
            join_path(path, "principle"),
            f"unknown principle {principle!r} (known: {', '.join(sorted(principles))})",
        )
    subthemes = []
    subthemes_path = join_path(path, "subthemes")
    for index, entry in enumerate(check_list(data.get("subthemes", []), subthemes_path, problems)):
        entry_path = item_path(subthemes_path, index)
        sub = check_mapping(entry, entry_path, problems, required=("key", "label"))
        if sub is not None:
            subthemes.append(
                SubTheme(
                    key=parse_key(sub.get("key", MISSING), join_path(entry_path, "key"), problems),
                    label=parse_text(sub.get("label", MISSING), join_path(entry_path, "label"), problems),
                )
            )
    parse_unique_keys(subthemes, subthemes_path, problems, get_key=lambda sub: sub.key)
    return Theme(
        key=parse_key(data.get("key", MISSING), join_path(path, "key"), problems),
        label=parse_text(data.get("label", MISSING), join_path(path, "label"), problems),
        icon=_parse_icon(data.get("icon", MISSING), join_path(path, "icon"), problems),
        color=color,
        axis=axis,
        principle=principle,
        help=parse_text(data.get("help", MISSING), join_path(path, "help"), problems),
        subthemes=tuple(subthemes),
        sensitive=sensitive,
    )


def _canonical_hash(data: object) -> str:
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def parse_definition(data: object, *, source: str = "", content_hash: str | None = None) -> FormDefinition:
    """Validate an already-parsed definition (a dict as read from YAML); raise ``DefinitionError``."""
    problems = Problems()
    top = check_mapping(data, "", problems, required=_TOP_LEVEL_KEYS)
    if top is None:
        raise DefinitionError(problems.messages, source)

    key = parse_key(top.get("key", MISSING), "key", problems)
    version = parse_int(top.get("version", MISSING), "version", problems, minimum=1, maximum=10_000)
    title = parse_text(top.get("title", MISSING), "title", problems)
    description = parse_text(top.get("description", MISSING), "description", problems)
    axes = _parse_labelled(top.get("axes", MISSING), "axes", problems, AXES)
    principles = _parse_labelled(top.get("principles", MISSING), "principles", problems, PRINCIPLES)

    themes = []
    axis_keys = {k for k, _ in axes if k}
    principle_keys = {k for k, _ in principles if k}
    for index, raw_theme in enumerate(
        check_list(top.get("themes", MISSING), "themes", problems, min_items=1)
    ):
        theme = _parse_theme(raw_theme, item_path("themes", index), problems, axis_keys, principle_keys)
        if theme is not None:
            themes.append(theme)
    parse_unique_keys(themes, "themes", problems, get_key=lambda theme: theme.key)

    fields = []
    for index, raw_field in enumerate(check_list(top.get("fields", MISSING), "fields", problems)):
        definition_field = parse_field(raw_field, item_path("fields", index), problems)
        if definition_field is not None:
            fields.append(definition_field)
    parse_unique_keys(fields, "fields", problems, get_key=lambda f: f.key)

    if problems:
        raise DefinitionError(problems.messages, source)
    return FormDefinition(
        key=key,
        version=version,
        title=title,
        description=description,
        axes=tuple(Axis(k, label) for k, label in axes),
        principles=tuple(Principle(k, label) for k, label in principles),
        themes=tuple(themes),
        fields=tuple(fields),
        content_hash=content_hash if content_hash is not None else _canonical_hash(data),
    )


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys, which PyYAML would silently overwrite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_definition(path: str | Path) -> FormDefinition:
    """Load and validate one definition file; its name must be ``<key>.v<version>.yaml``."""
    path = Path(path)
    content = path.read_bytes()
    try:
        data = yaml.load(content.decode("utf-8"), Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise DefinitionError([f"not valid UTF-8 YAML: {error}"], path.name) from error
    try:
        definition = parse_definition(
            data, source=path.name, content_hash=hashlib.sha256(content).hexdigest()
        )
        problems: list[str] = []
    except DefinitionError as error:
        definition = None
        problems = list(error.messages)
    match = FILE_NAME_PATTERN.match(path.name)
    if match is None:
        problems.append(f"file name: must be <key>.v<version>.yaml, got {path.name!r}")
    elif isinstance(data, Mapping):
        # compare with the raw values so a mismatch is reported even when other parts are invalid
        if data.get("key") != match["key"]:
            problems.append(f"key: {data.get('key')!r} does not match the file name {path.name!r}")
        if data.get("version") != int(match["version"]):
            problems.append(f"version: {data.get('version')!r} does not match the file name {path.name!r}")
    if problems or definition is None:
        raise DefinitionError(problems, path.name)
    return definition


def load_definitions(directory: str | Path | None = None) -> dict[tuple[str, int], FormDefinition]:
    """Load every ``*.yaml`` definition of ``directory`` (default: the shipped ones), errors all together."""
    directory = Path(directory) if directory is not None else DEFINITIONS_DIR
    definitions: dict[tuple[str, int], FormDefinition] = {}
    messages: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            definition = load_definition(path)
        except DefinitionError as error:
            messages.extend(f"{path.name}: {message}" for message in error.messages)
        else:
            definitions[(definition.key, definition.version)] = definition
    if messages:
        raise DefinitionError(messages, str(directory))
    return definitions


@cache
def _shipped() -> dict[tuple[str, int], FormDefinition]:
    # shipped files never change while the process runs (a test guards their hashes)
    return load_definitions(DEFINITIONS_DIR)


def get_definition(key: str, version: int, directory: str | Path | None = None) -> FormDefinition:
    """The definition ``key`` at ``version``, e.g. to check a stored observation; ``KeyError`` if absent."""
    definitions = _shipped() if directory is None else load_definitions(directory)
    try:
        return definitions[(key, version)]
    except KeyError:
        raise KeyError(f"no form definition {key!r} version {version}") from None


def latest(key: str, directory: str | Path | None = None) -> FormDefinition:
    """The highest version of the definition ``key``; ``KeyError`` if there is none."""
    definitions = _shipped() if directory is None else load_definitions(directory)
    versions = [definition for (k, _), definition in definitions.items() if k == key]
    if not versions:
        raise KeyError(f"no form definition {key!r}")
    return max(versions, key=lambda definition: definition.version)


__all__ = [
    "AXES",
    "DEFINITIONS_DIR",
    "HASHES_FILE",
    "KEY_PATTERN",
    "PRINCIPLES",
    "Axis",
    "DefinitionError",
    "FormDefinition",
    "Icon",
    "Principle",
    "SubTheme",
    "Theme",
    "get_definition",
    "latest",
    "load_definition",
    "load_definitions",
    "parse_definition",
]
