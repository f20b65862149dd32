"""Closed vocabularies stored as short strings (checked by the database, labelled in the UI).

Each vocabulary keeps its labels here, in one place: ``__titles__`` maps a code to its French label
(lazily translated), as indico's ``RichEnum`` does. Domain code handles codes; pages, exports and
messages show ``Enum(code).label``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint


class LabelledEnum(StrEnum):
    """A vocabulary whose members have a label for people (``__titles__``: code → lazy label)."""

    __titles__: ClassVar[dict[str, Any]] = {}

    @property
    def label(self) -> str:
        """The label people read, in the current language."""
        return str(type(self).__titles__.get(self.value, self.value))

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(code, label)`` pairs in declaration order, for select lists."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def label_of(cls, code: str | None) -> str:
        """The label of ``code``; the code itself when it is not (or no longer) in the vocabulary."""
        if code is None:
            return ""
        try:
            return cls(code).label
        except ValueError:
            return code


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
        "rating": _l("Note"),
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


class AgeBand(StrEnum):
    UNDER_15 = "11-14"
    TEEN = "15-17"
    YOUNG_ADULT = "18-25"
    ADULT = "26-44"
    MIDLIFE = "45-64"
    SENIOR = "65+"
    UNDISCLOSED = "undisclosed"


class Gender(StrEnum):
    WOMAN = "woman"
    MAN = "man"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"


class ParticipantStatus(StrEnum):
    COLLEGIEN = "collegien"
    LYCEEN = "lyceen"
    STUDENT = "student"
    RESIDENT = "resident"
    PARTNER_STAFF = "partner_staff"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"


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


class ModerationStatus(LabelledEnum):
    PENDING = "pending"
    VALIDATED = "validated"
    HIDDEN = "hidden"

    __titles__: ClassVar[dict[str, Any]] = {
        "pending": _l("À modérer"),
        "validated": _l("Validée"),
        "hidden": _l("Masquée"),
    }


class ModerationAction(LabelledEnum):
    """What a moderator did to an observation (the journal's action column and the flash messages)."""

    VALIDATE = "validate"
    HIDE = "hide"
    EDIT = "edit"
    MERGE = "merge"
    MOVE = "move"
    FLAG = "flag"
    UNFLAG = "unflag"

    __titles__: ClassVar[dict[str, Any]] = {
        "validate": _l("Validée"),
        "hide": _l("Masquée"),
        "edit": _l("Texte modifié"),
        "merge": _l("Fusionnée (doublon)"),
        "move": _l("Point déplacé"),
        "flag": _l("Signalée hors périmètre"),
        "unflag": _l("Signalement hors périmètre retiré"),
    }


class ModerationField(LabelledEnum):
    """What a moderation action changed (the keys of ``ModerationEvent.changes``)."""

    MODERATION_STATUS = "moderation_status"
    NOTE = "note"
    PROPOSAL = "proposal"
    LOCATION = "location"
    ZONE_ID = "zone_id"
    OUT_OF_AREA = "out_of_area"
    PHOTOS = "photos"
    MERGED_FROM = "merged_from"
    MERGED_INTO = "merged_into"

    __titles__: ClassVar[dict[str, Any]] = {
        "moderation_status": _l("Statut"),
        "note": _l("Note"),
        "proposal": _l("Proposition"),
        "location": _l("Position"),
        "zone_id": _l("Quartier"),
        "out_of_area": _l("Hors périmètre"),
        "photos": _l("Photos reprises"),
        "merged_from": _l("Doublon fusionné"),
        "merged_into": _l("Fusionnée dans"),
    }


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    PARTNER = "partner"


class OrganisationKind(StrEnum):
    CITY = "city"
    LANDLORD = "landlord"
    TRANSPORT = "transport"
    ASSOCIATION = "association"
    SCHOOL = "school"
    STATE = "state"
    OTHER = "other"


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


def one_of(column: str, enum: type[StrEnum], *, name: str | None = None) -> CheckConstraint:
    """A CHECK constraint keeping ``column`` inside ``enum`` (NULL allowed when the column is)."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=name or column)
