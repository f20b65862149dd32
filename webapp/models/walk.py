"""A walk: a route with ordered stops, walked by a group at a given date and time slot."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import Date, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.enums import TimeSlot, WalkStatus, one_of

if TYPE_CHECKING:
    from webapp.models.observation import Observation
    from webapp.models.person import Participant
    from webapp.models.project import Project


class Walk(Model):
    __tablename__ = "walks"
    __table_args__ = (one_of("time_slot", TimeSlot), one_of("status", WalkStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    walk_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time | None] = mapped_column(Time)
    ends_at: Mapped[time | None] = mapped_column(Time)
    time_slot: Mapped[str] = mapped_column(String(16), default=TimeSlot.DAY)
    #: The planned route, when the facilitators drew one.
    route: Mapped[WKBElement | None] = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=True))
    status: Mapped[str] = mapped_column(String(16), default=WalkStatus.PLANNED)
    #: The form participants fill in, as key and version (a row of ``form_versions``, like the
    #: observations' own ``form_key``/``form_version``); fixed once the walk has observations.
    form_key: Mapped[str | None] = mapped_column(String(64))
    form_version: Mapped[int | None] = mapped_column(Integer)
    #: Where the group meets, in words (« devant le centre social Étouvie »).
    meeting_point: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: Who walks, as shown to everyone: « femmes du quartier », « collégiens de 4e », « mixte ».
    group_description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: How many people are expected.
    expected_size: Mapped[int | None] = mapped_column(Integer)
    #: Short code residents type to join; unique among all walks.
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship(back_populates="walks")
    stops: Mapped[list[Stop]] = relationship(
        back_populates="walk", order_by="Stop.position", cascade="all, delete-orphan"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="walk", cascade="all, delete-orphan"
    )
    observations: Mapped[list[Observation]] = relationship(
        back_populates="walk", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Walk {self.id} {self.title!r}>"


class WalkConsent(Model):
    """Record, at group level, that parental authorisations were collected for the minors of a walk.

    No child's identity is stored: only that the facilitator checked, when, and how many minors took part.
    """

    __tablename__ = "walk_consents"

    walk_id: Mapped[int] = mapped_column(ForeignKey("walks.id", ondelete="CASCADE"), primary_key=True)
    minors_count: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class Rewalk(Model):
    """A later walk that goes over the stops of an earlier one, to see whether problems were fixed."""

    __tablename__ = "rewalks"

    #: The later walk (one original at most).
    walk_id: Mapped[int] = mapped_column(ForeignKey("walks.id", ondelete="CASCADE"), primary_key=True)
    #: The walk it re-walks.
    original_walk_id: Mapped[int] = mapped_column(ForeignKey("walks.id", ondelete="CASCADE"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    walk: Mapped[Walk] = relationship(foreign_keys=[walk_id])
    original: Mapped[Walk] = relationship(foreign_keys=[original_walk_id])


class Stop(Model):
    """A planned stop of a walk, where the group fills in the grid."""

    __tablename__ = "stops"
    __table_args__ = (UniqueConstraint("walk_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("walks.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3… in walking order.
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))

    walk: Mapped[Walk] = relationship(back_populates="stops")
