"""Hot-path statements compiled once, run on the session's connection with the driver's cursor.

SQLAlchemy's ``Connection.execute`` of a statement built once still spends about 70–110 µs of Python
per call around a 20–80 µs SQLite statement (its cache lookup, execution context, parameter dict and
result object). :class:`Prebuilt` keeps what those steps compute for one statement — its SQL text,
parameter order and type processors (the same ``bind_processor`` of each column type SQLAlchemy
would apply) — and runs it on the DBAPI connection *of the session's own connection*, so in the same
transaction, with the same listeners told (``before_cursor_execute``: the write gate, statement counts)
and driver errors raised as SQLAlchemy's (``webapp.errors`` answers a locked database with 503).

Only SQLite takes this path; other databases run the statement through SQLAlchemy as usual. Every
parameter of the statement must be given (no column defaults are computed here).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy.exc
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import Executable


class Prebuilt:
    """A Core statement (with ``bindparam``\\s or an ``INSERT`` of the given ``columns``)."""

    def __init__(self, statement: Executable, *, columns: tuple[str, ...] | None = None) -> None:
        self.statement = statement
        self.columns = columns
        self._sqlite: tuple[str, tuple[tuple[str, Any], ...]] | None = None

    def _compiled(self, connection: Connection) -> tuple[str, tuple[tuple[str, Any], ...]]:
        kept = self._sqlite
        if kept is None:
            compiled = self.statement.compile(  # type: ignore[attr-defined]
                dialect=connection.dialect, column_keys=list(self.columns) if self.columns else None
            )
            processors = compiled._bind_processors  # noqa: SLF001  (what SQLAlchemy applies itself)
            order = tuple((name, processors.get(name)) for name in compiled.positiontup)
            kept = self._sqlite = (str(compiled), order)
        return kept

    def execute(self, connection: Connection, params: dict[str, Any]) -> Any:
        """Run with ``params``; the first column of the first row (None without one)."""
        if connection.dialect.name != "sqlite":
            result = connection.execute(self.statement, params)  # type: ignore[call-overload]
            return result.scalar() if result.returns_rows else None
        sql, order = self._compiled(connection)
        values = tuple(params[name] if fn is None else fn(params[name]) for name, fn in order)
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None  # noqa: S101  (a live connection of the session)
        cursor = dbapi_connection.cursor()
        try:
            connection.dispatch.before_cursor_execute(connection, cursor, sql, values, None, False)
            cursor.execute(sql, values)
            row = cursor.fetchone() if cursor.description else None
        except connection.dialect.loaded_dbapi.Error as error:
            raise sqlalchemy.exc.DBAPIError.instance(
                sql,
                values,
                error,
                connection.dialect.loaded_dbapi.Error,
                hide_parameters=True,
                dialect=connection.dialect,
            ) from error
        finally:
            cursor.close()
        return None if row is None else row[0]
