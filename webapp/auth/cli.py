"""`arpenteur users …`: staff accounts from the command line (the first admin, help for locked-out staff)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from webapp.models.enums import OrganisationKind

if TYPE_CHECKING:
    from webapp.models import User


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
@click.option(
    "--organisation", "organisation_name", help="Organisation (required for partners; created if new)."
)
@click.option(
    "--organisation-kind",
    type=click.Choice([kind.value for kind in OrganisationKind]),
    default=OrganisationKind.OTHER.value,
    show_default=True,
    help="Kind of a new organisation.",
)
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(
    email: str,
    role: str,
    project_slug: str | None,
    display_name: str,
    organisation_name: str | None,
    organisation_kind: str,
    password: str,
) -> None:
    """Create an account; --role admin makes a site administrator."""
    from webapp import transaction
    from webapp.errors import DomainError

    try:
        with transaction.unit_of_work():
            user = _create_user(
                email=email,
                role=role,
                project_slug=project_slug,
                display_name=display_name,
                organisation_name=organisation_name,
                organisation_kind=organisation_kind,
                password=password,
            )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Compte créé : {user.email} ({role})")


def _create_user(
    *,
    email: str,
    role: str,
    project_slug: str | None,
    display_name: str,
    organisation_name: str | None,
    organisation_kind: str,
    password: str,
) -> User:
    """Make the account and its role (one unit of work, in the caller)."""
    from webapp.services import accounts, projects, teams

    project = None
    if role != "admin":
        if not project_slug:
            raise click.UsageError("--project is required for facilitator and partner accounts")
        project = projects.get_project(project_slug)
        if project is None:
            raise click.UsageError(f"unknown project {project_slug!r}")
    if role == "partner" and not organisation_name:
        raise click.UsageError("--organisation is required for partner accounts")
    organisation = (
        teams.find_or_create_organisation(organisation_name, organisation_kind) if organisation_name else None
    )
    user = accounts.create_user(
        email=email,
        password=password,
        display_name=display_name,
        is_admin=role == "admin",
        organisation_id=organisation.id if organisation else None,
    )
    if project is not None:
        teams.add_membership(user, project.id, role)
        if organisation is not None and role == "partner":
            teams.link_partner_organisation(project.id, organisation.id)
    return user


def _user_or_fail(email: str):  # type: ignore[no-untyped-def]
    from webapp.services import accounts

    user = accounts.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"Aucun compte avec l'adresse {accounts.normalise_email(email)}.")
    return user


@users_group.command("reset-link")
@click.option("--email", required=True)
@with_appcontext
def reset_link_command(email: str) -> None:
    """Print a password reset link for an account (works once, for PASSWORD_RESET_HOURS)."""
    from flask import current_app

    from webapp.auth import links
    from webapp.services import accounts

    user = _user_or_fail(email)
    if not user.is_active:
        raise click.ClickException(
            "Ce compte est désactivé : réactivez-le d'abord (arpenteur users reactivate)."
        )
    if not current_app.config.get("PUBLIC_URL"):
        click.echo(f"ARPENTEUR_PUBLIC_URL n'est pas défini : le lien suppose {links.DEV_ROOT}.", err=True)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    click.echo(f"Lien pour {user.email}, valable {hours} h et une seule fois :", err=True)
    click.echo(links.shown_link("auth.reset_password", token=accounts.make_reset_token(user)))


@users_group.command("deactivate")
@click.option("--email", required=True)
@with_appcontext
def deactivate_command(email: str) -> None:
    """Deactivate an account: it can no longer sign in and its sessions end."""
    from webapp import transaction
    from webapp.services import accounts

    _user_or_fail(email)
    with transaction.unit_of_work():
        user = accounts.set_active(email, False)
    click.echo(f"Compte désactivé : {user.email}")


@users_group.command("reactivate")
@click.option("--email", required=True)
@with_appcontext
def reactivate_command(email: str) -> None:
    """Reactivate a deactivated account."""
    from webapp import transaction
    from webapp.services import accounts

    _user_or_fail(email)
    with transaction.unit_of_work():
        user = accounts.set_active(email, True)
    click.echo(f"Compte réactivé : {user.email}")


@users_group.command("disable-2fa")
@click.option("--email", required=True)
@with_appcontext
def disable_two_factor_command(email: str) -> None:
    """Turn off someone's two-factor login (lost phone); they sign in with their password alone."""
    from webapp import transaction
    from webapp.services import two_factor

    _user_or_fail(email)
    with transaction.unit_of_work():
        user = two_factor.remove_totp(email)
    click.echo(f"Connexion en deux étapes désactivée : {user.email}")
