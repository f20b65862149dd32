"""A walk's form drives the capture page, the no-JavaScript form and the API (join, walk, forms, submit)."""

from __future__ import annotations

import uuid

import pytest

from tests.webapp.capture_support import make_walk, payload
from tests.webapp.support import csrf_from, url
from tests.xlsform_builder import write_neighbourhood_workbook
from webapp.services import forms, observations


@pytest.fixture
def imported(db_session, tmp_path):  # type: ignore[no-untyped-def]
    return forms.install_xlsform(write_neighbourhood_workbook(tmp_path / "diagnostic.xlsx")).form


@pytest.fixture
def walk(db_session, imported):  # type: ignore[no-untyped-def]
    walk = make_walk()
    forms.set_walk_form(walk, imported.key, imported.version)
    db_session.commit()
    return walk


@pytest.fixture
def auth(client, walk):  # type: ignore[no-untyped-def]
    response = client.post(url("api.join"), json={"code": walk.join_code})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json['token']}"}


def _answers(**extra):  # type: ignore[no-untyped-def]
    return {"theme": "bruit", "ressenti": 4, "moment": "soir", "remarque": "Scooters la nuit", **extra}


def test_the_walk_says_which_form_it_uses_and_where_to_fetch_it(client, auth, imported):
    walk = client.get(url("api.my_walk"), headers=auth).json
    assert walk["form"]["key"] == "diagnostic_quartier" and walk["form"]["version"] == 1
    definition = client.get(walk["form"]["url"]).json
    assert [t["key"] for t in definition["themes"]] == ["bruit", "proprete", "insecurite"]
    assert [t["sensitive"] for t in definition["themes"]] == [False, False, True]
    assert client.get(url("api.form", key="diagnostic_quartier")).json["version"] == 1
    assert client.get(url("api.form", key="diagnostic_quartier", version=2)).status_code == 404
    assert client.get(url("api.form", key="marche_exploratoire", version=2)).status_code == 200


def test_an_observation_answers_the_walks_form(client, auth, walk):
    body = payload()
    body["answers"] = _answers()
    body["form"] = {"key": "diagnostic_quartier", "version": 1}
    response = client.post(url("api.create_observation"), json=body, headers=auth)
    assert response.status_code == 201, response.json
    stored = response.json
    assert stored["form"] == {"key": "diagnostic_quartier", "version": 1}
    assert stored["theme"] == "bruit" and stored["note"] == ""
    assert stored["answers"] == {"ressenti": 4, "moment": "soir", "remarque": "Scooters la nuit"}
    assert stored["polarity"] == "neutral"  # the form has no such question


def test_another_form_is_refused_with_a_structured_422_and_nothing_stored(client, auth, walk):
    body = payload()  # the default grid, version 2: not this walk's form
    response = client.post(url("api.create_observation"), json=body, headers=auth)
    assert response.status_code == 422
    (problem,) = response.json["details"]["form"]
    assert problem["code"] == "wrong_form"
    assert problem["params"]["expected"] == {"key": "diagnostic_quartier", "version": 1}
    assert problem["params"]["got"] == {"key": "marche_exploratoire", "version": 2}
    assert problem["message"]["fr"].startswith("Cette observation a été faite avec un autre formulaire")
    assert observations.count_observations(walk) == 0


def test_answers_are_checked_against_the_walks_form(client, auth, walk):
    body = payload()
    body["form"] = {"key": "diagnostic_quartier", "version": 1}
    # the default grid's answers: its theme and polarity are not questions of this form
    response = client.post(url("api.create_observation"), json=body, headers=auth)
    assert response.status_code == 422
    assert response.json["details"]["theme"][0]["code"] == "unknown_theme"
    assert response.json["details"]["polarity"][0]["code"] == "unknown_field"
    body["answers"] = _answers(ressenti=9)
    response = client.post(url("api.create_observation"), json=body, headers=auth)
    assert response.json["details"]["ressenti"][0]["code"] == "out_of_range"
    assert observations.count_observations(walk) == 0


def _join_page(client, walk):  # type: ignore[no-untyped-def]
    page = client.get(url("residents.join", code=walk.join_code))
    token = csrf_from(page)
    response = client.post(url("residents.join_post"), data={"code": walk.join_code, "csrf_token": token})
    assert response.status_code == 303
    return token


def test_the_capture_page_shows_the_walks_form(client, walk):
    _join_page(client, walk)
    html = client.get(url("residents.capture", code=walk.join_code)).get_data(as_text=True)
    assert "🔊" in html and "Insécurité" in html and "Comment vous sentez-vous ici ?" in html
    assert 'name="moment"' in html and 'name="remarque"' in html
    assert "Éclairage" not in html and 'name="polarity"' not in html
    assert 'data-sensitive="1"' in html and "jamais montré en dehors de l'équipe" in html
    assert '"key": "diagnostic_quartier"' in html  # the configuration the scripts read


def test_the_plain_form_records_the_walks_questions(client, walk):
    token = _join_page(client, walk)
    stop = walk.stops[0]
    from geoalchemy2.shape import to_shape

    point = to_shape(stop.location)
    form = {
        "csrf_token": token,
        "client_uuid": str(uuid.uuid4()),
        "theme": "proprete",
        "ressenti": "2",
        "moment": "jour",
        "remarque": "Poubelles débordent",
        "stop": f"{point.x},{point.y}",
    }
    response = client.post(url("residents.capture_post", code=walk.join_code), data=form)
    assert response.status_code == 303
    (stored,) = observations.list_own_observations(walk.participants[0])
    assert (stored.form_key, stored.form_version, stored.theme) == ("diagnostic_quartier", 1, "proprete")
    assert stored.answers == {"ressenti": 2, "moment": "jour", "remarque": "Poubelles débordent"}


def test_the_plain_form_shows_the_walks_required_questions_in_french(client, walk):
    token = _join_page(client, walk)
    form = {"csrf_token": token, "client_uuid": str(uuid.uuid4()), "ressenti": "3"}
    response = client.post(url("residents.capture_post", code=walk.join_code), data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cette réponse est obligatoire." in html  # the theme
    assert observations.count_observations(walk) == 0


def test_moderation_and_debrief_show_the_answers_to_the_forms_own_questions(app, client, auth, walk):
    from tests.webapp.support import PASSWORD, login
    from webapp.services import accounts

    body = payload()
    body["form"] = {"key": "diagnostic_quartier", "version": 1}
    body["answers"] = _answers(remarque="Scooters <b>la nuit</b>")
    assert client.post(url("api.create_observation"), json=body, headers=auth).status_code == 201
    accounts.create_user(email="moderation@example.org", password=PASSWORD, is_admin=True)
    staff = app.test_client()
    login(staff, "moderation@example.org")
    # The observation waits for moderation: the debrief shows it in the team's preparation view only.
    for endpoint, extra in (
        ("facilitators.moderation_queue", {}),
        ("facilitators.debrief", {"preparation": 1}),
    ):
        html = staff.get(url(endpoint, slug=walk.project.slug, walk_id=walk.id, **extra)).get_data(
            as_text=True
        )
        # in the form's order, with its labels: a rating, a text (escaped), a choice's label
        assert (
            '<span class="question">Comment vous sentez-vous ici ?</span> : 4 / 5</li>'
            '<li data-question="remarque"><span class="question">Une remarque ?</span> : '
            "Scooters &lt;b&gt;la nuit&lt;/b&gt;</li>"
            '<li data-question="moment"><span class="question">Quand passez-vous ici ?</span> : Le soir</li>'
        ) in html, endpoint
