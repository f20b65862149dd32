"""Two moderators, or a page left open: an action sent from a card that showed an older state of the
observation is refused, so a stale page never puts back a name another moderator removed, nor
validates what another one hid. What is already done is no conflict; scripts without marks act as
before (``test_facilitators_moderation.py``)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.webapp.factories_debrief import PASSWORD, build_world
from tests.webapp.support import csrf_token, login, url
from tests.webapp.test_facilitators_moderation import _post as moderate
from webapp.extensions import db
from webapp.services import accounts, moderation, teams


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    other = accounts.create_user(email="seconde@example.org", password=PASSWORD, display_name="Bernadette")
    teams.add_membership(other, w.project.id, "facilitator")
    db.session.commit()
    w.other = other  # type: ignore[attr-defined]
    login(client)
    return w


def _queue(w, obs):  # type: ignore[no-untyped-def]
    return url("facilitators.moderation_queue", slug=w.project.slug, walk_id=obs.walk_id, status="all")


def _marks_on_page(client, w, obs) -> list[str]:  # type: ignore[no-untyped-def]
    html = client.get(_queue(w, obs)).get_data(as_text=True)
    return re.findall(rf'name="seen" value="({obs.id}:[0-9a-f]+)"', html)


def _post(client, w, obs, action, seen, **data):  # type: ignore[no-untyped-def]
    """``action`` through the card's form, sent with the mark ``seen``."""
    return moderate(client, w, obs, action, seen=seen, **data)


def test_every_form_of_a_card_and_the_bulk_form_carry_what_the_card_showed(world, client):
    obs = world.observations[8]
    marks = _marks_on_page(client, world, obs)
    # validate, hide, edit, merge, move, flag, and one for the bulk form
    assert marks == [moderation.seen_mark(obs)] * 7
    html = client.get(_queue(world, obs)).get_data(as_text=True)
    assert f'name="seen" value="{marks[0]}" form="bulk-form"' in html


def test_a_stale_correction_does_not_put_back_the_name_another_moderator_removed(world, client):
    obs = world.observations[8]  # « Nom d'un voisin »
    (seen,) = set(_marks_on_page(client, world, obs))
    # meanwhile, on another laptop
    moderation.edit_text(obs, world.other, note="Un voisin", proposal=obs.proposal, reason="nom retiré")
    db.session.commit()
    response = _post(
        client,
        world,
        obs,
        "edit",
        seen,
        note="Nom d'un voisin, rue sombre",
        proposal=obs.proposal,
        reason="précision",
    )
    assert response.status_code == 409
    page = unescape(response.get_data(as_text=True))
    assert obs.note == "Un voisin"
    assert [e.action for e in moderation.events_for(obs)] == ["edit"]
    # why, by whom; the text as it is now; the words typed, to copy; the way back to the card
    assert "a changé depuis l'affichage de la page (texte corrigé par Bernadette, le " in page
    assert "rien n'a été fait" in page
    assert "<dd>Un voisin</dd>" in page
    assert ">Nom d'un voisin, rue sombre</textarea>" in page
    assert ">précision</textarea>" in page
    assert f"#obs-{obs.id}" in page


def test_a_stale_validation_does_not_show_what_another_moderator_hid(world, client):
    obs = world.observations[4]  # pending
    (seen,) = set(_marks_on_page(client, world, obs))
    moderation.hide(obs, world.other, "Identifie une personne")
    db.session.commit()
    response = _post(client, world, obs, "validate", seen)
    assert response.status_code == 302
    assert obs.moderation_status == "hidden"
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert (
        f"Observation n° {obs.id} : elle a changé depuis l'affichage de la page (masquée par Bernadette"
        in page
    )


@pytest.mark.parametrize(
    ("action", "data"),
    [("move", {"lon": "2.2951", "lat": "49.9001"}), ("flag", {"reason": "loin"}), ("merge", {"into": "1"})],
)
def test_the_other_actions_of_a_stale_card_change_nothing(world, client, action, data):
    obs = world.observations[4]
    (seen,) = set(_marks_on_page(client, world, obs))
    moderation.edit_text(obs, world.other, note="Réécrit", proposal="", reason="")
    db.session.commit()
    before = moderation.seen_mark(obs)
    if action == "merge":  # into another observation of the same walk
        into = next(o for o in world.observations if o.walk_id == obs.walk_id and o.id != obs.id)
        data = {"into": str(into.id)}
    response = _post(client, world, obs, action, seen, **data)
    assert response.status_code == 302
    assert moderation.seen_mark(obs) == before
    assert [e.action for e in moderation.events_for(obs)] == ["edit"]


def test_a_correction_sent_from_the_phone_meanwhile_is_a_change_too(world, client):
    obs = world.observations[4]
    (seen,) = set(_marks_on_page(client, world, obs))
    obs.note = "Corrigé depuis le téléphone"  # what update_observation writes, without a journal line
    db.session.commit()
    response = _post(client, world, obs, "edit", seen, note="Autre chose", proposal="")
    assert response.status_code == 409
    assert obs.note == "Corrigé depuis le téléphone"
    assert "a changé depuis l'affichage de la page : rien n'a été fait" in unescape(
        response.get_data(as_text=True)
    )


def test_what_is_already_done_is_no_conflict(world, client):
    obs = world.observations[4]
    (seen,) = set(_marks_on_page(client, world, obs))
    moderation.validate(obs, world.other)
    db.session.commit()
    # the same click on the other laptop: validated, as wanted
    response = _post(client, world, obs, "validate", seen)
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "a changé" not in page
    assert obs.moderation_status == "validated"
    # a correction already made the same way
    moderation.edit_text(obs, world.other, note="Même texte", proposal="", reason="")
    db.session.commit()
    assert _post(client, world, obs, "edit", seen, note=" Même texte ", proposal="").status_code == 302


def test_an_unchanged_card_acts_as_always(world, client):
    obs = world.observations[8]
    (seen,) = set(_marks_on_page(client, world, obs))
    assert _post(client, world, obs, "edit", seen, note="Un voisin", proposal="").status_code == 302
    assert obs.note == "Un voisin"


def test_a_bulk_action_with_one_stale_card_changes_none(world, client):
    walk_id = world.observations[4].walk_id
    chosen = [o for o in world.observations if o.walk_id == walk_id and o.moderation_status != "hidden"][:3]
    assert len(chosen) == 3
    statuses = [o.moderation_status for o in chosen]
    marks = [moderation.seen_mark(o) for o in chosen]
    assert [m for o in chosen for m in set(_marks_on_page(client, world, o))] == marks
    changed = chosen[1]
    moderation.edit_text(changed, world.other, note="Réécrit", proposal="", reason="")
    db.session.commit()
    token = csrf_token(client, _queue(world, changed))
    response = client.post(
        url("facilitators.moderate_many", slug=world.project.slug, walk_id=walk_id),
        data={
            "csrf_token": token,
            "next": _queue(world, changed),  # the tab the page showed (all)
            "action": "hide",
            "reason": "hors sujet",
            "observation_ids": [str(o.id) for o in chosen],
            "seen": marks,
        },
    )
    assert response.status_code == 409
    assert [o.moderation_status for o in chosen] == statuses
    page = unescape(response.get_data(as_text=True))
    assert f"L'observation n° {changed.id} a changé depuis l'affichage de la page" in page
    # the ticks and the reason are kept, the cards now carry fresh marks: sending again works
    assert all(f'value="{o.id}" form="bulk-form" checked>' in page for o in chosen)
    assert 'value="hors sujet"' in page
    assert f'name="seen" value="{moderation.seen_mark(changed)}" form="bulk-form"' in page


def test_the_refusal_reads_in_english(world, client):
    obs = world.observations[8]
    (seen,) = set(_marks_on_page(client, world, obs))
    moderation.edit_text(obs, world.other, note="Un voisin", proposal=obs.proposal, reason="")
    db.session.commit()
    client.get(_queue(world, obs) + "&lang=en")
    response = _post(client, world, obs, "edit", seen, note="Autre", proposal="")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "changed since this page was shown" in page
    assert "What the observation says now" in page and "What you had written" in page
    assert "Back to the observation" in page
    assert "a changé" not in page and "Ce que" not in page


def test_without_marks_nothing_is_compared(world):
    """The command line and scripts send no marks; unreadable ones are left out."""
    obs = world.observations[4]
    assert moderation.changed_since_seen([obs], {}) == []
    assert moderation.seen_marks(["x", "", "12", ":ab", f"{obs.id}:00"]) == {obs.id: f"{obs.id}:00"}
    assert moderation.changed_since_seen([obs], {obs.id: f"{obs.id}:00"}) == [obs]


def test_a_correction_too_long_comes_back_with_the_words_typed(world, client):
    obs = world.observations[8]
    (seen,) = set(_marks_on_page(client, world, obs))
    html = client.get(_queue(world, obs)).get_data(as_text=True)
    assert f'name="note" rows="3" maxlength="{moderation.MAX_TEXT}"' in html
    long_note = "Un voisin " + "très " * 1000
    response = _post(client, world, obs, "edit", seen, note=long_note, proposal="", reason="nom retiré")
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert "Texte trop long : 4\u202f000 caractères au plus pour la note comme pour la proposition." in page
    assert f">{long_note.strip()}</textarea>" in page or f">{long_note}</textarea>" in page
    assert obs.note == "Nom d'un voisin"


def test_the_way_back_leads_to_the_tab_that_now_holds_the_observation(world, client):
    obs = world.observations[4]  # pending, on the « À modérer » tab
    (seen,) = set(_marks_on_page(client, world, obs))
    moderation.hide(obs, world.other, "hors sujet")
    db.session.commit()
    response = _post(client, world, obs, "edit", seen, note="Autre", proposal="")
    back = url("facilitators.moderation_queue", slug=world.project.slug, walk_id=obs.walk_id, status="hidden")
    assert f'href="{back}#obs-{obs.id}"' in response.get_data(as_text=True)
    assert f'id="obs-{obs.id}"' in client.get(back).get_data(as_text=True)
