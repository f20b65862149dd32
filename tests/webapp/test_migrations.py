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
