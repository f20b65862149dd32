"""Partners' pages: who may see and answer what, validated observations only, follow-up, on both databases."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from tests.factories import ProjectFactory
from tests.webapp.factories_debrief import DebriefWorld, build_world
from tests.webapp.support import PASSWORD, csrf_token, login, store_photo, url
from webapp.extensions import db
from webapp.local_time import local_today
from webapp.models import Organisation, Photo, ProjectPartner, Recommendation, RecommendationEvent, User
from webapp.services import debriefs, teams


@dataclass
class PartnerWorld:
    """The debrief world plus partner accounts, a second organisation, photos and recommendations."""

    world: DebriefWorld
    org_a: Organisation
    org_b: Organisation
    partner_a: User
    partner_b: User
    outsider: User
    admin: User
    rec_a: Recommendation
    rec_b: Recommendation
    other_rec: Recommendation
    photos: dict[str, str]

    @property
    def slug(self) -> str:
        return self.world.project.slug


def _photo(observation_id: int, label: str) -> str:
    name = f"{label}-{uuid.uuid4().hex}.jpg"
    photo = Photo(
        client_uuid=uuid.uuid4(),
        observation_id=observation_id,
        stored_name=name,
        width=10,
        height=10,
        size_bytes=20,
    )
    db.session.add(photo)
    store_photo(photo, b"\xff\xd8\xff\xe0fake-jpeg-" + label.encode())
    return name


def build_partner_world(*, facilitator_email: str = "anim@example.org", prefix: str = "") -> PartnerWorld:
    """Partners A (org A, in charge of rec A) and B (org B, rec B), a partner of another project, an admin.

    Rec A rests on a validated lighting observation (with a photo), a validated harassment report
    (with a photo) and a pending observation (with a photo).
    """
    world = build_world(facilitator_email=facilitator_email)
    org_a = world.partner
    org_b = Organisation(name=f"Bailleur {uuid.uuid4().hex[:4]}", kind="landlord")
    db.session.add(org_b)
    db.session.flush()
    db.session.add(ProjectPartner(project_id=world.project.id, organisation_id=org_b.id))

    # Hashing a password takes a good part of a second: every account reuses the facilitator's hash.
    def user(email: str, organisation: Organisation | None = None, *, is_admin: bool = False) -> User:
        account = User(
            email=f"{prefix}{email}",
            display_name=email.split("@")[0],
            password_hash=world.facilitator.password_hash,
            password_changed_at=world.facilitator.password_changed_at,
            organisation_id=organisation.id if organisation else None,
            is_admin=is_admin,
        )
        db.session.add(account)
        db.session.flush()
        return account

    partner_a = user("partenaire-a@example.org", org_a)
    partner_b = user("partenaire-b@example.org", org_b)
    teams.add_membership(partner_a, world.project.id, "partner")
    teams.add_membership(partner_b, world.project.id, "partner")
    other = ProjectFactory()
    outsider = user("ailleurs@example.org", org_a)
    teams.add_membership(outsider, other.id, "partner")
    admin = user("admin@example.org", is_admin=True)
    obs = world.observations
    photos = {
        "validated": _photo(obs[0].id, "valide"),
        "harassment": _photo(obs[3].id, "harcelement"),
        "pending": _photo(obs[4].id, "attente"),
    }
    db.session.commit()
    rec_a = debriefs.create_recommendation(
        world.project,
        world.facilitator,
        observation_ids=[obs[0].id, obs[3].id, obs[4].id],
        title="Réparer l'éclairage de la place",
        text="Remplacer les lampadaires en panne.",
        organisation_id=org_a.id,
        priority="high",
        deadline=date.today() + timedelta(days=30),
    )
    rec_b = debriefs.create_recommendation(
        world.project,
        world.facilitator,
        observation_ids=[obs[2].id],
        title="Nettoyer le passage",
        organisation_id=org_b.id,
        deadline=date.today() - timedelta(days=3),
    )
    other_rec = Recommendation(project_id=other.id, title="Ailleurs", status="proposed")
    db.session.add(other_rec)
    db.session.commit()
    return PartnerWorld(
        world, org_a, org_b, partner_a, partner_b, outsider, admin, rec_a, rec_b, other_rec, photos
    )


@pytest.fixture
def pw(app) -> PartnerWorld:  # type: ignore[no-untyped-def]
    return build_partner_world()


def _csrf(client, path: str | None = None) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, path or url("auth.login"))


def _forget_request_cache() -> None:
    # Test requests share the fixture's app context, so ``g`` outlives a request: flask-login keeps
    # the user there and flask-wtf the CSRF token, which a new session (a sign-in) must not inherit.
    from flask import g

    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def sign_in(client, email: str):  # type: ignore[no-untyped-def]
    """Sign in through the login form (``support.login``) as a fresh browser would."""
    _forget_request_cache()
    response = login(client, email)
    _forget_request_cache()
    assert response.status_code in (302, 303), response.status_code
    return response


def fresh_client(app, email: str | None = None):  # type: ignore[no-untyped-def]
    """Another browser, signed in as ``email`` when given."""
    _forget_request_cache()
    other = app.test_client()
    if email is not None:
        sign_in(other, email)
    return other


def _get(client, path: str):  # type: ignore[no-untyped-def]
    response = client.get(path)
    response.close()  # file responses (photos) keep their file open until closed
    return response


def _answer(client, pw: PartnerWorld, rec: Recommendation, **data: str):  # type: ignore[no-untyped-def]
    base = url("partners.recommendation", slug=pw.slug, recommendation_id=rec.id)
    token = _csrf(client)
    return client.post(f"{base}/reponse", data={"csrf_token": token, **data})


# --- access ----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, pw):
    for path in (
        url("partners.index"),
        url("partners.project_page", slug=pw.slug),
        url("partners.recommendations", slug=pw.slug),
        url("partners.recommendation", slug=pw.slug, recommendation_id=pw.rec_a.id),
        url("partners.scorecards", slug=pw.slug),
        url("partners.photo", slug=pw.slug, name=pw.photos["validated"]),
    ):
        response = _get(client, path)
        assert response.status_code == 302, path
        assert url("auth.login") in response.headers["Location"]


def test_a_partner_sees_their_projects_and_not_the_others(app, client, pw):
    sign_in(client, "partenaire-a@example.org")
    page = client.get(url("partners.index")).get_data(as_text=True)
    assert pw.world.project.name.replace("<", "&lt;").replace(">", "&gt;") in page
    assert url("partners.project_page", slug=pw.slug) in page
    other = fresh_client(app, "ailleurs@example.org")
    assert url("partners.project_page", slug=pw.slug) not in other.get(url("partners.index")).get_data(
        as_text=True
    )


def test_the_team_area_link_takes_a_partner_to_the_partners_pages(client, pw):
    """The footer's « Espace équipe » leads to /projets/: a partner only is sent on to their own pages,
    not to an empty « Mes projets » whose forms link they may not follow."""
    sign_in(client, "partenaire-a@example.org")
    response = client.get(url("facilitators.index"))
    assert response.status_code == 302 and response.headers["Location"].endswith(url("partners.index"))
    sign_in(client, "anim@example.org")
    page = client.get(url("facilitators.index")).get_data(as_text=True)
    assert url("facilitators.forms_index") in page
    # an account in no team yet sees no link it could not follow
    from webapp.services import accounts

    accounts.create_user(email="nouvelle@example.org", password=PASSWORD)
    db.session.commit()
    sign_in(client, "nouvelle@example.org")
    page = client.get(url("facilitators.index")).get_data(as_text=True)
    assert "Aucun projet ne vous est encore attribué" in page
    assert url("facilitators.forms_index") not in page


@pytest.mark.parametrize("who", ["partenaire-a", "anim", "admin"])
def test_partners_facilitators_and_admins_see_every_partner_page(client, pw, who):
    sign_in(client, f"{who}@example.org")
    for path in (
        url("partners.project_page", slug=pw.slug),
        url("partners.recommendations", slug=pw.slug),
        url("partners.recommendation", slug=pw.slug, recommendation_id=pw.rec_a.id),
        url("partners.scorecards", slug=pw.slug),
        url("partners.photo", slug=pw.slug, name=pw.photos["validated"]),
    ):
        assert _get(client, path).status_code == 200, path


def test_a_partner_of_another_project_is_refused_everywhere(client, pw):
    sign_in(client, "ailleurs@example.org")
    for path in (
        url("partners.project_page", slug=pw.slug),
        url("partners.recommendations", slug=pw.slug),
        url("partners.recommendation", slug=pw.slug, recommendation_id=pw.rec_a.id),
        url("partners.scorecards", slug=pw.slug),
        url("partners.photo", slug=pw.slug, name=pw.photos["validated"]),
    ):
        response = _get(client, path)
        assert response.status_code == 403, path
        assert "Lampadaire" not in response.get_data(as_text=True)
    token = _csrf(client)
    response = client.post(
        url("partners.answer", slug=pw.slug, recommendation_id=pw.rec_a.id),
        data={"csrf_token": token, "status": "accepted", "comment": "Pris"},
    )
    assert response.status_code == 403
    assert db.session.get(Recommendation, pw.rec_a.id).status == "proposed"


def test_an_unknown_project_is_a_404(client, pw):
    sign_in(client, "partenaire-a@example.org")
    assert client.get(url("partners.project_page", slug="nulle-part")).status_code == 404


def test_another_projects_recommendation_is_not_found_through_this_project(client, pw):
    sign_in(client, "partenaire-a@example.org")
    response = client.get(url("partners.recommendation", slug=pw.slug, recommendation_id=pw.other_rec.id))
    assert response.status_code == 404
    assert "Ailleurs" not in response.get_data(as_text=True)
    response = _answer(client, pw, pw.other_rec, status="accepted", comment="x")
    assert response.status_code == 404


# --- what a partner sees ---------------------------------------------------------------------------


def test_the_partner_page_shows_validated_observations_only(client, pw):
    sign_in(client, "partenaire-a@example.org")
    page = client.get(url("partners.project_page", slug=pw.slug)).get_data(as_text=True)
    assert "Lampadaire en panne" in page and "Tout noir" in page  # validated notes
    assert "Jardin partagé" not in page  # pending
    assert "Nom d" not in page and "Proposition 8" not in page  # hidden
    assert "Proposition 4" not in page
    # Harassment: neither its note nor its proposal nor its photo.
    assert "Remarques" not in page and "alert(1)" not in page
    assert "Proposition 3" not in page and "Proposition 6" not in page
    assert pw.photos["harassment"] not in page and pw.photos["pending"] not in page
    assert url("partners.photo", slug=pw.slug, name=pw.photos["validated"]) in page
    assert 'class="folium-map"' in page
    # No participant profile filter, no individual: the filters are walk, zone, theme, polarity, slot.
    assert 'name="gender"' not in page and 'name="age_band"' not in page and 'name="status"' not in page


def test_partner_filters_cannot_select_by_profile_or_pending(client, pw):
    sign_in(client, "partenaire-a@example.org")
    page = client.get(
        url("partners.project_page", slug=pw.slug, moderation="all", gender="man", age_band="65+")
    ).get_data(as_text=True)
    assert "Jardin partagé" not in page
    # The gender filter was ignored: observations of women are still there.
    assert "Lampadaire en panne" in page


def _comparison(page: str, title: str) -> dict[str, str]:
    table = re.search(rf"<caption>{re.escape(title)}</caption>.*?</table>", page, re.S).group(0)
    return dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td[^>]*>([^<]+)</td>', table))


def test_groups_smaller_than_three_are_not_detailed(client, pw):
    sign_in(client, "partenaire-a@example.org")
    page = client.get(url("partners.project_page", slug=pw.slug)).get_data(as_text=True)
    # Validated: five observations by 11-25 year olds, two by people aged 65 and over. Showing the five
    # would give the two away (the page shows the total): both are masked.
    masked = "petit groupe, non détaillé"
    assert _comparison(page, "Jeunes, adultes et aînés") == {"11 à 25 ans": masked, "65 ans et plus": masked}
    assert _comparison(page, "Femmes et hommes") == {"Femmes": "4", "Hommes": "3"}


def test_profile_comparisons_ignore_filters_so_views_cannot_be_subtracted(client, pw):
    sign_in(client, "partenaire-a@example.org")
    page = client.get(
        url("partners.project_page", slug=pw.slug, walk_id=pw.world.day.id, theme="harcelement")
    ).get_data(as_text=True)
    # One validated harassment report on the day walk: its author's gender and age stay unknown.
    assert _comparison(page, "Femmes et hommes (tout le projet)") == {"Femmes": "4", "Hommes": "3"}
    # A comparison whose only group is small cannot be masked safely: it is not shown at all.
    assert "<caption>Jour, soirée et nuit</caption>" not in page


def test_photos_of_hidden_pending_or_harassment_observations_are_never_served(client, pw):
    sign_in(client, "partenaire-a@example.org")
    ok = client.get(url("partners.photo", slug=pw.slug, name=pw.photos["validated"]))
    assert ok.status_code == 200 and ok.data.startswith(b"\xff\xd8")
    ok.close()
    for key in ("harassment", "pending"):
        assert _get(client, url("partners.photo", slug=pw.slug, name=pw.photos[key])).status_code == 404
    assert _get(client, url("partners.photo", slug=pw.slug, name="nope.jpg")).status_code == 404
    assert _get(client, url("partners.photo", slug=pw.slug, name="..%2F..%2Fsecret")).status_code == 404


def test_a_photo_of_this_project_is_not_served_through_another_project(client, pw):
    other = ProjectFactory()
    teams.add_membership(pw.partner_a, other.id, "partner")
    sign_in(client, "partenaire-a@example.org")
    assert (
        _get(client, url("partners.photo", slug=other.slug, name=pw.photos["validated"])).status_code == 404
    )


# --- recommendations -------------------------------------------------------------------------------


def test_the_list_shows_status_partner_deadline_and_overdue(client, pw):
    sign_in(client, "partenaire-a@example.org")
    page = client.get(url("partners.recommendations", slug=pw.slug)).get_data(as_text=True)
    assert "Réparer l&#39;éclairage de la place" in page and pw.org_a.name in page
    row_b = re.search(rf'<tr data-id="{pw.rec_b.id}".*?</tr>', page, re.DOTALL).group(0)
    row_a = re.search(rf'<tr data-id="{pw.rec_a.id}".*?</tr>', page, re.DOTALL).group(0)
    assert "En retard" in row_b and pw.org_b.name in row_b
    assert "En retard" not in row_a and "Proposée" in row_a
    assert (date.today() + timedelta(days=30)).strftime("%d/%m/%Y") in row_a
    mine = client.get(url("partners.recommendations", slug=pw.slug, mine="1")).get_data(as_text=True)
    assert f'data-id="{pw.rec_a.id}"' in mine and f'data-id="{pw.rec_b.id}"' not in mine


def test_the_detail_shows_a_dated_timeline_and_privacy_filtered_evidence(client, pw):
    sign_in(client, "partenaire-a@example.org")
    page = client.get(url("partners.recommendation", slug=pw.slug, recommendation_id=pw.rec_a.id)).get_data(
        as_text=True
    )
    assert "Issue du débriefing." in page
    # the timeline is dated in France (an hour or two ahead of UTC: another day just before midnight UTC)
    assert local_today().strftime("%d/%m/%Y") in page
    assert "Lampadaire en panne" in page and pw.photos["validated"] in page
    assert "1 signalement de harcèlement" in page
    assert "Remarques" not in page and "alert(1)" not in page and pw.photos["harassment"] not in page
    assert "Jardin partagé" not in page and pw.photos["pending"] not in page
    # Signed by the team, never by a person.
    assert "anim@example.org" not in page and "Équipe d&#39;animation" in page
    assert 'name="status"' in page


def test_a_partner_answers_their_organisations_recommendation(client, pw):
    sign_in(client, "partenaire-a@example.org")
    response = _answer(client, pw, pw.rec_a, status="accepted", comment="Travaux prévus en mai.")
    assert response.status_code == 302
    rec = db.session.get(Recommendation, pw.rec_a.id)
    assert rec.status == "accepted"
    event = db.session.scalars(
        select(RecommendationEvent)
        .where(RecommendationEvent.recommendation_id == rec.id)
        .order_by(RecommendationEvent.id.desc())
    ).first()
    assert (event.status_from, event.status_to, event.author_id) == ("proposed", "accepted", pw.partner_a.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Travaux prévus en mai." in page and pw.org_a.name in page
    # A plain comment, without a status change.
    assert _answer(client, pw, pw.rec_a, status="", comment="Devis signé.").status_code == 302
    assert db.session.get(Recommendation, pw.rec_a.id).status == "accepted"


def test_a_partner_cannot_answer_another_organisations_recommendation(client, pw):
    sign_in(client, "partenaire-b@example.org")
    page = client.get(url("partners.recommendation", slug=pw.slug, recommendation_id=pw.rec_a.id)).get_data(
        as_text=True
    )
    assert 'name="status"' not in page and "autre organisation" in page
    for data in ({"status": "accepted", "comment": "Je prends"}, {"status": "", "comment": "Un avis"}):
        response = _answer(client, pw, pw.rec_a, **data)
        assert response.status_code == 403
        assert "autre organisation" in response.get_data(as_text=True)
    assert db.session.get(Recommendation, pw.rec_a.id).status == "proposed"
    assert len(db.session.get(Recommendation, pw.rec_a.id).events) == 1


def test_a_partner_without_organisation_cannot_answer(client, pw):
    pw.partner_a.organisation_id = None
    db.session.commit()
    sign_in(client, "partenaire-a@example.org")
    assert _answer(client, pw, pw.rec_a, status="accepted", comment="x").status_code == 403


def test_a_status_asked_from_a_page_older_than_a_colleagues_answer_is_refused(client, pw):
    """Partner A's page shows « Acceptée »; a colleague marks it « Réalisée »; A, on the old page,
    picks « En cours » (allowed from « Réalisée »): that would take the work back."""
    from webapp.services import followup

    followup.change_status(pw.rec_a, "accepted", comment="On s'en occupe.")
    db.session.commit()
    sign_in(client, "partenaire-a@example.org")
    page = client.get(url("partners.recommendation", slug=pw.slug, recommendation_id=pw.rec_a.id))
    assert 'name="seen_status" value="accepted"' in page.get_data(as_text=True)
    followup.change_status(pw.rec_a, "done", comment="Lampadaires posés.")
    db.session.commit()
    response = _answer(
        client, pw, pw.rec_a, status="in_progress", comment="Devis signé.", seen_status="accepted"
    )
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 409
    assert (
        "La préconisation a changé de statut pendant que vous répondiez : elle est maintenant « Réalisée »."
        in html
    )
    assert ">Devis signé.</textarea>" in html and 'name="seen_status" value="done"' in html
    assert db.session.get(Recommendation, pw.rec_a.id).status == "done"
    # a comment alone is never stale
    assert (
        _answer(client, pw, pw.rec_a, status="", comment="Merci !", seen_status="accepted").status_code == 302
    )


def test_a_status_out_of_order_is_a_clear_409(client, pw):
    sign_in(client, "partenaire-a@example.org")
    response = _answer(client, pw, pw.rec_a, status="done", comment="Déjà fait")
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Passage impossible de « Proposée » à « Réalisée »" in body
    assert "Déjà fait" in body  # the form keeps what was typed
    assert db.session.get(Recommendation, pw.rec_a.id).status == "proposed"
    assert _answer(client, pw, pw.rec_a, status="proposed", comment="").status_code == 409
    assert _answer(client, pw, pw.rec_a, status="n-importe", comment="").status_code == 422


def test_a_refusal_must_be_motivated(client, pw):
    sign_in(client, "partenaire-a@example.org")
    response = _answer(client, pw, pw.rec_a, status="declined", comment="  ")
    assert response.status_code == 422 and "motivé" in response.get_data(as_text=True)
    assert _answer(client, pw, pw.rec_a, status="declined", comment="Voie privée.").status_code == 302
    assert db.session.get(Recommendation, pw.rec_a.id).status == "declined"


def test_an_empty_comment_is_refused(client, pw):
    sign_in(client, "partenaire-a@example.org")
    assert _answer(client, pw, pw.rec_a, status="", comment=" ").status_code == 422


def test_staff_answer_any_recommendation_and_set_partner_and_deadline(client, pw):
    sign_in(client, "anim@example.org")
    assert _answer(client, pw, pw.rec_b, status="accepted", comment="Relancé").status_code == 302
    token = _csrf(client)
    response = client.post(
        url("partners.assign", slug=pw.slug, recommendation_id=pw.rec_b.id),
        data={"csrf_token": token, "organisation_id": str(pw.org_a.id), "deadline": "2026-09-30"},
    )
    assert response.status_code == 302
    rec = db.session.get(Recommendation, pw.rec_b.id)
    assert (rec.organisation_id, rec.deadline) == (pw.org_a.id, date(2026, 9, 30))
    assert f"Partenaire responsable : {pw.org_a.name}. Échéance : 30/09/2026." in [
        e.comment for e in rec.events
    ]
    # The same values again change nothing and record nothing.
    events = len(rec.events)
    response = client.post(
        url("partners.assign", slug=pw.slug, recommendation_id=pw.rec_b.id),
        data={"csrf_token": token, "organisation_id": str(pw.org_a.id), "deadline": "2026-09-30"},
        follow_redirects=True,
    )
    assert "Rien n&#39;a changé." in response.get_data(as_text=True)
    assert len(db.session.get(Recommendation, pw.rec_b.id).events) == events
    # An organisation outside the project, or a bad date, is refused without a server error.
    stranger = Organisation(name="Inconnue", kind="other")
    db.session.add(stranger)
    db.session.commit()
    for data in ({"organisation_id": str(stranger.id)}, {"deadline": "30/09"}, {"organisation_id": "x"}):
        response = client.post(
            url("partners.assign", slug=pw.slug, recommendation_id=pw.rec_b.id),
            data={"csrf_token": token, **data},
        )
        assert response.status_code == 422, data
    assert db.session.get(Recommendation, pw.rec_b.id).organisation_id == pw.org_a.id


def test_a_partner_cannot_assign_or_move_deadlines(client, pw):
    sign_in(client, "partenaire-a@example.org")
    page = client.get(url("partners.recommendation", slug=pw.slug, recommendation_id=pw.rec_a.id)).get_data(
        as_text=True
    )
    assert 'name="deadline"' not in page
    token = _csrf(client)
    response = client.post(
        url("partners.assign", slug=pw.slug, recommendation_id=pw.rec_a.id),
        data={"csrf_token": token, "organisation_id": str(pw.org_b.id), "deadline": "2030-01-01"},
    )
    assert response.status_code == 403
    assert db.session.get(Recommendation, pw.rec_a.id).organisation_id == pw.org_a.id


def test_scorecards_per_partner_and_zone(client, pw):
    sign_in(client, "partenaire-a@example.org")
    page = client.get(url("partners.scorecards", slug=pw.slug)).get_data(as_text=True)
    assert "Par partenaire" in page and "Par zone" in page
    row_b = re.search(rf"<th scope=\"row\">{re.escape(pw.org_b.name)}</th>.*?</tr>", page, re.DOTALL).group(0)
    assert re.findall(r"<td>(.*?)</td>", row_b)[:3] == ["1", "0", "0 %"]
    assert 'class="overdue">1<' in row_b


# --- no hidden figure can be recomputed by subtraction ------------------------------------------------

_MASKED = {"petit groupe, non détaillé", "non détaillé", "moins de 3"}


def _tables(page: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every table of a page as (caption, [(row label, first cell)])."""
    out = []
    for caption, body in re.findall(r"<caption>([^<]+)</caption>(.*?)</table>", page, re.S):
        rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td[^>]*>([^<]+)</td>', body)
        out.append((caption.strip(), [(label.strip(), value.strip()) for label, value in rows]))
    return out


def test_no_table_of_a_partner_or_public_page_or_the_report_lets_a_hidden_count_be_recomputed(
    app, client, pw
):
    from geodata.privacy import recoverable_cells
    from webapp.extensions import db
    from webapp.services import partner_views, reports, summaries
    from webapp.services.summaries import ObservationFilter

    project = pw.world.project
    project.public_map = True
    db.session.flush()
    whole = ObservationFilter(project_id=project.id, statuses=("validated",))
    truth = {
        c.title: {g.label: g.count for g in c.groups if g.count}
        for c in summaries.summarise(whole).comparisons
    }
    from sqlalchemy import func, select

    from webapp.models import Observation, Walk, Zone
    from webapp.services import forms

    rows = db.session.execute(
        select(Zone.name, func.count(Observation.id))
        .join(Walk, Walk.id == Observation.walk_id)
        .outerjoin(Zone, Zone.id == Observation.zone_id)
        .where(
            Walk.project_id == project.id,
            Observation.moderation_status == "validated",
            Observation.theme.in_(sorted(forms.project_sensitive_themes(project.id))),
        )
        .group_by(Zone.name)
    ).all()
    truth["Signalements par quartier"] = {name or "Hors zone": n for name, n in rows}
    sign_in(client, "partenaire-a@example.org")
    with app.test_request_context():
        pages = [
            url_for("partners.project_page", slug=pw.slug),
            url_for("partners.project_page", slug=pw.slug, walk_id=pw.world.day.id),
            url_for("public.project_map", slug=pw.slug),
        ]
    masked_tables = 0
    for path in pages:
        page = client.get(path).get_data(as_text=True)
        for caption, rows in _tables(page):
            title = caption.removesuffix(" (tout le projet)")
            if title not in truth or not any(value in _MASKED for _, value in rows):
                continue
            counts = truth[title]
            shown = [None if value in _MASKED else int(value) for _, value in rows]
            assert recoverable_cells(shown, sum(counts.values())) == [], (path, caption, rows)
            # and the shown cells are the true ones
            assert all(counts[label] == int(value) for label, value in rows if value not in _MASKED)
            masked_tables += 1
    assert masked_tables >= 1, "the world has small groups: some table must mask them"
    # The report draws comparisons as charts: one only where a safe masking exists.
    report = reports.build_report(project, None)
    public = [partner_views.public_comparison(c) for c in report.summary.comparisons]
    assert len(report.comparison_charts) == sum(
        1 for p in public if p is not None and any(g.count is not None for g in p.groups)
    )
