"""`arpenteur purge`: apply each project's retention period (run it daily from cron or a systemd timer)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("purge")
@click.option("--project", "project_slug", help="Only this project (default: all).")
@click.option("--dry-run", is_flag=True, help="Say what would be purged, change nothing.")
@with_appcontext
def purge_command(project_slug: str | None, dry_run: bool) -> None:
    """Remove precise points, photos and free text of observations past their retention period."""
    from webapp import transaction
    from webapp.services import privacy, projects

    project = projects.get_project_or_404(project_slug) if project_slug else None
    # A dry run does the whole purge, then rolls it back: the report counts exactly what would go.
    with transaction.unit_of_work(dry_run=dry_run):
        report = privacy.purge_expired(dry_run=dry_run, project=project)
    for slug, count in report.observations.items():
        click.echo(f"{slug} : {count} observation(s), {report.photos[slug]} photo(s)")
    verb = "seraient purgées" if dry_run else "purgées"
    click.echo(f"Total : {report.total_observations} observation(s) {verb}, {report.total_photos} photo(s).")
