"""Zones observations are assigned to: official QPV perimeters and a project's own areas."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.enums import ZoneKind, one_of

if TYPE_CHECKING:
    from webapp.models.project import Project


class Zone(Model):
    __tablename__ = "zones"
    __table_args__ = (
        one_of("kind", ZoneKind),
        # A QPV belongs to a list year and to no project; a custom zone belongs to one project.
        CheckConstraint(
            "(kind = 'qpv' AND list_year IS NOT NULL AND project_id IS NULL)"
            " OR (kind = 'custom' AND project_id IS NOT NULL)",
            name="scope",
        ),
        # Unique constraints ignore NULLs, so each applies to its own kind of zone.
        UniqueConstraint("kind", "list_year", "code"),
        UniqueConstraint("project_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: Official code (``QN08003M``, ``QP080001``) or a slug for custom zones.
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    #: INSEE code(s) of the commune(s), comma-separated when a QPV spans several.
    insee_com: Mapped[str | None] = mapped_column(String(200))
    #: 2015 or 2024 for QPV; NULL for custom zones.
    list_year: Mapped[int | None] = mapped_column(Integer)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    area: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True))
    #: Credit for the perimeter, e.g. "ANCT, 2024".
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    project: Mapped[Project | None] = relationship(back_populates="zones")

    @property
    def is_qpv(self) -> bool:
        return self.kind == ZoneKind.QPV

    def __repr__(self) -> str:
        return f"<Zone {self.kind} {self.code}>"
