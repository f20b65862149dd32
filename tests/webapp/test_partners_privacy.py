"""Privacy of sensitive reports on partner pages and public pages, on both databases.

Every test runs twice: with street-harassment reports of the default grid (whose version 2 marks the
theme ``sensitive``), and with reports of a theme marked ``sensitive: true`` in a form imported from an
XLSForm workbook (« Insécurité »): the forms' flag decides, never a theme key. The reports are seeded
at known exact coordinates: four in one 200 m cell (shown, as a count),
two in another and one alone in a third (hidden), and three pending and three hidden ones in cells of
their own (never counted). Every page a partner or the public can open must contain none of the
exact places, at several roundings, nor any cell with fewer than three validated reports; the
facilitators' page, which shows exact points to the team, is the control that the search finds them.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from geodata.crs import METRIC_SRID, transformer
from geodata.privacy import DEFAULT_CELL_M, aggregate, cell_id, cell_of
from tests.webapp.factories_debrief import ROWS
from tests.webapp.support import url
from tests.webapp.test_partners import PartnerWorld, build_partner_world, fresh_client
from tests.xlsform_builder import write_neighbourhood_workbook
from webapp.extensions import db
from webapp.models import Observation, Recommendation, Walk
from webapp.services import debriefs, forms, observations, walks

#: The sensitive theme of the default grid, which the debrief world's own reports use.
THEME = "harcelement"
#: Cells by their south-west corner in Lambert-93 (200 m): where the seeded reports go.
DENSE, PAIR, ALONE, PENDING, HIDDEN = (
    (649000, 6978400),
    (649400, 6978000),
    (648600, 6977600),
    (649800, 6978800),
    (648800, 6979000),
)
#: Offsets (metres) inside a cell, each at least 30 m from the cell's corners and centre.
OFFSETS = [(37, 143), (161, 47), (143, 161), (53, 41)]
#: Roundings at which no exact place may appear.
DIGITS = (6, 5, 4)


def _lonlat(corner: tuple[int, int], offset: tuple[int, int]) -> tuple[float, float]:
    lon, lat = transformer(METRIC_SRID, 4326).transform(corner[0] + offset[0], corner[1] + offset[1])
    return round(lon, 6), round(lat, 6)


SEEDS = {
    "validated": [_lonlat(DENSE, o) for o in OFFSETS]
    + [_lonlat(PAIR, o) for o in OFFSETS[:2]]
    + [_lonlat(ALONE, OFFSETS[2])],
    "pending": [_lonlat(PENDING, o) for o in OFFSETS[:3]],
    "hidden": [_lonlat(HIDDEN, o) for o in OFFSETS[:3]],
}
#: The debrief world's own validated harassment reports (one each in two cells: hidden too).
WORLD_REPORTS = [(r[6], r[7]) for r in ROWS if r[3] == THEME and r[8] == "validated"]
EXACT = SEEDS["validated"] + SEEDS["pending"] + SEEDS["hidden"] + WORLD_REPORTS
SHOWN_CELLS = aggregate(SEEDS["validated"] + WORLD_REPORTS)


def test_the_seeds_are_where_the_test_says():
    assert [(c.cell.x0, c.cell.y0, c.count) for c in SHOWN_CELLS] == [(*DENSE, 4)]
    for name, corner in (("pair", PAIR), ("alone", ALONE), ("pending", PENDING), ("hidden", HIDDEN)):
        assert all(cell_of(*p) == cell_of(*_lonlat(corner, (100, 100))) for p in SEEDS.get(name, [])), name


@dataclass
class Seeded:
    """The partner world with sensitive reports seeded in one of its walks."""

    pw: PartnerWorld
    #: the sensitive theme of the seeded reports
    theme: str
    #: the walk they were made on
    walk: Walk

    @property
    def slug(self) -> str:
        return self.pw.slug

    @property
    def world(self):  # type: ignore[no-untyped-def]
        return self.pw.world


def _imported_walk(pw: PartnerWorld, tmp_path: Path) -> Walk:
    """A night walk of the project using a form imported from a workbook, with its own sensitive theme."""
    form = forms.install_xlsform(write_neighbourhood_workbook(tmp_path / "diagnostic.xlsx")).form
    assert forms.parsed(form).sensitive_themes == {"insecurite"}
    return walks.create_walk(
        pw.world.project,
        title="Marche du soir (grille du quartier)",
        walk_date=date(2026, 3, 20),
        time_slot="night",
        form_key=form.key,
        form_version=form.version,
    )


@pytest.fixture(params=["default_grid", "imported_form"])
def seeded(app, request, tmp_path) -> Seeded:  # type: ignore[no-untyped-def]
    pw = build_partner_world()
    pw.world.project.public_map = True
    pw.world.project.public_followup = True
    if request.param == "default_grid":
        walk, theme = pw.world.night, THEME
    else:
        walk, theme = _imported_walk(pw, tmp_path), "insecurite"
    ids = []
    for status, points in SEEDS.items():
        for i, (lon, lat) in enumerate(points):
            obs = observations.record_observation(
                walk,
                client_uuid=uuid.uuid4(),
                lon=lon,
                lat=lat,
                theme=theme,
                polarity="negative",
                form_key=walk.form_key,
                form_version=walk.form_version,
                feeling=1,
                note=f"Secret {status} {i}",
                proposal=f"Idée {status} {i}",
                moderation_status=status,
                captured_at=datetime(2026, 3, 20, 21, 17, 43, tzinfo=UTC),
            )
            ids.append(obs.id)
    db.session.commit()
    debriefs.create_recommendation(
        pw.world.project,
        pw.world.facilitator,
        observation_ids=ids[:5],
        title="Sécuriser le passage",
        organisation_id=pw.org_a.id,
    )
    return Seeded(pw, theme, walk)


def _pages(seeded: Seeded) -> list[str]:
    rec = db.session.scalar(select(Recommendation).where(Recommendation.title == "Sécuriser le passage"))
    slug, pw, theme = seeded.slug, seeded.pw, seeded.theme
    return [
        url("partners.project_page", slug=slug),
        url("partners.project_page", slug=slug, theme=theme),
        url("partners.project_page", slug=slug, walk_id=seeded.walk.id),
        url("partners.project_page", slug=slug, zone_id=pw.world.north.id, time_slot="night"),
        url("partners.recommendations", slug=slug),
        url("partners.recommendation", slug=slug, recommendation_id=rec.id),
        url("partners.scorecards", slug=slug),
        url("public.project_map", slug=slug),
        url("public.project_map", slug=slug, theme=theme),
        url("public.project_map_embed", slug=slug),
        url("public.followup", slug=slug),
    ]


_PAIR = re.compile(r"\[\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)")
_NUMBER = re.compile(r"-?\d+\.\d+")


def exact_places_in(html: str) -> list[tuple[tuple[float, float], int]]:
    """Exact harassment places found in ``html`` as coordinate pairs (either order), with the rounding."""
    pairs = [(float(a), float(b)) for a, b in _PAIR.findall(html)]
    found = []
    for lon, lat in EXACT:
        for n in DIGITS:
            target = (round(lon, n), round(lat, n))
            for a, b in pairs:
                if (round(a, n), round(b, n)) in (target, target[::-1]):
                    found.append(((lon, lat), n))
                    break
    return found


def seeded_numbers_in(html: str) -> list[str]:
    """Single coordinates of the seeded reports (distinctive values) found anywhere in ``html``."""
    numbers = set(_NUMBER.findall(html))
    out = []
    for lon, lat in SEEDS["validated"] + SEEDS["pending"] + SEEDS["hidden"]:
        for value in (lon, lat):
            for n in (6, 5):
                text = f"{value:.{n}f}"
                if any(num.startswith(text) and len(num) <= len(text) + 1 for num in numbers):
                    out.append(text)
    return out


def map_layers(html: str) -> list[dict]:
    """Every GeoJSON layer the page's map script draws (its data, as the browser gets it)."""
    decoder = json.JSONDecoder()
    layers = []
    for match in re.finditer(r"L\.geoJSON\(", html):
        data, _ = decoder.raw_decode(html, match.end())
        layers.append(data)
    return layers


def test_no_partner_or_public_page_reveals_an_exact_harassment_place(app, client, seeded):
    partner = fresh_client(app, "partenaire-a@example.org")
    for path in _pages(seeded):
        viewer = client if path.startswith("/p/") else partner
        response = viewer.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert exact_places_in(html) == [], path
        assert seeded_numbers_in(html) == [], path
        # Nor the text, nor the exact time of any report.
        assert "Secret" not in html and "Idée" not in html, path
        assert "21:17" not in html and "21h17" not in html and "T21:17" not in html, path


def test_maps_show_only_cells_of_three_validated_reports_or_more(app, client, seeded):
    partner = fresh_client(app, "partenaire-a@example.org")
    sparse = [cell_of(*_lonlat(c, (100, 100))) for c in (PAIR, ALONE, PENDING, HIDDEN)]
    sparse += [cell_of(*p) for p in WORLD_REPORTS]
    for path in _pages(seeded):
        if "/carte" not in path and path.split("?")[0] != url("partners.project_page", slug=seeded.slug):
            continue  # pages without a map
        viewer = client if path.startswith("/p/") else partner
        html = viewer.get(path).get_data(as_text=True)
        cells = [
            f
            for layer in map_layers(html)
            for f in layer["features"]
            if f["properties"].get("cell") is not None
        ]
        shown = {f["properties"]["cell"]: f["properties"]["count"] for f in cells}
        assert shown == {cell_id(c.cell): c.count for c in SHOWN_CELLS}, path
        assert all(count >= 3 for count in shown.values())
        for cell in sparse:
            assert cell_id(cell) not in html, path
        # Every position drawn for a cell is one of its corners: nothing of the points inside.
        for feature in cells:
            (ring,) = feature["geometry"]["coordinates"]
            corners = {(round(x, 6), round(y, 6)) for x, y in SHOWN_CELLS[0].cell.polygon().exterior.coords}
            assert {tuple(p) for p in ring} <= corners
        # No heatmap or marker built from harassment points.
        assert "HeatMap" not in html and "heatLayer" not in html


def test_the_counts_per_zone_hide_small_numbers(app, seeded):
    partner = fresh_client(app, "partenaire-a@example.org")
    html = partner.get(url("partners.project_page", slug=seeded.slug)).get_data(as_text=True)
    table = re.search(r"<caption>Signalements par zone</caption>.*?</table>", html, re.S).group(0)
    counts = re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', table)
    assert counts and all(v == "non détaillé" or int(v) >= 3 for _, v in counts)
    sensitive = {THEME, seeded.theme}  # the world's own harassment reports, and the seeded ones
    total = db.session.scalar(
        select(func.count(Observation.id)).where(
            Observation.theme.in_(sorted(sensitive)), Observation.moderation_status == "validated"
        )
    )
    assert f"<strong>{total}</strong> signalements validés" in html


def test_the_control_page_for_the_team_does_show_exact_places(app, seeded):
    """The search above is able to find exact places: the moderation queue (where the team corrects
    places; every map rounds them) has them."""
    staff = fresh_client(app, "anim@example.org")
    html = staff.get(
        url("facilitators.moderation_queue", slug=seeded.slug, walk_id=seeded.walk.id, status="all")
    ).get_data(as_text=True)
    # The cards carry each place for the drag-move (data-lon, data-lat): as pairs, the search finds them.
    cards = re.findall(r'data-lon="([^"]+)" data-lat="([^"]+)"', html)
    found = {place for place, _ in exact_places_in(" ".join(f"[{lon}, {lat}]" for lon, lat in cards))}
    assert set(SEEDS["validated"]) <= found
    assert seeded_numbers_in(html)


def test_cells_ignore_filters_so_two_views_cannot_be_subtracted(app, seeded):
    partner = fresh_client(app, "partenaire-a@example.org")

    def cells(path: str) -> dict[str, int]:
        html = partner.get(path).get_data(as_text=True)
        return {
            f["properties"]["cell"]: f["properties"]["count"]
            for layer in map_layers(html)
            for f in layer["features"]
            if f["properties"].get("cell")
        }

    everything = cells(url("partners.project_page", slug=seeded.slug))
    assert everything == cells(url("partners.project_page", slug=seeded.slug, walk_id=seeded.world.day.id))
    assert everything == cells(url("partners.project_page", slug=seeded.slug, time_slot="day"))
    # A filter on another theme shows no cell at all.
    assert cells(url("partners.project_page", slug=seeded.slug, theme="eclairage")) == {}
    assert DEFAULT_CELL_M == 200
