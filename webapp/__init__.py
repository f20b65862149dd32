"""Arpenteur: the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from webapp.json_provider import StrictJSONProvider


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per secret key.

    Flask makes a new one for every request, cookie or not (about a tenth of an API request's
    time); the serializer holds nothing of a request, so one per key does the same work.
    """

    def __init__(self) -> None:
        self._kept: tuple[tuple[Any, ...], Any] | None = None

    def get_signing_serializer(self, app: Flask) -> Any:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()), self.salt)
        kept = self._kept
        if kept is None or kept[0] != key:
            kept = self._kept = (key, super().get_signing_serializer(app))
        return kept[1]


class ArpenteurFlask(Flask):
    """Flask whose requests commit once, after the view (``webapp.transaction``), and whose JSON
    bodies are read strictly (``webapp.json_provider``)."""

    json_provider_class = StrictJSONProvider

    def dispatch_request(self) -> Any:  # type: ignore[override]
        from webapp.transaction import run_request

        return run_request(self, super().dispatch_request)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``ARPENTEUR_*`` environment variables, then ``test_config``."""
    app: Flask = ArpenteurFlask(__name__, instance_relative_config=True)
    app.session_interface = KeptSerializerSessions()

    from webapp import config

    app.config.from_mapping(config.DEFAULTS)
    from webapp import compression

    compression.init_app(app)  # first: its after_request function runs after all the others
    if test_config is None:
        app.config.from_prefixed_env("ARPENTEUR")
    else:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    url = app.config["DATABASE_URL"] or config.sqlite_url(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    from webapp.extensions import configure_engine, db, engine_options, migrate

    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(url, app.config))
    if not app.config["PHOTO_DIR"]:
        app.config["PHOTO_DIR"] = str(Path(app.instance_path) / "photos")

    import webapp.models  # noqa: F401  (registers the tables)
    from webapp.services.photo_store import configured_kind

    configured_kind(app)  # an unknown PHOTO_STORE stops the start, rather than the first upload

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app)

    from webapp import migrations_support

    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        **migrations_support.alembic_options(),
    )

    from webapp.extensions import csrf, login_manager

    # A form's token is good as long as the session that made it. Flask-WTF's default is one hour: a
    # facilitator who typed paper sheets or a debrief summary for longer lost it all on saving. Sign-in
    # and sign-out start a new session (and token); a staff session ends after SESSION_HOURS.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    login_manager.init_app(app)

    @login_manager.user_loader
    def _load_user(user_id: str):  # type: ignore[no-untyped-def]
        # "<id>:<stamp>": a password change, deactivation or the end of SESSION_HOURS ends the session.
        from webapp.auth.sessions import load_session_user

        return load_session_user(user_id)

    from webapp import errors, ids, local_time, public, security

    ids.init_app(app)
    local_time.init_app(app)

    from webapp import static_assets

    static_assets.init_app(app)
    security.init_app(app)
    app.register_blueprint(public.bp)

    from webapp import api, i18n, residents

    i18n.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(residents.bp)

    from webapp import auth, facilitators
    from webapp.auth.cli import users_group
    from webapp.facilitators.cli import export_group

    app.register_blueprint(auth.bp)
    app.register_blueprint(facilitators.bp)

    from webapp import partners

    app.register_blueprint(partners.bp)

    from webapp import administration

    app.register_blueprint(administration.bp)

    from webapp import legacy_urls

    legacy_urls.init_app(app)
    app.cli.add_command(users_group)
    app.cli.add_command(export_group)
    errors.init_app(app)

    from webapp import cli

    cli.init_app(app)

    from webapp.api import fast_ingest

    # The ingest's common case, beside Flask's request machinery (inside ProxyFix, when there is one).
    fast_ingest.install(app)

    hops = int(app.config["PROXY_FIX_HOPS"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from webapp import logs

    # After every blueprint and logger exists: no log line may repeat a join code, token or text.
    logs.init_app(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app
