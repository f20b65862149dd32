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
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, Session, column_property, mapped_column, relationship, validates

from webapp.extensions import Model
from webapp.models.base import JSONType, UTCDateTime, utcnow
from webapp.models.enums import LocationSource, ModerationStatus, Polarity, one_of

if TYPE_CHECKING:
    from webapp.models.person import Participant
    from webapp.models.walk import Walk
    from webapp.models.zone import Zone


def _note_length(context: DefaultExecutionContext) -> int:
    """``note_length`` of a row inserted by a Core ``INSERT`` (one row or many): its note's length."""
    return len(context.get_current_parameters().get("note") or "")


class ObservationFacts(Model):
    """What the summaries count of one observation, and its zone's home: one narrow row per observation.

    The row is made by the database when the observation is inserted, and its copied columns kept
    equal to the observation's by triggers (migration ``e8f90a1b2c3d``); only the zone is written here.
    The summaries group and filter this table alone. Re-assigning zones writes these narrow rows, not
    the observations: on PostgreSQL the zone is in no index and the pages are half empty, so the write
    is heap-only (the summaries read the table through its walk index); on SQLite the summaries'
    covering index is here. The zone is checked by triggers, not a foreign key (PostgreSQL: once per
    statement; a foreign key checks each row): it must exist, and deleting it leaves ``zone_id`` NULL.
    """

    __tablename__ = "observation_facts"
    __table_args__ = (
        # SQLite only (migrations_support.DIALECT_INDEXES): the summaries' passes, read without the table.
        Index(
            "ix_observation_facts_summary",
            "walk_id",
            "moderation_status",
            "theme",
            "polarity",
            "zone_id",
            "participant_id",
            "feeling",
        ).ddl_if(dialect="sqlite"),
        # PostgreSQL only: a project's rows; the zone stays out of every index (heap-only updates).
        Index("ix_observation_facts_walk", "walk_id").ddl_if(dialect="postgresql"),
        {"postgresql_with": {"fillfactor": 50}},
    )

    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    walk_id: Mapped[int] = mapped_column(Integer)
    moderation_status: Mapped[str] = mapped_column(String(16))
    theme: Mapped[str] = mapped_column(String(64))
    polarity: Mapped[str] = mapped_column(String(16))
    participant_id: Mapped[int | None] = mapped_column(Integer)
    feeling: Mapped[int | None] = mapped_column(SmallInteger)
    #: NULL: "hors zone".
    zone_id: Mapped[int | None] = mapped_column(Integer)


_facts = ObservationFacts.__table__


class Observation(Model):
    __tablename__ = "observations"
    __table_args__ = (
        one_of("polarity", Polarity),
        one_of("location_source", LocationSource),
        one_of("moderation_status", ModerationStatus),
        CheckConstraint("feeling IS NULL OR (feeling BETWEEN 1 AND 5)", name="feeling"),
        # The walk's lookups, and which forms a project's observations were recorded with
        # (services.forms: the themes of every summary) read here without the table.
        Index("ix_observations_walk_form", "walk_id", "form_key", "form_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Made on the phone; a resent submission carries the same one and is not stored twice.
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("walks.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    location: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    #: Reported accuracy of the fix, in metres (GPS only).
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str] = mapped_column(String(16), default=LocationSource.GPS)
    #: Retired: the zone lives in :class:`ObservationFacts` (migration ``e8f90a1b2c3d`` emptied this
    #: column; a later one drops it). Nothing reads or writes it.
    _retired_zone_id: Mapped[int | None] = mapped_column(
        "zone_id", ForeignKey("zones.id", ondelete="SET NULL"), deferred=True
    )
    #: Far from the walk's route and zones: kept, but shown to the facilitator for checking.
    out_of_area: Mapped[bool] = mapped_column(Boolean, default=False)
    theme: Mapped[str] = mapped_column(String(64))
    subtheme: Mapped[str | None] = mapped_column(String(64))
    polarity: Mapped[str] = mapped_column(String(16))
    #: How safe/comfortable the participant feels here, 1 (very bad) to 5 (very good).
    feeling: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    #: ``len(note)``, kept with it (on insert, Core or ORM, and whenever the note is set through the
    #: ORM), so the summaries rank quotes from an index instead of measuring every note.
    note_length: Mapped[int] = mapped_column(Integer, default=_note_length, server_default="0")
    proposal: Mapped[str] = mapped_column(Text, default="")
    #: Answers to the form's other fields, keyed by field key.
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    form_key: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int] = mapped_column(Integer)
    moderation_status: Mapped[str] = mapped_column(String(16), default=ModerationStatus.PENDING)
    #: Hash of the submitted payload: a resend with the same UUID but other content is a conflict.
    payload_hash: Mapped[str] = mapped_column(String(64), default="")
    #: When the phone recorded it (may be long before it reached the server).
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Set when the retention period ended: the point was snapped to its grid cell, text and photos removed.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @validates("note")
    def _keep_note_length(self, _key: str, note: str | None) -> str | None:
        self.note_length = len(note or "")
        return note

    walk: Mapped[Walk] = relationship(back_populates="observations")
    participant: Mapped[Participant | None] = relationship()
    #: Its zone (NULL: "hors zone"), assigned by the server on arrival and whenever perimeters change.
    #: Its home is the observation's :class:`ObservationFacts` row: read here (a correlated lookup by
    #: key); written through this attribute (:func:`_write_zone`), by the ingest and the re-assignment.
    zone_id: Mapped[int | None] = column_property(
        select(_facts.c.zone_id)
        .where(_facts.c.observation_id == id)
        .correlate_except(_facts)
        .scalar_subquery()
    )
    zone: Mapped[Zone | None] = relationship(
        secondary=_facts,
        primaryjoin=lambda: Observation.id == _facts.c.observation_id,
        secondaryjoin="Zone.id == ObservationFacts.zone_id",
        viewonly=True,
        uselist=False,
    )
    photos: Mapped[list[Photo]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", order_by="Photo.id"
    )


# The summaries' quotes (the longest notes of each theme): read in order from here, a few rows per
# theme, with the filter's columns checked in the index (zone left out: re-assigning zones would have
# one more index to write).
Index(
    "ix_observations_quotes",
    Observation.theme,
    Observation.note_length.desc(),
    Observation.id,
    Observation.moderation_status,
    Observation.walk_id,
    Observation.polarity,
    Observation.participant_id,
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


@event.listens_for(Observation, "after_insert")
@event.listens_for(Observation, "after_update")
def _write_zone(_mapper: Any, connection: Connection, target: Observation) -> None:
    """An observation written through the ORM with a zone given (``Observation(zone_id=…)``, or
    ``observation.zone_id = …``): the zone goes to its facts row, which the insert's trigger made."""
    state = inspect(target)
    added = state.attrs.zone_id.history.added
    if added:
        connection.execute(
            update(ObservationFacts)
            .where(ObservationFacts.observation_id == target.id)
            .values(zone_id=added[-1])
        )
        if state.session is not None:
            state.session.info.setdefault("zones_written", []).append(target)


@event.listens_for(Session, "after_flush_postexec")
def _forget_old_zones(session: Session, _context: Any) -> None:
    """The zone written by :func:`_write_zone` is read again at next use (``zone_id`` is expired by the
    flush itself, the ``zone`` relationship is not)."""
    for target in session.info.pop("zones_written", ()):
        session.expire(target, ["zone"])
