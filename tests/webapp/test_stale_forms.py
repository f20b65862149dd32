"""A form left open: its token holds as long as the session that made it (a debrief runs for hours), and
when the session has ended the page says so in the person's language and gives back what they wrote.
Error pages read in the interface's language."""

from __future__ import annotations

import time
from html import unescape

import pytest
from itsdangerous.timed import TimestampSigner

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import csrf_from, csrf_token, login, url
from webapp.services import debriefs

TEXT = "Réparer l'éclairage du passage sous la voie ferrée,\nen panne depuis trois semaines."
OURS = {"Origin": "http://localhost", "Referer": "http://localhost/"}


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def _debrief(world) -> str:  # type: ignore[no-untyped-def]
    return url("facilitators.debrief", slug=world.project.slug, walk_id=world.day.id)


def _recommend(client, world, token: str, headers: dict[str, str] | None = None, **extra):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": token,
        "walk_id": world.day.id,
        "observation_ids": [world.observations[0].id],
        "title": "Éclairage du passage",
        "text": TEXT,
        "priority": "high",
        **extra,
    }
    return client.post(
        url("facilitators.create_recommendation", slug=world.project.slug), data=data, headers=headers
    )


def test_a_debrief_page_open_for_three_hours_still_saves_its_recommendation(
    world, client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Flask-WTF's default refused a token older than an hour: the recommendation typed at the end of
    # a long debrief was lost (« La requête est mal formée. »).
    token = csrf_token(client, _debrief(world))
    later = int(time.time()) + 3 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)  # three hours on
    response = _recommend(client, world, token)
    assert response.status_code == 302
    assert [r.text for r in debriefs.list_recommendations(world.project, world.day)] == [TEXT]


def test_a_form_whose_session_ended_says_so_and_gives_back_what_was_typed(world, client) -> None:  # type: ignore[no-untyped-def]
    page = _debrief(world)
    token = csrf_token(client, page)
    client.post(url("auth.logout"), data={"csrf_token": token})  # signed out in another tab
    response = _recommend(client, world, token, headers={**OURS, "Referer": f"http://localhost{page}"})
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Ce formulaire n'est plus valable : rien n'a été enregistré." in html
    assert f">{TEXT}</textarea>" in html  # the words, not the ids, choices or token
    assert html.count("<textarea") == 2 and ">Éclairage du passage</textarea>" in html
    assert f'<a class="button" href="{page}">Rouvrir la page</a>' in html
    assert token not in html
    assert debriefs.list_recommendations(world.project, world.day) == []

    # in English, and as JSON for a script
    client.get(url("public.index") + "?lang=en")
    english = unescape(_recommend(client, world, token, headers=OURS).get_data(as_text=True))
    assert "This form is no longer valid: nothing was saved." in english and "Open the page again" in english
    answer = _recommend(client, world, token, headers={**OURS, "Accept": "application/json"})
    assert answer.status_code == 400 and answer.get_json()["error"] == "stale_form"


def test_a_post_from_another_site_gets_nothing_back(world, client) -> None:  # type: ignore[no-untyped-def]
    response = _recommend(
        client,
        world,
        "forged",
        headers={"Origin": "https://evil.example", "Referer": "https://evil.example/x"},
    )
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Ce formulaire n'est plus valable" in html
    assert TEXT not in html and "<textarea" not in html and "Rouvrir la page" not in html
    # no Origin and no Referer: not known to be ours either
    assert TEXT not in unescape(_recommend(client, world, "forged").get_data(as_text=True))


def test_a_stale_sign_in_form_never_shows_the_password(app, client) -> None:  # type: ignore[no-untyped-def]
    build_world()
    page = url("auth.login")
    token = csrf_from(client.get(page))
    response = app.test_client().post(  # the session cookie was lost while the page was open
        page,
        data={"csrf_token": token, "email": "anim@example.org", "password": "ma phrase de passe secrète"},
        headers={**OURS, "Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Ce formulaire n'est plus valable" in html
    assert "phrase de passe" not in html and "<textarea" not in html


def test_error_pages_read_in_the_interface_language(app, client) -> None:  # type: ignore[no-untyped-def]
    assert "Cette page n'existe pas." in unescape(client.get("/nulle-part").get_data(as_text=True))
    client.get(url("public.index") + "?lang=en")
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert "This page does not exist." in missing.get_data(as_text=True)
    assert client.get("/api/v1/nowhere").get_json()["message"] == "This page does not exist."
    refused = client.put(url("public.index"))
    assert refused.status_code == 405 and "This action is not possible here." in refused.get_data(
        as_text=True
    )
