"""Facilitator entry: observations typed in on a computer for the group or from paper sheets."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from html import unescape

import pytest
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from tests.webapp.capture_support import jpeg_with_gps
from tests.webapp.entry_support import (
    build_entry_world,
    count_observations,
    form_token,
    install_custom_form,
    signed_in,
)
from tests.webapp.support import url
from webapp.extensions import db
from webapp.models import ModerationEvent, Observation, Participant, Photo
from webapp.services import entry, moderation, summaries, walks


@pytest.fixture
def setup(app):  # type: ignore[no-untyped-def]
    world = build_entry_world()
    page = url("facilitators.entry_form", slug=world.world.project.slug, walk_id=world.walk.id)
    return world, page


def _post(client, page, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": form_token(client, page), "client_uuid": str(uuid.uuid4())}
    data.update(fields)
    return client.post(page, data=data, content_type="multipart/form-data")


def _at_first_stop(client, page: str, walk, typed: str):  # type: ignore[no-untyped-def]
    """A lighting problem at the walk's first stop, typed in with the time ``typed``."""
    return _post(
        client,
        page,
        where="stop",
        stop=str(walk.stops[0].id),
        theme="eclairage",
        a_polarity="negative",
        captured_at=typed,
    )


def _errors(html: str) -> dict[str, str]:
    found = re.findall(r'<p class="field-error" id="err-([a-z_]+)">([^<]*)</p>', html)
    return {name: unescape(message) for name, message in found}


def _latest(walk) -> Observation:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(Observation).where(Observation.walk_id == walk.id).order_by(Observation.id.desc()).limit(1)
    )


def test_entry_at_a_stop_is_stored_like_a_phone_observation_with_source_facilitator(app, setup) -> None:
    world, page = setup
    walk = world.walk
    client = signed_in(app)
    stop = walk.stops[1]  # « Place », on the border of the two zones, inside the north one
    before = count_observations(walk)
    people_before = db.session.scalar(
        select(func.count(Participant.id)).where(Participant.walk_id == walk.id)
    )

    response = _post(
        client,
        page,
        where="stop",
        stop=str(stop.id),
        theme="eclairage",
        subtheme="eclairage.lampadaire_en_panne",
        a_polarity="negative",
        a_feeling="2",
        a_moment="often",
        a_note="Lampadaire éteint depuis un mois",
        a_proposal="Le réparer",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == page

    assert count_observations(walk) == before + 1
    observation = _latest(walk)
    assert observation.location_source == "facilitator"
    assert observation.moderation_status == "pending"
    assert observation.participant_id is None
    assert to_shape(observation.location).equals_exact(Point(2.295, 49.900), 1e-9)
    assert observation.zone_id is not None
    assert (observation.theme, observation.subtheme) == ("eclairage", "lampadaire_en_panne")
    assert (observation.polarity, observation.feeling) == ("negative", 2)
    assert observation.answers == {"moment": "often"}
    assert (observation.form_key, observation.form_version) == ("marche_exploratoire", 2)
    event = db.session.scalar(select(ModerationEvent).where(ModerationEvent.observation_id == observation.id))
    assert (event.action, event.actor_id) == ("entry", world.world.facilitator.id)
    # No profile: the facilitator is not counted in the group.
    assert (
        db.session.scalar(select(func.count(Participant.id)).where(Participant.walk_id == walk.id))
        == people_before
    )

    # The form comes back for the next sheet: the stop is kept, the entry is listed.
    html = client.get(page).get_data(as_text=True)
    assert f'<option value="{stop.id}" selected>' in html
    assert f"n° {observation.id}" in html and "Lampadaire éteint depuis un mois" in html
    assert f"Observation n° {observation.id} enregistrée." in html


def test_entry_by_pin_with_a_profile_counts_one_person_for_the_same_sheet(app, setup) -> None:
    world, page = setup
    walk = world.walk
    client = signed_in(app)
    composition_before = summaries.group_composition([walk.id])["gender"]

    profile = {"age_band": "26-44", "gender": "woman", "status": "resident"}
    first = _post(
        client,
        page,
        where="pin",
        lon="2,2931",
        lat="49,9052",
        theme="proprete",
        a_polarity="negative",
        **profile,
    )
    assert first.status_code == 303
    one = _latest(walk)
    assert to_shape(one.location).equals_exact(Point(2.2931, 49.9052), 1e-9)
    assert one.location_source == "facilitator"
    assert one.participant is not None
    person = one.participant
    assert (person.age_band, person.gender, person.status) == ("26-44", "woman", "resident")
    # The person cannot sign in anywhere: their token is already expired.
    assert one.participant.expires_at <= one.participant.created_at

    # The next entry of the same sheet keeps the profile and counts the same person.
    html = client.get(page).get_data(as_text=True)
    assert '<option value="woman" selected>' in html
    second = {"where": "pin", "theme": "eclairage", "a_polarity": "positive", **profile}
    assert _post(client, page, lon="2.2932", lat="49.9053", **second).status_code == 303
    two = _latest(walk)
    assert two.participant_id == one.participant_id

    # « Autre personne »: the same profile now counts someone else.
    slug = world.world.project.slug
    client.get(url("facilitators.entry_form", slug=slug, walk_id=walk.id, personne="nouvelle"))
    assert _post(client, page, lon="2.2933", lat="49.9054", **second).status_code == 303
    three = _latest(walk)
    assert three.participant_id not in (None, one.participant_id)

    composition = summaries.group_composition([walk.id])["gender"]
    assert composition.get("woman", 0) == composition_before.get("woman", 0) + 2


def test_validation_errors_are_shown_field_by_field_in_french_and_nothing_is_stored(app, setup) -> None:
    world, page = setup
    walk = world.walk
    client = signed_in(app)
    before = count_observations(walk)
    people = db.session.scalar(select(func.count(Participant.id)))

    response = _post(
        client,
        page,
        where="pin",
        lon="deux virgule trois",
        lat="",
        theme="",
        a_feeling="9",
        a_note="x" * 2001,
        gender="alien",
        captured_at="demain",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = _errors(html)
    assert errors["lon"].startswith("Nombre attendu")
    assert errors["lat"] == "Placez le repère sur la carte, ou tapez longitude et latitude."
    assert errors["theme"] == "Cette réponse est obligatoire."
    assert errors["a_polarity"] == "Cette réponse est obligatoire."
    assert errors["a_feeling"] == "Choisissez une note de 1 à 5."
    assert errors["a_note"].startswith("Texte trop long : 2001 caractères")
    assert errors["gender"] == "Choix inconnu."
    assert errors["captured_at"].startswith("Date et heure attendues")
    assert "Rien n'a été enregistré" in html
    # The summary at the top links to each field, the questions named as the form words them.
    summary = unescape(html.split('id="erreurs"', 1)[1].split("</div>", 1)[0])
    assert '<a href="#f-theme">Thème</a> : Cette réponse est obligatoire.' in summary
    assert (
        '<a href="#f-a_feeling">Comment vous sentez-vous ici ?</a> : Choisissez une note de 1 à 5.' in summary
    )
    assert '<a href="#f-lon">Longitude</a>' in summary
    # What was typed stays on the page.
    assert 'value="deux virgule trois"' in html and "x" * 2001 in html
    assert count_observations(walk) == before
    assert db.session.scalar(select(func.count(Participant.id))) == people

    # A stop is needed when the entry is « at a stop »; a sub-theme of another theme is refused.
    response = _post(
        client,
        page,
        where="stop",
        stop="",
        theme="eclairage",
        subtheme="proprete.tags",
        a_polarity="negative",
    )
    errors = _errors(response.get_data(as_text=True))
    assert errors["stop"] == "Choisissez l'arrêt le plus proche."
    assert errors["subtheme"] == "Ce sous-thème ne fait pas partie du thème choisi."
    other_walk_stop = world.world.night.stops[0]
    response = _post(
        client, page, where="stop", stop=str(other_walk_stop.id), theme="eclairage", a_polarity="negative"
    )
    assert _errors(response.get_data(as_text=True))["stop"] == "Cet arrêt n'est pas sur cette marche."

    # A time in the future is refused, like from a phone; a time that leaves the calendar once in UTC
    # (1 January of year 1, Paris time) is no date: the form says so, as for any unreadable time (it
    # was a 500).
    for typed, problem in (
        ("2099-01-01T10:00", "La date est dans le futur."),
        ("0001-01-01T00:00", "Date et heure attendues, par exemple 12/03/2026 18:30."),
        ("01/01/0001 00:00", "Date et heure attendues, par exemple 12/03/2026 18:30."),
    ):
        response = _at_first_stop(client, page, walk, typed)
        assert response.status_code == 422, typed
        assert _errors(response.get_data(as_text=True))["captured_at"] == problem, typed
    assert count_observations(walk) == before


@pytest.mark.parametrize("who", ["partenaire@example.org", "autre@example.org"])
def test_partners_and_facilitators_of_other_projects_may_not_enter(app, setup, who) -> None:  # type: ignore[no-untyped-def]
    world, page = setup
    client = signed_in(app, who)
    before = count_observations(world.walk)
    assert client.get(page).status_code == 403
    response = client.post(
        page,
        data={
            "client_uuid": str(uuid.uuid4()),
            "where": "stop",
            "stop": str(world.walk.stops[0].id),
            "theme": "eclairage",
            "a_polarity": "negative",
        },
    )
    assert response.status_code in (400, 403)
    assert count_observations(world.walk) == before
    slug, walk_id = world.world.project.slug, world.walk.id
    assert (
        client.get(url("facilitators.entry_template", slug=slug, walk_id=walk_id, fmt="csv")).status_code
        == 403
    )
    assert client.get(url("facilitators.entry_import", slug=slug, walk_id=walk_id)).status_code == 403


def test_a_closed_walk_takes_paper_sheets_dated_on_the_walk_day(app, setup) -> None:
    world, page = setup
    walk = world.walk
    walks.open_walk(walk)
    walks.close_walk(walk)
    db.session.commit()
    client = signed_in(app)
    assert (
        _post(
            client, page, where="stop", stop=str(walk.stops[0].id), theme="eclairage", a_polarity="negative"
        ).status_code
        == 303
    )
    observation = _latest(walk)
    # The walk's date at noon, Paris time (it has no start time).
    assert observation.captured_at == datetime(2026, 3, 12, 11, 0, tzinfo=UTC)
    assert observation.moderation_status == "pending"

    assert _at_first_stop(client, page, walk, "2026-03-12T18:45").status_code == 303
    assert _latest(walk).captured_at == datetime(2026, 3, 12, 17, 45, tzinfo=UTC)


def test_the_same_form_sent_twice_is_stored_once(app, setup) -> None:
    world, page = setup
    client = signed_in(app)
    token = form_token(client, page)
    data = {
        "csrf_token": token,
        "client_uuid": str(uuid.uuid4()),
        "where": "stop",
        "stop": str(world.walk.stops[0].id),
        "theme": "eclairage",
        "a_polarity": "negative",
    }
    before = count_observations(world.walk)
    assert client.post(page, data=data).status_code == 303
    assert client.post(page, data=data).status_code == 303
    assert count_observations(world.walk) == before + 1
    assert "était déjà enregistrée" in client.get(page).get_data(as_text=True)


def test_a_sensitive_theme_typed_in_stays_off_the_partner_pages(app, setup) -> None:
    world, page = setup
    client = signed_in(app)
    response = _post(
        client,
        page,
        where="pin",
        lon="2.29611",
        lat="49.90733",
        theme="harcelement",
        a_polarity="negative",
        a_note="Sifflements devant le kiosque Zébulon",
    )
    assert response.status_code == 303
    observation = _latest(world.walk)
    assert observation.moderation_status == "pending"
    moderation.validate(observation, world.world.facilitator)
    db.session.commit()
    partner = signed_in(app, "partenaire@example.org")
    html = partner.get(url("partners.project_page", slug=world.world.project.slug)).get_data(as_text=True)
    assert "Zébulon" not in html
    assert "2.29611" not in html and "49.90733" not in html
    # The entry page marks the theme as sensitive.
    assert "thème sensible" in client.get(page).get_data(as_text=True)


def test_a_non_default_form_gives_its_own_questions_and_answers(app, setup) -> None:
    world, page = setup
    install_custom_form(world.walk)
    db.session.commit()
    client = signed_in(app)
    html = client.get(page).get_data(as_text=True)
    assert 'name="a_usagers" value="velos"' in html and 'type="checkbox"' in html
    assert 'id="f-a_rue"' in html and 'name="a_bruit" value="0"' in html

    # « rue » is required in this form.
    response = _post(
        client, page, where="stop", stop=str(world.walk.stops[0].id), theme="eclairage", a_polarity="negative"
    )
    assert _errors(response.get_data(as_text=True))["a_rue"] == "Cette réponse est obligatoire."
    response = client.post(
        page,
        data={
            "csrf_token": form_token(client, page),
            "client_uuid": str(uuid.uuid4()),
            "where": "stop",
            "stop": str(world.walk.stops[0].id),
            "theme": "eclairage",
            "a_polarity": "negative",
            "a_usagers": ["velos", "pietons"],
            "a_rue": "Rue Saint-Leu",
            "a_bruit": "0",
        },
    )
    assert response.status_code == 303
    observation = _latest(world.walk)
    assert (observation.form_key, observation.form_version) == ("grille_saisie_test", 1)
    assert observation.answers == {"usagers": ["pietons", "velos"], "rue": "Rue Saint-Leu", "bruit": 0}


def test_a_photo_can_be_attached_and_its_file_is_written_once_saved(app, setup, tmp_path) -> None:
    import io

    from tests.webapp.support import stored_photo

    world, page = setup
    client = signed_in(app)
    data = {
        "csrf_token": form_token(client, page),
        "client_uuid": str(uuid.uuid4()),
        "where": "stop",
        "stop": str(world.walk.stops[0].id),
        "theme": "proprete",
        "a_polarity": "negative",
        "p_photos": (io.BytesIO(jpeg_with_gps((320, 240))), "tas.jpg"),
    }
    assert client.post(page, data=data, content_type="multipart/form-data").status_code == 303
    photo = db.session.scalar(select(Photo).where(Photo.observation_id == _latest(world.walk).id))
    assert photo is not None
    stored = stored_photo(photo.stored_name)
    assert stored is not None and stored[:2] == b"\xff\xd8"

    # Not a picture: refused on the photo field, nothing stored.
    before = count_observations(world.walk)
    data.update(
        csrf_token=form_token(client, page),
        client_uuid=str(uuid.uuid4()),
        p_photos=(io.BytesIO(b"%PDF-1.4 pas une photo"), "tas.jpg"),
    )
    response = client.post(page, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert _errors(response.get_data(as_text=True))["p_photos"] == "Ce fichier n'est pas une photo lisible."
    assert count_observations(world.walk) == before


def test_entry_participant_needs_a_profile_and_reuses_only_a_matching_one(app) -> None:
    world = build_entry_world()
    walk = world.walk
    assert entry.entry_participant(walk, entry.Profile()) is None
    woman = entry.entry_participant(walk, entry.Profile(gender="woman"))
    assert woman is not None and (woman.age_band, woman.status) == ("undisclosed", "undisclosed")
    assert entry.entry_participant(walk, entry.Profile(gender="woman"), same_as=woman.id) is woman
    assert entry.entry_participant(walk, entry.Profile(gender="man"), same_as=woman.id) is not woman
    # A participant of another walk is never borrowed.
    other = entry.entry_participant(world.world.night, entry.Profile(gender="woman"))
    assert entry.entry_participant(walk, entry.Profile(gender="woman"), same_as=other.id) is not other
