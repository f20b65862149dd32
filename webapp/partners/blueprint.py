"""URL rules and handlers of the partners' pages: project map and summary, recommendations, scorecards.

Every page needs a role in the project: partner, or facilitator/admin (who see what partners see).
Everything shown comes from :mod:`webapp.services.partner_views` (public shapes only); answers and
assignments are written through :mod:`webapp.services.partner_answers`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.auth import role_required
from webapp.errors import Conflict, ValidationError
from webapp.partners.embed import public_map_parts, send_photo
from webapp.partners.forms import AnswerForm, AssignForm
from webapp.photo_responses import THUMBNAIL, asked_size
from webapp.services import partner_answers, partner_views

bp = Blueprint("partners", __name__, url_prefix="/partenaires")


def _project(slug: str) -> tuple[Any, Any, str | None]:
    project = partner_views.get_project(slug)
    user = role_required(project, *partner_views.VIEWER_ROLES)
    return project, user, partner_views.viewer_role(user, project)


def _photo_url_for(slug: str):  # type: ignore[no-untyped-def]
    return lambda name: url_for("partners.photo", slug=slug, name=name, taille=THUMBNAIL)


@bp.get("/")
@login_required
def index() -> str:
    """The projects this person takes part in."""
    return render_template("partners/index.html", projects=partner_views.list_my_projects(current_user))


@bp.get("/<slug>/")
def project_page(slug: str) -> str:
    """Read-only map and thematic summary of the project's validated observations."""
    project, _user, role = _project(slug)
    f, problems = partner_views.parse_filter(request.args, project)
    data, parts = public_map_parts(project, f, photo_url=_photo_url_for(slug))
    return render_template(
        "partners/project.html",
        project=project,
        role=role,
        map=parts,
        data=data,
        summary=partner_views.build_summary(f),
        sensitive_zones=partner_views.sensitive_by_zone(project),
        sensitive_label=partner_views.sensitive_label(project),
        choices=partner_views.filter_choices(project),
        filter_fields=partner_views.FILTER_KEYS,
        problems=problems,
        args=request.args,
        tab="carte",
    )


@bp.get("/<slug>/preconisations")
def recommendations(slug: str) -> str:
    """The project's recommendations: status, responsible partner, deadline, overdue flag."""
    project, user, role = _project(slug)
    rows = partner_views.list_recommendations(project)
    mine = request.args.get("mine") == "1"
    if mine:
        rows = [
            r for r in rows if r.organisation_id is not None and r.organisation_id == user.organisation_id
        ]
    return render_template(
        "partners/recommendations.html",
        project=project,
        role=role,
        rows=rows,
        mine=mine,
        organisation_id=user.organisation_id,
        tab="preconisations",
    )


def _detail(project, recommendation, user, role, *, error: str | None = None, form: Any = None) -> str:  # type: ignore[no-untyped-def]
    return render_template(
        "partners/recommendation.html",
        project=project,
        role=role,
        detail=partner_views.recommendation_detail(recommendation, photo_url=_photo_url_for(project.slug)),
        comparisons=partner_views.before_after(recommendation),
        photo_url=_photo_url_for(project.slug),
        theme_label=partner_views.theme_labeller(project),
        may_answer=partner_answers.may_answer(user, role, recommendation),
        is_staff=role in partner_answers.STAFF_ROLES,
        partners=partner_views.list_partners(project),
        error=error,
        form=form or {},
        tab="preconisations",
    )


@bp.get("/<slug>/preconisations/<int:recommendation_id>")
def recommendation(slug: str, recommendation_id: int) -> str:
    """One recommendation: its dated timeline, its evidence (privacy-filtered) and the answer form."""
    project, user, role = _project(slug)
    return _detail(project, partner_views.get_recommendation(project, recommendation_id), user, role)


@bp.post("/<slug>/preconisations/<int:recommendation_id>/reponse")
def answer(slug: str, recommendation_id: int):  # type: ignore[no-untyped-def]
    """Answer a recommendation: change its status (with a comment) or just comment.

    A partner may only answer their organisation's recommendations (403 otherwise); a move the
    workflow refuses is a 409 with the page and the reason, a refusal without reason a 422.
    """
    project, user, role = _project(slug)
    rec = partner_views.get_recommendation(project, recommendation_id)
    form = AnswerForm()
    try:
        form.check()
        partner_answers.answer(
            rec,
            user,
            role,
            status=form.status.data,
            comment=form.comment.data,
            seen_status=form.seen_status.data,
        )
    except (Conflict, ValidationError) as error:
        return _detail(project, rec, user, role, error=error.message, form=form.data), error.status
    flash(_("Votre réponse est enregistrée."), "ok")
    return redirect(url_for("partners.recommendation", slug=slug, recommendation_id=rec.id))


@bp.post("/<slug>/preconisations/<int:recommendation_id>/attribution")
def assign(slug: str, recommendation_id: int):  # type: ignore[no-untyped-def]
    """Staff only: set the responsible partner and the deadline."""
    project, user, role = _project(slug)
    rec = partner_views.get_recommendation(project, recommendation_id)
    form = AssignForm()
    try:
        form.check()
        event = partner_answers.assign(
            rec, user, role, organisation_id=form.organisation_id.data, deadline=form.deadline.data
        )
    except ValidationError as error:
        form_values = {"organisation_id": form.organisation_id._value(), "deadline": form.deadline._value()}
        return _detail(project, rec, user, role, error=error.message, form=form_values), error.status
    flash(_("Attribution enregistrée.") if event else _("Rien n'a changé."), "ok")
    return redirect(url_for("partners.recommendation", slug=slug, recommendation_id=rec.id))


@bp.get("/<slug>/tableau-de-bord")
def scorecards(slug: str) -> str:
    """Scorecards per partner and per zone: share done, median delay, overdue."""
    project, _user, role = _project(slug)
    return render_template(
        "partners/scorecards.html",
        project=project,
        role=role,
        cards=partner_views.scorecards(project),
        tab="tableau",
    )


@bp.get("/<slug>/photos/<path:name>")
def photo(slug: str, name: str) -> Response:
    """A photo of a validated, non-sensitive observation of this project (404 for any other)."""
    project, _user, _role = _project(slug)
    return send_photo(partner_views.photo_for(project, name), private=True, size=asked_size())
