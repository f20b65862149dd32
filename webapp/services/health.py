"""Checks run before serving."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from webapp.errors import DomainError
from webapp.extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def head_revision() -> str | None:
    """The newest migration in the code."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision() -> str | None:
    """The migration the database is at."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema_is_current() -> None:
    """Refuse to serve a database that is not migrated to the code's head."""
    head, current = head_revision(), current_revision()
    if head != current:
        raise DomainError(
            f"La base de données n'est pas à jour (version {current or 'vide'}, attendue {head}) : "
            "lancez « arpenteur db upgrade »."
        )
