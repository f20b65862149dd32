"""Flask extensions, created unbound and bound to the app in ``create_app``; engine set-up per database."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

#: Constraint names identical on both databases, so migrations can drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with constraint names that are the same on SQLite and PostgreSQL."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# join_transaction_mode lets the tests bind the session to an outer connection whose transaction is
# rolled back after each test; with an engine (the normal case) it changes nothing.
db = SQLAlchemy(model_class=Base, session_options={"join_transaction_mode": "create_savepoint"})
migrate = Migrate()
#: Every form post needs a CSRF token; the JSON API (token-authenticated, no cookies) is exempted.
csrf = CSRFProtect()
#: Staff sessions (facilitators, partners, admins); residents never log in.
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Connectez-vous pour accéder à cette page."
#: Interface language: French by default, English available (see webapp.i18n).
babel = Babel()

# SpatiaLite's loader takes a library name from this variable; the dynamic loader resolves it.
os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")


def engine_options(url: str, app_config: dict[str, Any]) -> dict[str, Any]:
    """Engine keyword arguments suited to the database behind ``url``."""
    if url.startswith("sqlite"):
        import sqlean  # the pyenv Python's sqlite3 cannot load extensions; sqlean's can

        return {
            "module": sqlean,
            "connect_args": {"timeout": app_config["SQLITE_BUSY_TIMEOUT_MS"] / 1000},
            # Database errors must not repeat bound values (observation text) into logs.
            "hide_parameters": True,
        }
    return {"pool_pre_ping": True, "hide_parameters": True}


def configure_engine(engine: Engine, app: Flask) -> None:
    """Load SpatiaLite and set the pragmas every SQLite connection needs."""
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    explicit = bool(app.config.get("SQLITE_EXPLICIT_TRANSACTIONS"))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        from geoalchemy2.admin.dialects.sqlite import load_spatialite

        if explicit:
            # pysqlite's implicit transactions break SAVEPOINT; the tests need savepoints.
            dbapi_conn.isolation_level = None
        load_spatialite(dbapi_conn, transaction=True, init_mode="WGS84")
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            f"busy_timeout={busy_ms}",
            "foreign_keys=ON",
            # temporary tables (a re-assignment's moves) and sorts too big for the cache stay in
            # memory rather than in a file (bench/README.md, seventeenth pass)
            "temp_store=MEMORY",
        ):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    if engine.url.database not in (None, "", ":memory:"):
        from webapp import wal_checkpoint, write_gate

        # Threads of this process queue for the write lock instead of sleeping in the busy handler.
        write_gate.install(engine, busy_ms / 1000)
        # A bulk write's commit can leave the copy of its pages into the database to a thread.
        wal_checkpoint.install(engine)

    if explicit:

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")


if TYPE_CHECKING:
    #: The models' base class, as the type checker sees it (Flask-SQLAlchemy builds ``db.Model`` at run time).
    Model = Base
else:
    Model = db.Model
