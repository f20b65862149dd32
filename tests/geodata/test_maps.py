"""folium builders: no outside host, escaped text, layer type by size, data visible without tiles."""

from __future__ import annotations

import re

import pytest

from geodata import map_style, maps, static_map
from geodata.assets import find_external_urls, render_map_parts

THEMES = [
    map_style.ThemeStyle("eclairage", "Éclairage", "#8D5B00"),
    map_style.ThemeStyle("harcelement", "Harcèlement", "#C62828", sensitive=True),
]
EVIL = '</script><img src=x onerror="alert(1)">'


def _points(n: int, theme: str = "eclairage") -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [2.29 + (i % 100) * 1e-4, 49.89 + (i // 100) * 1e-4],
                },
                "properties": {
                    "id": i,
                    "theme": theme if i % 3 else "harcelement",
                    "polarity": ("negative", "positive", "neutral")[i % 3],
                    "note": EVIL,
                    "proposal": "p & q",
                    "feeling": 2,
                },
            }
            for i in range(n)
        ],
    }


ZONES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Nord <b>", "count": 4, "negative_share": 50},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[2.28, 49.88], [2.31, 49.88], [2.31, 49.91], [2.28, 49.88]]],
            },
        }
    ],
}
ROUTE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"title": "Marche"},
            "geometry": {"type": "LineString", "coordinates": [[2.29, 49.89], [2.30, 49.90]]},
        }
    ],
}
STOPS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"position": 1, "name": "Départ"},
            "geometry": {"type": "Point", "coordinates": [2.29, 49.89]},
        }
    ],
}


def _render(fmap) -> str:  # type: ignore[no-untyped-def]
    parts = render_map_parts(fmap, "/static/vendor/", "NONCE")
    return maps.tidy_header(parts.header) + parts.html + "<script>" + parts.script + "</script>"


@pytest.mark.parametrize("tiles", ["osm", "ign", "none", "unknown"])
@pytest.mark.parametrize("n", [5, 1500])
def test_maps_reference_no_outside_host(tiles, n):
    for fmap in (
        maps.build_walk_map(
            observations=_points(n), themes=THEMES, route=ROUTE, stops=STOPS, zones=ZONES, tiles=tiles
        ),
        maps.build_project_map(
            observations=_points(n), themes=THEMES, routes=ROUTE, zones=ZONES, tiles=tiles
        ),
    ):
        page = _render(fmap)
        assert find_external_urls(page) == []
        assert "cdn" not in page.lower()


def test_participant_text_is_plain_data_and_cannot_close_the_script():
    page = _render(maps.build_walk_map(observations=_points(3), themes=THEMES, zones=ZONES, tiles="none"))
    assert EVIL not in page
    assert "</script><img" not in page
    # The note travels as a JSON string (tojson escapes "<", ">" and "&"); the browser puts it in the
    # popup with textContent, so no HTML of it is ever built.
    assert r"\u003c/script\u003e\u003cimg src=x onerror=\"alert(1)\"\u003e" in page
    assert "obs-popup" in page and "textContent" in page
    assert "Nord \\u0026lt;b\\u0026gt;" in page  # zone names are escaped HTML (tooltips)


def test_every_map_has_a_max_zoom_fullscreen_legend_and_layer_control():
    page = _render(
        maps.build_project_map(observations=_points(1500), themes=THEMES, zones=ZONES, tiles="none")
    )
    assert '"maxZoom": 19' in page
    assert "L.control.fullscreen" in page
    assert "map-legend" in page
    assert "L.control.layers" in page
    assert page.count("L.markerClusterGroup(") == 1  # 1,500 points: one cluster layer for all themes
    assert "HeatMap" in page or "heatLayer" in page


@pytest.mark.parametrize("build", ["walk", "project", "public"])
def test_the_legend_sets_the_final_view_before_any_data_layer_is_drawn(build):
    """The legend's ``fitBounds`` (clear of its box) runs before the layers are added, so the points are
    projected and drawn once, at the final view."""
    points = _points(50)
    if build == "walk":
        fmap = maps.build_walk_map(observations=points, themes=THEMES, route=ROUTE, zones=ZONES, tiles="none")
    elif build == "project":
        fmap = maps.build_project_map(
            observations=points, themes=THEMES, routes=ROUTE, zones=ZONES, tiles="none"
        )
    else:
        fmap = maps.build_public_map(
            observations=points, themes=THEMES, routes=ROUTE, zones=ZONES, tiles="none"
        )
    script = render_map_parts(fmap, "/static/vendor/").script
    legend_fit = script.index("paddingBottomRight: pad")
    first_layer = min(
        script.index(marker) for marker in ("L.geoJSON(", "L.circleMarker(") if marker in script
    )
    assert legend_fit < first_layer
    assert script.index("L.control.layers(") > script.index("L.circleMarker(")


def test_without_tiles_the_data_layers_are_still_drawn():
    page = _render(
        maps.build_walk_map(
            observations=_points(5), themes=THEMES, route=ROUTE, stops=STOPS, zones=ZONES, tiles="none"
        )
    )
    assert "L.tileLayer" not in page
    assert page.count("L.geoJSON(") == 4  # zones, their names, route, stops
    assert page.count("L.circleMarker([r[1], r[0]]") == 1  # the observations: one layer


@pytest.mark.parametrize(
    ("n", "kind"),
    [(0, "markers"), (1000, "markers"), (1001, "clusters"), (20000, "clusters"), (20001, "cells")],
)
def test_layer_type_is_chosen_by_size(n, kind):
    assert map_style.point_layer_kind(n) == kind


def test_many_points_are_aggregated_into_cells_on_the_server():
    fc = _points(25000)
    page = _render(maps.build_project_map(observations=fc, themes=THEMES, tiles="none"))
    assert "Grouped observations" in page and "(25000)" in page
    cells = maps.cell_set(fc["features"], {t.key: t for t in THEMES})
    assert sum(row[3] for row in cells.rows) == 25000
    assert len({(row[0], row[1]) for row in cells.rows}) < 500
    assert len(page) < 100_000


def test_unknown_theme_gets_a_fallback_colour_and_its_key_as_label():
    page = _render(
        maps.build_walk_map(observations=_points(4, theme="ancien_theme"), themes=THEMES, tiles="none")
    )
    assert "ancien_theme" in page and map_style.FALLBACK_COLOR in page


def test_static_map_is_an_svg_without_any_request():
    svg = static_map.render_static_map(
        observations=_points(30), themes=THEMES, routes=ROUTE, zones=ZONES, stops=STOPS
    )
    assert "<svg" in svg
    assert find_external_urls(svg) == []


def test_header_keeps_page_zoom_and_layout():
    header = maps.tidy_header(
        render_map_parts(
            maps.build_walk_map(observations=_points(1), themes=THEMES), "/static/vendor/"
        ).header
    )
    assert "user-scalable=no" not in header
    assert "html, body" not in header
    assert "bootstrap" not in header and "jquery" not in header


@pytest.mark.parametrize("n", [10, 1500, 25000])
def test_map_script_is_valid_javascript(n, tmp_path):
    import shutil
    import subprocess

    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed")
    parts = render_map_parts(
        maps.build_project_map(
            observations=_points(n), themes=THEMES, routes=ROUTE, zones=ZONES, tiles="osm"
        ),
        "/static/vendor/",
    )
    script = tmp_path / "map.js"
    script.write_text(parts.script)
    result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[:2000]


def test_static_map_legend_names_every_kind_of_shape_and_sensitive_squares():
    from geodata.privacy import sensitive_cells_geojson

    cells = sensitive_cells_geojson([(2.2937, 49.8961), (2.2938, 49.8962), (2.2936, 49.8960)])
    svg = static_map.render_static_map(
        observations=_points(6),
        themes=THEMES,
        routes=ROUTE,
        zones=ZONES,
        stops=STOPS,
        sensitive_cells=cells,
        labels={"cells": "Carreaux sensibles"},
        for_pdf=True,  # text as text, to be read here
    )
    for text in ("Zones", "Route", "Stop", "Éclairage", "Problem", "Asset", "Carreaux sensibles"):
        assert f">{text}<" in svg, text
    assert ">3<" in svg  # the square's count


def test_the_static_map_writes_letters_as_outlines_for_browsers_and_as_text_for_a_pdf():
    """A browser shows the map as an image with whatever fonts its machine has: each letter comes as
    its outline. WeasyPrint has matplotlib's own font: there the text stays text (searchable, and
    drawn in half the time)."""
    drawn = {
        for_pdf: static_map.render_static_map(
            observations=_points(6), themes=THEMES, zones=ZONES, stops=STOPS, for_pdf=for_pdf
        )
        for for_pdf in (False, True)
    }
    assert "<text" not in drawn[False] and ">Zones<" not in drawn[False]
    assert ">Zones<" in drawn[True] and "DejaVu Sans" in drawn[True]
    # the setting is the call's own: a browser's map drawn after a PDF's still has outlines
    assert "<text" not in static_map.render_static_map(observations=_points(2), themes=THEMES)


def test_the_same_static_map_is_drawn_once_and_any_change_draws_it_again(monkeypatch):
    """A report opened again shows the same drawing without drawing it (nine tenths of the page's
    making); whatever changes what is drawn (a point, a style, a text, the target) draws anew."""
    drawings = []
    draw = static_map._draw

    def counted(**kwargs):  # type: ignore[no-untyped-def]
        drawings.append(kwargs)
        return draw(**kwargs)

    monkeypatch.setattr(static_map, "_draw", counted)
    monkeypatch.setattr(static_map, "_drawn", type(static_map._drawn)())

    def render(points=None, themes=THEMES, **kwargs):  # type: ignore[no-untyped-def]
        return static_map.render_static_map(
            observations=points or _points(30), themes=themes, zones=ZONES, stops=STOPS, **kwargs
        )

    first = render()
    assert render() == first and len(drawings) == 1
    moved = _points(30)
    moved["features"][4]["geometry"]["coordinates"][0] += 0.001
    restyled = [map_style.ThemeStyle(t.key, t.label, "#000000", t.sensitive) for t in THEMES]
    for changed in (
        lambda: render(moved),
        lambda: render(themes=restyled),
        lambda: render(labels={"stops": "Arrêt"}),
        lambda: render(for_pdf=True),
        lambda: render(width_in=6.0),
    ):
        before = len(drawings)
        changed()
        assert len(drawings) == before + 1
    assert render(moved) != first and len(drawings) == 6  # kept too


def test_observations_named_by_their_caller_are_read_only_to_be_drawn(monkeypatch):
    """A caller that can name its observations (a report: its project's data stamp) passes that name
    and a function that reads them: a drawing kept under that name needs neither the points nor their
    serialisation (a second per visit of a report of 100,000 observations)."""
    monkeypatch.setattr(static_map, "_drawn", type(static_map._drawn)())
    reads = []

    def read(n: int = 30):  # type: ignore[no-untyped-def]
        reads.append(n)
        return _points(n)

    def render(name: str, n: int = 30) -> str:
        return static_map.render_static_map(
            observations=lambda: read(n), observations_key=name, themes=THEMES, zones=ZONES
        )

    first = render("stamp-1")
    assert reads == [30]
    assert render("stamp-1") == first and reads == [30]  # kept: nothing read
    # another name (the data changed): read and drawn again
    assert render("stamp-2", 12) != first and reads == [30, 12]
    with pytest.raises(TypeError):
        static_map.render_static_map(observations=lambda: _points(3), themes=THEMES)


def test_many_observations_are_one_picture_in_the_static_map_and_the_rest_stays_vector(monkeypatch):
    """Beyond RASTER_ABOVE markers, the observations are one embedded picture at print resolution
    (a PDF reader draws each vector marker apart: 16 s for a report of 15,000 points); the zones,
    stops, their numbers and the legend stay vector. At or below it, each marker is its own shape."""
    import base64
    import io

    from PIL import Image

    monkeypatch.setattr(static_map, "_drawn", type(static_map._drawn)())
    monkeypatch.setattr(static_map, "RASTER_ABOVE", 60)

    def draw(n: int) -> str:
        return static_map.render_static_map(
            observations=_points(n), themes=THEMES, zones=ZONES, stops=STOPS, for_pdf=True
        )

    few, many = draw(60), draw(61)
    assert "<image" not in few
    assert few.count("<use") >= 60  # one per marker (and a few in the legend)
    assert many.count("<image") == 1
    assert many.count("<use") < 10  # the legend's markers only
    # everything else is drawn as before: the zone, the stop and its number, the legend's words
    for part in ("<path", ">1<", ">Zones<", ">Problem<"):
        assert part in many, part
    # the picture is at RASTER_DPI: its pixels against its size on the page (points, 72 per inch)
    tag = re.search(r"<image[^>]*>", many).group(0)  # type: ignore[union-attr]
    width_pt = float(re.search(r'width="([\d.]+)"', tag).group(1))  # type: ignore[union-attr]
    data = re.search(r'base64,([^"]+)"', tag).group(1)  # type: ignore[union-attr]
    pixels = Image.open(io.BytesIO(base64.b64decode(data))).width
    assert pixels / width_pt * 72 == pytest.approx(static_map.RASTER_DPI, rel=0.05)


def test_the_kept_static_maps_stay_within_their_bounds(monkeypatch):
    monkeypatch.setattr(static_map, "_drawn", type(static_map._drawn)())
    monkeypatch.setattr(static_map, "_draw", lambda **kwargs: "x" * 1000)
    monkeypatch.setattr(static_map, "_DRAWN_KEPT", 3)
    monkeypatch.setattr(static_map, "_DRAWN_BYTES", 2500)
    for width in (1.0, 2.0, 3.0, 4.0):
        static_map.render_static_map(observations=_points(1), themes=THEMES, width_in=width)
    assert len(static_map._drawn) == 2  # 3 would weigh 3,000 characters


def test_the_static_map_of_a_walk_leaves_out_the_names_of_zones_beyond_it():
    """A walk's kit draws the project's zones around the walk's route: a zone far beyond the view
    was clipped away but its name was written out there, and the figure stretched to hold it (the
    route shrank to a corner of the printed sheet)."""
    import re

    far = {
        "type": "Feature",
        "properties": {"name": "Lointaine"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[2.40, 49.80], [2.42, 49.80], [2.42, 49.82], [2.40, 49.80]]],
        },
    }
    zones = {"type": "FeatureCollection", "features": [*ZONES["features"], far]}

    def drawn(zones):  # type: ignore[no-untyped-def]
        svg = static_map.render_static_map(
            observations={"type": "FeatureCollection", "features": []},
            themes=[],
            routes=ROUTE,
            zones=zones,
            stops=STOPS,
            width_in=7.2,
            height_in=3.6,
            for_pdf=True,
        )
        size = re.search(r'<svg[^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg)
        assert size is not None
        return svg, float(size.group(1)), float(size.group(2))

    svg, width, height = drawn(zones)
    near_only, near_width, near_height = drawn(ZONES)
    assert "Lointaine" not in svg and "Nord &lt;b&gt;" in svg
    assert (width, height) == (near_width, near_height)
    assert width <= 7.2 * 72 and height <= 3.6 * 72 + 40  # the sheet's size, its legend below


def test_zone_names_are_written_on_the_map_near_the_top_of_each_zone():
    page = _render(maps.build_walk_map(observations=_points(2), themes=THEMES, zones=ZONES, tiles="none"))
    assert "zone-label" in page and "Noms des quartiers" not in page.split("L.control.layers")[-1]


def test_participant_text_is_never_evaluated_as_a_template():
    """branca re-reads each element's rendered script as a Jinja template: a note holding ``{{ … }}``
    was evaluated on the server (``{{ 7*7 }}`` became 49). Data reach scripts with Jinja's openers
    escaped, so the note stays the participant's text, on every map."""
    fc = _points(6)
    note = "AA{{ 7*7 }}BB{% if true %}CC{% endif %}{# x #}DD"
    for feat in fc["features"]:
        feat["properties"]["note"] = note
    zones = {
        "type": "FeatureCollection",
        "features": [{**ZONES["features"][0], "properties": {"name": "Z{{ 6*7 }}", "count": 1}}],
    }
    for fmap in (
        maps.build_walk_map(observations=fc, themes=THEMES, zones=zones, tiles="none"),
        maps.build_public_map(observations=fc, themes=THEMES, zones=zones, tiles="none"),
        maps.build_project_map(observations=fc, themes=THEMES, zones=zones, tiles="none"),
    ):
        page = _render(fmap)
        assert "AA49BB" not in page and "Z42" not in page
        assert "CC" not in page.replace("CC{", "")  # the {% if %} was not run either
    page = _render(maps.build_walk_map(observations=fc, themes=THEMES, zones=zones, tiles="none"))
    assert r"AA{\u007b 7*7 }}BB{\u0025 if true %}CC{\u0025 endif %}{\u0023 x #}DD" in page


def test_the_legend_has_a_check_box_per_theme_that_filters_the_one_layer():
    page = _render(maps.build_project_map(observations=_points(30), themes=THEMES, tiles="none"))
    assert page.count('class=\\"theme-filter\\"') == 2  # éclairage, harcèlement (markup in JSON)
    assert page.count("L.circleMarker([r[1], r[0]]") == 1
    assert "input.theme-filter" in page


def test_sensitive_points_are_rounded_on_every_map():
    fc = _points(6)
    fc["features"][0]["geometry"]["coordinates"] = [2.2937143, 49.8961287]  # theme harcelement (i = 0)
    for fmap in (
        maps.build_walk_map(observations=fc, themes=THEMES, tiles="none"),
        maps.build_project_map(observations=fc, themes=THEMES, tiles="none"),
    ):
        page = _render(fmap)
        assert "2.2937" not in page and "49.8961" not in page
        assert "2.294" in page and "49.896" in page


def test_no_first_view_is_animated():
    # An animated fit starts its zoom on the next frame; while it runs Leaflet ignores every setView
    # (the debrief room's first step, a popup opened at once) and then lands back on the first view.
    page = _render(maps.build_project_map(observations=_points(50), themes=THEMES, zones=ZONES, tiles="none"))
    fits = re.findall(r"\.fitBounds\((.*?)\);", page, re.DOTALL)
    assert len(fits) >= 2, fits  # the first view, then the legend's
    for fit in fits:
        assert re.search(r"[\"']?animate[\"']?\s*:\s*false", fit), fit
