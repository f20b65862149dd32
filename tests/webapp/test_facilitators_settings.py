"""Project settings (retention, public opt-ins), minors' consent on the walk page, and who gets photos."""

from __future__ import annotations

import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import PASSWORD, csrf_token, login, store_photo, url
from webapp.extensions import db
from webapp.models import Photo, Project, User, WalkConsent
from webapp.services import accounts, projects, teams


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    # Tests share one app context, and flask-login and flask-wtf cache on ``g``: each visitor signs in
    # (and acts) in an app context of their own, as each real request has.
    with app.app_context():
        login(client)
    return w


def _as(app, email: str | None):  # type: ignore[no-untyped-def]
    """Another browser, signed in as ``email`` (or anonymous)."""
    visitor = app.test_client()
    if email:
        with app.app_context():
            login(visitor, email)
    return visitor


def _settings(w) -> str:  # type: ignore[no-untyped-def]
    return url("facilitators.settings", slug=w.project.slug)


def _post_settings(client, w, **fields):  # type: ignore[no-untyped-def]
    token = csrf_token(client, _settings(w))
    return client.post(_settings(w), data={"csrf_token": token, **fields})


def test_the_settings_page_explains_and_saves_retention_and_opt_ins(world, client):
    page = client.get(_settings(world))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="retention_months"' in html and 'value="24"' in html
    assert "Carte publique" in html and "moins de trois" in html and "suivi" in html
    assert "checked" not in re.search(r'<input type="checkbox" name="public_map"[^>]*>', html).group(0)

    response = _post_settings(client, world, retention_months="6", public_map="1")
    assert response.status_code == 303
    db.session.expire_all()
    project = db.session.get(Project, world.project.id)
    assert (project.retention_months, project.public_map, project.public_followup) == (6, True, False)
    html = client.get(_settings(world)).get_data(as_text=True)
    assert "Paramètres enregistrés" in html and 'value="6"' in html

    _post_settings(client, world, retention_months="120", public_followup="1")
    db.session.expire_all()
    project = db.session.get(Project, world.project.id)
    assert (project.retention_months, project.public_map, project.public_followup) == (120, False, True)
    assert "Paramètres du projet" in client.get(
        url("facilitators.project_page", slug=world.project.slug)
    ).get_data(as_text=True)


def test_a_retention_out_of_range_is_refused_in_french_and_changes_nothing(world, client):
    for value in ("0", "121", "-3", "douze", "", "1e3", "6.5"):
        response = _post_settings(client, world, retention_months=value, public_map="1")
        assert response.status_code == 422, value
        html = response.get_data(as_text=True)
        assert "La durée de conservation doit être un nombre entier de mois entre 1 et 120." in html
        assert "checked" in re.search(r'<input type="checkbox" name="public_map"[^>]*>', html).group(0)
        db.session.expire_all()
        project = db.session.get(Project, world.project.id)
        assert (project.retention_months, project.public_map) == (24, False), value


def _page_form(client, w) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The settings form's hidden fields as the page gives them (its token and its marks)."""
    html = client.get(_settings(w)).get_data(as_text=True)
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]
        for name in ("csrf_token", "seen")
    }


def _stored(w) -> tuple[int, bool, bool]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    project = db.session.get(Project, w.project.id)
    return project.retention_months, project.public_map, project.public_followup


def test_a_page_opened_earlier_never_publishes_again_the_map_a_colleague_took_offline(world, app, client):
    """Anim opens the settings while the public map is on; Bernadette takes it offline (a neighbour's
    street is too recognisable); Anim, on the page opened before, shortens the retention and saves."""
    db.session.get(Project, world.project.id).public_map = True
    db.session.commit()
    mine = _page_form(client, world)
    colleague = _as(app, "anim@example.org")
    assert _post_settings(colleague, world, retention_months="24").status_code == 303  # map off
    assert _stored(world) == (24, False, False)
    saved = client.post(_settings(world), data={**mine, "retention_months": "12", "public_map": "1"})
    assert saved.status_code == 303
    assert _stored(world) == (12, False, False)  # her retention, and the map stays offline
    html = client.get(_settings(world)).get_data(as_text=True)
    assert "quelqu&#39;un d&#39;autre a changé : « Carte publique »" in html
    assert "Ses changements sont gardés avec les vôtres." in html


def test_two_different_retentions_at_once_save_nothing_until_chosen_again(world, app, client):
    mine = _page_form(client, world)
    colleague = _as(app, "anim@example.org")
    assert _post_settings(colleague, world, retention_months="36").status_code == 303
    refused = client.post(_settings(world), data={**mine, "retention_months": "6"})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "quelqu&#39;un d&#39;autre a changé : « Durée de conservation (mois) »" in html
    assert "Rien n&#39;a été enregistré." in html and 'value="6"' in html  # what she chose, kept on the page
    assert _stored(world) == (36, False, False)
    again = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1) for name in ("csrf_token", "seen")
    }  # type: ignore[union-attr]
    assert client.post(_settings(world), data={**again, "retention_months": "6"}).status_code == 303
    assert _stored(world) == (6, False, False)


def test_settings_are_for_the_project_staff_only(world, app):
    partner = accounts.create_user(email="partenaire@example.org", password=PASSWORD)
    partner.organisation_id = world.partner.id
    teams.add_membership(partner, world.project.id, "partner")
    other = projects.create_project(slug=f"s-{uuid.uuid4().hex[:6]}", name="Autre", territory=["80021"])
    outsider = accounts.create_user(email="dehors@example.org", password=PASSWORD)
    teams.add_membership(outsider, other.id, "facilitator")
    with app.app_context():
        assert _as(app, None).get(_settings(world)).status_code == 302
    for email in ("partenaire@example.org", "dehors@example.org"):
        visitor = _as(app, email)
        with app.app_context():
            assert visitor.get(_settings(world)).status_code == 403, email
            token = csrf_token(visitor, url("auth.account"))
            response = visitor.post(_settings(world), data={"csrf_token": token, "retention_months": "3"})
            assert response.status_code == 403, email
    db.session.expire_all()
    assert db.session.get(Project, world.project.id).retention_months == 24


# --- minors' consent ----------------------------------------------------------------------------


def _walk_url(w) -> str:  # type: ignore[no-untyped-def]
    return url("facilitators.walk_page", slug=w.project.slug, walk_id=w.day.id)


def test_minors_consent_is_recorded_once_and_shown(world, client):
    html = client.get(_walk_url(world)).get_data(as_text=True)
    assert 'id="consentement-form"' in html and "n'écrivez pas de nom" in html
    token = csrf_token(client, _walk_url(world))
    response = client.post(
        _walk_url(world) + "consentement",
        data={"csrf_token": token, "minors_count": "8", "note": "Classeur au centre social"},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#consentement")
    html = client.get(_walk_url(world)).get_data(as_text=True)
    assert 'id="consentement-form"' not in html
    consent = db.session.get(WalkConsent, world.day.id)
    # in France's time, as the walk's own times are (stored in UTC)
    local = consent.recorded_at.astimezone(ZoneInfo("Europe/Paris"))
    day, clock = local.strftime("%d/%m/%Y"), local.strftime("%H:%M")
    assert "<strong>8</strong> mineur·es." in html and f"Enregistrées le {day} à {clock} par Anim." in html
    assert "Note : Classeur au centre social" in html
    english = client.get(_walk_url(world) + "?lang=en").get_data(as_text=True)
    assert "Parental consent collected for <strong>8</strong> minors." in english
    assert (
        f"Recorded on {day} at {clock} by Anim." in english and "Note: Classeur au centre social" in english
    )
    client.get(_walk_url(world) + "?lang=fr")
    assert consent.recorded_by_id == world.facilitator.id
    # a colleague on a page shown before: told, with the record as it stands and the note they typed
    again = client.post(
        _walk_url(world) + "consentement",
        data={"csrf_token": token, "minors_count": "3", "note": "Pochette bleue, bureau 2"},
    )
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "Les autorisations de cette marche sont déjà enregistrées." in html
    assert "<strong>8</strong> mineur·es." in html
    assert "Votre note, non enregistrée : « Pochette bleue, bureau 2 »" in html
    db.session.expire_all()
    assert db.session.get(WalkConsent, world.day.id).minors_count == 8


def test_a_bad_number_of_minors_is_refused_in_french_with_what_was_typed_kept(world, client):
    token = csrf_token(client, _walk_url(world))
    note = "Classeur « mineurs » au centre social, étagère 3"
    for value in ("0", "", "deux", "501", "-1"):
        response = client.post(
            _walk_url(world) + "consentement", data={"csrf_token": token, "minors_count": value, "note": note}
        )
        assert response.status_code == 422, value
        html = response.get_data(as_text=True)
        assert "Indiquez le nombre de mineurs" in html, value
        form = html[html.index('id="consentement-form"') :]
        assert f'name="minors_count" min="1" max="500" required inputmode="numeric" value="{value}"' in form
        assert 'value="Classeur « mineurs » au centre social, étagère 3"' in form, value  # not to type again
        assert "data-focus-on-load" in html
        assert db.session.get(WalkConsent, world.day.id) is None


def test_a_consent_note_too_long_is_refused_not_cut(world, client):
    token = csrf_token(client, _walk_url(world))
    response = client.post(
        _walk_url(world) + "consentement", data={"csrf_token": token, "minors_count": "4", "note": "x" * 501}
    )
    assert response.status_code == 422
    assert "La note dépasse 500 caractères : raccourcissez-la." in response.get_data(as_text=True)
    assert db.session.get(WalkConsent, world.day.id) is None


# --- photos -------------------------------------------------------------------------------------


@pytest.fixture
def photo_name(world, app):  # type: ignore[no-untyped-def]
    name = f"{uuid.uuid4()}-abcdef123456.jpg"
    photo = Photo(
        client_uuid=uuid.uuid4(),
        observation=world.observations[0],
        stored_name=name,
        width=1,
        height=1,
        size_bytes=9,
    )
    db.session.add(photo)
    store_photo(photo, b"\xff\xd8\xff\xe0 jpeg")
    db.session.commit()
    return name


def _get(client, path):  # type: ignore[no-untyped-def]
    response = client.get(path)
    response.close()
    return response


def test_photos_go_to_the_staff_of_their_project_only(world, app, client, photo_name):
    path = url("facilitators.photo", name=photo_name)
    mine = _get(client, path)
    assert mine.status_code == 200 and "private" in mine.headers["Cache-Control"]
    assert "public" not in mine.headers["Cache-Control"]
    assert _get(client, url("facilitators.photo", name="inconnue.jpg")).status_code == 404
    assert _get(client, url("facilitators.photo", name="../../etc/passwd")).status_code == 404
    with app.app_context():
        assert _get(_as(app, None), path).status_code == 302  # anonymous: the login page
    other = projects.create_project(slug=f"p-{uuid.uuid4().hex[:6]}", name="Autre", territory=["80021"])
    outsider = accounts.create_user(email="autre@example.org", password=PASSWORD)
    teams.add_membership(outsider, other.id, "facilitator")
    partner = accounts.create_user(email="part@example.org", password=PASSWORD)
    partner.organisation_id = world.partner.id
    teams.add_membership(partner, world.project.id, "partner")
    admin = accounts.create_user(email="admin@example.org", password=PASSWORD, is_admin=True)
    for email, expected in (
        ("autre@example.org", 403),
        ("part@example.org", 403),
        ("admin@example.org", 200),
    ):
        visitor = _as(app, email)
        with app.app_context():
            assert _get(visitor, path).status_code == expected, email
    assert db.session.scalar(select(User.id).where(User.id == admin.id))
