"""Closed vocabularies stored as short strings (checked by the database, labelled in the UI)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class ZoneKind(StrEnum):
    QPV = "qpv"
    CUSTOM = "custom"


class TimeSlot(StrEnum):
    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"


class WalkStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


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


class LocationSource(StrEnum):
    GPS = "gps"
    PIN = "pin"
    FACILITATOR = "facilitator"


class Polarity(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


class ModerationStatus(StrEnum):
    PENDING = "pending"
    VALIDATED = "validated"
    HIDDEN = "hidden"


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


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class RecommendationStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"


def one_of(column: str, enum: type[StrEnum], *, name: str | None = None) -> CheckConstraint:
    """A CHECK constraint keeping ``column`` inside ``enum`` (NULL allowed when the column is)."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=name or column)
