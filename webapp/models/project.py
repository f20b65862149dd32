"""A project: a territory, a period and the QPV list it uses; walks and recommendations belong to it."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import JSONType, UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.walk import Walk
    from webapp.models.zone import Zone


def new_data_stamp() -> int:
    """A fresh ``Project.data_version``: random, positive, within a signed 64-bit integer."""
    return secrets.randbits(62) + 1


class Project(Model):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short URL-safe identifier, e.g. ``amiens-2026``.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: INSEE codes of the communes the project covers.
    territory: Mapped[list[str]] = mapped_column(JSONType, default=list)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: Which official QPV list (2015 or 2024) zone assignment uses.
    qpv_year: Mapped[int] = mapped_column(Integer, default=2024)
    #: Official QPV of the project's communes that the team left out (codes); the others are its zones.
    excluded_qpv_codes: Mapped[list[str]] = mapped_column(JSONType, default=list, server_default="[]")
    #: Months after a walk when its precise points, photos and free text are purged (aggregates stay).
    retention_months: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    #: Opt-in: a public, embeddable map of moderated, privacy-filtered observations.
    public_map: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Opt-in: a public page showing what became of each recommendation.
    public_followup: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Bumped whenever a zone or the choice of zones changes (``services.zones``): every server
    #: process rebuilds its in-memory zone index of the project when the stamp it built it from is old.
    zones_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: A new random stamp in the same transaction as any change of what the project's summaries
    #: count (observations, their moderation and zones, participants' profiles, walks, forms): the
    #: summary and theme caches of every server process are keyed on it (``services.data_stamps``).
    #: Random, not a counter, so a rolled-back change never leaves a stamp a later change reuses.
    data_version: Mapped[int] = mapped_column(BigInteger, default=new_data_stamp, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    walks: Mapped[list[Walk]] = relationship(back_populates="project", order_by="Walk.walk_date")
    zones: Mapped[list[Zone]] = relationship(back_populates="project")

    def __repr__(self) -> str:
        return f"<Project {self.slug}>"


class ProjectPartner(Model):
    """An organisation taking part in a project (co-steering, answering recommendations)."""

    __tablename__ = "project_partners"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
