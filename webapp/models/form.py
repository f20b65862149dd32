"""Observation forms stored in the database: one row per version of a form, immutable once used.

The definition itself is the validated data of :mod:`mobile_forms` (the shipped YAML files and the
forms imported from XLSForm workbooks alike); a walk uses one version, and every observation records
the key and version it was made with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.base import JSONType, UTCDateTime, utcnow
from webapp.models.enums import FormOrigin, one_of


class FormVersion(Model):
    """One version of an observation form, as validated data."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("key", "version"), one_of("origin", FormOrigin))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The form's key, e.g. ``marche_exploratoire``; observations store it with the version.
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    #: The French title, for lists (the definition holds every language).
    title: Mapped[str] = mapped_column(String(200))
    #: The definition as :func:`mobile_forms.parse_definition` accepts it.
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: SHA-256 of the canonical definition: importing the same content again changes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: ``shipped`` (a file of ``mobile_forms/definitions``) or ``xlsform`` (imported from a workbook).
    origin: Mapped[str] = mapped_column(String(16), default=FormOrigin.SHIPPED)
    #: The workbook's file name, for imported forms.
    source_name: Mapped[str] = mapped_column(String(255), default="")
    #: What the import skipped, filled in or warned about (``mobile_forms.xlsform.ImportReport``).
    import_report: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<FormVersion {self.key} v{self.version}>"
