"""`arpenteur demo`: the Amiens demonstration project."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when a project already exists.")
@click.option("--seed", default=2026, show_default=True, type=int)
@with_appcontext
def demo_command(if_empty: bool, seed: int) -> None:
    """Build the deterministic demo project « Marches exploratoires — Amiens »."""
    from webapp import transaction
    from webapp.services import demo, projects

    if if_empty and projects.count_projects():
        click.echo("Des projets existent déjà : démonstration non rechargée.")
        return
    with transaction.unit_of_work():
        summary = demo.build_demo(seed=seed)
    click.echo(summary)
