"""The residents' "Mes données" page: see, download and erase one's data from the phone, no JavaScript."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from tests.webapp.capture_support import make_walk
from tests.webapp.support import csrf_from, store_photo, stored_photo, url
from webapp.extensions import db
from webapp.models import Observation, Participant
from webapp.services import walks


@pytest.fixture
def phone(app, client, db_session):  # type: ignore[no-untyped-def]
    """A phone that joined the walk K7PM3Q with a profile and recorded one observation."""
    walk = make_walk()
    page = client.get(url("residents.join", code="K7PM3Q")).get_data(as_text=True)
    joined = client.post(
        url("residents.join"),
        data={"code": "K7PM3Q", "age_band": "65+", "gender": "woman", "csrf_token": csrf_from(page)},
    )
    assert joined.status_code == 303
    capture = client.get(url("residents.capture", code="K7PM3Q")).get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(capture),
        "client_uuid": str(uuid.uuid4()),
        "theme": "eclairage",
        "polarity": "negative",
        "note": "Rue sombre près de chez moi",
        "stop": "2.2950,49.9180",
    }
    assert client.post(url("residents.capture_post", code="K7PM3Q"), data=form).status_code == 303
    return walk


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_capture_page_links_to_my_data_which_says_what_is_kept(client, phone):
    assert url("residents.my_data", code="K7PM3Q") in client.get(
        url("residents.capture", code="K7PM3Q")
    ).get_data(as_text=True)
    response = client.get(url("residents.my_data", code="K7PM3Q"))
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    assert "65 ans et plus" in html and "Femme" in html and "1 observation(s) et 0 photo(s)" in html
    download = client.get(url("residents.my_data_download", code="K7PM3Q"))
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    document = json.loads(download.get_data(as_text=True))
    assert document["participant"]["profile"]["age_band"] == "65+"
    assert [o["note"] for o in document["observations"]] == ["Rue sombre près de chez moi"]


def test_erasing_needs_the_box_ticked_then_removes_everything_and_forgets_the_phone(client, phone):
    page = client.get(url("residents.my_data", code="K7PM3Q")).get_data(as_text=True)
    refused = client.post(url("residents.my_data_erase", code="K7PM3Q"), data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 303
    assert "Cochez la case" in client.get(url("residents.my_data", code="K7PM3Q")).get_data(as_text=True)
    assert _count(Observation) == 1

    erased = client.post(
        url("residents.my_data_erase", code="K7PM3Q"), data={"csrf_token": csrf_from(page), "confirm": "1"}
    )

    assert erased.status_code == 200
    assert "1 observation(s) et 0 photo(s)" in erased.get_data(as_text=True)
    assert "arpenteur_participant=;" in erased.headers["Set-Cookie"]
    assert erased.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert (_count(Observation), _count(Participant)) == (0, 0)
    # The phone is no longer linked: every page sends it back to the join form.
    for path in (
        url("residents.my_data", code="K7PM3Q"),
        url("residents.my_data_download", code="K7PM3Q"),
        url("residents.capture", code="K7PM3Q"),
    ):
        assert client.get(path).status_code == 302, path
    again = client.post(
        url("residents.my_data_erase", code="K7PM3Q"), data={"csrf_token": csrf_from(page), "confirm": "1"}
    )
    assert again.status_code == 302


def test_my_data_stays_reachable_after_the_walk_closed(client, phone):
    walks.close_walk(phone)
    assert client.get(url("residents.capture", code="K7PM3Q")).status_code == 302  # capture is over
    html = client.get(url("residents.my_data", code="K7PM3Q")).get_data(as_text=True)
    assert "1 observation(s)" in html and "Retour à la saisie" not in html


def test_another_walk_code_or_no_cookie_gets_the_join_form(app, client, phone):
    make_walk(code="QR9TX4", slug="autre")
    assert client.get(url("residents.my_data", code="QR9TX4")).status_code == 302
    assert app.test_client().get(url("residents.my_data", code="K7PM3Q")).status_code == 302


# --- erasure after moderation merges ---------------------------------------------------------------


@pytest.fixture
def two_on_a_walk(app, db_session):  # type: ignore[no-untyped-def]
    """Two participants of one walk, one observation each with one photo (files on disk)."""

    from webapp.models import Photo
    from webapp.services import observations, participants

    walk = make_walk()
    made = []
    for who in ("P1", "P2"):
        participant, _ = participants.add_participant(walk)
        obs = observations.record_observation(
            walk,
            client_uuid=uuid.uuid4(),
            lon=2.2991,
            lat=49.9196,
            theme="eclairage",
            polarity="negative",
            form_key="marche_exploratoire",
            form_version=1,
            participant=participant,
            note=f"texte de {who}",
        )
        name = f"merge-{who}-{uuid.uuid4().hex}.jpg"
        photo = Photo(
            client_uuid=uuid.uuid4(), observation=obs, stored_name=name, width=1, height=1, size_bytes=4
        )
        db.session.add(photo)
        store_photo(photo, b"jpeg")
        made.append((participant, obs, name))
    db.session.commit()
    return made, None


def test_erasing_takes_back_text_and_photos_merged_into_someone_else(two_on_a_walk):
    from webapp import transaction
    from webapp.services import moderation, privacy

    (p1, d1, f1), (_p2, k2, f2) = two_on_a_walk[0]
    moderation.merge(d1, k2, None)  # P1's observation was a duplicate of P2's
    assert k2.note == "texte de P2\ntexte de P1" and len(k2.photos) == 2

    privacy.erase_participant_data(p1)
    transaction.commit()  # the files go once the erasure is committed

    kept = db.session.get(Observation, k2.id)
    assert kept.note == "texte de P2"
    assert [p.stored_name for p in kept.photos] == [f2]
    assert stored_photo(f1) is None and stored_photo(f2) == b"jpeg"
    assert "texte de P1" not in str(moderation.events_for(kept)[0].changes)


def test_erasing_gives_back_photos_another_participant_merged_into_mine(two_on_a_walk):
    from webapp import transaction
    from webapp.services import moderation, privacy

    (p1, d1, f1), (_p2, k2, f2) = two_on_a_walk[0]
    moderation.merge(k2, d1, None)  # P2's observation was a duplicate of P1's

    privacy.erase_participant_data(p1)
    transaction.commit()  # the files go once the erasure is committed

    back = db.session.get(Observation, k2.id)
    assert [p.stored_name for p in back.photos] == [f2] and stored_photo(f2) == b"jpeg"
    assert db.session.get(Observation, d1.id) is None and stored_photo(f1) is None
    assert back.note == "texte de P2"
