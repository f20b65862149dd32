"""Partners' and public maps are kept per project data stamp and filter, like the team's map
(``partner_views.kept_map``): a repeat visit reads no observation and draws nothing, and every change
of what the map shows — moderation, a photo arriving, a route moved — shows on the next visit."""

from __future__ import annotations

import re
import uuid

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString

from tests.webapp.support import photo_like, statements, url
from tests.webapp.test_partners import PartnerWorld, build_partner_world, fresh_client
from webapp.extensions import db
from webapp.models import Participant
from webapp.services import photos

#: Statements that read observations' positions for a map (points or counted cells).
_MAP_READS = re.compile(
    r"ST_X\(|ST_Y\(|AsEWKB\(observations\.location|AsBinary\(observations\.location", re.I
)


@pytest.fixture
def pw(app) -> PartnerWorld:  # type: ignore[no-untyped-def]
    world = build_partner_world()
    world.world.project.public_map = True
    db.session.commit()
    return world


def _nonce(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def _drawn(html: str) -> str:
    """The map's script (what the kept parts hold), not the page's summary around it."""
    return html[html.index("L.map(") :]


def test_a_repeat_visit_of_the_public_map_reads_no_observation_and_gets_its_own_nonce(client, pw):
    page = url("public.project_map", slug=pw.slug)
    with statements() as first:
        one = client.get(page)
    assert [s for s in first if _MAP_READS.search(s)]  # the control: the first visit reads them
    with statements() as again:
        two = client.get(page)
    assert [s for s in again if _MAP_READS.search(s)] == []
    assert _drawn(one.get_data(as_text=True)) == _drawn(two.get_data(as_text=True))
    html = two.get_data(as_text=True)
    assert _nonce(one) != _nonce(two) and _nonce(one) not in html
    assert f'nonce="{_nonce(two)}"' in html[: html.index("L.map(")]


def test_moderation_a_new_photo_and_a_moved_route_show_on_the_next_visit(client, pw):
    page = url("public.project_map", slug=pw.slug)
    assert "Lampadaire en panne" in _drawn(client.get(page).get_data(as_text=True))
    # A moderator hides an observation: gone from the kept map at once.
    pw.world.observations[0].moderation_status = "hidden"
    db.session.commit()
    assert "Lampadaire en panne" not in _drawn(client.get(page).get_data(as_text=True))
    # A phone sends the photo of a validated observation after the observation itself (the API's path).
    target = next(
        o
        for o in pw.world.observations[1:]
        if o.moderation_status == "validated" and o.theme != "harcelement" and not o.photos
    )
    participant = db.session.get(Participant, target.participant_id)
    target.walk.status = "open"  # phones send to a walk under way
    db.session.commit()
    client.get(page)  # kept again under the walk's new state
    photo, created = photos.add_photo(participant, target.client_uuid, uuid.uuid4(), photo_like((800, 600)))
    db.session.commit()
    assert created
    assert photo.stored_name in _drawn(client.get(page).get_data(as_text=True))
    # A route drawn again (no observation changed): the map follows it.
    pw.world.day.route = from_shape(LineString([(2.3111, 49.8811), (2.3222, 49.8822)]), srid=4326)
    db.session.commit()
    drawn = _drawn(client.get(page).get_data(as_text=True))
    assert "2.3111" in drawn and "49.8822" in drawn


def test_partners_and_the_public_keep_maps_of_their_own(client, pw):
    """Same project, same filter: each page's map names the photos through its own route."""
    public = client.get(url("public.project_map", slug=pw.slug)).get_data(as_text=True)
    partner = fresh_client(client.application, "partenaire-a@example.org")
    seen = partner.get(url("partners.project_page", slug=pw.slug)).get_data(as_text=True)
    name = pw.photos["validated"]
    assert url("public.photo", slug=pw.slug, name=name) in _drawn(public)
    assert url("partners.photo", slug=pw.slug, name=name) in _drawn(seen)
    assert url("public.photo", slug=pw.slug, name=name) not in _drawn(seen)


def test_a_photo_removed_through_the_orm_leaves_the_kept_map(client, pw):
    """Retention's purge and the undoing of a merge remove or move photos through the ORM: the data
    stamp follows them as it follows the observations."""
    from webapp.models import Photo

    page = url("public.project_map", slug=pw.slug)
    name = pw.photos["validated"]
    assert name in _drawn(client.get(page).get_data(as_text=True))
    db.session.delete(db.session.query(Photo).filter_by(stored_name=name).one())
    db.session.commit()
    assert name not in _drawn(client.get(page).get_data(as_text=True))
