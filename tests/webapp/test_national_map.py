"""The national map's JSON (``/api/v1/national-map``), on both databases.

A small known set: in Amiens, five ordinary validated observations and four street-harassment reports
(the default grid marks ``harcelement`` sensitive) in one 200 m square, one pending and one hidden; in
Marseille two validated ones (a cell below the threshold); in Lyon only pending and hidden ones.
The cells are counted by the database in one GROUP BY, answers are cached per data version (a stamp
the database keeps by triggers), and bad parameters get a structured 400.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from tests.factories import ObservationFactory, WalkFactory
from tests.webapp.support import PASSWORD, login, statements, url
from webapp.extensions import db
from webapp.services import accounts, national_map

ADMIN = "admin-carte@example.org"
FACILITATOR = "anim-carte@example.org"
#: The whole of metropolitan France, as the page first asks for it.
FRANCE = "-5.2,41.3,9.6,51.1"
#: Around the Amiens observations, at a zoom where ordinary ones are points.
AMIENS = "2.295,49.885,2.305,49.895"
AMIENS_ORDINARY = [(2.3000 + i * 0.0002, 49.8900) for i in range(5)]
AMIENS_SENSITIVE = [(2.3003 + i * 0.0001, 49.8903) for i in range(4)]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Each test's data is rolled back with its version stamp: a stamp seen in another test may come back.
    national_map.clear_cache()
    yield
    national_map.clear_cache()


@pytest.fixture
def world(app, db_session):  # type: ignore[no-untyped-def]
    amiens = WalkFactory()
    south = WalkFactory()
    for lon, lat in AMIENS_ORDINARY:
        ObservationFactory(walk=amiens, moderation_status="validated", lon=lon, lat=lat)
    for lon, lat in AMIENS_SENSITIVE:
        ObservationFactory(walk=amiens, moderation_status="validated", theme="harcelement", lon=lon, lat=lat)
    ObservationFactory(walk=amiens, moderation_status="pending", lon=2.301, lat=49.891)
    ObservationFactory(walk=amiens, moderation_status="hidden", lon=2.301, lat=49.891)
    for i in range(2):
        ObservationFactory(walk=south, moderation_status="validated", lon=5.37 + i * 0.001, lat=43.30)
    ObservationFactory(walk=south, moderation_status="pending", lon=4.84, lat=45.76)
    ObservationFactory(walk=south, moderation_status="hidden", lon=4.84, lat=45.76)
    accounts.create_user(email=ADMIN, password=PASSWORD, display_name="Admin", is_admin=True)
    accounts.create_user(email=FACILITATOR, password=PASSWORD, display_name="Anim")
    db_session.flush()
    return {"amiens": amiens, "south": south}


def _get(client, **params):  # type: ignore[no-untyped-def]
    return client.get(url("administration.national_map_cells", **params))


@pytest.fixture
def admin(client, world):  # type: ignore[no-untyped-def]
    login(client, ADMIN)
    return client


def test_the_default_grid_marks_harassment_sensitive(app, db_session):
    assert "harcelement" in national_map.national_sensitive_themes()


def test_cells_count_validated_observations_and_mask_small_counts(admin):
    body = _get(admin, bbox=FRANCE, zoom=6).json
    assert body["kind"] == "cells"
    cells = body["cells"]
    # Amiens: 5 ordinary + 4 sensitive validated (pending and hidden left out); Marseille: 2, masked;
    # Lyon: nothing validated, no cell at all.
    assert sorted(c[2] for c in cells if c[2] is not None) == [9]
    assert [c for c in cells if c[2] is None and abs(c[1] - 43.3) < 1.5] != []
    assert not any(abs(c[0] - 4.84) < 0.5 and abs(c[1] - 45.76) < 0.5 for c in cells)
    assert len(cells) == 2
    # A cell holding sensitive reports is placed at its centre, not at its points' mean.
    size = body["cell"]
    amiens = next(c for c in cells if c[2] == 9)
    assert ((amiens[0] + 180) / size) % 1 == pytest.approx(0.5, abs=1e-3)


def test_finer_zoom_gives_finer_cells(admin):
    coarse = _get(admin, bbox=FRANCE, zoom=6).json
    fine = _get(admin, bbox="2.2,49.8,2.4,50.0", zoom=12).json
    assert fine["cell"] == pytest.approx(coarse["cell"] / 64)
    assert fine["kind"] == "cells"
    assert sum(c[2] or 0 for c in fine["cells"]) == 9


def test_points_at_street_zoom_never_show_sensitive_reports(admin):
    body = _get(admin, bbox=AMIENS, zoom=16).json
    assert body["kind"] == "points"
    shown = {(round(p[0], 4), round(p[1], 4)) for p in body["points"]}
    assert shown == {(round(x, 4), round(y, 4)) for x, y in AMIENS_ORDINARY}
    assert {p[2] for p in body["points"]} == {"eclairage"}
    text = _get(admin, bbox=AMIENS, zoom=16).get_data(as_text=True)
    for lon, lat in AMIENS_SENSITIVE:
        for digits in (5, 4):
            assert f"{round(lon, digits)},{round(lat, digits)}" not in text
    # The four reports share one 200 m square of the partners' grid: one count of 4 at its centre.
    assert [s[2] for s in body["sensitive"]] == [4]


def test_a_sensitive_square_below_three_is_left_out(admin, world):
    db.session.delete(
        db.session.scalars(
            db.select(national_map.Observation).where(national_map.Observation.theme == "harcelement")
        ).first()
    )
    db.session.flush()
    db.session.expire_all()
    national_map.clear_cache()
    db.session.delete(
        db.session.scalars(
            db.select(national_map.Observation).where(national_map.Observation.theme == "harcelement")
        ).first()
    )
    db.session.flush()
    assert _get(admin, bbox=AMIENS, zoom=16).json["sensitive"] == []


def test_filters_by_theme_and_project(admin, world):
    slug = world["south"].project.slug
    by_project = _get(admin, bbox=FRANCE, zoom=6, project=slug).json["cells"]
    assert [c[2] for c in by_project] == [None]
    by_theme = _get(admin, bbox=FRANCE, zoom=6, theme="harcelement").json["cells"]
    assert [c[2] for c in by_theme] == [4]
    assert _get(admin, bbox=AMIENS, zoom=16, project=slug).json["points"] == []
    assert len(_get(admin, bbox=AMIENS, zoom=16, project=world["amiens"].project.slug).json["points"]) == 5
    sensitive_points = _get(admin, bbox=AMIENS, zoom=16, theme="harcelement").json
    assert sensitive_points["points"] == []
    assert _get(admin, bbox=FRANCE, zoom=6, project="nulle-part").status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": FRANCE}, "zoom"),
        ({"bbox": FRANCE, "zoom": "six"}, "zoom"),
        ({"bbox": FRANCE, "zoom": "-1"}, "zoom"),
        ({"bbox": FRANCE, "zoom": "25"}, "zoom"),
        ({"zoom": "6"}, "bbox"),
        ({"bbox": "1,2,3", "zoom": "6"}, "bbox"),
        ({"bbox": "a,b,c,d", "zoom": "6"}, "bbox"),
        ({"bbox": "nan,41,9,51", "zoom": "6"}, "bbox"),
        ({"bbox": "9,41,-5,51", "zoom": "6"}, "bbox"),
        ({"bbox": "-5,41,9,95", "zoom": "6"}, "bbox"),
        ({"bbox": "-180,-85,180,85", "zoom": "12"}, "bbox"),
        ({"bbox": FRANCE, "zoom": "6", "theme": "<script>"}, "theme"),
    ],
)
def test_bad_parameters_get_a_structured_400(admin, params, field):
    response = _get(admin, **params)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.json["error"] == "invalid"
    assert response.json["details"] == {"field": field}
    assert response.json["message"]


def test_only_administrators_get_the_cells(client, world):
    assert _get(client, bbox=FRANCE, zoom=6).status_code == 401
    login(client, FACILITATOR)
    response = _get(client, bbox=FRANCE, zoom=6)
    assert response.status_code == 403
    assert response.json["error"] == "forbidden"


def test_one_group_by_per_fresh_answer_then_one_statement_from_the_cache(admin):
    _get(admin, bbox="0,45,1,46", zoom=8)  # the session's user is loaded and kept warm
    with statements() as cold:
        assert _get(admin, bbox=FRANCE, zoom=6).status_code == 200
    grouped = [s for s in cold if "GROUP BY" in s.upper()]
    assert len(grouped) == 1, cold
    # At the national zoom the stored cells are added up: not one observation row is read.
    assert "FROM observation_cells" in grouped[0]
    assert [s for s in cold if re.search(r"\bobservations\b", s)] == []
    with statements() as warm:
        assert _get(admin, bbox=FRANCE, zoom=6).status_code == 200
    mine = [s for s in warm if "data_versions" in s or "observations_version_seq" in s]
    assert len(mine) == 1
    assert not [s for s in warm if re.search(r"\bobservations\b", s)]
    assert len(warm) <= len(cold) - 2


def test_a_change_of_the_data_version_refreshes_the_cached_cells(admin, world):
    before = _get(admin, bbox=FRANCE, zoom=6).json
    version = national_map.data_version()
    assert before["version"] == version
    # Validating a pending observation (an UPDATE of moderation_status) bumps the stamp...
    pending = db.session.scalars(
        db.select(national_map.Observation).where(
            national_map.Observation.moderation_status == "pending",
            national_map.Observation.walk_id == world["amiens"].id,
        )
    ).one()
    pending.moderation_status = "validated"
    db.session.flush()
    assert national_map.data_version() > version
    after = _get(admin, bbox=FRANCE, zoom=6).json
    assert sorted(c[2] for c in after["cells"] if c[2] is not None) == [10]
    # ... and so does a new observation; a zone change alone does not (bulk re-assignment stays cheap).
    moved = national_map.data_version()
    pending.zone_id = None
    pending.out_of_area = True
    db.session.flush()
    assert national_map.data_version() == moved
    ObservationFactory(walk=world["south"], moderation_status="validated", lon=5.371, lat=43.301)
    db.session.flush()
    assert national_map.data_version() > moved
    cells = _get(admin, bbox=FRANCE, zoom=6).json["cells"]
    assert sorted(c[2] for c in cells if c[2] is not None) == [3, 10]
    # Deleting a validated observation takes it out of its cell.
    db.session.delete(pending)
    db.session.flush()
    cells = _get(admin, bbox=FRANCE, zoom=6).json["cells"]
    assert sorted(c[2] for c in cells if c[2] is not None) == [3, 9]


def test_observations_the_map_cannot_show_leave_its_stamp_alone(admin, world):
    """Phones send observations pending until moderated: receiving one, correcting its theme or place,
    moving it to another walk or deleting it changes nothing the national map shows, so the stamp (and
    with it every process's cached map) stays. Hiding a validated one, or validating one, moves it."""
    first = _get(admin, bbox=FRANCE, zoom=6).json
    version = national_map.data_version()
    received = ObservationFactory(walk=world["amiens"], moderation_status="pending", lon=2.2961, lat=49.8952)
    db.session.flush()
    assert national_map.data_version() == version
    received.theme = "proprete"
    received.location = from_shape(Point(2.2971, 49.8957), srid=4326)
    received.walk_id = world["south"].id
    db.session.flush()
    assert national_map.data_version() == version
    db.session.delete(received)
    db.session.flush()
    assert national_map.data_version() == version
    assert _get(admin, bbox=FRANCE, zoom=6).json == first
    shown = db.session.scalars(
        db.select(national_map.Observation).where(
            national_map.Observation.moderation_status == "validated",
            national_map.Observation.walk_id == world["south"].id,
        )
    ).first()
    assert shown is not None
    shown.moderation_status = "hidden"
    db.session.flush()
    hidden = national_map.data_version()
    assert hidden > version
    assert _get(admin, bbox=FRANCE, zoom=6).json["version"] == hidden
    shown.moderation_status = "validated"
    db.session.flush()
    assert national_map.data_version() > hidden


def test_the_page_is_french_and_names_its_data(admin):
    response = admin.get(url("administration.national_map_page"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Carte nationale" in html
    assert url("administration.national_map_cells") in html
    assert "vendor/leaflet/dist/leaflet.js" in html
    assert "https://" not in html.replace('data-tiles="https://', "")
