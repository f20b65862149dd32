"""`arpenteur users …`: staff accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("users")
def users_group() -> None:
    """Staff accounts (admins, facilitators, partners)."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option(
    "--role", type=click.Choice(["admin", "facilitator", "partner"]), default="facilitator", show_default=True
)
@click.option("--project", "project_slug", help="Project slug the role applies to (not needed for admin).")
@click.option("--name", "display_name", default="")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(
    email: str, role: str, project_slug: str | None, display_name: str, password: str
) -> None:
    """Create an account; --role admin makes a site administrator."""
    from webapp.errors import DomainError
    from webapp.services import accounts, projects

    try:
        project = None
        if role != "admin":
            if not project_slug:
                raise click.UsageError("--project is required for facilitator and partner accounts")
            project = projects.get_project(project_slug)
            if project is None:
                raise click.UsageError(f"unknown project {project_slug!r}")
        user = accounts.create_user(
            email=email, password=password, display_name=display_name, is_admin=role == "admin", commit=False
        )
        if project is not None:
            accounts.add_membership(user, project.id, role, commit=False)
        from webapp.extensions import db

        db.session.commit()
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Compte créé : {user.email} ({role})")
