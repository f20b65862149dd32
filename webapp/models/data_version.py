"""Version stamps of data that server processes cache: a counter per kind of data, kept by the database.

The national map caches its aggregated cells per (data version, zoom, tiles, filters). Any server
process, on any host, reads the stamp with one cheap statement and knows whether its cache is still
good. The stamp is kept by database triggers (migrations ``f3a4b5c6d70b`` and ``c6d7e8f90a1e``), so no
code path that writes observations (ingest, moderation, purge, erasure, imports) can forget it: on
SQLite a row of this table, bumped in the writing transaction; on PostgreSQL the sequence
``observations_version_seq``, bumped without any lock (a row here would serialise concurrent writers on
its lock). It moves only for what the national map can show: a validated observation inserted or
deleted, a watched column (status, theme, place, walk) of one that is or becomes validated, a new or
deleted form version. Observations arriving from phones are pending: they leave it, and every
process's cached map, alone.
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
