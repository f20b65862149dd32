"""URL rules and handlers of the staff login (minimal; issue 5 hardens accounts)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from webapp.services import accounts

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a phishing link borrow our login page.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("facilitators.index")


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """Sign in with email and password."""
    error = None
    if request.method == "POST":
        user = accounts.authenticate(request.form.get("email", ""), request.form.get("password", ""))
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        error = "Adresse ou mot de passe incorrect."
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, email=request.form.get("email", "")), status


@bp.post("/logout")
@login_required
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    flash("Vous êtes déconnecté·e.")
    return redirect(url_for("public.index"))
