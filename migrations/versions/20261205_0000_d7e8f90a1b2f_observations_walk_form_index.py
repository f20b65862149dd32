"""observations: the walk's index also holds the form (walk, form key, form version)

Revision ID: d7e8f90a1b2f
Revises: c6d7e8f90a1e
Create Date: 2026-12-05 00:00:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

Which forms a project's observations were recorded with (``services.forms``: the themes' labels and
styles of every summary, map and report) was a pass over the project's rows in the table, recomputed
after each new observation: 47 ms of an 85 ms summary at 100,000 observations on SpatiaLite, 56 of
112 ms on PostGIS. With the form in the walk's index, ``services.forms`` reads the distinct forms by
skipping through it (one lookup per form of each walk): 0.1 ms and 0.7 ms, the summaries 40 ms and
50 ms (bench/README.md, sixteenth pass). Same number of indexes, so an insert or a zone
re-assignment writes no more entries; the index still serves every lookup by walk (its first
column). The new one is made before the old one goes, so a lookup by walk always has an index.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "d7e8f90a1b2f"
down_revision = "c6d7e8f90a1e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_observations_walk_form", "observations", ["walk_id", "form_key", "form_version"])
    op.drop_index("ix_observations_walk_id", table_name="observations")


def downgrade():
    op.create_index("ix_observations_walk_id", "observations", ["walk_id"])
    op.drop_index("ix_observations_walk_form", table_name="observations")
