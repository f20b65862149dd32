"""URL rules and handlers of staff accounts: sign-in (with an optional two-factor step), passwords,
two-factor set-up, project teams and invitations.

Every handler checks who may act on the server; pages that carry a token, a secret or a one-time
link are never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import segno
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp.auth import links, sessions, throttle
from webapp.auth.access import role_required
from webapp.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    CodeForm,
    DisableTwoFactorForm,
    EnableTwoFactorForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    NewPasswordForm,
)
from webapp.errors import DomainError, Forbidden, TooManyRequests, ValidationError
from webapp.i18n import in_french
from webapp.models import Project, User
from webapp.models.enums import OrganisationKind, Role
from webapp.security import safe_local_path
from webapp.services import accounts, invitations, mail, projects, teams
from webapp.services import two_factor as totp

bp = Blueprint("auth", __name__)
bp.record_once(lambda state: sessions.configure(state.app))


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _home(user: User) -> str:
    """Where someone lands after signing in: the partner pages when partner is all they are."""
    roles = {p.role for p in teams.list_user_projects(user)}
    if roles and roles <= {"partner"}:
        return url_for("partners.index")
    return url_for("facilitators.index")


def _safe_next(target: str | None, user: User | None = None) -> str:
    # Only same-site paths: an open redirect would let a phishing link borrow our login page.
    return safe_local_path(target, _home(user) if user is not None else url_for("facilitators.index"))


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


# --- sign-in -------------------------------------------------------------------------------------


@bp.route("/connexion", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """Sign in with email and password (then the two-factor code, when turned on)."""
    form = LoginForm()
    email = form.email.data
    if request.method == "GET":
        return render_template("auth/login.html", email=email)
    try:
        throttle.check("login", accounts.normalise_email(email))
    except TooManyRequests as error:
        return render_template("auth/login.html", error=error.message, email=email), error.status
    user = accounts.authenticate(email, form.password.data)
    if user is None:
        error = _("Adresse ou mot de passe incorrect.")
        return render_template("auth/login.html", error=error, email=email), 401
    throttle.succeeded("login", accounts.normalise_email(email))
    target = _safe_next(request.args.get("next"), user)
    if user.totp_secret:
        sessions.begin_second_step(user, target)
        return redirect(url_for("auth.login_code"), 303)
    sessions.start_session(user)
    return redirect(target)


@bp.route("/connexion/code", methods=["GET", "POST"])
def login_code():  # type: ignore[no-untyped-def]
    """Second step of sign-in: the six-digit code of the authenticator app."""
    pending = sessions.pending_second_step()
    if pending is None:
        sessions.cancel_second_step()
        flash(_("Recommencez la connexion : l'étape du code a expiré."), "error")
        return redirect(url_for("auth.login"), 303)
    user, target = pending
    if request.method == "GET":
        return render_template("auth/login_code.html")
    try:
        throttle.check("login-code", str(user.id))
    except TooManyRequests as error:
        return render_template("auth/login_code.html", error=error.message), error.status
    if not totp.check_totp(user.id, user.totp_secret or "", CodeForm().code.data):
        return render_template("auth/login_code.html", error=_("Code incorrect ou déjà utilisé.")), 401
    throttle.succeeded("login-code", str(user.id))
    sessions.start_session(user)
    return redirect(_safe_next(target, user), 303)


@bp.post("/deconnexion")
@login_required
def logout():  # type: ignore[no-untyped-def]
    sessions.end_session()
    flash(_("Vous êtes déconnecté·e."))
    return redirect(url_for("public.index"))


# --- own account: password, two-factor -----------------------------------------------------------


@bp.get("/compte")
@login_required
def account():  # type: ignore[no-untyped-def]
    """One's account: projects and roles, links to the password and two-factor pages."""
    user = _me()
    organisation = user.organisation.name if user.organisation else None
    return render_template(
        "auth/account.html",
        user=user,
        organisation=organisation,
        projects=teams.list_user_projects(user),
    )


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    """Change one's own password (the current one is asked)."""
    user = _me()
    if request.method == "GET":
        return render_template("auth/change_password.html")
    form = ChangePasswordForm()
    try:
        throttle.check("password", str(user.id))
        form.check()
        accounts.change_password(user, form.current_password.data, form.password.data)
    except DomainError as error:
        return render_template("auth/change_password.html", error=error.message), error.status
    sessions.refresh_stamp(user)
    flash(_("Mot de passe changé. Vos autres sessions sont fermées."), "ok")
    return redirect(url_for("auth.account"), 303)


def _qr_svg(data: str) -> Markup:
    # Made here from our own data: no outside service ever sees the secret.
    svg = segno.make(data, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title="Code QR"
    )
    return Markup(svg)  # noqa: S704  (segno's output: path data and attributes only)


def _two_factor_page(user: User, *, error: str | None = None, setup: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    context: dict[str, object] = {"enabled": bool(user.totp_secret), "error": error}
    if not user.totp_secret:
        try:
            # Keep the secret being set up (the app already scanned it) when the form carried one.
            secret = totp.secret_from_setup_token(user, setup or "")
        except ValidationError:
            secret = totp.new_totp_secret()
            setup = totp.totp_setup_token(user, secret)
        context.update(
            setup=setup,
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            qr=_qr_svg(totp.totp_uri(user.email, secret)),
        )
    return render_template("auth/two_factor.html", **context), status


@bp.get("/compte/deux-facteurs")
@login_required
def two_factor():  # type: ignore[no-untyped-def]
    """Two-factor login: a QR code to set it up, or the form to turn it off."""
    return _two_factor_page(_me())


@bp.post("/compte/deux-facteurs/activer")
@login_required
def enable_two_factor():  # type: ignore[no-untyped-def]
    """Turn two-factor login on, once a code from the app proves it is set up."""
    user = _me()
    form = EnableTwoFactorForm()
    setup = form.setup.data
    try:
        throttle.check("totp", str(user.id))
        secret = totp.secret_from_setup_token(user, setup)
        totp.enable_totp(user, secret=secret, code=form.code.data, password=form.password.data)
    except DomainError as error:
        return _two_factor_page(user, error=error.message, setup=setup, status=error.status)
    sessions.refresh_stamp(user)
    flash(_("Connexion en deux étapes activée : un code vous sera demandé à chaque connexion."), "ok")
    return redirect(url_for("auth.account"), 303)


@bp.post("/compte/deux-facteurs/desactiver")
@login_required
def disable_two_factor():  # type: ignore[no-untyped-def]
    """Turn two-factor login off (password and a current code needed)."""
    user = _me()
    form = DisableTwoFactorForm()
    try:
        throttle.check("totp", str(user.id))
        totp.disable_totp(user, password=form.password.data, code=form.code.data)
    except DomainError as error:
        return _two_factor_page(user, error=error.message, status=error.status)
    sessions.refresh_stamp(user)
    flash(_("Connexion en deux étapes désactivée."), "ok")
    return redirect(url_for("auth.account"), 303)


# --- forgotten password --------------------------------------------------------------------------


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    """Ask for a reset link by email; the answer is the same whether an account exists or not."""
    if request.method == "GET":
        return render_template("auth/forgot.html")
    email = accounts.normalise_email(ForgotPasswordForm().email.data)
    try:
        throttle.check("reset", email)
    except TooManyRequests as error:
        return render_template("auth/forgot.html", error=error.message, email=email), error.status
    user = accounts.get_user_by_email(email) if email else None
    known = user is not None and user.is_active
    # The same work whether or not the address has an account, so the answer time tells nothing:
    # the message is always prepared (for a stand-in account when there is none), sent only to a
    # real one.
    _mail_reset_link(user if known and user is not None else accounts.stand_in_user(email), send=known)
    return render_template("auth/forgot.html", sent=True)


def _mail_reset_link(user: User, *, send: bool = True) -> None:
    if not mail.is_enabled():
        return
    link = links.mail_link("auth.reset_password", token=accounts.make_reset_token(user))
    if link is None:
        current_app.logger.warning("ARPENTEUR_PUBLIC_URL is not set: reset links are not sent by email")
        return
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    body = render_template("auth/mail/reset.txt", user=user, link=link, hours=hours)
    if send:
        mail.send(user.email, "Arpenteur : choisir un nouveau mot de passe", body)


@bp.route("/mot-de-passe-oublie/<token>", methods=["GET", "POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    """Choose a new password through a reset link (works once, for PASSWORD_RESET_HOURS)."""
    user = accounts.user_for_reset_token(token)
    if request.method == "GET":
        return render_template("auth/reset.html", email=user.email)
    form = NewPasswordForm()
    try:
        form.check()
        accounts.reset_password(token, form.password.data)
    except ValidationError as error:
        return render_template("auth/reset.html", email=user.email, error=error.message), error.status
    sessions.end_session()
    flash(_("Mot de passe changé : connectez-vous avec le nouveau."), "ok")
    return redirect(url_for("auth.login"), 303)


# --- project teams and invitations ---------------------------------------------------------------


def _team_project(slug: str) -> tuple[Project, User]:
    project = projects.get_project_or_404(slug)
    return project, role_required(project, Role.FACILITATOR)


def _team_page(project: Project, user: User, *, status: int = 200, **extra: object):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "auth/team.html",
            project=project,
            me=user,
            my_role=teams.project_role(user, project.id),
            members=teams.list_team(project.id),
            invitations=invitations.list_pending_invitations(project.id),
            organisations=teams.list_project_organisations(project.id),
            days=current_app.config["INVITATION_DAYS"],
            form=extra.pop("form", {}),
            **extra,
        ),
        status,
    )


@bp.get("/projets/<slug>/equipe")
def team(slug: str):  # type: ignore[no-untyped-def]
    """A project's team: members, pending invitations, the form to invite (facilitators and admins)."""
    project, user = _team_project(slug)
    return _team_page(project, user)


@bp.post("/projets/<slug>/equipe/invitations")
def invite(slug: str):  # type: ignore[no-untyped-def]
    """Create an invitation; its link is shown on this answer only (and emailed when mail is set up)."""
    project, user = _team_project(slug)
    form = InviteForm()
    try:
        invitation, token = invitations.create_invitation(
            project,
            email=form.email.data,
            role=form.role.data,
            invited_by=user,
            organisation_id=form.organisation_id.data,
            organisation_name=form.organisation_name.data,
            organisation_kind=form.organisation_kind.data or OrganisationKind.OTHER,
        )
    except DomainError as error:
        return _team_page(project, user, status=error.status, error=error.message, form=form.data)
    link = links.shown_link("auth.invitation", token=token)
    mailed = _mail_invitation(project, user, invitation.email, invitation.role, token)
    return _team_page(project, user, status=201, new_link=link, new_email=invitation.email, mailed=mailed)


def _mail_invitation(project: Project, user: User, email: str, role: str, token: str) -> str:
    """ "sent" (queued: it leaves once the invitation is saved), "failed" (mail settings unusable),
    "no_public_url" or "off"."""
    if not mail.is_enabled():
        return "off"
    link = links.mail_link("auth.invitation", token=token)
    if link is None:
        return "no_public_url"
    body = render_template(
        "auth/mail/invitation.txt",
        project=project,
        inviter=user,
        role=in_french(lambda: Role.label_of(role)),
        link=link,
        days=current_app.config["INVITATION_DAYS"],
    )
    subject = f"Invitation à rejoindre « {project.name} » sur Arpenteur"
    return "sent" if mail.send(email, subject, body) else "failed"


@bp.post("/projets/<slug>/equipe/invitations/<int:invitation_id>/retirer")
def revoke_invitation(slug: str, invitation_id: int):  # type: ignore[no-untyped-def]
    """Withdraw a pending invitation (its link stops working)."""
    project, _user = _team_project(slug)
    invitations.revoke_invitation(project, invitation_id)
    flash(_("Invitation retirée : son lien ne fonctionne plus."), "ok")
    return redirect(url_for("auth.team", slug=project.slug), 303)


@bp.post("/projets/<slug>/equipe/membres/<int:user_id>/retirer")
def remove_member(slug: str, user_id: int):  # type: ignore[no-untyped-def]
    """Take someone out of the project's team (their account stays)."""
    project, user = _team_project(slug)
    teams.remove_member(project, user_id, acting=user)
    flash(_("La personne ne fait plus partie de l'équipe du projet."), "ok")
    return redirect(url_for("auth.team", slug=project.slug), 303)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):  # type: ignore[no-untyped-def]
    """Accept an invitation: create one's account, or (already registered) join after signing in."""
    details = invitations.describe_invitation(token)
    user = _me() if current_user.is_authenticated else None
    if user is not None and user.email != details.email:
        raise Forbidden(
            _l("Cette invitation est destinée à une autre adresse : déconnectez-vous pour l'utiliser.")
        )
    page = {"details": details, "token": token, "user": user}
    if request.method == "GET":
        return render_template("auth/invitation.html", **page)
    form = AcceptInvitationForm()
    display_name = form.display_name.data
    try:
        if user is None:
            form.check()
        joined = invitations.accept_invitation(
            token, user=user, display_name=display_name, password=form.password.data
        )
    except ValidationError as error:
        page.update(error=error.message, display_name=display_name)
        return render_template("auth/invitation.html", **page), error.status
    if user is None:
        sessions.start_session(joined)
    flash(_("Bienvenue dans l'équipe du projet « %(project)s ».", project=details.project_name), "ok")
    return redirect(url_for("auth.account"), 303)
