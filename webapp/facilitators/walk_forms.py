"""Staff forms of walk planning: plan or edit a walk, duplicate it, confirm a close or a deletion.

Typing, bounds and the French messages live here; the views only read ``form.data``. The route and
the stops travel as text (one point per line), which the map editor keeps in sync: the text is also
the keyboard fallback.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _  # extracted like gettext (babel does not know `_l`)
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from geodata.tracks import MAX_FILE_BYTES
from webapp.models.enums import TimeSlot
from webapp.services.walks import MAX_GROUP_SIZE

#: The time-slot picker: "from the start time" first, then each slot.
AUTO_SLOT = ""


def slot_choices() -> list[tuple[str, str]]:
    """Choices of the time-slot picker (labels in the current language)."""
    return [(AUTO_SLOT, str(_("Automatique")))] + TimeSlot.choices()


class _Schedule(FlaskForm):
    title = StringField(
        _("Titre"),
        validators=[DataRequired(_("Donnez un titre à la marche.")), Length(max=200)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    walk_date = DateField(_("Date"), validators=[InputRequired(_("Indiquez la date (AAAA-MM-JJ)."))])
    starts_at = TimeField(_("Début"), validators=[Optional()])
    ends_at = TimeField(_("Fin"), validators=[Optional()])
    time_slot = SelectField(_("Créneau"), choices=[], validate_choice=True, default=AUTO_SLOT)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.time_slot.choices = slot_choices()


class WalkForm(_Schedule):
    """Plan a walk, or change its plan."""

    meeting_point = StringField(_("Point de rendez-vous"), validators=[Optional(), Length(max=200)])
    group_description = StringField(
        _("Groupe (description publique)"), validators=[Optional(), Length(max=200)]
    )
    expected_size = IntegerField(
        _("Nombre de personnes attendues"),
        validators=[
            Optional(),
            NumberRange(1, MAX_GROUP_SIZE, _("Entre 1 et %(max)s personnes.", max=MAX_GROUP_SIZE)),
        ],
    )
    form_choice = SelectField(_("Formulaire d'observation"), choices=[], validate_choice=True)
    route = TextAreaField(
        _("Itinéraire (une ligne par point : longitude, latitude)"), validators=[Optional()]
    )
    route_file = FileField(
        _("Ou importer une trace GPX ou GeoJSON enregistrée sur un téléphone"),
        validators=[
            FileAllowed(["gpx", "geojson", "json"], _("Envoyez une trace GPX (.gpx) ou GeoJSON (.geojson).")),
            FileSize(MAX_FILE_BYTES, message=_("Fichier trop lourd : 5 Mo au plus.")),
        ],
    )
    stops = TextAreaField(
        _("Arrêts, dans l'ordre (une ligne par arrêt : longitude, latitude, nom)"), validators=[Optional()]
    )
    #: the plan as the page showed it, field by field (``concurrent_edits.marks``); empty when planning
    seen = HiddenField()


class DuplicateForm(_Schedule):
    """A copy of a walk: the night version of a day walk, or a re-walk."""

    as_rewalk = BooleanField(_("Lier comme re-marche de cette marche"))


class ConfirmForm(FlaskForm):
    """A confirmation step (close, delete): the box must be ticked."""

    confirm = BooleanField(_("Je confirme"), validators=[DataRequired(_("Cochez la case pour confirmer."))])


class OpenWalkForm(FlaskForm):
    """« Ouvrir » / « Rouvrir la marche »: the status the page showed (a planned walk's « Ouvrir » never
    reopens a walk closed meanwhile)."""

    seen_status = HiddenField()
