"""national map: validated observations counted per fine grid cell, and a data version stamp, both kept by triggers

Revision ID: f3a4b5c6d70b
Revises: e2f3a4b5c60a
Create Date: 2026-12-02 04:00:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

The stamp lets every server process know whether its cached national map cells are still good:
- SQLite: a row of ``data_versions`` bumped by row triggers in the writing transaction (writers are
  serialised by SQLite anyway, so the row costs no concurrency);
- PostgreSQL: a sequence bumped once per statement by statement triggers (``nextval`` takes no lock,
  where a row would serialise concurrent ingest transactions until they commit).
Updates fire only when a column the map shows changes (status, theme, place, walk): re-assigning
zones in bulk does not bump it. New form versions bump it too (they may mark a theme sensitive).

``observation_cells`` counts validated observations per fine cell (a quarter tile of zoom 13, about
1 km), walk and theme, with the sums of their coordinates (``webapp/models/observation_cell.py``): the
national map adds these rows up for every zoom up to 13 instead of reading a million points. Row
triggers keep it right whatever writes observations; pending rows (what phones send) skip them by their
WHEN clause, so ingest pays nothing. The upgrade fills it from the observations already stored.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f3a4b5c6d70b"
down_revision = "e2f3a4b5c60a"
branch_labels = None
depends_on = None

#: Columns of observations whose change may change what the national map shows.
WATCHED = "moderation_status, theme, location, walk_id"
SQLITE_BUMP = "UPDATE data_versions SET version = version + 1 WHERE name = 'observations'"
SQLITE_TRIGGERS = {
    "observations_version_insert": f"AFTER INSERT ON observations BEGIN {SQLITE_BUMP}; END",
    "observations_version_update": f"AFTER UPDATE OF {WATCHED} ON observations BEGIN {SQLITE_BUMP}; END",
    "observations_version_delete": f"AFTER DELETE ON observations BEGIN {SQLITE_BUMP}; END",
    "form_versions_version_insert": f"AFTER INSERT ON form_versions BEGIN {SQLITE_BUMP}; END",
    "form_versions_version_delete": f"AFTER DELETE ON form_versions BEGIN {SQLITE_BUMP}; END",
}
PG_TRIGGERS = {
    "observations_version": f"AFTER INSERT OR UPDATE OF {WATCHED} OR DELETE ON observations",
    "form_versions_version": "AFTER INSERT OR DELETE ON form_versions",
}


#: Side of a stored cell in degrees: 360 / 2**13 / 4 (an exact binary fraction).
CELL = "0.010986328125"


def _cell(alias):
    x, y = f"ST_X({alias}.location)", f"ST_Y({alias}.location)"
    return (
        f"CAST(floor(({x} + 180) / {CELL}) AS INTEGER)",
        f"CAST(floor(({y} + 90) / {CELL}) AS INTEGER)",
        x,
        y,
    )


def _add(alias, condition="true"):
    gx, gy, x, y = _cell(alias)
    return (
        "INSERT INTO observation_cells (gx, gy, walk_id, theme, n, sum_x, sum_y) "
        f"SELECT {gx}, {gy}, {alias}.walk_id, {alias}.theme, 1, {x}, {y} WHERE {condition} "
        "ON CONFLICT (gx, gy, walk_id, theme) DO UPDATE SET n = observation_cells.n + 1, "
        "sum_x = observation_cells.sum_x + excluded.sum_x, sum_y = observation_cells.sum_y + excluded.sum_y"
    )


def _remove(alias, condition="true"):
    gx, gy, x, y = _cell(alias)
    # Fixed SQL of this migration: no outside value goes in.
    return (
        f"UPDATE observation_cells SET n = n - 1, sum_x = sum_x - {x}, sum_y = sum_y - {y} "  # noqa: S608
        f"WHERE gx = {gx} AND gy = {gy} AND walk_id = {alias}.walk_id AND theme = {alias}.theme "
        f"AND {condition}"
    )


def _cell_triggers(dialect):
    if dialect == "postgresql":
        return [
            "CREATE FUNCTION observation_cells_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.moderation_status = 'validated' THEN {_remove('OLD')}; "
            "END IF; "
            f"IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.moderation_status = 'validated' THEN {_add('NEW')}; "
            "END IF; RETURN NULL; END $$",
            "CREATE TRIGGER observation_cells_insert AFTER INSERT ON observations FOR EACH ROW "
            "WHEN (NEW.moderation_status = 'validated') EXECUTE FUNCTION observation_cells_apply()",
            f"CREATE TRIGGER observation_cells_change AFTER UPDATE OF {WATCHED} OR DELETE ON observations "
            "FOR EACH ROW EXECUTE FUNCTION observation_cells_apply()",
        ]
    validated_old, validated_new = (
        "OLD.moderation_status = 'validated'",
        "NEW.moderation_status = 'validated'",
    )
    return [
        f"CREATE TRIGGER observation_cells_insert AFTER INSERT ON observations WHEN {validated_new} "
        f"BEGIN {_add('NEW')}; END",
        f"CREATE TRIGGER observation_cells_update AFTER UPDATE OF {WATCHED} ON observations "
        f"BEGIN {_remove('OLD', validated_old)}; {_add('NEW', validated_new)}; END",
        f"CREATE TRIGGER observation_cells_delete AFTER DELETE ON observations WHEN {validated_old} "
        f"BEGIN {_remove('OLD')}; END",
    ]


def upgrade():
    op.create_table(
        "observation_cells",
        sa.Column("gx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("gy", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("walk_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_x", sa.Float(), nullable=False),
        sa.Column("sum_y", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("gx", "gy", "walk_id", "theme"),
    )
    gx, gy, x, y = _cell("o")
    op.execute(
        "INSERT INTO observation_cells (gx, gy, walk_id, theme, n, sum_x, sum_y) "  # noqa: S608
        "SELECT gx, gy, walk_id, theme, count(*), sum(x), sum(y) FROM ("
        f"SELECT {gx} AS gx, {gy} AS gy, o.walk_id AS walk_id, o.theme AS theme, {x} AS x, {y} AS y "
        "FROM observations AS o WHERE o.moderation_status = 'validated') AS s "
        "GROUP BY gx, gy, walk_id, theme"
    )
    for statement in _cell_triggers(op.get_bind().dialect.name):
        op.execute(statement)

    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.execute("INSERT INTO data_versions (name, version) VALUES ('observations', 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE observations_version_seq")
        op.execute(
            "CREATE FUNCTION bump_observations_version() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM nextval('observations_version_seq'); RETURN NULL; END $$"
        )
        for name, when in PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION bump_observations_version()"
            )
    else:
        for name, body in SQLITE_TRIGGERS.items():
            table = "form_versions" if name.startswith("form_versions") else "observations"
            assert table in body
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS observation_cells_insert ON observations")
        op.execute("DROP TRIGGER IF EXISTS observation_cells_change ON observations")
        op.execute("DROP FUNCTION IF EXISTS observation_cells_apply()")
        for name in PG_TRIGGERS:
            table = "form_versions" if name.startswith("form_versions") else "observations"
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_observations_version()")
        op.execute("DROP SEQUENCE IF EXISTS observations_version_seq")
    else:
        for name in [
            *SQLITE_TRIGGERS,
            "observation_cells_insert",
            "observation_cells_update",
            "observation_cells_delete",
        ]:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("data_versions")
    op.drop_table("observation_cells")
