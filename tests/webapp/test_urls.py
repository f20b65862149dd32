"""URLs follow one rule (README « URLs »): French words for every path a person sees, English for the
JSON API; every path renamed by that rule still answers, with a permanent redirect to its new one."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.webapp.support import old_url, url
from webapp.facilitators.blueprint import MODERATION_PATHS
from webapp.legacy_urls import OLD_PATHS

#: Every word a path people see may use (static segments of the rules). A new page takes French
#: words: add them here, with the README's « URLs » section if the rule needs saying again.
FRENCH_WORDS = {
    "activer", "attribution", "carte", "cloturer", "code", "compte", "connexion", "consentement",
    "graphiques",
    "debriefing", "deconnexion", "desactiver", "dessiner", "deux-facteurs", "dupliquer", "effacer",
    "equipe", "exports", "formulaires", "groupe", "importer", "integree", "invitation", "invitations",
    "kit.pdf", "m", "marches", "membres", "mes-donnees", "mes-donnees.json", "moderation", "modifier",
    "mot-de-passe", "mot-de-passe-oublie", "nouveau", "nouvelle", "observations", "ouvrir", "p",
    "parametres", "partenaires", "photos", "preconisations", "projets", "qpv", "rapport", "rapport.pdf",
    "rejoindre", "remarche", "renommer", "reponse", "retirer", "saisie", "suivi", "supprimer",
    "tableau-de-bord", "votes", "zones", "modele", "hors-ligne", "plusieurs", "administration",
}  # fmt: skip
#: Paths that are neither pages nor API: the service worker, the health check, static files.
TECHNICAL = ("/sw.js", "/healthz", "/static/")
#: Sample values for the variables of the old rules.
SAMPLES: dict[str, Any] = {
    "slug": "amiens",
    "walk_id": 3,
    "observation_id": 12,
    "zone_id": 4,
    "invitation_id": 5,
    "user_id": 6,
    "version": 2,
    "key": "marche_exploratoire",
    "token": "jeton-de-test",
    "name": "photo.jpg",
    "fmt": "csv",
    "what": "observations",
    "action": "validate",
}


def _words(rule: str) -> list[str]:
    """The fixed words of a rule (``<variables>`` and the ``v`` of ``v<int:version>`` left out)."""
    words = []
    for segment in rule.strip("/").split("/"):
        fixed = re.sub(r"<[^>]+>", "", segment).strip(".")
        if fixed and fixed != "v":
            words.append(fixed)
    return words


def test_every_page_path_is_french_and_the_api_english(session_app: Flask) -> None:
    english = []
    for rule in session_app.url_map.iter_rules():
        if rule.endpoint.startswith("legacy.") or rule.rule.startswith(TECHNICAL):
            continue
        if rule.rule.startswith("/api/"):
            assert rule.rule.startswith("/api/v1/"), rule.rule
            continue
        english += [f"{rule.rule}: « {w} »" for w in _words(rule.rule) if w not in FRENCH_WORDS]
    english += [f"moderation action « {w} »" for w in MODERATION_PATHS if not re.fullmatch(r"[a-z-]+", w)]
    assert english == [], "paths people see use French words (README « URLs »):\n" + "\n".join(english)


def _old_and_new(old: str, endpoint: str, change: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    values = {name: SAMPLES[name] for name in re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", old)}
    return values, (change(values) if change else values)


def test_every_old_path_redirects_permanently_to_its_new_path(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    """308 keeps the method and the body: a form posted to an old address reaches the new one."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        methods = {r.endpoint: r.methods - {"HEAD", "OPTIONS"} for r in app.url_map.iter_rules()}
        checked = 0
        for number, (old, endpoint, change) in enumerate(OLD_PATHS):
            values, new_values = _old_and_new(old, endpoint, change)
            path = url(f"legacy.old_{number}", **values)
            assert path != url(endpoint, **new_values), old
            for method in sorted(methods[endpoint]):
                response = client.open(path + "?lang=fr", method=method, data={"x": "1"})
                assert response.status_code == 308, (method, old, response.status_code)
                assert response.location == url(endpoint, **new_values) + "?lang=fr", (method, old)
                checked += 1
        assert checked >= len(OLD_PATHS)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_old_moderation_and_export_words_reach_the_french_ones(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    moved = client.post(
        old_url("facilitators.moderate", slug="a", walk_id=1, observation_id=2, action="hide")
    )
    assert moved.status_code == 308
    assert moved.location == url(
        "facilitators.moderate", slug="a", walk_id=1, observation_id=2, action="masquer"
    )
    export = client.get(old_url("facilitators.export", slug="a", what="recommendations", fmt="xlsx"))
    assert export.location == url("facilitators.export", slug="a", what="preconisations", fmt="xlsx")
    assert (
        url("facilitators.export", slug="a", what="preconisations", fmt="xlsx")
        == "/projets/a/exports/preconisations.xlsx"
    )


def test_an_old_invitation_link_still_opens_the_invitation(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    """A link emailed before the rename follows the redirect to the same page."""
    from tests.webapp.factories_debrief import build_world
    from webapp.services import invitations

    world = build_world()
    _invitation, token = invitations.create_invitation(
        world.project, email="ancien-lien@example.org", role="facilitator", invited_by=world.facilitator
    )
    page = client.get(old_url("auth.invitation", token=token), follow_redirects=True)
    assert page.status_code == 200 and "ancien-lien@example.org" in page.get_data(as_text=True)


def test_the_embeddable_map_may_still_be_framed_through_its_old_address(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(old_url("public.project_map_embed", slug="amiens"))
    assert answer.status_code == 308 and "frame-ancestors *" in answer.headers["Content-Security-Policy"]
