"""Closed vocabularies stored as short strings (checked by the database, labelled in the UI).

Each vocabulary keeps its labels here, in one place: ``__titles__`` maps a code to its French label
(lazily translated), as indico's ``RichEnum`` does. Domain code handles codes; pages, exports and
messages show ``Enum(code).label``. Two optional title sets cover the other wordings of the same
idea, so they too live here and nowhere else:

- ``__group_titles__``: the plural, for a group of people or things (« Femmes », « Problèmes »),
  used by summaries, comparisons and charts;
- ``__answer_titles__``: the wording of a choice in a question put to a resident (« Je préfère ne
  pas répondre »).

Each falls back to ``__titles__`` for the codes it does not name.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint


class LabelledEnum(StrEnum):
    """A vocabulary whose members have a label for people (``__titles__``: code → lazy label)."""

    __titles__: ClassVar[dict[str, Any]] = {}
    __group_titles__: ClassVar[dict[str, Any]] = {}
    __answer_titles__: ClassVar[dict[str, Any]] = {}

    @property
    def label(self) -> str:
        """The label people read, in the current language."""
        return str(type(self).__titles__.get(self.value, self.value))

    @property
    def group_label(self) -> str:
        """The plural / group wording (``__group_titles__``), else :attr:`label`."""
        title = type(self).__group_titles__.get(self.value)
        return str(title) if title is not None else self.label

    @property
    def answer_label(self) -> str:
        """The wording as a choice in a question (``__answer_titles__``), else :attr:`label`."""
        title = type(self).__answer_titles__.get(self.value)
        return str(title) if title is not None else self.label

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(code, label)`` pairs in declaration order, for select lists."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def group_choices(cls) -> list[tuple[str, str]]:
        """``(code, group label)`` pairs in declaration order."""
        return [(member.value, member.group_label) for member in cls]

    @classmethod
    def label_of(cls, code: str | None) -> str:
        """The label of ``code``; the code itself when it is not (or no longer) in the vocabulary."""
        if code is None:
            return ""
        try:
            return cls(code).label
        except ValueError:
            return code

    @classmethod
    def group_label_of(cls, code: str | None) -> str:
        """The group label of ``code`` (see :meth:`label_of`)."""
        if code is None:
            return ""
        try:
            return cls(code).group_label
        except ValueError:
            return code

    @classmethod
    def labels(cls) -> dict[str, str]:
        """``{code: label}`` in the current language (for a table or an export read row by row)."""
        return dict(cls.choices())


class FormOrigin(LabelledEnum):
    SHIPPED = "shipped"
    XLSFORM = "xlsform"

    __titles__: ClassVar[dict[str, Any]] = {
        "shipped": _l("Fourni avec Arpenteur"),
        "xlsform": _l("Importé d'un XLSForm"),
    }


class FieldKind(LabelledEnum):
    """Question types of an observation form (``mobile_forms.FIELD_TYPES``)."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RATING = "rating"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    PHOTO = "photo"
    LOCATION = "location"

    __titles__: ClassVar[dict[str, Any]] = {
        "single_choice": _l("Choix unique"),
        "multiple_choice": _l("Choix multiples"),
        "rating": _l("Note sur une échelle"),
        "short_text": _l("Texte court"),
        "long_text": _l("Texte long"),
        "photo": _l("Photo"),
        "location": _l("Position sur la carte"),
    }


class ImportSkip(LabelledEnum):
    """Why a row of an XLSForm workbook has no counterpart in the imported form (``SkippedQuestion.code``)."""

    METADATA = "metadata"
    NOTE = "note"
    CALCULATION = "calculation"
    REPEAT = "repeat"
    NOT_A_SCALE = "not_a_scale"
    UNSUPPORTED_TYPE = "unsupported_type"
    EXTERNAL_CHOICES = "external_choices"
    TOO_FEW_CHOICES = "too_few_choices"

    __titles__: ClassVar[dict[str, Any]] = {
        "metadata": _l("donnée enregistrée par l'application du téléphone"),
        "note": _l("texte d'information, sans réponse"),
        "calculation": _l("calcul"),
        "repeat": _l("groupe répété (une observation est une seule série de réponses)"),
        "not_a_scale": _l("nombre qui n'est pas une note de 0 à 10"),
        "unsupported_type": _l("type de question que la page de saisie ne sait pas afficher"),
        "external_choices": _l("choix lus dans un fichier externe"),
        "too_few_choices": _l("liste de moins de deux choix"),
    }


class ZoneKind(LabelledEnum):
    QPV = "qpv"
    CUSTOM = "custom"

    __titles__: ClassVar[dict[str, Any]] = {
        "qpv": _l("Quartier prioritaire (QPV)"),
        "custom": _l("Zone du projet"),
    }


class TimeSlot(LabelledEnum):
    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"

    __titles__: ClassVar[dict[str, Any]] = {
        "day": _l("Jour"),
        "evening": _l("Soirée"),
        "night": _l("Nuit"),
    }


class WalkStatus(LabelledEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"

    __titles__: ClassVar[dict[str, Any]] = {
        "planned": _l("Prévue"),
        "open": _l("Ouverte"),
        "closed": _l("Terminée"),
    }


#: How "prefer not to say" reads in a resident's profile question, and in a table or summary.
_UNDISCLOSED_ANSWER = _l("Je préfère ne pas répondre")
_UNDISCLOSED = _l("Non précisé")


class AgeBand(LabelledEnum):
    """A participant's age band (optional profile)."""

    UNDER_15 = "11-14"
    TEEN = "15-17"
    YOUNG_ADULT = "18-25"
    ADULT = "26-44"
    MIDLIFE = "45-64"
    SENIOR = "65+"
    UNDISCLOSED = "undisclosed"

    __titles__: ClassVar[dict[str, Any]] = {
        "11-14": _l("11 à 14 ans"),
        "15-17": _l("15 à 17 ans"),
        "18-25": _l("18 à 25 ans"),
        "26-44": _l("26 à 44 ans"),
        "45-64": _l("45 à 64 ans"),
        "65+": _l("65 ans et plus"),
        "undisclosed": _UNDISCLOSED,
    }
    __answer_titles__: ClassVar[dict[str, Any]] = {"undisclosed": _UNDISCLOSED_ANSWER}


class AgeGroup(LabelledEnum):
    """Age bands grouped for the "young, adults and elders" comparison."""

    YOUTH = "youth"
    ADULTS = "adults"
    SENIORS = "seniors"

    __titles__: ClassVar[dict[str, Any]] = {
        "youth": _l("11 à 25 ans"),
        "adults": _l("26 à 64 ans"),
        "seniors": _l("65 ans et plus"),
    }

    @property
    def bands(self) -> tuple[str, ...]:
        """The :class:`AgeBand` codes of this group."""
        return _AGE_GROUP_BANDS[self.value]


_AGE_GROUP_BANDS: dict[str, tuple[str, ...]] = {
    "youth": (AgeBand.UNDER_15, AgeBand.TEEN, AgeBand.YOUNG_ADULT),
    "adults": (AgeBand.ADULT, AgeBand.MIDLIFE),
    "seniors": (AgeBand.SENIOR,),
}


class Gender(LabelledEnum):
    """A participant's gender (optional profile)."""

    WOMAN = "woman"
    MAN = "man"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"

    __titles__: ClassVar[dict[str, Any]] = {
        "woman": _l("Femme"),
        "man": _l("Homme"),
        "other": _l("Autre"),
        "undisclosed": _UNDISCLOSED,
    }
    __group_titles__: ClassVar[dict[str, Any]] = {
        "woman": _l("Femmes"),
        "man": _l("Hommes"),
        "other": _l("Autres"),
    }
    __answer_titles__: ClassVar[dict[str, Any]] = {"undisclosed": _UNDISCLOSED_ANSWER}


class ParticipantStatus(LabelledEnum):
    """A participant's situation (optional profile)."""

    COLLEGIEN = "collegien"
    LYCEEN = "lyceen"
    STUDENT = "student"
    RESIDENT = "resident"
    PARTNER_STAFF = "partner_staff"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"

    __titles__: ClassVar[dict[str, Any]] = {
        "collegien": _l("Collégien·ne"),
        "lyceen": _l("Lycéen·ne"),
        "student": _l("Étudiant·e"),
        "resident": _l("Habitant·e"),
        "partner_staff": _l("Professionnel·le d'une structure partenaire"),
        "other": _l("Autre"),
        "undisclosed": _UNDISCLOSED,
    }
    __answer_titles__: ClassVar[dict[str, Any]] = {"undisclosed": _UNDISCLOSED_ANSWER}


class LocationSource(LabelledEnum):
    GPS = "gps"
    PIN = "pin"
    FACILITATOR = "facilitator"

    __titles__: ClassVar[dict[str, Any]] = {
        "gps": _l("GPS du téléphone"),
        "pin": _l("Repère placé à la main"),
        "facilitator": _l("Saisie par l'équipe"),
    }


class Polarity(LabelledEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"

    __titles__: ClassVar[dict[str, Any]] = {
        "positive": _l("Atout"),
        "negative": _l("Problème"),
        "neutral": _l("Neutre"),
    }
    __group_titles__: ClassVar[dict[str, Any]] = {
        "positive": _l("Atouts"),
        "negative": _l("Problèmes"),
        "neutral": _l("Neutres"),
    }


class ModerationStatus(LabelledEnum):
    PENDING = "pending"
    VALIDATED = "validated"
    HIDDEN = "hidden"

    __titles__: ClassVar[dict[str, Any]] = {
        "pending": _l("À modérer"),
        "validated": _l("Validée"),
        "hidden": _l("Masquée"),
    }
    __group_titles__: ClassVar[dict[str, Any]] = {
        "pending": _l("À modérer"),
        "validated": _l("Validées"),
        "hidden": _l("Masquées"),
    }


class ModerationAction(LabelledEnum):
    """What a moderation journal line records (``ModerationEvent.action``)."""

    VALIDATE = "validate"
    HIDE = "hide"
    EDIT = "edit"
    MERGE = "merge"
    MOVE = "move"
    FLAG = "flag"
    UNFLAG = "unflag"
    #: an observation typed in by the team (facilitator entry, paper-sheet import)
    ENTRY = "entry"

    __titles__: ClassVar[dict[str, Any]] = {
        "validate": _l("Validée"),
        "hide": _l("Masquée"),
        "edit": _l("Texte corrigé"),
        "merge": _l("Fusionnée"),
        "move": _l("Déplacée"),
        "flag": _l("Signalée hors périmètre"),
        "unflag": _l("Signalement hors périmètre retiré"),
        "entry": _l("Saisie par l'équipe"),
    }


class JournalField(LabelledEnum):
    """What a moderation journal line changed (the keys of ``ModerationEvent.changes``)."""

    MODERATION_STATUS = "moderation_status"
    NOTE = "note"
    PROPOSAL = "proposal"
    PHOTOS = "photos"
    MERGED_FROM = "merged_from"
    MERGED_INTO = "merged_into"
    LOCATION = "location"
    ZONE_ID = "zone_id"
    OUT_OF_AREA = "out_of_area"
    LOCATION_SOURCE = "location_source"
    VIA = "via"
    ROW = "row"

    __titles__: ClassVar[dict[str, Any]] = {
        "moderation_status": _l("Statut"),
        "note": _l("Note"),
        "proposal": _l("Proposition"),
        "photos": _l("Photos"),
        "merged_from": _l("Doublon fusionné"),
        "merged_into": _l("Fusionnée dans"),
        "location": _l("Position"),
        "zone_id": _l("Zone"),
        "out_of_area": _l("Hors périmètre"),
        "location_source": _l("Origine de la position"),
        "via": _l("Saisie"),
        "row": _l("Ligne du fichier"),
    }


class EntryChannel(LabelledEnum):
    """How the team typed an observation in (``changes["via"]`` of an entry line)."""

    FORM = "form"
    IMPORT = "import"

    __titles__: ClassVar[dict[str, Any]] = {
        "form": _l("formulaire de saisie"),
        "import": _l("import d'un fichier"),
    }


class Role(LabelledEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    PARTNER = "partner"

    __titles__: ClassVar[dict[str, Any]] = {
        "admin": _l("administration"),
        "facilitator": _l("animation"),
        "partner": _l("partenaire"),
    }


class OrganisationKind(LabelledEnum):
    CITY = "city"
    LANDLORD = "landlord"
    TRANSPORT = "transport"
    ASSOCIATION = "association"
    SCHOOL = "school"
    STATE = "state"
    OTHER = "other"

    __titles__: ClassVar[dict[str, Any]] = {
        "city": _l("Ville, collectivité"),
        "landlord": _l("Bailleur social"),
        "transport": _l("Transport"),
        "association": _l("Association"),
        "school": _l("Établissement scolaire"),
        "state": _l("Services de l'État"),
        "other": _l("Autre"),
    }


class Priority(LabelledEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    __titles__: ClassVar[dict[str, Any]] = {
        "high": _l("Haute"),
        "medium": _l("Moyenne"),
        "low": _l("Basse"),
    }


class RecommendationStatus(LabelledEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"

    __titles__: ClassVar[dict[str, Any]] = {
        "proposed": _l("Proposée"),
        "accepted": _l("Acceptée"),
        "in_progress": _l("En cours"),
        "done": _l("Réalisée"),
        "declined": _l("Refusée"),
    }


class ComparisonKind(LabelledEnum):
    """The comparisons of a thematic summary: how observations are split into groups."""

    TIME_SLOT = "time_slot"
    GENDER = "gender"
    AGE_GROUP = "age_group"
    ZONE = "zone"

    __titles__: ClassVar[dict[str, Any]] = {
        "time_slot": _l("Jour, soirée et nuit"),
        "gender": _l("Femmes et hommes"),
        "age_group": _l("Jeunes, adultes et aînés"),
        "zone": _l("Zone par zone"),
    }


class CoordinateProblem(LabelledEnum):
    """Why a longitude/latitude pair is unusable (``geodata.shapes.CoordinateIssue.reason``).

    Titles take the pair as ``%(pair)s``.
    """

    NOT_FINITE = "not_finite"
    OUT_OF_RANGE = "out_of_range"
    PROJECTED = "projected"
    SWAPPED = "swapped"
    OUTSIDE_FRANCE = "outside_france"

    __titles__: ClassVar[dict[str, Any]] = {
        "not_finite": _l("coordonnées non numériques (NaN, infini ou texte) : %(pair)s"),
        "out_of_range": _l("longitude hors de [-180, 180] ou latitude hors de [-90, 90] : %(pair)s"),
        "projected": _l("valeurs en mètres (Lambert-93 ?) et non en degrés WGS84 : %(pair)s"),
        "swapped": _l("longitude et latitude semblent inversées : %(pair)s"),
        "outside_france": _l("position hors de France métropolitaine et d'outre-mer : %(pair)s"),
    }

    def describe(self, pair: str) -> str:
        """The sentence for this problem with the pair in it, in the current language."""
        return self.label % {"pair": pair}


class ProfileField(LabelledEnum):
    """The optional profile questions put to a participant (group statistics only)."""

    AGE_BAND = "age_band"
    GENDER = "gender"
    STATUS = "status"

    __titles__: ClassVar[dict[str, Any]] = {
        "age_band": _l("Âge"),
        "gender": _l("Genre"),
        "status": _l("Situation"),
    }

    @property
    def vocabulary(self) -> type[LabelledEnum]:
        """The vocabulary of the answers."""
        return {"age_band": AgeBand, "gender": Gender, "status": ParticipantStatus}[self.value]


class FilterProblem(LabelledEnum):
    """Why part of a map or summary filter was ignored (titles take ``%(field)s`` and ``%(value)s``)."""

    UNKNOWN_VALUE = "unknown_value"
    UNKNOWN_THEME = "unknown_theme"
    UNKNOWN_WALK = "unknown_walk"
    INVALID_DATE = "invalid_date"

    __titles__: ClassVar[dict[str, Any]] = {
        "unknown_value": _l("Valeur inconnue ignorée pour « %(field)s » : %(value)s"),
        "unknown_theme": _l("Thème inconnu ignoré : %(value)s"),
        "unknown_walk": _l("Marche inconnue ignorée."),
        "invalid_date": _l("Date invalide ignorée : %(value)s"),
    }

    def describe(self, field: str = "", value: str = "") -> str:
        """The sentence, with the field and value in it, in the current language."""
        return self.label % {"field": field, "value": value}


#: How the observations outside every zone are named (summaries, filters, exports, the API).
OUTSIDE_ZONE = _l("Hors zone")
#: A recommendation no partner answers for yet.
UNASSIGNED = _l("Non attribuée")
#: Who signs a timeline step made by someone of no organisation (the facilitators).
FACILITATION_TEAM = _l("Équipe d'animation")
#: How sensitive reports are named when the forms give no sensitive theme a label.
SENSITIVE_REPORTS = _l("Signalements sensibles")
#: Added to a comparison's title when it covers the whole project whatever the filters.
WHOLE_PROJECT = _l("%(title)s (tout le projet)")


def one_of(column: str, enum: type[StrEnum], *, name: str | None = None) -> CheckConstraint:
    """A CHECK constraint keeping ``column`` inside ``enum`` (NULL allowed when the column is)."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=name or column)
