"""`arpenteur geodata …`: import official QPV perimeters and project zones, re-assign observations."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext

from geodata.perimeters import PerimeterError, read_perimeters


@click.group("geodata")
def geodata_group() -> None:
    """Perimeters: QPV (ANCT) and project zones."""


def _progress(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress bar whose total is learnt from the first callback."""
    state: dict[str, object] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label=label, show_pos=True, file=sys.stderr)
            bar.__enter__()
            state["bar"], state["done"] = bar, 0
        bar.update(done - int(state["done"]))  # type: ignore[attr-defined]
        state["done"] = done

    def finish() -> None:
        bar = state.pop("bar", None)
        if bar is not None:
            bar.__exit__(None, None, None)  # type: ignore[attr-defined]

    return update, finish


def _read(path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    update, finish = _progress("Lecture")
    try:
        return read_perimeters(path, progress=update, **kwargs)  # type: ignore[arg-type]
    except PerimeterError as error:
        finish()
        click.echo("Import annulé, rien n'a été modifié :", err=True)
        for problem in error.problems:
            click.echo(f"  - {problem.describe('fr')}", err=True)
        raise SystemExit(1) from error
    finally:
        finish()


def _import(perimeters, *, dry_run: bool = False, **kwargs: object):  # type: ignore[no-untyped-def]
    """Write the perimeters with a progress bar in one transaction (rolled back for a dry run)."""
    from webapp import transaction
    from webapp.errors import DomainError
    from webapp.services import zones

    update, finish = _progress("Enregistrement")
    try:
        with transaction.unit_of_work(dry_run=dry_run):
            report = zones.import_zones(perimeters, progress=update, **kwargs)  # type: ignore[arg-type]
    except DomainError as error:
        raise click.ClickException(error.message) from error
    finally:
        finish()
    _report(report, dry_run)


def _report(report, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    for note in report.notes:
        click.echo(f"Réparé : {note}")
    verb = "seraient" if dry_run else "ont été"
    click.echo(
        f"{len(report.created)} zone(s) créée(s), {len(report.updated)} mise(s) à jour, "
        f"{len(report.unchanged)} inchangée(s) ; {report.reassigned} observation(s) {verb} réaffectée(s)."
    )
    if dry_run:
        click.echo("Essai à blanc : rien n'a été enregistré.")


@geodata_group.command("import-qpv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--year", type=click.Choice(["2015", "2024"]), help="List year (detected from the fields if absent)."
)
@click.option("--commune", "communes", multiple=True, help="Keep only this INSEE commune code (repeatable).")
@click.option("--departement", "departements", multiple=True, help="Keep only this département (repeatable).")
@click.option("--source", default="", help='Credit stored with the perimeters (default "ANCT, <year>").')
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing.")
@with_appcontext
def import_qpv(
    file: Path,
    year: str | None,
    communes: tuple[str, ...],
    departements: tuple[str, ...],
    source: str,
    dry_run: bool,
) -> None:
    """Import official QPV perimeters (ANCT file from data.gouv.fr: GeoJSON, zip or shapefile)."""
    perimeters = _read(
        file,
        kind="qpv",
        list_year=int(year) if year else None,
        communes=list(communes) or None,
        departements=list(departements) or None,
    )
    list_year = perimeters.features[0].list_year if perimeters.features else year
    _import(perimeters, source=source or f"ANCT, {list_year}", dry_run=dry_run)


@geodata_group.command("import-zones")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", "project_slug", required=True, help="Slug of the project the zones belong to.")
@click.option("--source", default="", help="Credit stored with the perimeters.")
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing.")
@with_appcontext
def import_custom_zones(file: Path, project_slug: str, source: str, dry_run: bool) -> None:
    """Import a project's own zones (e.g. "Centre-ville") from GeoJSON, zip or shapefile."""
    from webapp.errors import DomainError
    from webapp.services import projects

    try:
        project = projects.get_project_or_404(project_slug)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    _import(_read(file, kind="custom"), project=project, source=source, dry_run=dry_run)


@geodata_group.command("reassign")
@click.option("--project", "project_slug", help="Only this project (default: all).")
@click.option("--dry-run", is_flag=True, help="Count what would change, write nothing.")
@with_appcontext
def reassign(project_slug: str | None, dry_run: bool) -> None:
    """Recompute the zone of every observation (after perimeters changed outside the importer)."""
    from webapp import transaction
    from webapp.errors import DomainError
    from webapp.services import projects, zones

    try:
        chosen = [projects.get_project_or_404(project_slug)] if project_slug else None
    except DomainError as error:
        raise click.ClickException(error.message) from error
    with transaction.unit_of_work(dry_run=dry_run):
        changed = zones.reassign_observations(chosen)
    click.echo(f"{changed} observation(s) {'seraient' if dry_run else 'ont été'} réaffectée(s).")
