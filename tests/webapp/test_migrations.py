"""The migration history upgrades, matches the models and downgrades, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import make_app
from webapp.extensions import db
from webapp.migrations_support import include_object

APP_TABLES = {
    "projects",
    "project_partners",
    "zones",
    "walks",
    "stops",
    "participants",
    "organisations",
    "users",
    "memberships",
    "observations",
    "photos",
    "recommendations",
    "recommendation_observations",
    "recommendation_events",
    "moderation_events",
    "votes",
    "rate_counters",
    "walk_consents",
    "invitations",
    "rewalks",
    "form_versions",
    "staff_sessions",
    "data_versions",
    "observation_cells",
}


def _app_tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) & (APP_TABLES | {"alembic_version"})


def _drift(engine: sa.Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        return compare_metadata(context, db.metadata)


def test_migrations_upgrade_match_models_and_downgrade(empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        assert _app_tables(db.engine) >= APP_TABLES
        assert _drift(db.engine) == []

        downgrade(revision="base")
        assert _app_tables(db.engine) <= {"alembic_version"}

        # A second upgrade after a downgrade must work too (SpatiaLite leaves R*Tree tables behind).
        upgrade()
        assert _app_tables(db.engine) >= APP_TABLES
        assert _drift(db.engine) == []
        db.engine.dispose()


def test_spatial_columns_are_registered_with_their_srid(empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            if db.engine.dialect.name == "sqlite":
                rows = connection.execute(
                    sa.text("SELECT f_table_name, f_geometry_column, srid FROM geometry_columns")
                ).all()
            else:
                rows = connection.execute(
                    sa.text("SELECT f_table_name, f_geometry_column, srid FROM geometry_columns")
                ).all()
        registered = {(table.lower(), column.lower()): srid for table, column, srid in rows}
        for key in [
            ("zones", "area"),
            ("walks", "route"),
            ("observations", "location"),
            ("stops", "location"),
        ]:
            assert registered.get(key) == 4326, key
        db.engine.dispose()


def test_upgrading_a_populated_database_keeps_every_row(empty_database_url, tmp_path):
    """Each migration after the first applies to a database with data, losing nothing (no cascades)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from webapp.services.health import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    revisions = [r.revision for r in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision=revisions[0])
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO projects (id, slug, name, description, territory, qpv_year, created_at) "
                    "VALUES (1, 'p', 'P', '', '[]', 2024, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO walks (id, project_id, title, description, walk_date, time_slot, status, "
                    "created_at) VALUES (1, 1, 'W', '', '2026-03-12', 'day', 'open', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO observations (client_uuid, walk_id, location, location_source, out_of_area, "
                    "theme, polarity, note, proposal, answers, form_key, form_version, moderation_status, "
                    "payload_hash, captured_at, received_at, updated_at) VALUES (:uuid, 1, "
                    "ST_GeomFromText('POINT(2.3 49.9)', 4326), 'gps', false, 'eclairage', 'negative', "
                    "'n', 'p', "
                    "'{}', 'marche_exploratoire', 1, 'pending', '', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {
                    "uuid": "0b6f8e2a5c3d4e1f9a7b6c5d4e3f2a1b"
                    if db.engine.dialect.name == "sqlite"
                    else "0b6f8e2a-5c3d-4e1f-9a7b-6c5d4e3f2a1b"
                },
            )
        for revision in revisions[1:]:
            upgrade(revision=revision)
            with db.engine.connect() as conn:
                counts = [
                    conn.scalar(sa.text(f"SELECT count(*) FROM {t}"))
                    for t in ("projects", "walks", "observations")
                ]
            assert counts == [1, 1, 1], revision
        db.engine.dispose()


def _observation_triggers(connection: sa.Connection) -> set[str]:
    return set(
        connection.execute(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'observations'")
        ).scalars()
    )


def test_spatialite_observations_keep_only_the_triggers_that_matter(tmp_path):
    """No per-row statistics trigger on observations (a write into geometry_columns_time for every
    observation received or re-assigned); the spatial index and geometry checks stay, and the
    downgrade puts SpatiaLite's triggers back."""
    app = make_app(f"sqlite:///{tmp_path / 'triggers.sqlite'}", tmp_path)
    with app.app_context():
        upgrade()
        statistics = {f"{kind}_observations_location" for kind in ("tmi", "tmu", "tmd")}
        with db.engine.connect() as connection:
            triggers = _observation_triggers(connection)
            assert not triggers & statistics
            kept = {f"{kind}_observations_location" for kind in ("ggi", "ggu", "gii", "giu", "gid")}
            assert kept <= triggers
        downgrade(revision="a4b5c6d7e80c")
        with db.engine.connect() as connection:
            assert statistics <= _observation_triggers(connection)
        upgrade()
        db.engine.dispose()
