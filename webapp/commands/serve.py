"""`arpenteur serve`: a production server suited to the database.

SQLite allows one writer at a time, so the embedded database gets one process with threads; PostGIS
gets several worker processes. Migrations are applied before (by `make run` or `arpenteur db upgrade`),
never by the workers: several workers racing to create tables on an empty database crash. Access and
error lines never show a join code or a token (``webapp.logs.GunicornLogger``).
"""

from __future__ import annotations

import os
import shutil
import sys

import click
from flask import current_app
from flask.cli import with_appcontext


def gunicorn_arguments(
    host: str,
    port: int,
    workers: int,
    threads: int,
    *,
    app: str = "webapp.wsgi:app",
    masked_logs: bool = True,
) -> list[str]:
    """gunicorn's command-line arguments for this app (the ingest benchmark starts its anchor with the
    same ones, ``masked_logs=False`` and its own ``app``: same worker class, threads and access log)."""
    return [
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        # Access and error lines go through webapp.logs: join codes and tokens are masked.
        *(["--logger-class", "webapp.logs.GunicornLogger"] if masked_logs else []),
        # gunicorn's control socket is one path per user (~/.gunicorn/gunicorn.ctl): two instances
        # on one host would take over each other's. Nothing here uses it.
        "--no-control-socket",
        app,
    ]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=int, help="Worker processes (PostGIS only; default: 2 × cores + 1).")
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the app with gunicorn (threads on SQLite, processes on PostGIS)."""
    from webapp.services.health import check_schema_is_current

    check_schema_is_current()
    sqlite = current_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    if sqlite:
        workers = 1
    elif workers is None:
        workers = 2 * (os.cpu_count() or 1) + 1
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise click.ClickException("gunicorn est introuvable : lancez d'abord scripts/setup.sh.")
    click.echo(
        f"Arpenteur sur http://{host}:{port}  ({'SQLite' if sqlite else 'PostGIS'}, {workers} processus)"
    )
    args = [gunicorn, *gunicorn_arguments(host, port, workers, threads)]
    os.execv(gunicorn, args)  # noqa: S606  (replace this process: signals go straight to gunicorn)
