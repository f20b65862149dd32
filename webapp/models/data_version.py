"""Version stamps of data that server processes cache: a counter per kind of data, kept by the database.

The national map caches its aggregated cells per (data version, zoom, tiles, filters). Any server
process, on any host, reads the stamp with one cheap statement and knows whether its cache is still
good. The stamp is kept by database triggers (migration ``f3a4b5c6d70b``), so no code path that writes
observations (ingest, moderation, purge, erasure, imports) can forget it: on SQLite a row of this table,
bumped in the writing transaction; on PostgreSQL the sequence ``observations_version_seq``, bumped once
per statement without any lock (a row here would serialise concurrent writers on its lock).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model


class DataVersion(Model):
    """One counter (SQLite; PostgreSQL uses a sequence of the same meaning, see the module docstring)."""

    __tablename__ = "data_versions"

    #: What the counter follows, e.g. ``observations``.
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: Bumped by a trigger whenever that data changes in a way a cached view could show.
    version: Mapped[int] = mapped_column(BigInteger, default=0)
