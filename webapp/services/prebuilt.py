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

from collections import namedtuple
from typing import Any, NamedTuple

import sqlalchemy.exc
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import Executable


class Prebuilt:
    """A Core statement (with ``bindparam``\\s or an ``INSERT`` of the given ``columns``)."""

    def __init__(self, statement: Executable, *, columns: tuple[str, ...] | None = None) -> None:
        self.statement = statement
        self.columns = columns
        self._sqlite: _Compiled | None = None

    def _compiled(self, connection: Connection) -> _Compiled:
        kept = self._sqlite
        if kept is None:
            dialect = connection.dialect
            compiled = self.statement.compile(  # type: ignore[attr-defined]
                dialect=dialect, column_keys=list(self.columns) if self.columns else None
            )
            # what SQLAlchemy itself applies to each parameter and each result column
            processors = compiled._bind_processors  # noqa: SLF001
            columns = compiled._result_columns  # noqa: SLF001
            kept = self._sqlite = _Compiled(
                sql=str(compiled),
                params=tuple((name, processors.get(name)) for name in compiled.positiontup),
                row=namedtuple("Row", [c.keyname for c in columns]) if columns else None,  # noqa: PYI024
                results=tuple(c.type._cached_result_processor(dialect, None) for c in columns),  # noqa: SLF001
            )
        return kept

    def execute(self, connection: Connection, params: dict[str, Any]) -> Any:
        """Run with ``params``; the first column of the first row (None without one)."""
        if connection.dialect.name != "sqlite":
            result = connection.execute(self.statement, params)
            return result.scalar() if result.returns_rows else None
        rows = self._run(connection, params, every=False)
        return rows[0][0] if rows else None

    def rows(self, connection: Connection, params: dict[str, Any]) -> list[Any]:
        """Run a select with ``params``; its rows (attributes by column name, values as SQLAlchemy
        gives them: the same column types' result processing)."""
        if connection.dialect.name != "sqlite":
            return list(connection.execute(self.statement, params).all())
        return self._run(connection, params, every=True)

    def _run(self, connection: Connection, params: dict[str, Any], *, every: bool) -> list[Any]:
        compiled = self._compiled(connection)
        sql, results = compiled.sql, compiled.results
        values = tuple(params[name] if fn is None else fn(params[name]) for name, fn in compiled.params)
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None  # noqa: S101  (a live connection of the session)
        cursor = dbapi_connection.cursor()
        try:
            connection.dispatch.before_cursor_execute(connection, cursor, sql, values, None, False)
            cursor.execute(sql, values)
            if not cursor.description:
                raw: list[Any] = []
            elif every:
                raw = list(cursor.fetchall())
            else:
                one = cursor.fetchone()
                raw = [] if one is None else [one]
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
        if compiled.row is None or not raw:
            return raw
        make = compiled.row._make
        return [
            make([value if fn is None else fn(value) for fn, value in zip(results, row, strict=True)])
            for row in raw
        ]


class _Compiled(NamedTuple):
    sql: str
    #: (name, bind processor or None) in the order of the ``?`` marks
    params: tuple[tuple[str, Any], ...]
    #: the row type (a named tuple of the result columns), None for a statement without rows
    row: Any
    results: tuple[Any, ...]
