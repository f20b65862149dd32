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
    """Create the anchor's covering index (and refresh statistics) once, before timing."""
    connection.exec_driver_sql(
        f"CREATE INDEX IF NOT EXISTS {INDEX} "
        "ON observations (walk_id, moderation_status, theme, polarity, feeling)"
    )
    connection.exec_driver_sql("ANALYZE")


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
