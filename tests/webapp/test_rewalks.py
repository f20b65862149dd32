"""Re-walks: linking rules, stops copied, the before/after comparison per stop, and the walk page.

Places are chosen in metres around two stops 720 m apart: observations 22 m from a stop count for
it, one 100 m away counts for none. On both databases.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from tests.webapp.support import PASSWORD, csrf_token, login, store_photo, url
from webapp.errors import Conflict, ValidationError
from webapp.extensions import db
from webapp.models import Photo, Rewalk
from webapp.services import accounts, debriefs, observations, participants, projects, rewalks, teams, walks

A = (2.3000, 49.9000)
B = (2.3100, 49.9000)
NEAR = 0.0002  # about 22 m of latitude
FAR = 0.0009  # about 100 m


class World:
    pass


def _obs(walk, lon, lat, theme, polarity, feeling, status="validated", photo_dir=None, note="texte"):  # type: ignore[no-untyped-def]
    participant, _ = participants.add_participant(walk, gender="woman", age_band="15-17")
    obs = observations.record_observation(
        walk,
        client_uuid=uuid.uuid4(),
        lon=lon,
        lat=lat,
        theme=theme,
        polarity=polarity,
        feeling=feeling,
        note=note,
        form_key="marche_exploratoire",
        form_version=1,
        participant=participant,
        moderation_status=status,
    )
    if photo_dir is not None:
        name = f"rw-{uuid.uuid4().hex}.jpg"
        photo = Photo(
            client_uuid=uuid.uuid4(), observation=obs, stored_name=name, width=1, height=1, size_bytes=4
        )
        db.session.add(photo)
        store_photo(photo, b"jpeg")
        obs.photo_name = name  # type: ignore[attr-defined]
    return obs


@pytest.fixture
def w(app, db_session):  # type: ignore[no-untyped-def]
    photo_dir = Path(app.config["PHOTO_DIR"])
    photo_dir.mkdir(parents=True, exist_ok=True)
    world = World()
    world.project = projects.create_project(
        slug=f"rw-{uuid.uuid4().hex[:6]}", name="Re-marches", territory=["80021"]
    )
    other = projects.create_project(slug=f"rx-{uuid.uuid4().hex[:6]}", name="Autre", territory=["80021"])
    mk = walks.create_walk
    world.original = mk(
        world.project,
        title="Marche d'origine",
        walk_date=date(2026, 3, 1),
        route=[A, B],
        stops=[("Place A", A), ("Rue B", B)],
    )
    world.rewalk = mk(world.project, title="Re-marche", walk_date=date(2026, 9, 1))
    world.later = mk(world.project, title="Plus tard", walk_date=date(2026, 10, 1))
    world.foreign = mk(other, title="Autre projet", walk_date=date(2026, 1, 1))
    o, r = world.original, world.rewalk
    world.lamp1 = _obs(
        o, A[0], A[1] + NEAR, "eclairage", "negative", 1, photo_dir=photo_dir, note="NOTE-SECRETE"
    )
    world.lamp2 = _obs(o, A[0] + NEAR, A[1], "eclairage", "negative", 2)
    world.harass = _obs(o, A[0], A[1] - NEAR, "harcelement", "negative", 1, photo_dir=photo_dir)
    _obs(o, A[0], A[1] + NEAR, "eclairage", "negative", 1, status="pending")
    _obs(o, A[0], A[1] + FAR, "proprete", "negative", 2)  # 100 m from A: no stop
    world.bench = _obs(o, B[0], B[1] + NEAR, "lieux_qui_fonctionnent", "positive", 5, photo_dir=photo_dir)
    world.fixed = _obs(r, A[0], A[1] + NEAR, "eclairage", "positive", 4, photo_dir=photo_dir)
    facilitator = accounts.create_user(email="rw@example.org", password=PASSWORD)
    teams.add_membership(facilitator, world.project.id, "facilitator")
    world.facilitator = facilitator
    db.session.commit()
    world.recommendation = debriefs.create_recommendation(
        world.project, None, observation_ids=[world.lamp1.id, world.lamp2.id], title="Réparer les lampadaires"
    )
    return world


# --- linking -----------------------------------------------------------------------------------


def test_linking_copies_the_original_stops_and_route_into_a_walk_without_any(w):
    link = rewalks.link_rewalk(w.rewalk, w.original, actor=w.facilitator)
    assert (link.walk_id, link.original_walk_id, link.linked_by_id) == (
        w.rewalk.id,
        w.original.id,
        w.facilitator.id,
    )
    assert link.linked_at.tzinfo is not None
    db.session.expire_all()
    assert [(s.position, s.name) for s in w.rewalk.stops] == [(1, "Place A"), (2, "Rue B")]
    for copied, stop in zip(w.rewalk.stops, w.original.stops, strict=True):
        assert to_shape(copied.location).equals_exact(to_shape(stop.location), 1e-9)
    assert w.rewalk.route is not None
    assert rewalks.get_original(w.rewalk).id == w.original.id
    assert [x.id for x in rewalks.list_rewalks_of(w.original)] == [w.rewalk.id]
    # Linking again to the same original is a no-op; stops are not copied twice.
    rewalks.link_rewalk(w.rewalk, w.original)
    db.session.expire_all()
    assert len(w.rewalk.stops) == 2


def test_a_walk_with_its_own_stops_keeps_them(w):
    walks_stop = walks.create_walk(
        w.project, title="Avec arrêts", walk_date=date(2026, 11, 1), stops=[("Ailleurs", B)]
    )
    rewalks.link_rewalk(walks_stop, w.original)
    db.session.expire_all()
    assert [s.name for s in walks_stop.stops] == ["Ailleurs"]


@pytest.mark.parametrize(
    ("walk", "original", "reason"),
    [
        ("rewalk", "rewalk", "self"),
        ("original", "rewalk", "not_earlier"),
        ("rewalk", "foreign", "other_project"),
    ],
)
def test_bad_links_are_refused_clearly(w, walk, original, reason):
    with pytest.raises(ValidationError) as refused:
        rewalks.link_rewalk(getattr(w, walk), getattr(w, original))
    assert refused.value.details == {"original_walk_id": reason}
    assert refused.value.message  # French, shown as is
    assert db.session.scalar(select(Rewalk)) is None


def test_a_walk_is_the_rewalk_of_one_walk_at_most_and_loops_are_refused(w):
    rewalks.link_rewalk(w.rewalk, w.original)
    spring = walks.create_walk(w.project, title="Printemps", walk_date=date(2026, 5, 1))
    with pytest.raises(Conflict, match="déjà la re-marche"):
        rewalks.link_rewalk(w.rewalk, spring)
    rewalks.link_rewalk(w.later, w.rewalk)  # a re-walk of the re-walk: a chain is fine
    w.original.walk_date = date(2026, 12, 1)  # dates edited afterwards: only the loop check stands
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        rewalks.link_rewalk(w.original, w.later)
    assert refused.value.details == {"original_walk_id": "cycle"}
    assert w.later.id not in [x.id for x in rewalks.list_candidates(w.original)]


def test_unlinking_removes_the_link_and_is_a_no_op_the_second_time(w):
    rewalks.link_rewalk(w.rewalk, w.original)
    assert rewalks.unlink_rewalk(w.rewalk) is True
    assert rewalks.unlink_rewalk(w.rewalk) is False
    assert rewalks.compare(w.rewalk) is None


def test_candidates_are_earlier_walks_of_the_same_project(w):
    assert [x.id for x in rewalks.list_candidates(w.later)] == [w.rewalk.id, w.original.id]
    assert rewalks.list_candidates(w.original) == []


# --- before / after ----------------------------------------------------------------------------


def test_comparison_counts_validated_observations_near_each_stop(w):
    rewalks.link_rewalk(w.rewalk, w.original)
    comparison = rewalks.compare(w.rewalk)
    assert comparison is not None and comparison.radius_m == 75
    a, b = comparison.stops
    assert (a.position, a.name, b.name) == (1, "Place A", "Rue B")
    assert a.before.total == 3  # two lamps and one harassment report; pending and 100 m away left out
    assert a.before.counts == {
        "eclairage": {"negative": 2, "positive": 0, "neutral": 0},
        "harcelement": {"negative": 1, "positive": 0, "neutral": 0},
    }
    assert a.before.avg_feeling == pytest.approx(4 / 3, abs=0.01)
    assert a.after.counts == {"eclairage": {"negative": 0, "positive": 1, "neutral": 0}}
    assert a.after.avg_feeling == 4
    assert a.before.photos == [w.lamp1.photo_name]  # never the harassment report's photo
    assert a.after.photos == [w.fixed.photo_name]
    assert b.before.total == 1 and b.before.photos == [w.bench.photo_name] and b.after.total == 0
    assert [r.id for r in a.recommendations] == [w.recommendation.id] and b.recommendations == []


def test_public_shapes_withhold_rare_harassment_and_carry_no_participant_data(w):
    rewalks.link_rewalk(w.rewalk, w.original)
    public = rewalks.compare(w.rewalk, public=True)
    a = public.stops[0]
    assert a.before.counts["harcelement"] is None  # one report: fewer than three, withheld
    assert a.before.total == 2 and a.before.polarity_total("negative") == 2

    (result,) = rewalks.before_after_for_recommendation(w.recommendation)
    assert (result.original.id, result.rewalk.id) == (w.original.id, w.rewalk.id)
    assert [s.name for s in result.stops] == ["Place A"]  # only stops near the evidence
    text = repr(asdict(result))
    for leak in ("NOTE-SECRETE", "15-17", "woman", "participant", "token", str(A[1] - NEAR)):
        assert leak not in text, leak
    assert w.harass.photo_name not in text


def test_a_recommendation_without_rewalk_has_no_before_after(w):
    assert rewalks.before_after_for_recommendation(w.recommendation) == []


# --- the walk page -----------------------------------------------------------------------------


@pytest.fixture
def page(w, app, client):  # type: ignore[no-untyped-def]
    # flask-login and flask-wtf cache on ``g``, which the tests' one app context shares: sign in
    # within an app context of its own, as a real request has.
    with app.app_context():
        login(client, "rw@example.org")
    return url("facilitators.walk_page", slug=w.project.slug, walk_id=w.rewalk.id)


def test_the_walk_page_links_a_rewalk_and_shows_photos_side_by_side(w, client, page):
    body = client.get(page).get_data(as_text=True)
    assert 'id="lier-remarche"' in body and "Marche d&#39;origine" in body
    token = csrf_token(client, page)
    response = client.post(
        page + "remarche", data={"original_walk_id": str(w.original.id), "csrf_token": token}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#remarche")
    body = client.get(page).get_data(as_text=True)
    assert "re-marche de" in body and 'id="avant-apres"' in body
    assert url("facilitators.photo", name=w.lamp1.photo_name) in body
    assert url("facilitators.photo", name=w.fixed.photo_name) in body
    assert w.harass.photo_name not in body
    assert "Réparer les lampadaires" in body
    original_page = client.get(
        url("facilitators.walk_page", slug=w.project.slug, walk_id=w.original.id)
    ).get_data(as_text=True)
    assert "Re-marchée par" in original_page
    response = client.post(page + "remarche/retirer", data={"csrf_token": token})
    assert response.status_code == 303
    assert 'id="avant-apres"' not in client.get(page).get_data(as_text=True)


@pytest.mark.parametrize(
    ("value", "message"),
    [("foreign", "même projet"), ("rewalk", "elle-même"), ("", "Choisissez"), ("999999", "introuvable")],
)
def test_the_walk_page_refuses_bad_links_with_a_french_message(w, client, page, value, message):
    token = csrf_token(client, page)
    raw = str(getattr(w, value).id) if value in ("foreign", "rewalk") else value
    response = client.post(page + "remarche", data={"original_walk_id": raw, "csrf_token": token})
    assert response.status_code == 303
    body = client.get(page).get_data(as_text=True)
    assert message in body and 'class="flash error"' in body
    assert db.session.scalar(select(Rewalk)) is None


def test_only_the_project_staff_may_link(w, app, page):
    other = projects.create_project(slug=f"ry-{uuid.uuid4().hex[:6]}", name="Ailleurs", territory=["80021"])
    stranger = accounts.create_user(email="ailleurs@example.org", password=PASSWORD)
    teams.add_membership(stranger, other.id, "facilitator")
    with app.app_context():
        anonymous = app.test_client()
        # A valid CSRF token, so what answers is the sign-in rule, not the CSRF check.
        token = csrf_token(anonymous, url("auth.login"))
        response = anonymous.post(
            page + "remarche", data={"original_walk_id": str(w.original.id), "csrf_token": token}
        )
        assert response.status_code == 302
        assert response.headers["Location"].startswith(url("auth.login"))
    outsider = app.test_client()
    with app.app_context():
        login(outsider, "ailleurs@example.org")
    with app.app_context():
        token = csrf_token(outsider, url("facilitators.index"))
        response = outsider.post(
            page + "remarche", data={"original_walk_id": str(w.original.id), "csrf_token": token}
        )
    assert response.status_code == 403
    assert "accès" in response.get_data(as_text=True)
    assert db.session.scalar(select(Rewalk)) is None


def test_partners_see_the_before_after_of_a_recommendation_without_harassment_photos(w, app, client):  # noqa: E501
    from webapp.models import Organisation

    organisation = Organisation(name=f"Éclairage {uuid.uuid4().hex[:4]}", kind="city")
    db.session.add(organisation)
    db.session.flush()
    partner = accounts.create_user(email="rw-partner@example.org", password=PASSWORD)
    partner.organisation_id = organisation.id
    teams.add_membership(partner, w.project.id, "partner")
    db.session.commit()
    page = url("partners.recommendation", slug=w.project.slug, recommendation_id=w.recommendation.id)
    with app.app_context():
        login(client, "rw-partner@example.org")
    assert "Re-marche : le problème est-il réglé" not in client.get(page).get_data(as_text=True)
    rewalks.link_rewalk(w.rewalk, w.original)
    body = client.get(page).get_data(as_text=True)
    assert "Re-marche : le problème est-il réglé" in body and "Place A" in body
    # Photos go through the partners' route (validated, not sensitive); never the harassment one.
    assert url("partners.photo", slug=w.project.slug, name=w.lamp1.photo_name) in body
    assert url("partners.photo", slug=w.project.slug, name=w.fixed.photo_name) in body
    i = body.find(w.harass.photo_name)
    assert i < 0, body[i - 300 : i + 100]
    assert client.get(url("partners.photo", slug=w.project.slug, name=w.fixed.photo_name)).status_code == 200
