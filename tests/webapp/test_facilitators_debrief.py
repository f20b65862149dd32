"""Debrief: replay by stop, dot-votes counted live, recommendations from selected observations."""

from __future__ import annotations

import pytest

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import csrf_token, login, url
from webapp.services import debriefs


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def test_replay_puts_each_observation_at_its_nearest_stop(world):
    steps = debriefs.replay(world.day)
    assert [s.name for s in steps] == ["Départ", "Place", "Arrivée"]
    placed = {o.id: s.position for s in steps for o in s.observations}
    assert len(placed) == 5  # four validated and one pending; hidden ones are left out
    assert placed[world.observations[0].id] == 3  # (2.295, 49.905) is nearest the arrival
    assert placed[world.observations[3].id] == 1


def test_votes_are_counted_live_and_can_be_taken_back(world, client):
    path = url("facilitators.vote", slug=world.project.slug, walk_id=world.day.id)
    token = csrf_token(client, url("facilitators.debrief", slug=world.project.slug, walk_id=world.day.id))
    obs = world.observations[0]
    headers = {"Accept": "application/json"}
    for expected in (1, 2, 3):
        r = client.post(path, data={"csrf_token": token, "observation_id": obs.id}, headers=headers)
        assert r.get_json()["votes"] == expected
    r = client.post(
        path, data={"csrf_token": token, "observation_id": obs.id, "remove": "1"}, headers=headers
    )
    assert r.get_json()["votes"] == 2
    r = client.post(path, data={"csrf_token": token, "theme": "eclairage"}, headers=headers)
    assert r.get_json()["votes"] == 1
    by_obs, by_theme = debriefs.vote_counts(world.day)
    assert by_obs == {obs.id: 2} and by_theme == {"eclairage": 1}
    # an observation of another walk cannot get this walk's votes
    r = client.post(
        path, data={"csrf_token": token, "observation_id": world.observations[5].id}, headers=headers
    )
    assert r.status_code == 404


def test_recommendation_from_three_observations_keeps_its_evidence(world, client):
    chosen = [world.observations[i].id for i in (0, 1, 5)]
    token = csrf_token(client, url("facilitators.debrief", slug=world.project.slug, walk_id=world.day.id))
    r = client.post(
        url("facilitators.create_recommendation", slug=world.project.slug),
        data={
            "csrf_token": token,
            "walk_id": world.day.id,
            "observation_ids": chosen,
            "title": "Réparer l'éclairage",
            "text": "Rue <b>",
            "organisation_id": world.partner.id,
            "priority": "high",
            "deadline": "2026-12-31",
        },
    )
    assert r.status_code == 302
    (reco,) = debriefs.list_recommendations(world.project, world.day)
    assert sorted(o.id for o in reco.observations) == sorted(chosen)
    assert reco.theme == "eclairage" and reco.zone_id == world.north.id  # common to the evidence
    assert reco.priority == "high" and reco.organisation_id == world.partner.id
    assert reco.events[0].status_to == "proposed"
    body = client.get(url("facilitators.debrief", slug=world.project.slug, walk_id=world.day.id)).get_data(
        as_text=True
    )
    assert "Réparer l&#39;éclairage" in body


def test_recommendation_without_title_or_evidence_is_refused_with_a_message(world, client):
    token = csrf_token(client, url("facilitators.debrief", slug=world.project.slug, walk_id=world.day.id))
    r = client.post(
        url("facilitators.create_recommendation", slug=world.project.slug),
        data={"csrf_token": token, "walk_id": world.day.id, "title": "", "priority": "urgent"},
    )
    assert r.status_code == 422
    page = r.get_data(as_text=True).replace("&#39;", "'")
    assert "Préconisation non créée" in page
    assert "Donnez un titre à la préconisation." in page
    assert "Cochez au moins une observation comme preuve" in page
    assert "Choisissez une priorité dans la liste." in page
    assert "(title" not in page and "(observations" not in page  # no field codes
    assert debriefs.list_recommendations(world.project) == []


def test_a_refused_recommendation_comes_back_as_typed(world, client):
    """Written with the group at the end of the debrief, refused for a missing tick: the page comes
    back on its recommendation section with every word and choice, and the ticks already made."""
    from webapp.extensions import db

    token = csrf_token(client, url("facilitators.debrief", slug=world.project.slug, walk_id=world.day.id))
    ticked = world.observations[0]
    gone = world.observations[1]
    gone_id = gone.id
    db.session.delete(gone)  # withdrawn by its author while the debrief page was open
    db.session.commit()
    data = {
        "csrf_token": token,
        "walk_id": world.day.id,
        "observation_ids": [ticked.id, gone_id],
        "title": "Éclairer l'allée <du square>",
        "text": "Deux lampadaires de plus,\nallumés jusqu'à minuit.",
        "theme": "eclairage",
        "zone_id": world.north.id,
        "organisation_id": world.partner.id,
        "priority": "high",
        "deadline": "2026-09-30",
        "preparation": "1",
    }
    r = client.post(url("facilitators.create_recommendation", slug=world.project.slug), data=data)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Une observation cochée n&#39;existe plus" in page
    assert 'value="Éclairer l&#39;allée &lt;du square&gt;"' in page
    assert ">Deux lampadaires de plus,\nallumés jusqu&#39;à minuit.</textarea>" in page
    assert '<option value="eclairage" selected>' in page
    assert f'<option value="{world.north.id}" selected>' in page
    assert f'<option value="{world.partner.id}" selected>' in page
    assert '<option value="high" selected>' in page
    assert 'name="deadline" value="2026-09-30"' in page
    assert f'value="{ticked.id}" form="reco-form" checked>' in page
    assert 'data-open="preconisations"' in page and "preparation=1" in page  # the same view, at its address
    assert '<input type="hidden" name="preparation" value="1">' in page
    assert debriefs.list_recommendations(world.project) == []


def test_recommendations_are_ranked_by_priority(world):
    ids = [world.observations[0].id]
    for priority in ("low", "high", "medium"):
        debriefs.create_recommendation(
            world.project, None, observation_ids=ids, title=priority, priority=priority
        )
    assert [r.priority for r in debriefs.list_recommendations(world.project)] == ["high", "medium", "low"]


def test_room_view_shows_validated_cards_counts_sensitive_ones_and_quotes_evidence(world, client):
    from tests.webapp.forms_support import url as url_for

    url = url_for("facilitators.debrief", slug=world.project.slug, walk_id=world.day.id)
    room = client.get(url).get_data(as_text=True)
    assert "Jardin partagé" not in room  # pending
    assert "alert(1)" not in room  # the harassment report's note, sensitive in the form
    assert "1 signalement." in room
    assert "1 problème ·" in room and "1 problèmes" not in room
    prep = client.get(
        url_for("facilitators.debrief", slug=world.project.slug, walk_id=world.day.id, preparation=1)
    )
    assert "Jardin partagé" in prep.get_data(as_text=True)
    debriefs.create_recommendation(
        world.project,
        None,
        observation_ids=[world.observations[0].id, world.observations[3].id],
        title="T",
        walk=world.day,
    )
    room = client.get(url).get_data(as_text=True)
    evidence = room[room.index('class="evidence"') :]
    assert '<q class="ev-text">Lampadaire en panne</q>' in evidence
    assert "(signalement sensible, non cité)" in evidence and "alert(1)" not in evidence


def test_excerpt_cuts_on_a_word():
    assert debriefs.excerpt("court") == "court"
    long = "mot " * 40
    cut = debriefs.excerpt(long, 20)
    assert cut.endswith("…") and len(cut) <= 21 and "mo…" not in cut


def test_the_room_never_reads_a_recommendations_unvalidated_evidence(world, client):
    """A recommendation made in the preparation view (pending observations shown), or one of whose
    observations was hidden since: the projector names its theme, never its text."""
    from webapp.extensions import db

    pending, hidden = world.observations[4], world.observations[8]
    debriefs.create_recommendation(
        world.project,
        None,
        observation_ids=[pending.id, hidden.id, world.observations[0].id],
        title="Un jardin pour tous",
        walk=pending.walk,
    )
    db.session.commit()
    room = client.get(url("facilitators.debrief", slug=world.project.slug, walk_id=pending.walk_id))
    html = room.get_data(as_text=True)
    assert "Un jardin pour tous" in html
    assert "Jardin partagé" not in html and "Nom d&#39;un voisin" not in html
    assert html.count("(non validée, non citée)") == 2
    assert "Lampadaire en panne" in html
    prepared = client.get(
        url("facilitators.debrief", slug=world.project.slug, walk_id=pending.walk_id, preparation="1")
    ).get_data(as_text=True)
    assert "Nom d&#39;un voisin" not in prepared and prepared.count("(non validée, non citée)") == 1


def test_the_room_map_never_reads_out_a_point_hidden_since_its_page_was_drawn(world, client):
    """The debrief room stays on the projector while a colleague moderates: a point on its map,
    hidden since because it named someone, must not read its text out when clicked."""
    from webapp.extensions import db
    from webapp.services import moderation

    slug, lamp, harassment = world.project.slug, world.observations[0], world.observations[3]
    assert (lamp.note, harassment.theme) == ("Lampadaire en panne", "harcelement")
    room = client.get(url("facilitators.debrief", slug=slug, walk_id=world.day.id)).get_data(as_text=True)
    assert "carte/observations/{id}?salle=1" in room  # the room's map asks for the room's popups
    prepared = client.get(url("facilitators.debrief", slug=slug, walk_id=world.day.id, preparation="1"))
    assert "?salle=1" not in prepared.get_data(as_text=True)  # the team preparing reads everything
    in_room = url("facilitators.map_popup", slug=slug, observation_id=lamp.id) + "?salle=1"
    assert client.get(in_room).json["d"][3] == "Lampadaire en panne"
    moderation.hide(lamp, world.facilitator, "nomme un voisin")
    db.session.commit()
    refused = client.get(in_room, headers={"Accept": "application/json"})  # as the map's script asks
    assert refused.status_code == 404
    assert refused.json["message"] == "Cette observation n'est plus montrée en salle."
    team = client.get(url("facilitators.map_popup", slug=slug, observation_id=lamp.id))
    assert team.status_code == 200 and team.json["d"][3] == "Lampadaire en panne"  # moderation still can
    # a sensitive theme's point is never on the room's map; asked for all the same, it stays mute
    sensitive = url("facilitators.map_popup", slug=slug, observation_id=harassment.id)
    assert client.get(sensitive + "?salle=1").status_code == 404
    assert client.get(sensitive).status_code == 200
