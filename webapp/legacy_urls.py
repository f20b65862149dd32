"""Old paths keep working: each answers a permanent redirect (308, so a POST stays a POST) to its new path.

Paths a person sees are French since issue 14 (the rule is in the README, « URLs »); the JSON API
keeps its English paths. Bookmarks, printed walk kits, emailed invitation and reset links and
embedded public maps made before still lead where they did. Every old rule is listed once in
:data:`OLD_PATHS` with the endpoint that now answers it; a test requests each of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, redirect, request, url_for
from werkzeug.wrappers import Response

from webapp.security import allow_any_frame_ancestor

#: Name of the blueprint of the redirects (its endpoints are ``legacy.old_<n>``).
NAME = "legacy"


def _moderation_word(values: dict[str, Any]) -> dict[str, Any]:
    from webapp.facilitators.blueprint import MODERATION_WORDS

    return {**values, "action": MODERATION_WORDS.get(values["action"], values["action"])}


def _export_word(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "what": "preconisations" if values["what"] == "recommendations" else values["what"]}


#: (old rule, endpoint that answers it now, how its values change). Rules keep their variable names.
OLD_PATHS: list[tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]] | None]] = [
    # staff accounts: /auth/… → /connexion, /compte/…, /mot-de-passe-oublie/…, /invitation/…
    ("/auth/login", "auth.login", None),
    ("/auth/login/code", "auth.login_code", None),
    ("/auth/logout", "auth.logout", None),
    ("/auth/compte", "auth.account", None),
    ("/auth/mot-de-passe", "auth.change_password", None),
    ("/auth/deux-facteurs", "auth.two_factor", None),
    ("/auth/deux-facteurs/activer", "auth.enable_two_factor", None),
    ("/auth/deux-facteurs/desactiver", "auth.disable_two_factor", None),
    ("/auth/mot-de-passe-oublie", "auth.forgot_password", None),
    ("/auth/reinitialiser/<token>", "auth.reset_password", None),
    ("/auth/invitation/<token>", "auth.invitation", None),
    ("/auth/projets/<slug>/equipe", "auth.team", None),
    ("/auth/projets/<slug>/equipe/invitations", "auth.invite", None),
    ("/auth/projets/<slug>/equipe/invitations/<int:invitation_id>/retirer", "auth.revoke_invitation", None),
    ("/auth/projets/<slug>/equipe/membres/<int:user_id>/retirer", "auth.remove_member", None),
    # the team's pages: /facilitators/… → /projets/…, /formulaires/…
    ("/facilitators/", "facilitators.index", None),
    ("/facilitators/nouveau", "facilitators.new_project", None),
    ("/facilitators/photos/<path:name>", "facilitators.photo", None),
    ("/facilitators/formulaires", "facilitators.forms_index", None),
    ("/facilitators/formulaires/importer", "facilitators.import_form", None),
    ("/facilitators/formulaires/<key>/v<int:version>", "facilitators.form_version", None),
    ("/facilitators/<slug>/", "facilitators.project_page", None),
    ("/facilitators/<slug>/modifier", "facilitators.edit_project", None),
    ("/facilitators/<slug>/parametres", "facilitators.settings", None),
    ("/facilitators/<slug>/recommendations", "facilitators.create_recommendation", None),
    ("/facilitators/<slug>/export/<what>.<fmt>", "facilitators.export", _export_word),
    ("/facilitators/<slug>/report", "facilitators.report", None),
    ("/facilitators/<slug>/report.pdf", "facilitators.report_pdf", None),
    ("/facilitators/<slug>/zones", "facilitators.zones_page", None),
    ("/facilitators/<slug>/zones/qpv", "facilitators.keep_qpv", None),
    ("/facilitators/<slug>/zones/qpv/importer", "facilitators.import_qpv", None),
    ("/facilitators/<slug>/zones/importer", "facilitators.upload_zones", None),
    ("/facilitators/<slug>/zones/dessiner", "facilitators.draw_zone", None),
    ("/facilitators/<slug>/zones/<int:zone_id>/renommer", "facilitators.rename_zone", None),
    ("/facilitators/<slug>/zones/<int:zone_id>/supprimer", "facilitators.delete_zone", None),
    ("/facilitators/<slug>/walks/nouvelle", "facilitators.new_walk", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/", "facilitators.walk_page", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/modifier", "facilitators.edit_walk", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/dupliquer", "facilitators.duplicate_walk", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/ouvrir", "facilitators.open_walk", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/cloturer", "facilitators.close_walk", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/supprimer", "facilitators.delete_walk", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/groupe", "facilitators.join_screen", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/kit.pdf", "facilitators.walk_kit", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/consentement", "facilitators.record_consent", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/remarche", "facilitators.link_rewalk", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/remarche/retirer", "facilitators.unlink_rewalk", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/moderation", "facilitators.moderation_queue", None),
    (
        "/facilitators/<slug>/walks/<int:walk_id>/observations/<int:observation_id>/<action>",
        "facilitators.moderate",
        _moderation_word,
    ),
    ("/facilitators/<slug>/walks/<int:walk_id>/debrief", "facilitators.debrief", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/votes", "facilitators.vote", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/saisie", "facilitators.entry_form", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/saisie/modele.<fmt>", "facilitators.entry_template", None),
    ("/facilitators/<slug>/walks/<int:walk_id>/saisie/import", "facilitators.entry_import", None),
    # the embeddable public map, pasted into other sites
    ("/p/<slug>/carte/embed", "public.project_map_embed", None),
]


def old_path(endpoint: str, **values: Any) -> str:
    """The old path of ``endpoint`` (its first row in :data:`OLD_PATHS`), for tests and documentation."""
    number = next(n for n, (_old, target, _change) in enumerate(OLD_PATHS) if target == endpoint)
    return url_for(f"{NAME}.old_{number}", **values)


def _redirector(
    endpoint: str, change: Callable[[dict[str, Any]], dict[str, Any]] | None
) -> Callable[..., Response]:
    def view(**values: Any) -> Response:
        if endpoint == "public.project_map_embed":
            # Other sites frame the old address: the redirect may be framed as the map itself is.
            allow_any_frame_ancestor()
        target = url_for(endpoint, **(change(values) if change else values))
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, 308)

    return view


def init_app(app: Flask) -> None:
    """Register one redirect per old rule, with the methods its endpoint answers (after the blueprints)."""
    bp = Blueprint(NAME, __name__)
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods or ())
    for number, (old, endpoint, change) in enumerate(OLD_PATHS):
        bp.add_url_rule(
            old,
            endpoint=f"old_{number}",
            view_func=_redirector(endpoint, change),
            methods=sorted(methods[endpoint] - {"HEAD", "OPTIONS"}),
            strict_slashes=False,
        )
    from webapp.extensions import csrf

    # A redirect changes nothing: the new path checks the form's token (a 308 resends the body).
    csrf.exempt(bp)
    app.register_blueprint(bp)
