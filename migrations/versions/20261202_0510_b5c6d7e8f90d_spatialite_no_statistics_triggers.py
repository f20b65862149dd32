"""SpatiaLite: observations without the per-row statistics triggers (geometry_columns_time)

Revision ID: b5c6d7e8f90d
Revises: a4b5c6d7e80c
Create Date: 2026-12-02 05:10:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

SpatiaLite gives every geometry column three triggers, ``tmi_``/``tmu_``/``tmd_<table>_<column>``,
that write the time of the last insert, update and delete into ``geometry_columns_time`` — an UPDATE
with ``strftime`` per row written. Only desktop GIS tools read those times (to know whether layer
statistics are stale); nothing in Arpenteur does. On ``observations`` they ran for every observation
received and, ``tmu_`` firing on an update of any column, for every observation whose zone changed.
The geometry constraint (``ggi_``/``ggu_``) and spatial index (``gii_``/``giu_``/``gid_``) triggers
stay. PostgreSQL has no such triggers: nothing to do there.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "b5c6d7e8f90d"
down_revision = "a4b5c6d7e80c"
branch_labels = None
depends_on = None

_WHERE = "Lower(f_table_name) = Lower('observations') AND Lower(f_geometry_column) = Lower('location')"
#: What SpatiaLite 5 creates, for the downgrade.
TRIGGERS = {
    "tmi_observations_location": ("AFTER INSERT", "last_insert"),
    "tmu_observations_location": ("AFTER UPDATE", "last_update"),
    "tmd_observations_location": ("AFTER DELETE", "last_delete"),
}


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, (when, column) in TRIGGERS.items():
        op.execute(
            f'CREATE TRIGGER IF NOT EXISTS "{name}" {when} ON "observations" FOR EACH ROW BEGIN '  # noqa: S608 (constants only)
            f"UPDATE geometry_columns_time SET {column} = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
            f"WHERE {_WHERE}; END"
        )
