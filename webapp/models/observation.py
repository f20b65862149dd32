"""An observation: one geolocated entry made by a participant during a walk, and its photos."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import JSONType, UTCDateTime, utcnow
from webapp.models.enums import LocationSource, ModerationStatus, Polarity, one_of

if TYPE_CHECKING:
    from webapp.models.person import Participant
    from webapp.models.walk import Walk
    from webapp.models.zone import Zone


class Observation(Model):
    __tablename__ = "observations"
    __table_args__ = (
        one_of("polarity", Polarity),
        one_of("location_source", LocationSource),
        one_of("moderation_status", ModerationStatus),
        CheckConstraint("feeling IS NULL OR (feeling BETWEEN 1 AND 5)", name="feeling"),
        # Covers the summaries' passes (services.summaries): a walk's validated observations by
        # theme, polarity, zone and participant with their feeling, read without the table.
        Index(
            "ix_observations_summary",
            "walk_id",
            "moderation_status",
            "theme",
            "polarity",
            "zone_id",
            "participant_id",
            "feeling",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Made on the phone; a resent submission carries the same one and is not stored twice.
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("walks.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    location: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    #: Reported accuracy of the fix, in metres (GPS only).
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str] = mapped_column(String(16), default=LocationSource.GPS)
    #: Assigned by the server on arrival and whenever perimeters change; NULL means "hors zone".
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"), index=True)
    #: Far from the walk's route and zones: kept, but shown to the facilitator for checking.
    out_of_area: Mapped[bool] = mapped_column(Boolean, default=False)
    theme: Mapped[str] = mapped_column(String(64), index=True)
    subtheme: Mapped[str | None] = mapped_column(String(64))
    polarity: Mapped[str] = mapped_column(String(16))
    #: How safe/comfortable the participant feels here, 1 (very bad) to 5 (very good).
    feeling: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    proposal: Mapped[str] = mapped_column(Text, default="")
    #: Answers to the form's other fields, keyed by field key.
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    form_key: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int] = mapped_column(Integer)
    moderation_status: Mapped[str] = mapped_column(String(16), default=ModerationStatus.PENDING, index=True)
    #: Hash of the submitted payload: a resend with the same UUID but other content is a conflict.
    payload_hash: Mapped[str] = mapped_column(String(64), default="")
    #: When the phone recorded it (may be long before it reached the server).
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Set when the retention period ended: the point was snapped to its grid cell, text and photos removed.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    walk: Mapped[Walk] = relationship(back_populates="observations")
    participant: Mapped[Participant | None] = relationship()
    zone: Mapped[Zone | None] = relationship()
    photos: Mapped[list[Photo]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", order_by="Photo.id"
    )


class Photo(Model):
    """A photo attached to an observation, re-encoded by the server without any metadata."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Made on the phone, so a retried upload is stored once.
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"), index=True)
    #: File name inside the photo folder.
    stored_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40), default="image/jpeg")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the uploaded bytes: a retry with the same photo UUID but another file is a conflict.
    upload_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    observation: Mapped[Observation] = relationship(back_populates="photos")


class PhotoBlob(Model):
    """The bytes of a photo, when photos are kept in the database (``PHOTO_STORE=database``, the
    default on PostgreSQL): every app server reaches them, none needs a shared folder.

    One row per photo row, written in the same transaction; deleted with it (explicitly by the
    photo store, and by the foreign key's cascade for deletions the store does not see).
    """

    __tablename__ = "photo_blobs"

    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
