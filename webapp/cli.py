"""Command line: `arpenteur …` (the same commands as `flask --app webapp …`)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def init_app(app: Flask) -> None:
    """Register the project's command groups on the app."""
    from webapp.commands import demo, forms, geodata, photos, privacy, projects, serve, walks

    app.cli.add_command(forms.forms_group)
    app.cli.add_command(geodata.geodata_group)
    app.cli.add_command(projects.projects_group)
    app.cli.add_command(demo.demo_command)
    app.cli.add_command(photos.photos_group)
    app.cli.add_command(privacy.purge_command)
    app.cli.add_command(serve.serve_command)
    app.cli.add_command(walks.walks_group)


def _create_app() -> Flask:
    from webapp import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """Arpenteur: marches exploratoires."""
