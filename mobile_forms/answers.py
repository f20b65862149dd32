"""Checking and normalising the answers of one observation against its form definition.

The payload is flat: ``theme``, an optional ``subtheme``, then one entry per field key. Every problem is
collected, per key, as an :class:`AnswerError` with a stable ``code``, a French and an English message and the
``params`` the message was built from, so the API can return structured JSON and the capture page can show
French. Photo and location values are the API's business (it has the files and the geometry tools): they are
accepted here and handed back untouched in ``NormalisedAnswers.external``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from mobile_forms.fields import InvalidAnswer
from mobile_forms.schema import FormDefinition

#: key of errors about the payload as a whole
PAYLOAD_KEY = "_payload"

#: stable error codes -> (French, English) message templates; the params fill the braces
ERROR_MESSAGES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "required": ("Cette réponse est obligatoire.", "This answer is required."),
        "unknown_theme": (
            "Ce thème n'existe pas dans ce formulaire.",
            "This theme is not part of this form.",
        ),
        "unknown_subtheme": (
            "Ce sous-thème ne fait pas partie du thème choisi.",
            "This sub-theme is not part of the chosen theme.",
        ),
        "unknown_field": (
            "Cette question n'existe pas dans ce formulaire.",
            "This question is not part of this form.",
        ),
        "unknown_choice": (
            "Ce choix n'est pas dans la liste : {choices}.",
            "This choice is not in the list: {choices}.",
        ),
        "too_many_choices": ("Choisissez au plus {max} réponses.", "Choose at most {max} answers."),
        "out_of_range": ("Choisissez une note de {min} à {max}.", "Choose a rating from {min} to {max}."),
        "too_long": (
            "Texte trop long : {length} caractères pour {max_length} au plus.",
            "Text too long: {length} characters, {max_length} at most.",
        ),
        "wrong_type": ("Cette réponse n'a pas le bon format.", "This answer is not in the expected format."),
    }
)


@dataclass(frozen=True)
class AnswerError:
    """One problem with one answer, ready for JSON and for a French page."""

    #: stable, one of :data:`ERROR_MESSAGES`
    code: str
    #: shown to residents
    message_fr: str
    #: shown in the English interface
    message_en: str
    #: values the message was built from (``max_length``...), JSON-able
    params: Mapping[str, Any]

    @classmethod
    def build(cls, code: str, **params: Any) -> AnswerError:
        """An error with its messages filled from :data:`ERROR_MESSAGES`."""
        french, english = ERROR_MESSAGES[code]
        shown = {name: ", ".join(map(str, v)) if isinstance(v, list) else v for name, v in params.items()}
        return cls(code, french.format(**shown), english.format(**shown), MappingProxyType(dict(params)))

    def to_dict(self) -> dict[str, Any]:
        """``{"code", "message": {"fr", "en"}, "params"}``."""
        return {
            "code": self.code,
            "message": {"fr": self.message_fr, "en": self.message_en},
            "params": dict(self.params),
        }


class AnswerErrors(Exception):
    """The answers of an observation are invalid; ``errors`` maps each key to its problems."""

    def __init__(self, errors: dict[str, list[AnswerError]]) -> None:
        #: field key (or ``theme``, ``subtheme``, an unknown key, :data:`PAYLOAD_KEY`) -> its problems
        self.errors = errors
        super().__init__(
            "; ".join(f"{key}: {', '.join(e.code for e in errs)}" for key, errs in errors.items())
        )

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """JSON-able ``{key: [{"code", "message": {"fr", "en"}, "params"}]}``."""
        return {key: [error.to_dict() for error in errors] for key, errors in self.errors.items()}


@dataclass(frozen=True)
class NormalisedAnswers:
    """Checked answers of one observation, as stored in its JSON column."""

    #: definition the answers were checked against
    form_key: str
    #: its version, stored so old observations keep their meaning
    form_version: int
    #: key of the chosen theme
    theme: str
    #: key of the chosen sub-theme, if any
    subtheme: str | None
    #: field key -> normalised value; fields left empty are absent
    values: Mapping[str, Any]
    #: photo and location field key -> value as submitted, for the API to check and store
    external: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON for the observation's answers column (``external`` values are stored by the API)."""
        return {
            "form": self.form_key,
            "version": self.form_version,
            "theme": self.theme,
            "subtheme": self.subtheme,
            "answers": dict(self.values),
        }


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], ())


def validate_answers(
    definition: FormDefinition, payload: Mapping[str, Any], *, json_client: bool = False
) -> NormalisedAnswers:
    """Check ``payload`` against ``definition`` and return it normalised; raise ``AnswerErrors``.

    ``json_client``: the answers come from a JSON client (the API), held to the types and exact keys
    of :meth:`FormDefinition.answers_json_schema`; a plain HTML form may send numbers as text and keys
    with stray spaces.
    """
    errors: dict[str, list[AnswerError]] = {}

    def add(key: str, code: str, **params: Any) -> None:
        errors.setdefault(key, []).append(AnswerError.build(code, **params))

    if not isinstance(payload, Mapping):
        add(PAYLOAD_KEY, "wrong_type", expected="object")
        raise AnswerErrors(errors)

    theme_key: str | None = None
    raw_theme = payload.get("theme")
    if _is_blank(raw_theme):
        add("theme", "required")
    elif not isinstance(raw_theme, str):
        add("theme", "wrong_type", expected="theme_key")
    elif json_client and raw_theme != raw_theme.strip():
        add("theme", "unknown_theme", theme=raw_theme[:64])
    else:
        try:
            theme_key = definition.theme(raw_theme.strip()).key
        except KeyError:
            add("theme", "unknown_theme", theme=raw_theme[:64])

    subtheme_key: str | None = None
    raw_subtheme = payload.get("subtheme")
    if not _is_blank(raw_subtheme):
        if not isinstance(raw_subtheme, str):
            add("subtheme", "wrong_type", expected="subtheme_key")
        elif json_client and raw_subtheme != raw_subtheme.strip():
            add("subtheme", "unknown_subtheme", subtheme=raw_subtheme[:64])
        elif theme_key is not None:
            try:
                subtheme_key = definition.theme(theme_key).subtheme(raw_subtheme.strip()).key
            except KeyError:
                add("subtheme", "unknown_subtheme", subtheme=raw_subtheme[:64])

    known = {f.key for f in definition.fields} | {"theme", "subtheme"}
    for key in payload:
        if key not in known:
            add(str(key)[:64], "unknown_field")

    values: dict[str, Any] = {}
    external: dict[str, Any] = {}
    sensitive = theme_key is not None and definition.theme(theme_key).sensitive
    for definition_field in definition.fields:
        raw = payload.get(definition_field.key)
        if theme_key is not None and not definition_field.is_asked(sensitive):
            # not asked about this theme (the good/bad question about harassment): neither required
            # nor kept, so a page that hid the question and one that did not store the same thing
            continue
        if definition_field.kind.external:
            # presence and content are checked by the API, which also knows about uploads sent apart
            if definition_field.key in payload:
                external[definition_field.key] = raw
            continue
        try:
            kind = definition_field.kind
            value = kind.normalise_json(raw) if json_client else kind.normalise(raw)
        except InvalidAnswer as invalid:
            add(definition_field.key, invalid.code, **invalid.params)
            continue
        if value is None:
            if definition_field.required:
                add(definition_field.key, "required")
        else:
            values[definition_field.key] = value

    if errors or theme_key is None:
        raise AnswerErrors(errors)
    return NormalisedAnswers(
        form_key=definition.key,
        form_version=definition.version,
        theme=theme_key,
        subtheme=subtheme_key,
        values=MappingProxyType(values),
        external=MappingProxyType(external),
    )


@dataclass(frozen=True)
class ShownAnswer:
    """One stored answer as people read it: the question's label and the answer's text."""

    #: the question's key in the stored answers
    key: str
    #: the question, in the language asked for
    question: str
    #: the answer: a choice's label, labels joined by commas, a rating, a text
    answer: str


def shown_answers(definition: FormDefinition, values: Mapping[str, Any], lang: str) -> list[ShownAnswer]:
    """The stored ``values`` of the form's questions, in the form's order, with their labels in ``lang``.

    Keys the form does not have (an answer edited by hand, a question renamed in another version) are
    left out: this is for reading, the stored JSON keeps everything.
    """
    shown = []
    for field in definition.fields:
        value = values.get(field.key)
        if field.kind.external or value is None or value == "" or value == []:
            continue
        if field.type == "rating":
            text = f"{value} / {getattr(field.kind, 'max', '')}"
        else:
            labels = {choice.key: choice.label.get(lang) for choice in getattr(field.kind, "choices", ())}
            items = value if isinstance(value, list) else [value]
            text = ", ".join(labels.get(str(item), str(item)) for item in items)
        shown.append(ShownAnswer(field.key, field.label.get(lang), text))
    return shown
