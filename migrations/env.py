"""Alembic environment: the URL, the metadata and the options all come from the Flask app."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app, has_app_context

config = context.config
if config.config_file_name is not None and not has_app_context():
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

if has_app_context():
    app = current_app._get_current_object()  # type: ignore[attr-defined]
else:  # plain `alembic -c migrations/alembic.ini …`
    from webapp import create_app

    app = create_app()
    app.app_context().push()

from webapp.extensions import db  # noqa: E402
from webapp.migrations_support import alembic_options  # noqa: E402


def _options() -> dict:
    extension = app.extensions.get("migrate")
    options = dict(alembic_options())
    if extension is not None:
        options.update(extension.configure_args)
    return options


def run_migrations_offline() -> None:
    context.configure(
        url=str(db.engine.url).replace("%", "%%"),
        target_metadata=db.metadata,
        literal_binds=True,
        **_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:  # the tests pass their own connection
        context.configure(connection=connectable, target_metadata=db.metadata, **_options())
        with context.begin_transaction():
            context.run_migrations()
        return
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata, **_options())
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
