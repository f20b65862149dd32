"""Flask-WTF forms of the project and zones pages: typing, bounds and French messages live here.

The service (``services/projects.py``) checks the same rules again, for the command line and for
what only the database knows (a slug already taken).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from webapp.errors import ValidationError
from webapp.form_fields import TextListField
from webapp.services import projects


class FrenchDateField(DateField):
    """A date typed as YYYY-MM-DD (what ``<input type=date>`` sends) with a French message."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
        except ValueError as error:
            self.data = None
            raise ValueError(
                _l("Date invalide : utilisez le format AAAA-MM-JJ (p. ex. 2026-09-15).")
            ) from error


class WholeNumberField(IntegerField):
    """A whole number with a French message when it is not one."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as error:
            self.data = None
            raise ValueError(_l("Nombre entier attendu.")) from error


def _service_check(check, value):  # type: ignore[no-untyped-def]
    try:
        return check(value)
    except ValidationError as error:
        raise FieldError(error.message) from error


class EditProjectForm(FlaskForm):
    """What facilitators of a project may change (the slug stays: it is in every link)."""

    name = StringField(
        _l("Nom du projet"),
        validators=[
            DataRequired(message=_l("Le nom du projet est obligatoire.")),
            Length(max=projects.MAX_NAME_LENGTH, message=_l("200 caractères au plus.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[
            Length(max=projects.MAX_DESCRIPTION_LENGTH, message=_l("5 000 caractères au plus.")),
        ],
    )
    communes = StringField(
        _l("Communes (codes INSEE)"),
        description=_l(
            "Les codes officiels géographiques des communes, séparés par des espaces ou des virgules "
            "(p. ex. 80021 pour Amiens). Pas le code postal."
        ),
        validators=[DataRequired(message=_l("Indiquez au moins une commune, par son code INSEE."))],
    )
    starts_on = FrenchDateField(_l("Début"), validators=[Optional()])
    ends_on = FrenchDateField(_l("Fin"), validators=[Optional()])
    qpv_year = SelectField(
        _l("Liste officielle des QPV"),
        choices=[SelectChoice(2024, _l("Liste 2024 (en vigueur)")), SelectChoice(2015, _l("Liste 2015"))],
        coerce=int,
        validate_choice=True,
    )
    retention_months = WholeNumberField(
        _l("Durée de conservation des données précises (mois)"),
        validators=[
            InputRequired(message=_l("Indiquez une durée de conservation en mois.")),
            NumberRange(
                min=projects.MIN_RETENTION_MONTHS,
                max=projects.MAX_RETENTION_MONTHS,
                message=_l("Entre 1 et 120 mois."),
            ),
        ],
    )

    def validate_communes(self, field) -> None:  # type: ignore[no-untyped-def]
        """Each code a plausible INSEE commune code; the message names the wrong ones."""
        field.data = " ".join(_service_check(projects.parse_communes, field.data or ""))

    def validate_ends_on(self, field) -> None:  # type: ignore[no-untyped-def]
        """The end is not before the start."""
        start: date | None = self.starts_on.data
        if start and field.data and field.data < start:
            raise FieldError(
                _l(
                    "La date de fin (%(end)s) précède la date de début (%(start)s).",
                    end=field.data.strftime("%d/%m/%Y"),
                    start=start.strftime("%d/%m/%Y"),
                )
            )

    #: the project as the edit page showed it, field by field (``concurrent_edits.marks``)
    seen = HiddenField()

    def territory(self) -> list[str]:
        """The communes as a list of codes (after validation)."""
        return (self.communes.data or "").split()


class NewProjectForm(EditProjectForm):
    """An administrator's new project: the fields above, its slug, and whether they join its team."""

    slug = StringField(
        _l("Identifiant court"),
        description=_l("Dans les adresses du site : minuscules, chiffres et tirets (p. ex. amiens-2026)."),
        validators=[DataRequired(message=_l("L'identifiant court est obligatoire."))],
    )
    join_team = BooleanField(_l("M'ajouter à l'équipe d'animation de ce projet"))

    def validate_slug(self, field) -> None:  # type: ignore[no-untyped-def]
        """Format and reserved words (a slug already taken is the service's answer)."""
        field.data = (field.data or "").strip()
        problem = projects.slug_problem(field.data)
        if problem:
            raise FieldError(problem)


class KeepQpvForm(FlaskForm):
    """The official QPV the project keeps (the codes of the ticked boxes)."""

    keep = TextListField(_l("QPV retenus"))
    #: the QPV the page showed, and those it showed ticked (absent: a script, saved as sent)
    shown = TextListField()
    shown_kept = TextListField()


class ZoneFileForm(FlaskForm):
    """A file of zones (GeoJSON, zipped shapefile or GeoPackage)."""

    file = FileField(_l("Fichier"))


class DrawnZoneForm(FlaskForm):
    """A zone drawn on the map, posted as GeoJSON, with its name."""

    name = StringField(
        _l("Nom de la zone"),
        validators=[
            DataRequired(message=_l("Donnez un nom à la zone (p. ex. « Centre-ville »).")),
            Length(max=200, message=_l("200 caractères au plus.")),
        ],
    )
    geojson = TextAreaField(
        _l("Contour (GeoJSON)"),
        validators=[DataRequired(message=_l("Dessinez d'abord la zone sur la carte."))],
    )


class RenameZoneForm(FlaskForm):
    """A new name for one of the project's own zones."""

    name = StringField(
        _l("Nouveau nom"),
        validators=[
            DataRequired(message=_l("Donnez un nom à la zone.")),
            Length(max=200, message=_l("200 caractères au plus.")),
        ],
    )
