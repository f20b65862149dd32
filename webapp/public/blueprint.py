"""URL rules and handlers of the public pages: landing page, and each project's opt-in public pages.

A project's public map (``Project.public_map``) and follow-up page (``Project.public_followup``) are
off by default: until a project opens them they answer 404. They show the same public shapes as the
partners' pages (:mod:`webapp.services.partner_views`), so the same privacy rules hold.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from webapp.partners.embed import public_map_parts, send_photo
from webapp.photo_responses import THUMBNAIL, asked_size
from webapp.security import allow_any_frame_ancestor
from webapp.services import partner_views, projects

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> str:
    """Landing page: what Arpenteur is, and the projects with their walks."""
    return render_template(
        "public/index.html",
        projects=partner_views.project_overviews(),
        public_pages=partner_views.public_pages(),
    )


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness probe for the process manager (also checks the database answers)."""
    projects.count_projects()
    return {"status": "ok"}


def _map_page(slug: str, template: str) -> str:
    project = partner_views.get_public_project(slug, page="map")
    f, problems = partner_views.parse_filter(request.args, project)
    data, parts = public_map_parts(
        project, f, photo_url=lambda name: url_for("public.photo", slug=slug, name=name, taille=THUMBNAIL)
    )
    return render_template(
        template,
        project=project,
        map=parts,
        data=data,
        summary=partner_views.build_summary(f, quotes=False),
        sensitive_zones=partner_views.sensitive_by_zone(project),
        sensitive_label=partner_views.sensitive_label(project),
        problems=problems,
        embed_url=url_for("public.project_map_embed", slug=slug, _external=True),
    )


@bp.get("/p/<slug>/carte")
def project_map(slug: str) -> str:
    """The project's public map and summary, with the snippet to embed the map elsewhere (opt-in)."""
    return _map_page(slug, "public/map.html")


@bp.get("/p/<slug>/carte/integree")
def project_map_embed(slug: str) -> str:
    """The public map alone, for an ``<iframe>`` on any site (the only page any site may frame)."""
    page = _map_page(slug, "public/map_embed.html")
    allow_any_frame_ancestor()
    return page


@bp.get("/p/<slug>/photos/<path:name>")
def photo(slug: str, name: str) -> Response:
    """A photo shown on the public map: validated, non-sensitive, of this project (404 otherwise)."""
    project = partner_views.get_public_project(slug, page="map")
    return send_photo(partner_views.photo_for(project, name), private=False, size=asked_size())


@bp.get("/p/<slug>/suivi")
def followup(slug: str) -> str:
    """What became of each recommendation: status, partner, deadline, dated answers (opt-in)."""
    project = partner_views.get_public_project(slug, page="followup")
    return render_template(
        "public/followup.html",
        project=project,
        items=partner_views.followup_board(project),
        cards=partner_views.scorecards(project),
    )
