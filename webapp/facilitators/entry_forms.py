"""Flask-WTF forms of facilitator entry: one observation typed in, and a filled-in template to import.

The entry form is built per walk: its fixed part (where, when, who) is typed and bounded here; the
questions come from the walk's form definition (``mobile_forms``), whose own validation
(:func:`mobile_forms.validate_answers`, through ``services.entry``) judges the answers. Answer
fields are named ``a_<key>`` and photo fields ``p_<key>``, so no question can clash with a field of
the form itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

# Lazy, and named ``_`` so that the catalogue extraction (default keywords) finds these texts.
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    Field,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, Optional, ValidationError

from mobile_forms import FormDefinition
from mobile_forms.fields import (
    LocationField,
    LongTextField,
    MultipleChoiceField,
    PhotoField,
    RatingField,
    SingleChoiceField,
)
from webapp.models import Walk
from webapp.models.enums import AgeBand, Gender, ParticipantStatus
from webapp.services.entry import local_to_utc

#: Prefix of the fields holding answers to the walk's questions.
ANSWER_PREFIX = "a_"
#: Prefix of the photo fields.
PHOTO_PREFIX = "p_"
#: Where an entry is: at a stop of the walk, or at a pin (or typed coordinates).
WHERE_STOP, WHERE_PIN = "stop", "pin"
#: Formats accepted for a typed capture time (the browser's picker sends the first).
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M")


class DecimalField(StringField):
    """A decimal number typed the French way (``2,2955``) or the English way (``2.2955``)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            text = str(valuelist[0]).strip().replace(",", ".").replace(" ", "")
            try:
                self.data = float(text)
            except ValueError:
                self.data = None
                raise ValueError(str(_("Nombre attendu, par exemple 2,2955."))) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else f"{self.data:.6f}"


class LocalDateTimeField(StringField):
    """A date and time typed by a person (French local time), ``None`` when left blank."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        for fmt in DATETIME_FORMATS:
            try:
                typed = datetime.strptime(text, fmt)
                local_to_utc(typed)  # a time that leaves the calendar in UTC (year 1) is no time
            except ValueError:
                continue
            self.data = typed
            return
        raise ValueError(str(_("Date et heure attendues, par exemple 12/03/2026 18:30.")))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.strftime("%Y-%m-%dT%H:%M") if self.data else ""


def _choices(pairs: Any) -> list[SelectChoice]:
    """WTForms choices from ``(value, label)`` pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class Between:
    """A number within bounds; a value that could not be read is already reported by its field."""

    def __init__(self, minimum: float, maximum: float, message: Any) -> None:
        self.minimum, self.maximum, self.message = minimum, maximum, message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is not None and not self.minimum <= field.data <= self.maximum:
            raise ValidationError(str(self.message))


def _uuid(form: FlaskForm, field: Field) -> None:
    try:
        uuid.UUID(str(field.data))
    except ValueError:
        raise ValidationError(str(_("Formulaire incomplet : rechargez la page."))) from None


def _profile_field(label: Any, enum: type[AgeBand] | type[Gender] | type[ParticipantStatus]) -> SelectField:
    codes = [""] + [member.value for member in enum]
    return SelectField(
        label,
        choices=_choices((code, code) for code in codes),
        validate_choice=False,
        validators=[AnyOf(codes, message=_("Choix inconnu."))],
        default="",
    )


class EntryForm(FlaskForm):
    """The fixed part of the entry form: where, when, who; the questions are added per walk."""

    client_uuid = HiddenField(validators=[_uuid])
    where = RadioField(
        _("Où ?"),
        choices=_choices(
            [(WHERE_STOP, _("À un arrêt")), (WHERE_PIN, _("Repère sur la carte ou coordonnées"))]
        ),
        default=WHERE_STOP,
        validators=[AnyOf([WHERE_STOP, WHERE_PIN], message=_("Dites où."))],
    )
    stop = SelectField(_("Arrêt le plus proche"), choices=[], validate_choice=False, default="")
    lon = DecimalField(
        _("Longitude"),
        validators=[Between(-180, 180, _("Entre -180 et 180 degrés."))],
    )
    lat = DecimalField(
        _("Latitude"),
        validators=[Between(-90, 90, _("Entre -90 et 90 degrés."))],
    )
    captured_at = LocalDateTimeField(_("Date et heure"), validators=[Optional()])
    age_band = _profile_field(_("Tranche d'âge"), AgeBand)
    gender = _profile_field(_("Genre"), Gender)
    status = _profile_field(_("Situation"), ParticipantStatus)
    theme = RadioField(_("Thème"), choices=[], validate_choice=False)
    subtheme = SelectField(_("Sous-thème"), choices=[], validate_choice=False, default="")

    #: the walk's form, set by :func:`build_entry_form`
    definition: FormDefinition

    def validate(self, extra_validators: Any = None) -> bool:
        """Types and bounds, then: a stop of the walk, or both coordinates, depending on ``where``."""
        ok = super().validate(extra_validators)
        if self.where.data == WHERE_STOP:
            if not self.stop.data:
                self.stop.errors = [*self.stop.errors, str(_("Choisissez l'arrêt le plus proche."))]
                ok = False
            elif self.stop.data not in {choice.value for choice in self.stop.choices}:
                self.stop.errors = [*self.stop.errors, str(_("Cet arrêt n'est pas sur cette marche."))]
                ok = False
        elif self.where.data == WHERE_PIN:
            for coordinate in (self.lon, self.lat):
                if coordinate.data is None and not coordinate.errors:
                    coordinate.errors = [
                        *coordinate.errors,
                        str(_("Placez le repère sur la carte, ou tapez longitude et latitude.")),
                    ]
                    ok = False
        return ok

    def question_fields(self) -> list[tuple[Any, Field]]:
        """(question, field) pairs in the form's order; photo and location questions are not listed."""
        pairs = []
        for question in self.definition.fields:
            if isinstance(question.kind, PhotoField | LocationField):
                continue
            pairs.append((question, self[ANSWER_PREFIX + question.key]))
        return pairs

    def photo_fields(self) -> list[tuple[Any, Field]]:
        """(question, file field) pairs of the photo questions."""
        return [
            (question, self[PHOTO_PREFIX + question.key])
            for question in self.definition.fields
            if isinstance(question.kind, PhotoField)
        ]

    def labels(self, lang: str) -> dict[str, str]:
        """Field name -> what people read, the questions in ``lang`` (for the list of problems)."""
        labels = {field.name: str(field.label.text) for field in self}
        for question in self.definition.fields:
            for prefix in (ANSWER_PREFIX, PHOTO_PREFIX):
                if prefix + question.key in labels:
                    labels[prefix + question.key] = question.label.get(lang)
        return labels

    def answers(self) -> dict[str, Any]:
        """The answers as ``validate_answers`` takes them (theme, sub-theme, one entry per question)."""
        theme = (self.theme.data or "").strip()
        raw_sub = (self.subtheme.data or "").strip()
        # Sub-themes are offered as "theme.subtheme": one chosen under another theme is refused.
        sub_theme, _dot, sub = raw_sub.partition(".")
        answers: dict[str, Any] = {"theme": theme, "subtheme": sub if sub_theme == theme else raw_sub}
        for question, field in self.question_fields():
            answers[question.key] = field.data if field.data is not None else ""
        return answers

    def field_for(self, key: str) -> Field | None:
        """The form field where a problem with answer ``key`` (or ``location``, ``captured_at``) shows."""
        if key in ("theme", "subtheme", "captured_at", "age_band", "gender", "status"):
            return self[key]
        if key == "location":
            return self.stop if self.where.data == WHERE_STOP else self.lon
        for prefix in (ANSWER_PREFIX, PHOTO_PREFIX):
            if prefix + key in self:
                return self[prefix + key]
        return None


def _question_field(question: Any) -> Field:
    kind = question.kind
    if isinstance(kind, SingleChoiceField):
        return RadioField(
            question.label.fr, choices=_choices((c.key, c.key) for c in kind.choices), validate_choice=False
        )
    if isinstance(kind, MultipleChoiceField):
        return SelectMultipleField(
            question.label.fr, choices=_choices((c.key, c.key) for c in kind.choices), validate_choice=False
        )
    if isinstance(kind, RatingField):
        return RadioField(
            question.label.fr,
            choices=_choices((n, n) for n in range(kind.min, kind.max + 1)),
            validate_choice=False,
        )
    if isinstance(kind, LongTextField):
        return TextAreaField(question.label.fr)
    return StringField(question.label.fr)


def build_entry_form(walk: Walk, definition: FormDefinition, **kwargs: Any) -> EntryForm:
    """The entry form of a walk: the fixed fields, then one field per question of its form."""
    attributes: dict[str, Any] = {}
    for question in definition.fields:
        if isinstance(question.kind, LocationField):
            continue
        if isinstance(question.kind, PhotoField):
            attributes[PHOTO_PREFIX + question.key] = MultipleFileField(question.label.fr)
        else:
            attributes[ANSWER_PREFIX + question.key] = _question_field(question)
    form_class = type("WalkEntryForm", (EntryForm,), attributes)
    form: EntryForm = form_class(**kwargs)
    form.definition = definition
    form.stop.choices = _choices([("", "—"), *((s.id, f"{s.position}. {s.name}") for s in walk.stops)])
    form.theme.choices = _choices((t.key, t.key) for t in definition.themes)
    form.subtheme.choices = _choices(
        [("", "—"), *((f"{t.key}.{s.key}", s.key) for t in definition.themes for s in t.subthemes)]
    )
    return form


class ImportForm(FlaskForm):
    """A filled-in entry template to import."""

    file = FileField(
        _("Fichier rempli (.xlsx ou .csv)"),
        validators=[
            FileRequired(message=_("Choisissez le fichier à importer.")),
            FileAllowed(
                # .xls and .ods get a precise message from the importer, which reads the content.
                ["xlsx", "csv", "txt", "xls", "ods"],
                message=_("Seuls les fichiers .xlsx et .csv sont acceptés."),
            ),
        ],
    )
