"""`arpenteur export …`: observations and recommendations to files, with progress for large exports."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.commands.output_file import OutputFile

FORMATS = ("csv", "xlsx", "geojson", "gpkg")


@click.group("export")
def export_group() -> None:
    """Export a project's observations or recommendations."""


def _progress_bar(label: str):  # type: ignore[no-untyped-def]
    state = {"bar": None}

    def progress(done: int, total: int) -> None:
        if state["bar"] is None:
            state["bar"] = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
            state["bar"].__enter__()
            state["done"] = 0
        state["bar"].update(done - state["done"])
        state["done"] = done

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)

    return progress, close


@export_group.command("observations")
@click.option("--project", "slug", required=True, help="Project slug.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--output", "-o", type=OutputFile(), required=True)
@click.option("--walk", "walk_id", type=int, help="Only this walk.")
@click.option("--theme")
@click.option("--time-slot", type=click.Choice(["day", "evening", "night"]))
@click.option("--include-pending", is_flag=True, help="Also observations not yet moderated.")
@with_appcontext
def export_observations(
    slug: str,
    fmt: str,
    output: Path,
    walk_id: int | None,
    theme: str | None,
    time_slot: str | None,
    include_pending: bool,
) -> None:
    """Write the observations of a project (validated only by default)."""
    from webapp.errors import DomainError
    from webapp.services import exports, observation_filter, projects

    try:
        project = projects.get_project_or_404(slug)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    args = {k: str(v) for k, v in {"walk_id": walk_id, "theme": theme, "time_slot": time_slot}.items() if v}
    if include_pending:
        args["moderation"] = "all"
    f, problems = observation_filter.parse_filter(args, project=project, allow_pending=True)
    if problems:
        raise click.ClickException("; ".join(problems))
    total = exports.count_observations(f)
    if total == 0:
        click.echo("Aucune observation ne correspond : fichier vide écrit (en-têtes seulement).", err=True)
    progress, close = _progress_bar(f"Export {fmt}")
    try:
        if fmt == "csv":
            with output.open("w", encoding="utf-8", newline="") as fh:
                for chunk in exports.observations_csv(f, progress):
                    fh.write(chunk)
        elif fmt == "geojson":
            with output.open("w", encoding="utf-8") as fh:
                for chunk in exports.observations_geojson(f, progress):
                    fh.write(chunk)
        elif fmt == "xlsx":
            exports.observations_xlsx(f, output, progress)
        else:
            output.unlink(missing_ok=True)
            exports.observations_gpkg(f, output, progress)
    finally:
        close()
    click.echo(f"{total} observations écrites dans {output}")


@export_group.command("recommendations")
@click.option("--project", "slug", required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--output", "-o", type=OutputFile(), required=True)
@with_appcontext
def export_recommendations(slug: str, fmt: str, output: Path) -> None:
    """Write a project's recommendations, ranked by priority, with their evidence."""
    from webapp.errors import DomainError
    from webapp.services import exports, projects

    try:
        project = projects.get_project_or_404(slug)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    if fmt == "csv":
        with output.open("w", encoding="utf-8", newline="") as fh:
            for chunk in exports.recommendations_csv(project):
                fh.write(chunk)
    else:
        exports.recommendations_xlsx(project, output)
    click.echo(f"Préconisations écrites dans {output}")
