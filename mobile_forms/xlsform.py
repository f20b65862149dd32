"""Importing an XLSForm workbook (ODK, KoboToolbox) as a first draft of an Arpenteur form definition.

pyxform reads and checks the workbook (its own reader, then its XForm builder, so a workbook ODK would
reject is rejected here too, as :class:`XLSFormError`). The supported subset is then mapped:

==========================================  =========================================================
XLSForm                                     Arpenteur
==========================================  =========================================================
``select_one``                              ``single_choice``
``select_multiple``                         ``multiple_choice``
``range`` with whole steps of 1 in 0-10      ``rating`` (min and max from start and end)
``integer`` constrained to 0-10             ``rating`` (``. >= 1 and . <= 5`` style constraints)
``text``                                    ``short_text``, or ``long_text`` with appearance multiline
``image``                                   ``photo`` with ``max_count: 1``
``geopoint`` (and ``gps``, its old name)      ``location``
groups                                      flattened: their questions follow in order
==========================================  =========================================================

Everything else is skipped and listed in the :class:`ImportReport`: notes, calculations, metadata, repeats
(with their questions: an observation is one set of answers), other question types, choices read from an
external file, and integers or ranges that are not a short scale. Each skipped row is listed with its sheet
and row and a ``code`` saying why (:data:`QUESTION_SKIP_CODES` are questions a resident would have answered,
the others are rows with nothing to answer). ``relevant`` and ``constraint`` logic is dropped; since a dropped
``relevant`` would ask a conditional question of everyone, a question that is ``required`` but ``relevant``
(itself or through its group) becomes optional, and the report lists it (``made_optional``). A form of
:data:`MANY_FIELDS` fields or more gets a warning: nobody answers that many questions standing in the street.

Themes: the first ``select_one`` whose name or list name looks like a category (theme, thématique,
catégorie, topic, sujet, rubrique) provides the themes, one per choice, and leaves the fields. Otherwise one
generic theme ``observation`` is created. Imported themes get the axis ``cadre_de_vie``, the principle
``lieu_propre_accueillant``, a neutral pictogram and colours from a fixed palette: the report says so, and
a facilitator should review them. Axes and principles are copied from the latest default grid. Three
optional columns of the choices sheet describe a theme: ``emoji`` (its pictogram), ``color`` (``#rrggbb``)
and ``sensitive`` (``yes``: reports of this theme are never shown at their place outside the team).

Labels: French and English come from the matching ``label::…(fr)`` / ``(en)`` columns (also "French",
"Français", "English"), else from the default ``label`` column, else from the other language; every such
fallback is listed in the report. Other languages with a code (``Swahili(sw)``) are kept as extra languages.
Columns naming the same language (``English``, ``English(en)``) are one language; so is the plain ``label``
column when the workbook sets no ``default_language`` and every named column is that one language (a survey
sheet written with ``label`` and a choices sheet with ``label::English(en)`` is an English form). The report
gives the languages by code, with the columns each came from.
Keys are the XLSForm names made into slugs, de-duplicated; renamings are listed too. The definition is
version 1 and is checked with :func:`mobile_forms.schema.parse_definition` before being returned.

Problems are located for people: an invalid workbook raises :class:`XLSFormError` whose ``problems`` give
the sheet and row of each (pyxform writes ``[row : N]`` in its messages; the sheet is the one it names,
else ``survey``), and every skipped or changed question carries its row on the survey sheet.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from pyxform import constants as pyxform_constants
from pyxform.builder import create_survey_element_from_dict
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from mobile_forms.fields import CHOICE_KEY_PATTERN, KEY_PATTERN, RESERVED_FIELD_KEYS
from mobile_forms.schema import COLOR_PATTERN, DefinitionError, latest, parse_definition

#: file name suffixes pyxform reads
SUPPORTED_SUFFIXES = (".xls", ".xlsx", ".xlsm", ".csv", ".md")
#: the definition whose axes and principles imported forms reuse
DEFAULT_GRID = "marche_exploratoire"
#: axis and principle given to imported themes, to be reviewed
DEFAULT_AXIS = "cadre_de_vie"
DEFAULT_PRINCIPLE = "lieu_propre_accueillant"
#: colours with at least 4.5:1 contrast against white text, given to imported themes in turn
PALETTE = ("#1565C0", "#00695C", "#6A1B9A", "#C62828", "#8D5B00", "#283593", "#AD1457", "#2E7D32", "#455A64")
#: a name or list name containing one of these (accents and case ignored) makes a question the themes
THEME_HINTS = ("theme", "thematique", "categor", "topic", "sujet", "rubrique")
#: from this many fields on, the report warns that the form is too long to fill in during a walk
MANY_FIELDS = 100
#: XLSForm types mapped to a ``location`` field (``gps`` is ODK's old name for ``geopoint``)
GEOPOINT_TYPES = frozenset({"geopoint", "gps"})
#: skip codes of questions a resident would have answered (the other codes are rows with no answer)
QUESTION_SKIP_CODES = frozenset(
    {"repeat", "not_a_scale", "unsupported_type", "external_choices", "too_few_choices"}
)

#: metadata the phone app records by itself
_METADATA = frozenset(
    {
        "start", "end", "today", "deviceid", "phonenumber", "username", "email", "subscriberid", "simserial",
        "audit", "start-geopoint", "background-geopoint", "background-audio", "imei", "uri:deviceid",
        "uri:email", "uri:phonenumber", "uri:simserial", "uri:subscriberid", "uri:username",
    }
)  # fmt: skip
_TRUE = frozenset({"yes", "true", "true()", "1"})
_LANGUAGE_CODE = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$")
_LANGUAGE_NAMES = {"french": "fr", "francais": "fr", "english": "en", "anglais": "en"}
_BOUND = re.compile(r"\.\s*(>=|>|<=|<)\s*(\d+)")
#: how pyxform locates a problem in its messages (``pyxform.constants.ROW_FORMAT_STRING``)
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET = re.compile(r"\bon the '([a-z_-]+)' sheet", re.IGNORECASE)
#: the sheet questions are on
SURVEY = "survey"
#: the name pyxform gives a note without one
_GENERATED_NAME = re.compile(r"generated_note_name_(\d+)")


@dataclass(frozen=True)
class WorkbookProblem:
    """One reason a workbook cannot be imported, located where a person can find it."""

    #: ``invalid`` (pyxform refused the workbook), ``unreadable``, ``missing``, ``not_a_workbook``
    code: str
    #: what is wrong, in English (pyxform's own words for ``invalid``)
    message: str
    #: the sheet (``survey``, ``choices``, ``settings``); ``None`` for the workbook as a whole
    sheet: str | None = None
    #: the row on that sheet, as the spreadsheet numbers it (the header is row 1)
    row: int | None = None


class XLSFormError(Exception):
    """The workbook cannot be imported: pyxform rejected it, or it could not be read."""

    def __init__(self, message: str, problems: tuple[WorkbookProblem, ...] = ()) -> None:
        super().__init__(message)
        #: each problem with its sheet and row
        self.problems = problems


@dataclass(frozen=True)
class SkippedQuestion:
    """A row of the workbook that has no counterpart in the definition."""

    #: the XLSForm ``name``
    name: str
    #: the XLSForm type as pyxform reads it (``calculate``, ``geotrace``...)
    type: str
    #: why it was left out, in English
    reason: str
    #: why, as a code: ``metadata``, ``note``, ``calculation`` (nothing to answer) or one of
    #: :data:`QUESTION_SKIP_CODES` (a question the resident would have answered)
    code: str = "unsupported_type"
    #: its row on the survey sheet, when known
    row: int | None = None

    @property
    def is_question(self) -> bool:
        """Whether a resident would have answered it (so the form lost something)."""
        return self.code in QUESTION_SKIP_CODES


@dataclass(frozen=True)
class OptionalQuestion:
    """A required question made optional because its ``relevant`` condition was dropped."""

    #: the XLSForm ``name``
    name: str
    #: the field key it became
    key: str
    #: the condition that was dropped (its own, or its group's)
    relevant: str
    #: its row on the survey sheet, when known
    row: int | None = None


@dataclass(frozen=True)
class ImportReport:
    """What an import did that a person should know before shipping the definition."""

    #: file name of the workbook
    source: str
    #: the workbook's ``form_id`` (pyxform's id_string)
    form_id: str
    #: the workbook's ``version`` setting, if any
    form_version: str | None
    #: languages found, one per language: a code (``en``) or, when none is known, the column as written
    languages: tuple[str, ...]
    #: name of the question whose choices became the themes, ``None`` for the generic theme
    themes_from: str | None
    #: rows left out, in workbook order
    skipped: tuple[SkippedQuestion, ...] = ()
    #: (XLSForm name, key) for every name changed to make a valid, unique key
    renamed: tuple[tuple[str, str], ...] = ()
    #: paths of texts filled from another language, e.g. ``fields[2].label.fr (from English(en))``
    untranslated: tuple[str, ...] = ()
    #: pyxform's own warnings about the workbook
    warnings: tuple[str, ...] = ()
    #: other things to review (default axis and principle, generic theme...)
    notes: tuple[str, ...] = ()
    #: (language, columns) for each language: the label columns as written (``default`` for ``label``)
    language_columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: required questions made optional because their ``relevant`` condition was dropped
    made_optional: tuple[OptionalQuestion, ...] = ()
    #: how many fields the definition has
    field_count: int = 0

    @property
    def many_fields(self) -> bool:
        """Whether the form has so many fields (:data:`MANY_FIELDS`) that it deserves a warning."""
        return self.field_count >= MANY_FIELDS

    @property
    def skipped_questions(self) -> tuple[SkippedQuestion, ...]:
        """The skipped rows a resident would have answered."""
        return tuple(row for row in self.skipped if row.is_question)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form of the report (stored with the form version)."""
        data = asdict(self)
        data["language_columns"] = {language: list(columns) for language, columns in self.language_columns}
        data["many_fields"] = self.many_fields
        return data


class ImportResult(NamedTuple):
    """The definition dict (ready for YAML) and the report that goes with it."""

    definition: dict[str, Any]
    report: ImportReport


@dataclass
class _State:
    """Bookkeeping while one workbook is mapped."""

    default_language: str
    #: survey sheet row of each question name (the first, if a name is used twice)
    rows: dict[str, int] = field(default_factory=dict)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    skipped: list[SkippedQuestion] = field(default_factory=list)
    made_optional: list[OptionalQuestion] = field(default_factory=list)
    #: language code (or column as written, when it has none) -> label columns seen for it
    languages: dict[str, set[str]] = field(default_factory=dict)

    def row_of(self, name: str) -> int | None:
        """The survey row of question ``name`` (pyxform names an unnamed note after its row)."""
        generated = _GENERATED_NAME.fullmatch(name)
        return int(generated[1]) if generated else self.rows.get(name)

    def skip(self, question: Mapping[str, Any], code: str, reason: str) -> None:
        """Record that ``question`` was left out, and why."""
        name = str(question.get("name", ""))
        self.skipped.append(SkippedQuestion(name, question["type"], reason, code, self.row_of(name)))


def slugify(name: str, *, max_length: int = 64) -> str:
    """Lower-case ASCII words joined by underscores: ``"Sub-ward"`` -> ``"sub_ward"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:max_length].rstrip("_")


def _unique_key(name: str, taken: set[str], state: _State, *, prefix: str, pattern: re.Pattern[str]) -> str:
    """A key for ``name`` valid for ``pattern`` and not in ``taken`` (which it joins); renamings reported."""
    base = slugify(name, max_length=56) or prefix
    if not pattern.match(base):
        base = f"{prefix}_{base}"
    key, counter = base, 2
    while key in taken:
        key, counter = f"{base}_{counter}", counter + 1
    taken.add(key)
    if key != name:
        state.renamed.append((name, key))
    return key


def _language_code(column_language: str, default_language: str) -> str | None:
    """``fr`` for ``French (fr)`` or ``Français``; ``None`` when the language is unknown."""
    if column_language == "default":
        if default_language == "default":
            return None
        column_language = default_language
    match = _LANGUAGE_CODE.search(column_language)
    if match:
        return match[1].lower()
    return _LANGUAGE_NAMES.get(slugify(column_language))


def _texts(data: Any) -> list[Mapping[str, Any] | str]:
    """Every label and hint of pyxform's JSON (questions and choices), to see which languages it uses."""
    found: list[Mapping[str, Any] | str] = []
    if isinstance(data, Mapping):
        for name in ("label", "hint"):
            if isinstance(data.get(name), Mapping | str):
                found.append(data[name])
        for child in data.get("children") or []:
            found.extend(_texts(child))
        for choice in data.get("choices") or []:
            found.extend(_texts(choice))
    return found


def _default_language(data: Mapping[str, Any]) -> str:
    """The language of the plain ``label`` column.

    The workbook's ``default_language`` setting when it has one; otherwise, when every named label
    column is one and the same language, that language (``label`` on the survey sheet and
    ``label::English(en)`` on the choices sheet make one English form, not two languages).
    """
    declared = str(data.get("default_language") or "default")
    if declared != "default":
        return declared
    codes: set[str | None] = set()
    for text in _texts(data):
        if isinstance(text, Mapping):
            codes.update(_language_code(str(column), "default") for column in text if column != "default")
    if len(codes) == 1 and None not in codes:
        return f"({codes.pop()})"
    return declared


def _localise(raw: object, path: str, state: _State, *, fallback: str = "") -> dict[str, str] | None:
    """A ``{fr, en, ...}`` dict from an XLSForm label or hint; ``None`` when there is no text at all."""
    if isinstance(raw, str):
        raw = {"default": raw}
    texts: dict[str, str] = {}
    by_code: dict[str, tuple[str, str]] = {}
    if isinstance(raw, Mapping):
        for language, text in raw.items():
            if not isinstance(text, str) or not text.strip():
                continue
            texts[str(language)] = text.strip()
            code = _language_code(str(language), state.default_language)
            state.languages.setdefault(code or str(language), set()).add(str(language))
            if code is not None and code not in by_code:
                by_code[code] = (str(language), text.strip())
    if not texts:
        if not fallback:
            return None
        texts = {"name": fallback}
    default = texts.get("default")
    first_language, first_text = next(iter(texts.items()))
    result: dict[str, str] = {}
    for code, other in (("fr", "en"), ("en", "fr")):
        if code in by_code:
            result[code] = by_code[code][1]
            continue
        source, text = ("default", default) if default else by_code.get(other, (first_language, first_text))
        result[code] = text
        state.untranslated.append(f"{path}.{code} (from {source})")
    for code, (_, text) in sorted(by_code.items()):
        if code not in result and re.fullmatch(r"[a-z]{2,3}", code):
            result[code] = text
    return result


def _required(question: Mapping[str, Any]) -> bool:
    value = (question.get("bind") or {}).get("required", "")
    return str(value).strip().lower() in _TRUE


def _relevant(question: Mapping[str, Any]) -> str:
    """The question's ``relevant`` condition, or the one it inherits from its groups."""
    own = str((question.get("bind") or {}).get("relevant", "") or "").strip()
    return own or str(question.get(_INHERITED_RELEVANT, "") or "")


#: key under which :func:`_flatten` hands a group's ``relevant`` down to its questions
_INHERITED_RELEVANT = "_arpenteur_group_relevant"


def _scale(question: Mapping[str, Any]) -> tuple[int, int] | None:
    """(min, max) when a range or integer question is a short whole-number scale that fits a rating."""
    if question["type"] == "range":
        parameters = question.get("parameters") or {}
        try:
            low, high, step = (float(parameters.get(name, default)) for name, default in
                               (("start", 1), ("end", 10), ("step", 1)))  # fmt: skip
        except ValueError:
            return None
        if step != 1 or not low.is_integer() or not high.is_integer():
            return None
        low_int, high_int = int(low), int(high)
    else:
        constraint = str(question.get("bind", {}).get("constraint", ""))
        # only a plain conjunction of two bounds is understood; anything else is not a scale
        if not constraint or re.search(r"\bor\b|\$\{", constraint):
            return None
        lows = [int(n) + (op == ">") for op, n in _BOUND.findall(constraint) if op in (">", ">=")]
        highs = [int(n) - (op == "<") for op, n in _BOUND.findall(constraint) if op in ("<", "<=")]
        if len(lows) != 1 or len(highs) != 1:
            return None
        low_int, high_int = lows[0], highs[0]
    if 0 <= low_int < high_int <= 10:
        return low_int, high_int
    return None


def _choices(question: Mapping[str, Any], path: str, state: _State) -> list[dict[str, Any]]:
    taken: set[str] = set()
    choices = []
    for index, choice in enumerate(question.get("choices") or []):
        name = str(choice.get("name", ""))
        key = _unique_key(name, taken, state, prefix="c", pattern=CHOICE_KEY_PATTERN)
        label = _localise(choice.get("label"), f"{path}[{index}].label", state, fallback=name)
        choices.append({"key": key, "label": label})
    return choices


def _skip_reason(question: Mapping[str, Any]) -> tuple[str, str]:
    """(code, reason in English) for a question that has no counterpart."""
    kind = question["type"]
    if kind in _METADATA:
        return "metadata", "metadata recorded by the phone app"
    if kind == "note":
        return "note", "display-only text"
    if kind == "calculate":
        return "calculation", "calculation"
    if kind == "repeat":
        return "repeat", (
            "repeats are not supported: an observation is one set of answers "
            f"({_count(question)} question(s) left out)"
        )
    if kind in ("integer", "range"):
        return "not_a_scale", "not a whole-number scale within 0-10 that fits a rating"
    return "unsupported_type", f"question type {kind!r} is not supported"


def _count(group: Mapping[str, Any]) -> int:
    return sum(_count(c) if c["type"] in ("group", "repeat") else 1 for c in group.get("children", []))


def _flatten(children: list[Mapping[str, Any]], relevant: str = "") -> list[Mapping[str, Any]]:
    """Questions in order, groups opened; repeats kept whole so they can be skipped whole.

    A group's ``relevant`` condition applies to its questions: it is handed down to them (joined with
    ``and`` to any outer group's), so a required question of a conditional group is seen as conditional.
    """
    questions: list[Mapping[str, Any]] = []
    for child in children:
        if child["type"] == "group":
            # pyxform adds a body-less ``meta`` group (instanceID) that is not in the workbook
            if not (child.get("control") or {}).get("bodyless"):
                own = str((child.get("bind") or {}).get("relevant", "") or "").strip()
                inner = f"({relevant}) and ({own})" if relevant and own else own or relevant
                questions.extend(_flatten(child.get("children", []), inner))
        elif relevant:
            questions.append({**child, _INHERITED_RELEVANT: relevant})
        else:
            questions.append(child)
    return questions


def _is_external_select(question: Mapping[str, Any]) -> bool:
    return question["type"] in ("select one external",) or (
        question["type"] in ("select one", "select all that apply") and not question.get("choices")
    )


def _looks_like_themes(question: Mapping[str, Any]) -> bool:
    if question["type"] != "select one" or _is_external_select(question):
        return False
    names = f"{slugify(str(question.get('name', '')))} {slugify(str(question.get('itemset') or ''))}"
    return any(hint in names for hint in THEME_HINTS)


def _field(question: Mapping[str, Any], path: str, state: _State, taken: set[str]) -> dict[str, Any] | None:
    """The definition field for one supported question, or ``None`` after recording why it was skipped."""
    kind = question["type"]
    name = str(question.get("name", ""))
    settings: dict[str, Any]
    if kind in ("select one", "select all that apply"):
        if _is_external_select(question):
            state.skip(question, "external_choices", "choices come from an external file")
            return None
        if len(question.get("choices") or []) < 2:
            state.skip(question, "too_few_choices", "fewer than two choices")
            return None
        field_type = "single_choice" if kind == "select one" else "multiple_choice"
        settings = {"choices": _choices(question, f"{path}.choices", state)}
    elif kind in ("range", "integer"):
        scale = _scale(question)
        if scale is None:
            state.skip(question, *_skip_reason(question))
            return None
        field_type, settings = "rating", {"min": scale[0], "max": scale[1]}
    elif kind == "text":
        appearance = str((question.get("control") or {}).get("appearance", "")).lower()
        field_type = "long_text" if "multiline" in appearance else "short_text"
        settings = {}
    elif kind == "photo":
        # an XLSForm image question holds one picture
        field_type, settings = "photo", {"max_count": 1}
    elif kind in GEOPOINT_TYPES:
        field_type, settings = "location", {}
    else:
        state.skip(question, *_skip_reason(question))
        return None
    key = _unique_key(name, taken, state, prefix="q", pattern=KEY_PATTERN)
    required = _required(question)
    relevant = _relevant(question)
    if required and relevant:
        # without its condition the question would be asked, and required, of everyone
        required = False
        state.made_optional.append(OptionalQuestion(name, key, relevant, state.row_of(name)))
    result: dict[str, Any] = {
        "key": key,
        "type": field_type,
        "label": _localise(question.get("label"), f"{path}.label", state, fallback=name),
        "required": required,
    }
    hint = _localise(question.get("hint"), f"{path}.help", state)
    if hint is not None:
        result["help"] = hint
    result.update(settings)
    return result


def _themes(question: Mapping[str, Any] | None, state: _State) -> list[dict[str, Any]]:
    common = {"axis": DEFAULT_AXIS, "principle": DEFAULT_PRINCIPLE, "subthemes": []}
    if question is None:
        return [
            {
                "key": "observation",
                "label": {"fr": "Observation", "en": "Observation"},
                "icon": {"emoji": "📍", "symbol": "location-dot"},
                "color": PALETTE[0],
                "help": {"fr": "Tout ce que vous remarquez ici.", "en": "Anything you notice here."},
                **common,
            }
        ]
    taken: set[str] = set()
    themes = []
    for index, choice in enumerate(question.get("choices") or []):
        path = f"themes[{index}]"
        name = str(choice.get("name", ""))
        label = _localise(choice.get("label"), f"{path}.label", state, fallback=name) or {}
        emoji = str(choice.get("emoji") or "").strip()
        color = str(choice.get("color") or "").strip()
        theme: dict[str, Any] = {
            "key": _unique_key(name, taken, state, prefix="theme", pattern=KEY_PATTERN),
            "label": label,
            "icon": {"emoji": emoji if _is_emoji(emoji) else "📍", "symbol": "location-dot"},
            "color": color if COLOR_PATTERN.match(color) else PALETTE[index % len(PALETTE)],
            "help": {
                "fr": f"Ce que vous remarquez ici concerne : {label['fr']}.",
                "en": f"What you notice here is about: {label['en']}.",
            },
            **common,
        }
        if str(choice.get("sensitive", "")).strip().lower() in _TRUE:
            theme["sensitive"] = True
        themes.append(theme)
    return themes


def _is_emoji(value: str) -> bool:
    # as the schema checks it: a few code points (skin tone, joiner...), none of them a plain letter
    return 1 <= len(value) <= 8 and not any(ch.isspace() or ch.isascii() for ch in value)


def pyxform_problem(message: str) -> WorkbookProblem:
    """A pyxform error message as a located problem: ``[row : N]`` gives the row, the sheet it names
    (``On the 'choices' sheet``) the sheet, else the survey sheet, where pyxform counts its rows."""
    row = _ROW.search(message)
    sheet = _SHEET.search(message)
    text = _ROW.sub("", message).strip()
    return WorkbookProblem(
        "invalid",
        text,
        sheet=sheet[1].lower() if sheet else SURVEY if row else None,
        row=int(row[1]) if row else None,
    )


def _survey_rows(workbook: Any) -> dict[str, int]:
    """Row number of each question name on the survey sheet (pyxform keeps blank rows, so they match)."""
    rows: dict[str, int] = {}
    for index, row in enumerate(getattr(workbook, "survey", None) or [], start=2):
        name = next((str(v).strip() for k, v in row.items() if str(k).strip().lower() == "name"), "")
        if name:
            rows.setdefault(name, index)
    return rows


def _read(path: Path) -> tuple[dict[str, Any], list[str], dict[str, int]]:
    """pyxform's JSON form of the workbook, its warnings and the survey rows of the question names,
    after pyxform's full conversion checks."""
    warnings: list[str] = []
    try:
        workbook = get_xlsform(xlsform=str(path))
        data = workbook_to_json(
            workbook_dict=workbook,
            form_name=pyxform_constants.DEFAULT_FORM_NAME,
            fallback_form_name=workbook.fallback_form_name,
            default_language=pyxform_constants.DEFAULT_LANGUAGE_VALUE,
            warnings=warnings,
        )
        # building the XForm runs the checks ODK Collect relies on (references, names...)
        create_survey_element_from_dict(copy.deepcopy(data)).to_xml(validate=False, warnings=warnings)
    except PyXFormError as error:
        raise XLSFormError(
            f"The XLSForm workbook {path.name} is invalid: {error}", (pyxform_problem(str(error)),)
        ) from error
    except (ValueError, LookupError, TypeError, AttributeError) as error:
        # pyxform may fail this way on sheets it does not expect
        raise XLSFormError(
            f"The XLSForm workbook {path.name} could not be read: {error!r}",
            (WorkbookProblem("unreadable", repr(error)),),
        ) from error
    return data, warnings, _survey_rows(workbook)


def import_xlsform(path: str | Path, key: str | None = None) -> ImportResult:
    """Map an XLSForm workbook to a version-1 definition dict plus a report; ``XLSFormError`` if invalid."""
    path = Path(path)
    if key is not None and not KEY_PATTERN.match(key):
        raise ValueError(f"key must match {KEY_PATTERN.pattern}, got {key!r}")
    if not path.is_file():
        # pyxform would take a missing path for inline form text and fail obscurely
        message = f"The XLSForm workbook {path} does not exist."
        raise XLSFormError(message, (WorkbookProblem("missing", message),))
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        message = f"{path.name} is not an XLSForm workbook ({', '.join(SUPPORTED_SUFFIXES)})."
        raise XLSFormError(message, (WorkbookProblem("not_a_workbook", message),))
    data, warnings, rows = _read(path)
    state = _State(default_language=_default_language(data), rows=rows)

    questions = _flatten(data.get("children", []))
    theme_question = next((q for q in questions if _looks_like_themes(q)), None)
    themes = _themes(theme_question, state)

    fields: list[dict[str, Any]] = []
    taken = set(RESERVED_FIELD_KEYS)
    for question in questions:
        if question is theme_question:
            continue
        result = _field(question, f"fields[{len(fields)}]", state, taken)
        if result is not None:
            fields.append(result)

    form_id = str(data.get("id_string") or path.stem)
    title_text = str(data.get("title") or form_id)
    form_key = key or next(
        (slug for slug in map(slugify, (form_id, title_text, path.stem)) if KEY_PATTERN.match(slug)),
        "imported_form",
    )
    grid = latest(DEFAULT_GRID)
    definition: dict[str, Any] = {
        "key": form_key,
        "version": 1,
        "title": {"fr": title_text, "en": title_text},
        # the file name stays out: the same content uploaded under another name is the same form
        "description": {
            "fr": f"Formulaire importé d'un classeur XLSForm (identifiant « {form_id} »).",
            "en": f"Form imported from an XLSForm workbook (form_id “{form_id}”).",
        },
        "axes": [{"key": axis.key, "label": axis.label.to_dict()} for axis in grid.axes],
        "principles": [{"key": p.key, "label": p.label.to_dict()} for p in grid.principles],
        "themes": themes,
        "fields": fields,
    }
    notes = [
        "The form title is not translated in XLSForm: title.fr and title.en are the same text.",
        f"Every theme has the axis {DEFAULT_AXIS!r}, the principle {DEFAULT_PRINCIPLE!r}, "
        "a pin as pictogram unless the choices sheet gives an emoji, and no sub-themes: review them.",
    ]
    sensitive = [theme["key"] for theme in themes if theme.get("sensitive")]
    if sensitive:
        notes.append(
            f"Sensitive themes (never shown at their place outside the team): {', '.join(sensitive)}."
        )
    if theme_question is None:
        notes.append(
            "No question looks like a list of categories: one generic theme 'observation' was created."
        )
    for optional in state.made_optional:
        notes.append(
            f"{optional.name} is required only when {optional.relevant}: that condition is not kept, "
            "so the question was made optional."
        )
    if len(fields) >= MANY_FIELDS:
        notes.append(
            f"The form has {len(fields)} fields: far too many to fill in during a walk (keep a few)."
        )
    try:
        parse_definition(definition, source=path.name)
    except DefinitionError as error:  # pragma: no cover - a bug of this module, not of the workbook
        raise XLSFormError(f"The import of {path.name} produced an invalid definition: {error}") from error
    report = ImportReport(
        source=path.name,
        form_id=form_id,
        form_version=str(data["version"]) if data.get("version") else None,
        languages=tuple(sorted(state.languages)),
        language_columns=tuple(
            (language, tuple(sorted(columns))) for language, columns in sorted(state.languages.items())
        ),
        made_optional=tuple(state.made_optional),
        field_count=len(fields),
        themes_from=str(theme_question["name"]) if theme_question is not None else None,
        skipped=tuple(state.skipped),
        renamed=tuple(state.renamed),
        untranslated=tuple(state.untranslated),
        warnings=tuple(warnings),
        notes=tuple(notes),
    )
    return ImportResult(definition, report)


def to_yaml(definition: Mapping[str, Any]) -> str:
    """The definition as YAML text, keys in the documented order, French characters kept as they are."""
    return yaml.safe_dump(dict(definition), allow_unicode=True, sort_keys=False, width=110)
