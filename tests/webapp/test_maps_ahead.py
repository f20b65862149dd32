"""The project maps ahead (issue 13): statements, bytes and what pages hold — never a time.

- Beyond the cluster threshold the map's cells are counted by the database in one ``GROUP BY``,
  and no statement of the page fetches the observations' coordinates one by one.
- Point rows are compact (no popup HTML, no text): a 10,000-observation project page stays small;
  a point's popup comes from its own JSON endpoint, for the team only.
- Charts are images of their own, with an ETag and a long cache for a URL keyed on what they draw.
- No map page (the team's included) holds a sensitive report's place with more than
  ``map_style.SENSITIVE_DECIMALS`` decimals; the moderation queue is the one page that does (the
  team corrects places there), and it is the control that the search finds them.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from geoalchemy2 import WKTElement

from geodata import map_style
from tests.webapp.factories_debrief import build_world
from tests.webapp.support import login, map_rows, statements, url
from tests.webapp.test_partners import fresh_client
from tests.webapp.test_partners_privacy import SEEDS, seeded  # noqa: F401  (a fixture)
from webapp.extensions import db
from webapp.models import Observation
from webapp.services import map_data, observation_filter

#: The 10,000-observation project page stays under this (it was 4.65 MB with a popup per point).
PAGE_10K_MAX = 700_000


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def _bulk_observations(world, n: int, seed: int = 7) -> None:  # type: ignore[no-untyped-def]
    """``n`` validated observations of the world's day walk, spread over its neighbourhood (Core insert)."""
    rng = random.Random(seed)
    themes = ["eclairage", "proprete", "lieux_qui_fonctionnent", "harcelement"]
    start = datetime(2026, 3, 1, 18, tzinfo=UTC)
    db.session.execute(
        sa.insert(Observation),
        [
            {
                "client_uuid": uuid.uuid4(),
                "walk_id": world.day.id,
                "location": WKTElement(
                    f"POINT({rng.uniform(2.28, 2.31)} {rng.uniform(49.89, 49.91)})", srid=4326
                ),
                "location_source": "gps",
                "out_of_area": False,
                "theme": themes[i % len(themes)],
                "polarity": ("negative", "positive", "neutral")[i % 3],
                "feeling": 1 + i % 5,
                "note": f"Une observation de test assez longue, numéro {i}, pour la taille de page.",
                "proposal": f"Proposition {i}",
                "answers": {},
                "form_key": "marche_exploratoire",
                "form_version": 1,
                "moderation_status": "validated",
                "payload_hash": "",
                "captured_at": start,
                "received_at": start,
                "updated_at": start,
            }
            for i in range(n)
        ],
    )
    db.session.flush()


def test_cells_are_counted_by_the_database_in_one_group_by(app, world):
    f = observation_filter.ObservationFilter(project_id=world.project.id)
    with statements() as sql:
        cells = map_data.cell_rows(f, ["eclairage"], lat0=49.9)
    assert len(sql) == 1 and "GROUP BY" in sql[0].upper()
    assert sum(row[3] for row in cells.rows) == cells.total == observation_filter.count(f)
    # Every cell's centre is on the grid, not a point's place.
    for ix, iy, *_ in cells.rows:
        assert isinstance(ix, int) and isinstance(iy, int)


def test_beyond_the_cluster_threshold_no_statement_fetches_the_points(app, client, world, monkeypatch):
    monkeypatch.setattr(map_style, "MARKERS_UP_TO", 1)
    monkeypatch.setattr(map_style, "CLUSTER_UP_TO", 2)
    with statements() as sql:
        html = client.get(url("facilitators.project_page", slug=world.project.slug)).get_data(as_text=True)
    assert "agrégées par carreaux" in html
    coordinates = [s for s in sql if re.search(r"ST_X\(|ST_AsBinary\(observations\.location", s)]
    assert coordinates and all("GROUP BY" in s.upper() for s in coordinates), coordinates
    assert map_rows(html)  # the cells' rows


def test_a_10k_project_page_is_compact_and_carries_no_popup_text(app, client, world):
    _bulk_observations(world, 10_000)
    html = client.get(url("facilitators.project_page", slug=world.project.slug)).get_data(as_text=True)
    assert len(html.encode()) < PAGE_10K_MAX, len(html.encode())
    rows = map_rows(html)
    assert len(rows) >= 10_000
    # Popups are fetched on click: the notes in the page are the summary's few quotes only.
    assert html.count("Une observation de test assez longue") <= 3 * 4
    assert "obs-popup\\u003e" not in html and '<div class=\\"obs-popup' not in html
    assert html.count("L.markerClusterGroup(") == 1  # one cluster layer, whatever the themes
    assert "<svg" not in html  # charts are images of their own
    # Coordinates rounded to what is shown.
    assert all(len(str(row[0]).split(".")[-1]) <= map_style.POINT_DECIMALS for row in rows)


def test_a_popup_comes_from_its_own_endpoint_for_the_team_only(app, client, world):
    obs = world.observations[0]
    path = url("facilitators.map_popup", slug=world.project.slug, observation_id=obs.id)
    data = client.get(path).get_json()
    walk_title, walk_date, feeling, note, _proposal, _photo, moderation_link, obs_id = data["d"]
    assert (walk_title, note, obs_id) == (world.day.title, obs.note, obs.id)
    assert walk_date == world.day.walk_date.strftime("%d/%m/%Y") and feeling == obs.feeling
    assert f"#obs-{obs.id}" in moderation_link
    other = build_world(facilitator_email="autre@example.org")
    stranger = url("facilitators.map_popup", slug=world.project.slug, observation_id=other.observations[0].id)
    assert client.get(stranger).status_code == 404
    partner = fresh_client(app, "autre@example.org")
    assert partner.get(path).status_code in (302, 403, 404)


def test_charts_are_cached_images_keyed_on_what_they_draw(app, client, world):
    html = client.get(url("facilitators.project_page", slug=world.project.slug)).get_data(as_text=True)
    srcs = [s.replace("&amp;", "&") for s in re.findall(r'<img src="([^"]+/graphiques/[^"]+)"', html)]
    assert srcs and all("v=" in s for s in srcs)
    response = client.get(srcs[0])
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "<svg" in response.get_data(as_text=True)
    assert "immutable" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(srcs[0], headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    # New numbers, new key: the page links to another URL.
    obs = world.observations[0]
    obs.polarity = "positive" if obs.polarity == "negative" else "negative"
    db.session.flush()
    html = client.get(url("facilitators.project_page", slug=world.project.slug)).get_data(as_text=True)
    assert srcs[0] not in html.replace("&amp;", "&")


# --- no sensitive place with more decimals than allowed, on any map page ----------------------------

#: Roundings at which no seeded sensitive place may appear (more than SENSITIVE_DECIMALS).
DIGITS = tuple(range(6, map_style.SENSITIVE_DECIMALS, -1))
_NUMBER = re.compile(r"-?\d+\.\d+")


def _precise_places(text: str) -> list[tuple[float, float, int]]:
    """Seeded sensitive places (6 decimals) found in ``text`` at a rounding finer than allowed."""
    numbers = [float(x) for x in _NUMBER.findall(text)]
    found = []
    pairs = set(zip(numbers, numbers[1:], strict=False))
    for lon, lat in SEEDS["validated"] + SEEDS["pending"] + SEEDS["hidden"]:
        for n in DIGITS:
            target = (round(lon, n), round(lat, n))
            if any(
                (round(a, n), round(b, n)) in (target, target[::-1])
                and (len(repr(a).split(".")[-1]) > map_style.SENSITIVE_DECIMALS)
                for a, b in pairs
            ):
                found.append((lon, lat, n))
                break
    return found


def _map_pages(seeded) -> list[str]:  # type: ignore[no-untyped-def]  # noqa: F811
    slug, walk = seeded.slug, seeded.walk.id
    return [
        url("facilitators.project_page", slug=slug),
        url("facilitators.project_page", slug=slug, moderation="all"),
        url("facilitators.project_page", slug=slug, theme=seeded.theme, moderation="all"),
        url("facilitators.walk_page", slug=slug, walk_id=walk, moderation="all"),
        url("facilitators.debrief", slug=slug, walk_id=walk),
        url("facilitators.debrief", slug=slug, walk_id=walk, preparation="1"),
        url("partners.project_page", slug=slug),
        url("public.project_map", slug=slug),
        url("public.project_map_embed", slug=slug),
    ]


@pytest.mark.parametrize("size", ["markers", "clusters", "cells"])
def test_no_map_page_holds_a_sensitive_place_finer_than_allowed(app, seeded, monkeypatch, size):  # noqa: F811
    if size == "clusters":
        monkeypatch.setattr(map_style, "MARKERS_UP_TO", 2)
    if size == "cells":
        monkeypatch.setattr(map_style, "MARKERS_UP_TO", 1)
        monkeypatch.setattr(map_style, "CLUSTER_UP_TO", 2)
    staff = fresh_client(app, "anim@example.org")
    for path in _map_pages(seeded):
        response = staff.get(path)
        assert response.status_code == 200, path
        assert _precise_places(response.get_data(as_text=True)) == [], path
    # Nor the popup's JSON (which has no coordinates at all).
    ids = db.session.scalars(sa.select(Observation.id).where(Observation.theme == seeded.theme)).all()
    for obs_id in ids:
        body = staff.get(url("facilitators.map_popup", slug=seeded.slug, observation_id=obs_id))
        assert _precise_places(body.get_data(as_text=True)) == []


def test_the_moderation_queue_is_the_control_where_the_team_sees_exact_places(app, seeded):  # noqa: F811
    staff = fresh_client(app, "anim@example.org")
    html = staff.get(
        url("facilitators.moderation_queue", slug=seeded.slug, walk_id=seeded.walk.id, status="all")
    ).get_data(as_text=True)
    assert {(lon, lat) for lon, lat, _ in _precise_places(html)} >= set(SEEDS["validated"])


# --- the rendered map kept per data stamp ----------------------------------------------------------

#: What a statement reading the map's observations, zone counts or heat lattice looks like.
_MAP_READS = re.compile(r"ST_X\(|ST_Y\(|AsBinary\(observations\.location|observations\.zone_id, count", re.I)


def _nonce(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


def test_a_repeat_visit_reads_no_observation_for_the_map(app, client, world):
    page = url("facilitators.project_page", slug=world.project.slug)
    with statements() as first:
        before = client.get(page).get_data(as_text=True)
    assert [s for s in first if _MAP_READS.search(s)]  # the control: the first visit reads them
    with statements() as again:
        after = client.get(page).get_data(as_text=True)
    assert [s for s in again if _MAP_READS.search(s)] == []
    assert len(again) <= len(first) - 4, (len(first), len(again))
    assert map_rows(after) == map_rows(before)
    # Another filter is another map.
    with statements() as other:
        client.get(url("facilitators.project_page", slug=world.project.slug, polarity="negative"))
    assert [s for s in other if _MAP_READS.search(s)]


def test_the_kept_map_follows_data_and_titles_and_gets_each_response_nonce(app, client, world):
    page = url("facilitators.project_page", slug=world.project.slug)
    first = client.get(page)
    rows = map_rows(first.get_data(as_text=True))
    # Each response's own nonce on the map's script tags (a kept nonce would break the CSP).
    second = client.get(page)
    html = second.get_data(as_text=True)
    assert _nonce(first) != _nonce(second)
    leaflet = url("static", filename="vendor/leaflet/dist/leaflet.js")
    assert f'nonce="{_nonce(second)}" src="{leaflet}"' in html
    assert _nonce(first) not in html
    # Moderation (the data stamp) changes the points.
    shown = next(o for o in world.observations if o.moderation_status == "validated")
    shown.moderation_status = "hidden"
    db.session.flush()
    assert len(map_rows(client.get(page).get_data(as_text=True))) == len(rows) - 1
    # A walk's title (its route's tooltip) is not counted by the data stamp: the map follows it too.
    world.day.title = "Marche renommée"
    db.session.flush()
    html = client.get(page).get_data(as_text=True)
    assert "Marche renommée" in html[html.index("L.map(") :]


#: A statement converting walks' routes (GeoAlchemy2 reads a geometry column through AsEWKB).
_ROUTE_READS = re.compile(r"AsEWKB\(walks\.route\)", re.I)


def test_a_repeat_visit_converts_no_route_and_the_kept_map_follows_a_moved_one(app, client, world):
    """A route drawn in the field has hundreds of points, which SpatiaLite converts at about 0.2 ms a
    route: the page reads routes as stored for the kept map's key, and converts them only to draw a
    new map (every walk's in one statement)."""
    from geoalchemy2.shape import from_shape
    from shapely.geometry import LineString

    page = url("facilitators.project_page", slug=world.project.slug)
    with statements() as first:
        client.get(page)
    assert len([s for s in first if _ROUTE_READS.search(s)]) == 1, first  # drawing: one statement
    with statements() as again:
        client.get(page)
    assert [s for s in again if _ROUTE_READS.search(s)] == []
    assert [s for s in again if re.search(r"AsEWKB\(zones\.area\)", s, re.I)] == []  # filter labels
    # A route moved (no observation changed, so the data stamp did not): the map follows it.
    world.day.route = from_shape(LineString([(2.3111, 49.8811), (2.3222, 49.8822)]), srid=4326)
    db.session.flush()
    html = client.get(page).get_data(as_text=True)
    drawn = html[html.index("L.map(") :]
    assert "2.3111" in drawn and "49.8822" in drawn


def test_nothing_below_the_map_competes_with_its_first_frame(app, client, world):
    """Charts load and decode when they near the screen; the summary and recommendations below the map
    wait for its first frame (``.waits-for-map``: ``content-visibility: hidden``, removed by the page's
    script; shown at once without JavaScript), then render part by part as they near the screen."""
    html = client.get(url("facilitators.project_page", slug=world.project.slug)).get_data(as_text=True)
    charts = re.findall(r"<img [^>]*/graphiques/[^>]*>", html)
    assert charts and all('loading="lazy"' in c and 'decoding="async"' in c for c in charts), charts
    at = html.index('id="project-map"')
    assert html[at:].count('class="below-map waits-for-map"') == 2
    assert "waits-for-map" not in html[html.index("<body") : at]
    assert "<noscript><style>.waits-for-map { content-visibility: visible; }</style></noscript>" in html
    with open(f"{app.static_folder}/css/staff.css", encoding="utf-8") as fh:
        css = fh.read()
    assert ".below-map { content-visibility: auto;" in css
    assert ".below-map :is(.table-scroll, .two-cols, .quotes, .recos) { content-visibility: auto;" in css
    assert ".waits-for-map { content-visibility: hidden; }" in css
