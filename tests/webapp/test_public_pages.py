"""A project's public pages: opt-in map (and its embeddable version), opt-in follow-up, on both databases."""

from __future__ import annotations

import re

import pytest

from tests.webapp.support import url
from tests.webapp.test_partners import PartnerWorld, build_partner_world, fresh_client, sign_in
from webapp.extensions import db
from webapp.services import followup


@pytest.fixture
def pw(app) -> PartnerWorld:  # type: ignore[no-untyped-def]
    return build_partner_world()


def _open(pw: PartnerWorld, *, public_map: bool = True, public_followup: bool = True) -> None:
    pw.world.project.public_map = public_map
    pw.world.project.public_followup = public_followup
    db.session.commit()


def _get(client, path: str):  # type: ignore[no-untyped-def]
    response = client.get(path)
    response.close()
    return response


def _urls(pw: PartnerWorld) -> dict[str, str]:
    return {
        "map": url("public.project_map", slug=pw.slug),
        "embed": url("public.project_map_embed", slug=pw.slug),
        "photo": url("public.photo", slug=pw.slug, name=pw.photos["validated"]),
        "followup": url("public.followup", slug=pw.slug),
    }


def test_public_pages_are_404_until_the_project_opts_in(client, pw):
    for path in _urls(pw).values():
        response = _get(client, path)
        assert response.status_code == 404, path
        assert "Lampadaire" not in response.get_data(as_text=True)
    _open(pw, public_map=True, public_followup=False)
    assert _get(client, _urls(pw)["followup"]).status_code == 404
    assert _get(client, _urls(pw)["map"]).status_code == 200
    _open(pw, public_map=False, public_followup=True)
    for key in ("map", "embed", "photo"):
        assert _get(client, _urls(pw)[key]).status_code == 404
    assert _get(client, _urls(pw)["followup"]).status_code == 200


def test_an_unknown_project_is_404(client, pw):
    for path in (
        url("public.project_map", slug="nulle-part"),
        url("public.project_map_embed", slug="nulle-part"),
        url("public.followup", slug="nulle-part"),
    ):
        assert client.get(path).status_code == 404


def test_the_public_map_shows_validated_observations_with_the_partner_rules(client, pw):
    _open(pw)
    page = client.get(_urls(pw)["map"]).get_data(as_text=True)
    assert 'class="folium-map"' in page and "Lampadaire en panne" in page
    assert "Jardin partagé" not in page and "Nom d" not in page
    assert "Remarques" not in page and "alert(1)" not in page and "Proposition 3" not in page
    assert url("public.photo", slug=pw.slug, name=pw.photos["validated"]) in page
    assert pw.photos["harassment"] not in page and pw.photos["pending"] not in page
    # The snippet to embed the map elsewhere.
    assert f'&lt;iframe src="http://localhost{url("public.project_map_embed", slug=pw.slug)}"' in page
    # Profile filters and pending observations cannot be asked for (a man's observation stays).
    page = client.get(_urls(pw)["map"] + "?moderation=all&gender=woman").get_data(as_text=True)
    assert "Jardin partagé" not in page and "Proposition 2" in page


def test_photos_on_the_public_map_follow_the_same_rules(client, pw):
    _open(pw)
    ok = client.get(_urls(pw)["photo"])
    assert ok.status_code == 200
    ok.close()
    for key in ("harassment", "pending"):
        assert _get(client, url("public.photo", slug=pw.slug, name=pw.photos[key])).status_code == 404


def test_only_the_embeddable_map_may_be_framed_by_any_site(client, pw):
    _open(pw)
    embed = client.get(_urls(pw)["embed"])
    assert embed.status_code == 200
    csp = embed.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "script-src 'self' 'nonce-" in csp  # the rest of the policy is unchanged
    body = embed.get_data(as_text=True)
    assert 'class="folium-map"' in body and "site-header" not in body
    for key in ("map", "followup"):
        assert "frame-ancestors 'self'" in client.get(_urls(pw)[key]).headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in client.get(url("public.index")).headers["Content-Security-Policy"]


def test_the_public_followup_shows_statuses_partners_deadlines_and_dated_answers(app, client, pw):
    _open(pw)
    followup.change_status(pw.rec_a, "accepted", author=pw.partner_a, comment="Travaux en mai.")
    followup.change_status(pw.rec_b, "declined", author=pw.world.facilitator, comment="Hors compétence.")
    page = client.get(_urls(pw)["followup"]).get_data(as_text=True)
    a, b = (
        re.search(rf'<article class="card reco" id="preconisation-{r.id}">.*?</article>', page, re.S).group(0)
        for r in (pw.rec_a, pw.rec_b)
    )
    assert "Acceptée" in a and pw.org_a.name in a and "Travaux en mai." in a
    assert "Proposée" in a and "Issue du débriefing." in a  # the whole timeline, dated
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT", a)
    assert "Refusée" in b and "Hors compétence." in b and "En retard" not in b
    assert "Équipe d&#39;animation" in b
    # Organisations only: never a person's email or name.
    for person in (pw.partner_a, pw.world.facilitator):
        assert person.email not in page
        assert f">{person.display_name}<" not in page
    assert "Par partenaire" in page and "Par zone" in page
    # Nothing from the observations: no note, no photo.
    assert "Lampadaire" not in page and all(name not in page for name in pw.photos.values())


def test_the_landing_page_links_opened_public_pages_only(client, pw):
    assert f"/p/{pw.slug}/" not in client.get(url("public.index")).get_data(as_text=True)
    _open(pw, public_map=True, public_followup=False)
    page = client.get(url("public.index")).get_data(as_text=True)
    assert (
        url("public.project_map", slug=pw.slug) in page and url("public.followup", slug=pw.slug) not in page
    )


def test_signed_in_people_see_the_same_public_pages(app, pw):
    _open(pw)
    staff = fresh_client(app, "anim@example.org")
    page = staff.get(_urls(pw)["map"]).get_data(as_text=True)
    assert "Jardin partagé" not in page and "Remarques" not in page
    sign_in(staff, "partenaire-a@example.org")
    assert staff.get(_urls(pw)["followup"]).status_code == 200
