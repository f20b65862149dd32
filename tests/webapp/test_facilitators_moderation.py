"""Moderation: every action through the pages, each in the audit log; only validated data is summarised."""

from __future__ import annotations

import pytest
from geoalchemy2.shape import to_shape

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import csrf_token, login, url
from webapp.facilitators.blueprint import MODERATION_WORDS
from webapp.services import moderation, observation_filter
from webapp.services.observation_filter import ObservationFilter


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def _post(client, w, obs, action, **data):  # type: ignore[no-untyped-def]
    """Apply ``action`` (a ``ModerationAction`` code) through the moderation page's form."""
    queue = url("facilitators.moderation_queue", slug=w.project.slug, walk_id=obs.walk_id, status="all")
    token = csrf_token(client, queue)
    return client.post(
        url(
            "facilitators.moderate",
            slug=w.project.slug,
            walk_id=obs.walk_id,
            observation_id=obs.id,
            action=MODERATION_WORDS.get(action, action),
        ),
        data={"csrf_token": token, **data},
    )


def test_validate_and_hide_change_what_summaries_count(world, client):
    pending = world.observations[4]
    f = ObservationFilter(project_id=world.project.id)
    before = observation_filter.count(f)
    assert _post(client, world, pending, "validate").status_code == 302
    assert observation_filter.count(f) == before + 1
    _post(client, world, pending, "hide", reason="Propos hors sujet")
    assert pending.moderation_status == "hidden"
    assert observation_filter.count(f) == before
    events = moderation.events_for(pending)
    assert [e.action for e in events] == ["validate", "hide"]
    assert events[1].reason == "Propos hors sujet"
    assert events[1].actor_id == world.facilitator.id
    assert events[1].changes == {"moderation_status": ["validated", "hidden"]}


def test_hiding_needs_a_reason(world, client):
    obs = world.observations[0]
    response = _post(client, world, obs, "hide", reason="  ")
    assert response.status_code == 302
    assert obs.moderation_status == "validated"
    assert moderation.events_for(obs) == []


def test_edit_removes_a_name_and_keeps_the_old_text_in_the_log_only(world, client):
    obs = world.observations[8]
    _post(client, world, obs, "edit", note="Un voisin", proposal=obs.proposal, reason="nom retiré")
    assert obs.note == "Un voisin"
    (event,) = moderation.events_for(obs)
    assert event.action == "edit" and event.changes["note"] == ["Nom d'un voisin", "Un voisin"]


def test_merge_hides_the_duplicate_and_keeps_its_text(world, client):
    keep, dup = world.observations[0], world.observations[1]
    _post(client, world, dup, "merge", into=str(keep.id))
    assert dup.moderation_status == "hidden"
    assert "Bien éclairé" in keep.note
    assert {e.action for e in moderation.events_for(dup)} == {"merge"}
    assert moderation.events_for(keep)[0].changes["merged_from"] == [None, dup.id]


def test_merge_refuses_another_walk_or_itself(world, client):
    a, b = world.observations[0], world.observations[5]
    _post(client, world, a, "merge", into=str(b.id))
    _post(client, world, a, "merge", into=str(a.id))
    assert a.moderation_status == "validated" and moderation.events_for(a) == []


def test_moving_a_point_reassigns_its_zone(world, client):
    obs = world.observations[0]
    assert obs.zone_id == world.north.id
    _post(client, world, obs, "move", lon="2,295", lat="49.893")
    assert obs.zone_id == world.south.id
    assert to_shape(obs.location).equals_exact(to_shape(obs.location), 1e-9)
    assert round(to_shape(obs.location).y, 3) == 49.893
    assert obs.location_source == "facilitator"
    (event,) = moderation.events_for(obs)
    assert event.changes["zone_id"] == [world.north.id, world.south.id]
    _post(client, world, obs, "move", lon="200", lat="49.9")  # refused, nothing logged
    assert len(moderation.events_for(obs)) == 1


def test_flag_out_of_area_and_back(world, client):
    obs = world.observations[7]
    _post(client, world, obs, "flag", reason="loin du parcours")
    assert obs.out_of_area is True
    _post(client, world, obs, "unflag")
    assert obs.out_of_area is False
    assert [e.action for e in moderation.events_for(obs)] == ["flag", "unflag"]


def test_queue_lists_pending_and_the_log_shows_who(world, client):
    obs = world.observations[4]
    path = url("facilitators.moderation_queue", slug=world.project.slug, walk_id=world.day.id)
    assert f'id="obs-{obs.id}"' in client.get(path).get_data(as_text=True)
    _post(client, world, obs, "validate")
    body = client.get(path).get_data(as_text=True)
    assert f'id="obs-{obs.id}"' not in body
    assert "Anim" in body and "validate" in body


def test_unknown_action_and_observation_are_not_found(world, client):
    obs = world.observations[0]
    assert _post(client, world, obs, "explode").status_code == 404
    token = csrf_token(
        client, url("facilitators.moderation_queue", slug=world.project.slug, walk_id=world.day.id)
    )
    response = client.post(
        url(
            "facilitators.moderate",
            slug=world.project.slug,
            walk_id=world.day.id,
            observation_id=999999,
            action="valider",
        ),
        data={"csrf_token": token},
    )
    assert response.status_code == 404


def test_posts_without_csrf_token_are_refused(world, client):
    obs = world.observations[4]
    response = client.post(
        url(
            "facilitators.moderate",
            slug=world.project.slug,
            walk_id=obs.walk_id,
            observation_id=obs.id,
            action="valider",
        )
    )
    assert response.status_code == 400
    assert obs.moderation_status == "pending"


def test_journal_and_messages_show_labels_never_codes(world, client):
    """« Masquée », « À modérer → Validée », never ``hide`` nor ``pending → hidden``."""
    pending = world.observations[4]
    response = _post(client, world, pending, "validate")
    page = client.get(response.location).get_data(as_text=True)
    assert f"Observation n° {pending.id} : Validée." in page
    _post(client, world, pending, "hide", reason="Propos hors sujet")
    _post(client, world, pending, "move", lon="2.2951", lat="49.9052")
    queue = url(
        "facilitators.moderation_queue", slug=world.project.slug, walk_id=pending.walk_id, status="all"
    )
    page = client.get(queue).get_data(as_text=True)
    journal = page.split('id="journal"', 1)[1]
    assert "<td>Masquée</td>" in journal and "<td>Validée</td>" in journal and "<td>Déplacée</td>" in journal
    assert "Statut : À modérer → Validée" in journal and "Statut : Validée → Masquée" in journal
    assert "Position : " in journal and "Zone : " in journal
    for code in ("validate", "hide", "move", "moderation_status", "pending", "hidden", "zone_id", "location"):
        assert f">{code}<" not in journal and f"{code} :" not in journal and f"→ {code}" not in journal
    english = client.get(queue + "&lang=en").get_data(as_text=True).split('id="journal"', 1)[1]
    assert "<td>Hidden</td>" in english and "Status : To moderate → Validated" in english


def _bulk(client, w, walk, ids, action, **data):  # type: ignore[no-untyped-def]
    from tests.webapp.support import url

    token = csrf_token(
        client, url("facilitators.moderation_queue", slug=w.project.slug, walk_id=walk.id, status="all")
    )
    return client.post(
        url("facilitators.moderate_many", slug=w.project.slug, walk_id=walk.id),
        data={"csrf_token": token, "observation_ids": ids, "action": action, **data},
    )


def test_several_observations_are_validated_at_once_or_none_is(world, client):
    from tests.webapp.support import url

    day = [o for o in world.observations if o.walk_id == world.day.id]
    for o in day[:3]:
        o.moderation_status = "pending"
    ids = [o.id for o in day[:3]]
    # one of another walk: nothing changes
    r = _bulk(client, world, world.day, [*ids, world.observations[5].id], "validate")
    assert r.status_code == 404 and 'id="bulk-problem"' in r.get_data(as_text=True)
    assert [o.moderation_status for o in day[:3]] == ["pending"] * 3
    # hiding needs a reason: the queue comes back with the ticks kept, to add it
    r = _bulk(client, world, world.day, ids, "hide")
    page = r.get_data(as_text=True).replace("&#39;", "'")
    assert r.status_code == 422 and "Indiquez pourquoi les observations sont masquées." in page
    assert all(f'value="{i}" form="bulk-form" checked>' in page for i in ids)
    assert [o.moderation_status for o in day[:3]] == ["pending"] * 3
    r = _bulk(client, world, world.day, ids, "validate")
    assert [o.moderation_status for o in day[:3]] == ["validated"] * 3
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "3 observations validées." in page
    assert all([e.action for e in moderation.events_for(o)] == ["validate"] for o in day[:3])
    # hidden with a reason; the message agrees with the number, in either language
    r = _bulk(client, world, world.day, ids[:1], "hide", reason="propos injurieux")
    assert day[0].moderation_status == "hidden"
    assert "1 observation masquée." in client.get(r.headers["Location"]).get_data(as_text=True)
    client.get(url("facilitators.moderation_queue", slug=world.project.slug, walk_id=world.day.id, lang="en"))
    r = _bulk(client, world, world.day, ids[1:], "hide", reason="doublon")
    assert "2 observations hidden." in client.get(r.headers["Location"]).get_data(as_text=True)
    client.get(url("facilitators.moderation_queue", slug=world.project.slug, walk_id=world.day.id, lang="fr"))


def test_journal_and_messages_read_in_french_not_in_codes(world, client):
    from tests.webapp.support import url

    obs = world.observations[4]
    r = _post(client, world, obs, "validate")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f"Observation n° {obs.id} : Validée." in page
    _post(client, world, obs, "move", lon="2.2955", lat="49.9055")
    queue = client.get(
        url("facilitators.moderation_queue", slug=world.project.slug, walk_id=obs.walk_id, status="all")
    ).get_data(as_text=True)
    journal = queue[queue.index('id="journal"') :]
    assert "Statut : À modérer → Validée" in journal
    assert "Déplacée" in journal and "Zone : Sud → Nord" in journal
    for code in ("validate", "pending", "moderation_status", "zone_id", "« move »"):
        assert code not in journal, code
