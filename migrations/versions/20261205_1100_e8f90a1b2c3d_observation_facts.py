"""observation_facts: the summaries' own table, and the zone's home

Revision ID: e8f90a1b2c3d
Revises: d7e8f90a1b2f
Create Date: 2026-12-05 11:00:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

Re-assigning every observation's zone rewrote each whole observation row on PostgreSQL, with an entry
in every one of its indexes: 31–34 s for 1,000,000 against a goal of 5 s (bench/README.md). The zone
now lives in a narrow row of its own, one per observation, beside the columns the summaries group and
filter by (walk, moderation status, theme, polarity, participant, feeling), so that the summaries read
it without a join (bench/README.md, twenty-first and twenty-second passes):

- PostgreSQL: the zone is in no index and the pages are half empty (``fillfactor = 50``), so writing it
  is a heap-only update; the summaries read the table through its walk index. The zone is checked
  once per statement (every zone a statement wrote must exist, and is locked against deletion until
  the commit, as a foreign key's check does) rather than by a foreign key's check per row.
- SQLite: the summaries' covering index moves here from the observations; a zone is checked per row.
- Both: the row is made by the database whenever an observation is inserted (whoever inserts it), its
  other columns kept equal to the observation's by triggers; deleting a zone leaves its observations
  without one; an observation inserted gives its project a new data stamp (``projects.data_version``)
  in the same statement, which the ingest's hot path no longer sends apart.

``observations.zone_id`` and the observations' summary index are no longer used. The index goes; the
column stays, emptied, until a later migration drops it (dropping it on SQLite means rebuilding the
observations table with its spatial column). The downgrade puts the zones back in it.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e8f90a1b2c3d"
down_revision = "d7e8f90a1b2f"
branch_labels = None
depends_on = None

#: The observation's columns copied into its facts row, in order.
COPIED = ("walk_id", "moderation_status", "theme", "polarity", "participant_id", "feeling")
COLUMNS = ", ".join(COPIED)
#: A fresh random stamp, as ``webapp.models.project.new_data_stamp`` makes them (positive, 62 bits).
SQLITE_STAMP = "(random() & 4611686018427387903) + 1"
PG_STAMP = "floor(random() * 4611686018427387903)::bigint + 1"
SUMMARY_INDEX = ("walk_id", "moderation_status", "theme", "polarity", "zone_id", "participant_id", "feeling")


def _sqlite_triggers():
    new = ", ".join(f"NEW.{c}" for c in COPIED)
    copy = ", ".join(f"{c} = NEW.{c}" for c in COPIED)
    missing_zone = "NEW.zone_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM zones WHERE id = NEW.zone_id)"
    refuse = "SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: observation_facts.zone_id')"
    return {
        "observation_facts_insert": (
            "AFTER INSERT ON observations BEGIN "  # noqa: S608 (this migration's constants)
            f"INSERT INTO observation_facts (observation_id, {COLUMNS}) VALUES (NEW.id, {new}); "
            f"UPDATE projects SET data_version = {SQLITE_STAMP} "
            "WHERE id = (SELECT project_id FROM walks WHERE id = NEW.walk_id); END"
        ),
        "observation_facts_copy": (
            f"AFTER UPDATE OF {COLUMNS} ON observations BEGIN "  # noqa: S608 (this migration's constants)
            f"UPDATE observation_facts SET {copy} WHERE observation_id = NEW.id; END"
        ),
        "observation_facts_zone_insert": (
            f"BEFORE INSERT ON observation_facts WHEN {missing_zone} BEGIN {refuse}; END"
        ),
        "observation_facts_zone_update": (
            f"BEFORE UPDATE OF zone_id ON observation_facts WHEN {missing_zone} BEGIN {refuse}; END"
        ),
        "observation_facts_zone_deleted": (
            "AFTER DELETE ON zones BEGIN "
            "UPDATE observation_facts SET zone_id = NULL WHERE zone_id = OLD.id; END"
        ),
    }


def _pg_statements():
    copy = ", ".join(f"{c} = NEW.{c}" for c in COPIED)
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COPIED)
    zones_exist = (
        "IF EXISTS (SELECT 1 FROM (SELECT DISTINCT zone_id FROM written WHERE zone_id IS NOT NULL) w "
        "LEFT JOIN (SELECT id FROM zones WHERE id IN (SELECT zone_id FROM written) FOR KEY SHARE) z "
        "ON z.id = w.zone_id WHERE z.id IS NULL) THEN RAISE EXCEPTION "
        "'insert or update on table \"observation_facts\" violates its zone check: no such zone' "
        "USING ERRCODE = 'foreign_key_violation'; END IF; RETURN NULL;"
    )
    return [
        "CREATE FUNCTION observation_facts_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608 (constants)
        f"INSERT INTO observation_facts (observation_id, {COLUMNS}) SELECT id, {COLUMNS} FROM new_rows; "
        f"UPDATE projects SET data_version = {PG_STAMP} WHERE id IN "
        "(SELECT project_id FROM walks WHERE id IN (SELECT walk_id FROM new_rows)); "
        "RETURN NULL; END $$",
        "CREATE TRIGGER observation_facts_insert AFTER INSERT ON observations REFERENCING NEW TABLE AS "
        "new_rows FOR EACH STATEMENT EXECUTE FUNCTION observation_facts_insert()",
        "CREATE FUNCTION observation_facts_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608 (constants)
        f"UPDATE observation_facts SET {copy} WHERE observation_id = NEW.id; RETURN NULL; END $$",
        f"CREATE TRIGGER observation_facts_copy AFTER UPDATE OF {COLUMNS} ON observations FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION observation_facts_copy()",
        "CREATE FUNCTION observation_facts_zones_exist() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{zones_exist} END $$",
        "CREATE TRIGGER observation_facts_zone_insert AFTER INSERT ON observation_facts REFERENCING NEW "
        "TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION observation_facts_zones_exist()",
        "CREATE TRIGGER observation_facts_zone_update AFTER UPDATE ON observation_facts REFERENCING NEW "
        "TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION observation_facts_zones_exist()",
        "CREATE FUNCTION observation_facts_zone_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE observation_facts SET zone_id = NULL WHERE zone_id IN (SELECT id FROM gone); "
        "RETURN NULL; END $$",
        "CREATE TRIGGER observation_facts_zone_deleted AFTER DELETE ON zones REFERENCING OLD TABLE AS gone "
        "FOR EACH STATEMENT EXECUTE FUNCTION observation_facts_zone_deleted()",
    ]


PG_DROPS = [
    "DROP TRIGGER IF EXISTS observation_facts_insert ON observations",
    "DROP TRIGGER IF EXISTS observation_facts_copy ON observations",
    "DROP TRIGGER IF EXISTS observation_facts_zone_deleted ON zones",
    "DROP TRIGGER IF EXISTS observation_facts_zone_insert ON observation_facts",
    "DROP TRIGGER IF EXISTS observation_facts_zone_update ON observation_facts",
    "DROP FUNCTION IF EXISTS observation_facts_insert()",
    "DROP FUNCTION IF EXISTS observation_facts_copy()",
    "DROP FUNCTION IF EXISTS observation_facts_zones_exist()",
    "DROP FUNCTION IF EXISTS observation_facts_zone_deleted()",
]


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "observation_facts",
        sa.Column("observation_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("walk_id", sa.Integer(), nullable=False),
        sa.Column("moderation_status", sa.String(length=16), nullable=False),
        sa.Column("theme", sa.String(length=64), nullable=False),
        sa.Column("polarity", sa.String(length=16), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("feeling", sa.SmallInteger(), nullable=True),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["observation_id"], ["observations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("observation_id"),
        **({"postgresql_with": {"fillfactor": 50}} if postgresql else {}),
    )
    op.execute(
        f"INSERT INTO observation_facts (observation_id, {COLUMNS}, zone_id) "  # noqa: S608 (constants)
        f"SELECT id, {COLUMNS}, zone_id FROM observations"
    )
    if postgresql:
        op.create_index("ix_observation_facts_walk", "observation_facts", ["walk_id"])
        for statement in _pg_statements():
            op.execute(statement)
    else:
        op.create_index("ix_observation_facts_summary", "observation_facts", list(SUMMARY_INDEX))
        for name, body in _sqlite_triggers().items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.drop_index("ix_observations_summary", table_name="observations")
    op.execute("UPDATE observations SET zone_id = NULL WHERE zone_id IS NOT NULL")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "UPDATE observations SET zone_id = (SELECT f.zone_id FROM observation_facts f "
        "WHERE f.observation_id = observations.id)"
    )
    op.create_index("ix_observations_summary", "observations", list(SUMMARY_INDEX))
    if postgresql:
        for statement in PG_DROPS:
            op.execute(statement)
    else:
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("observation_facts")
