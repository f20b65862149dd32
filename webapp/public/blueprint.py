"""URL rules and handlers of the public pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from webapp.services import projects

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> str:
    """Landing page: what Arpenteur is, and the projects with their walks."""
    return render_template("public/index.html", projects=projects.list_project_overviews())


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness probe for the process manager (also checks the database answers)."""
    projects.count_projects()
    return {"status": "ok"}
