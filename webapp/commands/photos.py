"""`arpenteur photos move --to database|disk`: move existing photos from one store to the other.

For a site moving from SQLite to PostGIS (after copying its rows), or to several app servers: the
files of ``PHOTO_DIR`` go into the database. One transaction per photo (a photo is moved entirely or
not at all); running it again skips what is already there.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("photos")
def photos_group() -> None:
    """Where photos are kept (PHOTO_STORE: files in PHOTO_DIR, or the database)."""


@photos_group.command("move")
@click.option("--to", "target_kind", type=click.Choice(["database", "disk"]), required=True)
@click.option("--remove-source", is_flag=True, help="Delete each photo from the old store once moved.")
@with_appcontext
def move_command(target_kind: str, remove_source: bool) -> None:
    """Copy every photo into the chosen store (one transaction per photo; safe to run again)."""
    from webapp import transaction
    from webapp.services import photo_store

    source_kind = photo_store.DISK if target_kind == photo_store.DATABASE else photo_store.DATABASE
    source = photo_store.store(source_kind, current_app)
    target = photo_store.store(target_kind, current_app)
    with transaction.unit_of_work():
        ids = photo_store.photo_ids()
    counts = dict.fromkeys(
        (photo_store.MOVED, photo_store.ALREADY, photo_store.MISSING, photo_store.DAMAGED), 0
    )
    problems: list[str] = []
    for photo_id in ids:
        with transaction.unit_of_work():
            outcome = photo_store.move_photo(photo_id, source, target, remove_source=remove_source)
        counts[outcome] += 1
        if outcome in (photo_store.MISSING, photo_store.DAMAGED):
            problems.append(f"photo {photo_id} : {outcome}")
    for line in problems:
        click.echo(line, err=True)
    click.echo(
        f"{counts[photo_store.MOVED]} photo(s) déplacée(s) vers {target_kind}, "
        f"{counts[photo_store.ALREADY]} déjà présente(s), {counts[photo_store.MISSING]} introuvable(s), "
        f"{counts[photo_store.DAMAGED]} abîmée(s)."
    )
    if problems:
        raise SystemExit(1)
    if target_kind != photo_store.configured_kind(current_app):
        click.echo(f"Pour servir les photos depuis là : ARPENTEUR_PHOTO_STORE={target_kind}.")
