"""Recommendations (préconisations) drawn from observations, and the dated history of their status."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model, db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.enums import Priority, RecommendationStatus, one_of

if TYPE_CHECKING:
    from webapp.models.observation import Observation
    from webapp.models.person import Organisation
    from webapp.models.zone import Zone

#: The observations a recommendation rests on (its evidence).
recommendation_observations = Table(
    "recommendation_observations",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("observation_id", ForeignKey("observations.id", ondelete="CASCADE"), primary_key=True),
)


class Recommendation(Model):
    __tablename__ = "recommendations"
    __table_args__ = (one_of("priority", Priority), one_of("status", RecommendationStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    walk_id: Mapped[int | None] = mapped_column(ForeignKey("walks.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str | None] = mapped_column(String(64))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"))
    #: The partner expected to answer.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    priority: Mapped[str] = mapped_column(String(16), default=Priority.MEDIUM)
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=RecommendationStatus.PROPOSED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    observations: Mapped[list[Observation]] = relationship(
        secondary=recommendation_observations, order_by="Observation.id"
    )
    zone: Mapped[Zone | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    events: Mapped[list[RecommendationEvent]] = relationship(
        back_populates="recommendation", cascade="all, delete-orphan", order_by="RecommendationEvent.id"
    )


class RecommendationEvent(Model):
    """One dated step in a recommendation's follow-up: a status change, an answer or a comment."""

    __tablename__ = "recommendation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recommendation: Mapped[Recommendation] = relationship(back_populates="events")
