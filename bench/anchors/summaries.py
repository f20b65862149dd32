"""Anchor of ``summarise()``: one GROUP BY over a covering index, nothing else.

It counts the project's validated observations by theme and polarity with their mean feeling — the
biggest single figure of a summary — in one statement the index answers alone (no table rows read).
The index is created here if missing, on (walk_id, moderation_status, theme, polarity, feeling); the
product's own covering index leads with the same columns.
"""

from __future__ import annotations

import sqlalchemy as sa

INDEX = "ix_bench_anchor_summaries"


def prepare(connection: sa.Connection) -> None:
    """Create the anchor's covering index (and refresh statistics) once, before timing.

    On PostgreSQL the table is also vacuumed, so both sides are timed on the settled table autovacuum
    leaves minutes after a bulk load: a covering index answers alone only once the visibility map says
    the pages are all visible. Without it the state changed under the benchmark — when autovacuum
    happened to pass during a run, the anchor fell from ≈ 46 to ≈ 22 ms and the ratio from ≈ 3 to 4.6.
    """
    connection.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {INDEX} "
        "ON observations (walk_id, moderation_status, theme, polarity, feeling)"
    )
    connection.exec_driver_sql("ANALYZE")
    if connection.dialect.name == "postgresql":
        connection.commit()
        with connection.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as settle:
            settle.exec_driver_sql("VACUUM (ANALYZE) observations")


def group_by(connection: sa.Connection, project_id: int) -> list[tuple]:
    """``[(theme, polarity, count, mean feeling)]`` of the project's validated observations."""
    return list(
        connection.execute(
            sa.text(
                "SELECT theme, polarity, count(*), avg(feeling) FROM observations "
                "WHERE walk_id IN (SELECT id FROM walks WHERE project_id = :project_id) "
                "AND moderation_status = 'validated' GROUP BY theme, polarity"
            ),
            {"project_id": project_id},
        )
    )
