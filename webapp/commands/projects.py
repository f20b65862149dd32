"""`arpenteur projects …`: create and list projects from the command line (scripts, tests, first set-up)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext


@click.group("projects")
def projects_group() -> None:
    """Projects: create one, list them."""


def _date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.ClickException(
            f"{option} : date invalide « {value} », format AAAA-MM-JJ attendu (p. ex. 2026-09-15)."
        ) from error


def _number(value: str, option: str) -> int:
    if not value.strip().isdigit():
        raise click.ClickException(f"{option} : nombre entier attendu, pas « {value} ».")
    return int(value)


@projects_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Name of the project, as people read it.")
@click.option(
    "--commune", "communes", multiple=True, required=True, help="INSEE code of a commune (repeatable)."
)
@click.option("--qpv-year", help="Official QPV list, 2015 or 2024 (default: the setting).")
@click.option("--description", default="", help="What the project is about.")
@click.option("--start", "start", help="First day, YYYY-MM-DD.")
@click.option("--end", "end", help="Last day, YYYY-MM-DD.")
@click.option("--retention-months", default="24", show_default=True, help="Retention period, in months.")
@with_appcontext
def create_project(
    slug: str,
    name: str,
    communes: tuple[str, ...],
    qpv_year: str | None,
    description: str,
    start: str | None,
    end: str | None,
    retention_months: str,
) -> None:
    """Create a project; exits non-zero with the reason when an input is wrong (nothing is stored then)."""
    from flask import current_app

    from webapp import transaction
    from webapp.errors import DomainError
    from webapp.services import projects

    default_year = int(current_app.config.get("DEFAULT_QPV_YEAR", 2024))
    year = _number(qpv_year, "--qpv-year") if qpv_year else default_year
    months = _number(retention_months, "--retention-months")
    try:
        with transaction.unit_of_work():
            project = projects.create_project(
                slug=slug,
                name=name,
                territory=list(communes),
                description=description,
                starts_on=_date(start, "--start"),
                ends_on=_date(end, "--end"),
                qpv_year=year,
                retention_months=months,
            )
            summary = (
                f"Projet « {project.name} » créé : {project.slug} (communes {', '.join(project.territory)}"
            )
            summary += f", liste QPV {project.qpv_year})."
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(summary)


@projects_group.command("list")
@with_appcontext
def list_projects() -> None:
    """One line per project: slug, name, communes, QPV list, walks and observations."""
    from webapp.services import projects

    overviews = projects.list_project_overviews()
    if not overviews:
        click.echo("Aucun projet.")
        return
    for overview in overviews:
        project = projects.get_project_or_404(overview.slug)
        click.echo(
            f"{overview.slug}\t{overview.name}\t{','.join(project.territory or [])}\tQPV {project.qpv_year}"
            f"\t{overview.walk_count} marche(s)\t{overview.observation_count} observation(s)"
        )
