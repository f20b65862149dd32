"""`arpenteur walks …`: plan, list, open and close walks and make their kit, from scripts and tests.

Each command is one unit of work: it commits when it ends normally and changes nothing when it fails,
which it does with a French message on stderr and exit status 1. Links printed here use
``ARPENTEUR_PUBLIC_URL``; without it a command prints the path alone (``/rejoindre?code=…``) and says
so on stderr, since a command line has no request to learn the site's address from.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from webapp.commands.output_file import OutputFile
from webapp.models.enums import TimeSlot

NO_PUBLIC_URL = (
    "Attention : ARPENTEUR_PUBLIC_URL n'est pas défini ; le lien est donné sans l'adresse du site "
    "(ajoutez-la devant)."
)


@click.group("walks")
def walks_group() -> None:
    """Walks: plan, open, close, walk kit."""


@contextmanager
def _work() -> Iterator[None]:
    """One transaction; a refused input ends the command with its French message and status 1."""
    from geodata.tracks import TrackError
    from webapp import transaction
    from webapp.errors import DomainError
    from webapp.services import walks

    try:
        with transaction.unit_of_work():
            yield
    except DomainError as error:
        click.echo(f"Erreur : {error.message}", err=True)
        sys.exit(1)
    except TrackError as error:
        click.echo(f"Erreur : {walks.describe_track_error(error)}", err=True)
        sys.exit(1)


def _parse(kind: str, parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(_ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError:
            raise click.BadParameter(f"{kind} invalide : « {value} ».", param=param) from None

    return callback


def _date(raw: str) -> date:
    return date.fromisoformat(raw)


def _time(raw: str) -> time:
    return datetime.strptime(raw, "%H:%M").time()  # noqa: DTZ007  (a time of day, no zone)


def _read(path: Path) -> bytes:
    from geodata.tracks import MAX_FILE_BYTES
    from webapp.errors import ValidationError

    try:
        with path.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ValidationError(f"Fichier illisible : {path} ({error.strerror}).") from None


def _walk(walk_id: int):  # type: ignore[no-untyped-def]
    from webapp.services import walks

    return walks.get_walk(walk_id)


def _join_link(walk) -> tuple[str, bool]:  # type: ignore[no-untyped-def]
    """The join link, and whether it is complete (PUBLIC_URL set)."""
    from webapp.auth import links

    full = links.mail_link("residents.join", code=walk.join_code)
    return (full, True) if full else (links.app_path("residents.join", code=walk.join_code), False)


@walks_group.command("create")
@click.option("--project", "slug", required=True, help="Slug du projet.")
@click.option("--title", required=True, help="Titre de la marche.")
@click.option("--date", "walk_date", required=True, callback=_parse("Date", _date), help="AAAA-MM-JJ.")
@click.option("--start", callback=_parse("Heure", _time), help="Heure de début, HH:MM.")
@click.option("--end", callback=_parse("Heure", _time), help="Heure de fin, HH:MM.")
@click.option(
    "--slot",
    type=click.Choice([s.value for s in TimeSlot]),
    help="Créneau (défaut : d'après l'heure de début ; jour avant 18 h, soirée jusqu'à 21 h, nuit après).",
)
@click.option(
    "--route", "route_file", type=click.Path(path_type=Path, dir_okay=False), help="Trace GPX ou GeoJSON."
)
@click.option(
    "--stops",
    "stops_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="GeoJSON : FeatureCollection de points avec une propriété « name », dans l'ordre.",
)
@click.option(
    "--form", "form_choice", default="", help="Formulaire : CLÉ ou CLÉ:VERSION (défaut : grille par défaut)."
)
@click.option("--meeting-point", default="", help="Point de rendez-vous.")
@click.option("--group", "group_description", default="", help="Groupe, en clair (« femmes du quartier »).")
@click.option("--size", "expected_size", type=int, help="Nombre de personnes attendues.")
@with_appcontext
def create_command(
    slug: str,
    title: str,
    walk_date: date,
    start: time | None,
    end: time | None,
    slot: str | None,
    route_file: Path | None,
    stops_file: Path | None,
    form_choice: str,
    meeting_point: str,
    group_description: str,
    expected_size: int | None,
) -> None:
    """Plan a walk; prints its id."""
    from geodata.tracks import read_stops, read_track
    from webapp.services import projects, walks

    with _work():
        project = projects.get_project_or_404(slug)
        route = read_track(_read(route_file), route_file.name).points if route_file else None
        stops = read_stops(_read(stops_file)) if stops_file else []
        form_key, form_version = walks.parse_form_choice(form_choice)
        walk = walks.create_walk(
            project,
            title=title,
            walk_date=walk_date,
            starts_at=start,
            ends_at=end,
            time_slot=slot,
            route=route,
            stops=stops,
            form_key=form_key,
            form_version=form_version,
            meeting_point=meeting_point,
            group_description=group_description,
            expected_size=expected_size,
        )
        for warning in walks.planning_warnings(project, stops):
            click.echo(f"Attention : {warning}", err=True)
        walk_id = walk.id
    click.echo(walk_id)


@walks_group.command("list")
@click.option("--project", "slug", required=True, help="Slug du projet.")
@with_appcontext
def list_command(slug: str) -> None:
    """List a project's walks: id, date, slot, status, code, observations, title."""
    from webapp.models.enums import WalkStatus
    from webapp.services import projects, walks

    with _work():
        rows = walks.list_walk_rows(projects.get_project_or_404(slug))
        for row in rows:
            w = row.walk
            click.echo(
                f"{w.id}\t{w.walk_date.isoformat()}\t{TimeSlot.label_of(w.time_slot)}\t"
                f"{WalkStatus.label_of(w.status)}\t{w.join_code}\t{row.observations}\t{w.title}"
            )


@walks_group.command("open")
@click.argument("walk_id", type=int)
@with_appcontext
def open_command(walk_id: int) -> None:
    """Open (or reopen) a walk; prints its join code and join link."""
    from webapp.services import walks

    with _work():
        walk = _walk(walk_id)
        walks.open_walk(walk)
        for warning in walks.opening_warnings(walk):
            click.echo(f"Attention : {warning}", err=True)
        code = walk.join_code
        link, complete = _join_link(walk)
    click.echo(code)
    click.echo(link)
    if not complete:
        click.echo(NO_PUBLIC_URL, err=True)


@walks_group.command("close")
@click.argument("walk_id", type=int)
@with_appcontext
def close_command(walk_id: int) -> None:
    """Close a walk (phones that were offline keep the grace period to deliver)."""
    from webapp.services import walks

    with _work():
        walk = walks.close_walk(_walk(walk_id))
        hours = walks.grace_period().total_seconds() / 3600
        title = walk.title
    click.echo(f"Marche « {title} » clôturée ; délai pour les envois hors connexion : {hours:g} h.")


@walks_group.command("kit")
@click.argument("walk_id", type=int)
@click.option("-o", "--output", type=OutputFile(), required=True, help="Fichier PDF.")
@with_appcontext
def kit_command(walk_id: int, output: Path) -> None:
    """Write the walk kit (A4 PDF: QR code and code, map, stops, themes, help numbers)."""
    from webapp.services import walk_kits

    with _work():
        walk = _walk(walk_id)
        link, complete = _join_link(walk)
        pdf = walk_kits.render_kit_pdf(walk_kits.build_kit(walk, link if complete else None))
    output.write_bytes(pdf)
    if not complete:
        click.echo(NO_PUBLIC_URL + " Le kit n'a pas de code QR.", err=True)
    click.echo(f"{output} ({len(pdf) // 1024} Ko)")
