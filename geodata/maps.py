"""folium map builders: plain data in (GeoJSON dicts and small dataclasses), ``folium.Map`` out.

folium appears only in this module (the print map is :mod:`geodata.static_map`, what both share
:mod:`geodata.map_style`). Builders never query anything: the services hand them
FeatureCollections whose properties are plain values, and the views embed the result with
:func:`geodata.assets.render_map_parts`.

Choices, measured on this machine (see ``bench/maps_layers.py`` and the README's facilitators section):

- **Points by size.** Up to :data:`geodata.map_style.MARKERS_UP_TO` observations, each is a canvas
  circle marker with its popup, grouped in one layer per theme. Up to
  :data:`geodata.map_style.CLUSTER_UP_TO`, each theme is a
  ``FastMarkerCluster`` of canvas circle markers (clusters keep the map readable and the page
  light). Beyond, points are aggregated on the server into square cells (:func:`aggregate_cells`)
  drawn as one canvas layer: a browser gets at most a few thousand shapes, whatever the data size.
  One ``folium.Marker`` per point is never used (33 s for 10,000 points, never for 100,000).
- **Text is escaped here.** Leaflet sets popups and tooltips with ``innerHTML``, and folium's
  ``GeoJsonPopup``/``GeoJsonTooltip`` insert property values unescaped, so every popup and
  tooltip is built in Python with :func:`html.escape`, and data reaches the page through Jinja's
  ``tojson`` (which escapes ``<``, ``>`` and ``&``): no participant text can close the script.
- **Tiles are optional.** Everything we draw is vector data on top of the tiles; when the tile
  server is unreachable or ``tiles="none"``, the map keeps its zones, routes and observations on a
  plain background. The map always gets a ``maxZoom`` (MarkerCluster needs one).
- No MeasureControl (needs ``'unsafe-eval'``) and no MiniMap (loads OSM tiles by itself).
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
from branca.element import MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template
from shapely.geometry import shape

from geodata.map_style import (
    CELL_M,
    MAX_ZOOM,
    ThemeStyle,
    bounds_of,
    by_theme,
    label_point,
    point_layer_kind,
    theme_map,
    theme_of,
    theme_order,
)

__all__ = [
    "MapText",
    "TILES",
    "TileProvider",
    "aggregate_cells",
    "build_project_map",
    "build_public_map",
    "build_walk_map",
    "build_zones_map",
    "tidy_header",
]

#: The legend is open at first display from this window width (px); a button opens it below.
LEGEND_OPEN_FROM = 1400

#: Metropolitan France (lon/lat), the view of a map with nothing to show yet.
METROPOLE_BOUNDS = (-5.2, 42.3, 8.3, 51.1)


@dataclass(frozen=True)
class MapText:
    """Every word a map shows, given by the app in the page's language (``webapp.map_text``).

    The defaults are plain English so that the builders work alone (tests, scripts); the app always
    passes its own translated texts. Templates take ``str.format`` fields.
    """

    #: polarity code -> label (popups, legend)
    polarity: Mapping[str, str] = field(
        default_factory=lambda: {"negative": "Problem", "positive": "Asset", "neutral": "Neutral"}
    )
    legend: str = "Legend"
    zoom_in: str = "Zoom in"
    zoom_out: str = "Zoom out"
    layers: str = "Map layers"
    moderate: str = "See observation no. {id} in moderation"
    fullscreen: str = "Full screen"
    fullscreen_exit: str = "Leave full screen"
    feeling: str = "Feeling: {value}/5"
    proposal: str = "Proposal:"
    photo: str = "Photo"
    number: str = "No. {id}"
    stop: str = "Stop {position}"
    zones: str = "Zones"
    route: str = "Route"
    routes: str = "Routes"
    stops: str = "Stops"
    grouped: str = "Grouped observations ({count})"
    cell_count: str = "{count} observations"
    cell_share: str = "Share of problems: {share} %"
    cell_theme: str = "Most frequent theme: {theme}"
    count_layer: str = "Number of observations"
    share_layer: str = "Share of problems (%)"
    count_scale: str = "Observations per zone:"
    heatmap: str = "{label}: heat map ({count})"
    sensitive_default: str = "Harassment or incident"
    sensitive_layer: str = "{label}: squares ({count})"
    sensitive_count: str = "{label}: {count} reports"
    sensitive_cell: str = "Grouped in a square of {size} m: the exact place is never shown."
    sensitive_legend: str = "{label}: number of reports per square (3 at least)"

    def controls(self) -> dict[str, str]:
        """The names of the map's own controls (Leaflet's are English)."""
        return {
            "zoom_in": self.zoom_in,
            "zoom_out": self.zoom_out,
            "layers": self.layers,
            "legend": self.legend,
        }


#: The texts of a builder called without any (English).
DEFAULT_TEXT = MapText()


@dataclass(frozen=True)
class TileProvider:
    """A background tile layer."""

    #: Leaflet URL template
    url: str
    #: attribution shown on the map (HTML, written by us)
    attribution: str
    #: shown in the layer control
    name: str
    max_zoom: int = MAX_ZOOM


#: Tile providers by the ``TILES`` setting; ``none`` draws the data on a plain background.
TILES: dict[str, TileProvider | None] = {
    "osm": TileProvider(
        url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        attribution='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        name="OpenStreetMap",
    ),
    "ign": TileProvider(
        url=(
            "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
            "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png"
            "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
        ),
        attribution='&copy; <a href="https://www.ign.fr/">IGN</a> Plan IGN',
        name="Plan IGN",
    ),
    "none": None,
}

# Polarity is shown by shape and outline, not by colour alone (the theme has the colour): a problem is
# a disc filled in the theme's colour ringed in near-black (``o``), an asset a thick ring of the theme's
# colour around white, neutral a small pale disc.
_POLARITY_STYLE = {
    "negative": {"fo": 0.95, "w": 2, "r": 8, "o": "#111111"},
    "positive": {"fo": 0.9, "w": 4, "r": 7, "f": "#FFFFFF"},
    "neutral": {"fo": 0.45, "w": 1, "r": 6},
}


class _GeoJsonLayer(Layer):
    """A GeoJSON layer styled from each feature's ``_s`` property, with pre-escaped popups/tooltips.

    ``_s`` holds Leaflet path options (``color``, ``fillColor``...), ``_r`` a circle radius, ``_p``
    popup HTML, ``_t`` tooltip HTML and ``_tp`` whether the tooltip is permanent.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data|tojson }}, {
            pointToLayer: function (feature, latlng) {
                var p = feature.properties;
                if (p._k) {  // an observation: theme colour _c, polarity _k (compact, styled here)
                    var s = {{ this.polarity_styles|tojson }}[p._k];
                    return L.circleMarker(latlng, {radius: s.r, color: s.o || p._c, fillColor: s.f || p._c,
                                                   fillOpacity: s.fo, weight: s.w});
                }
                return L.circleMarker(latlng, Object.assign({radius: p._r || 7}, p._s));
            },
            style: function (feature) { return feature.properties._s; },
            onEachFeature: function (feature, layer) {
                var p = feature.properties;
                if (p._p) { layer.bindPopup(p._p, {maxWidth: 300}); }
                if (p._t) {
                    var label = {permanent: true, direction: "center", className: p._tc || "map-label"};
                    layer.bindTooltip(p._t, p._tp ? label : {sticky: true});
                }
            }
        });
        {% endmacro %}
        """
    )

    def __init__(
        self, data: Mapping[str, Any], *, name: str, show: bool = True, control: bool = True
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "GeoJsonLayer"
        self.data = data
        self.polarity_styles = _POLARITY_STYLE


class _Legend(MacroElement):
    """Our legend and French map controls (HTML built and escaped in Python).

    The legend is a ``<details>`` in the bottom-right corner: open at first display on screens of
    :data:`LEGEND_OPEN_FROM` px and wider, a « Légende » button below (``open`` forces either).
    Whatever its state, the first view is fitted so that the legend's box stays clear of the
    data's bounds. The scale is metric only, and the zoom and layer controls are named in French.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var texts = {{ this.texts|tojson }};
            L.control.zoom({position: "topleft", zoomInTitle: texts.zoom_in, zoomOutTitle: texts.zoom_out})
                .addTo(map);
            L.control.scale({imperial: false, metric: true, maxWidth: 160}).addTo(map);
            var legend = L.control({position: "bottomright"});
            var box;
            legend.onAdd = function () {
                box = L.DomUtil.create("details", "map-legend");
                var summary = L.DomUtil.create("summary", "map-legend-title", box);
                summary.textContent = texts.legend;
                var body = L.DomUtil.create("div", "map-legend-body", box);
                body.innerHTML = {{ this.markup|tojson }};
                var open = {{ this.open|tojson }};
                box.open = open === null ? window.innerWidth >= {{ this.open_from }} : open;
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            legend.addTo(map);
            var bounds = {{ this.bounds|tojson }};
            if (bounds) {
                // Leave the legend's corner out of the first view, on the side where it costs least.
                var size = map.getSize(), w = box.offsetWidth + 24, h = box.offsetHeight + 24;
                var pad = (w / size.x <= h / size.y) ? [w, 20] : [20, h];
                map.fitBounds(bounds, {paddingTopLeft: [20, 20], paddingBottomRight: pad, animate: false});
            }
            setTimeout(function () {
                var toggle = map.getContainer().querySelector(".leaflet-control-layers-toggle");
                if (toggle) { toggle.title = texts.layers; toggle.setAttribute("aria-label", texts.layers); }
            }, 0);
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        markup: str,
        *,
        bounds: tuple[float, float, float, float] | None = None,
        open: bool | None = None,
        title: str | None = None,
        texts: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.markup = markup
        self.open = open
        self.open_from = LEGEND_OPEN_FROM
        self.bounds = None if bounds is None else [[bounds[1], bounds[0]], [bounds[3], bounds[2]]]
        self.texts = dict(texts or DEFAULT_TEXT.controls())
        if title:
            self.texts["legend"] = title


# Leaflet's canvas circle markers inside clusters; rows are [lat, lon, theme colour, polarity, popup].
# A function expression: FastMarkerCluster writes ``var callback = <this>;`` itself.
_CLUSTER_CALLBACK = """function (row) {
    var styles = %s;
    var s = styles[row[3]] || styles.neutral;
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: s.r, color: s.o || row[2], fillColor: s.f || row[2], fillOpacity: s.fo, weight: s.w});
    if (row[4]) { marker.bindPopup(row[4], {maxWidth: 300}); }
    return marker;
}"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def popup_html(
    properties: Mapping[str, Any], themes: Mapping[str, ThemeStyle], text: MapText = DEFAULT_TEXT
) -> str:
    """The popup of one observation: theme, polarity, feeling, note, proposal and a photo thumbnail."""
    theme = theme_of(str(properties.get("theme", "")), themes)
    polarity = text.polarity.get(str(properties.get("polarity")), "")
    parts = [f'<div class="obs-popup"><strong>{_esc(theme.label)}</strong> · {_esc(polarity)}']
    if properties.get("walk"):
        when = f" · {_esc(properties['date'])}" if properties.get("date") else ""
        parts.append(f'<br><span class="walk">{_esc(properties["walk"])}{when}</span>')
    if properties.get("feeling"):
        parts.append("<br>" + _esc(text.feeling.format(value=properties["feeling"])))
    if properties.get("note"):
        parts.append(f"<p>{_esc(properties['note'])}</p>")
    if properties.get("proposal"):
        parts.append(f"<p><em>{_esc(text.proposal)}</em> {_esc(properties['proposal'])}</p>")
    if properties.get("photo_url"):
        parts.append(
            f'<img src="{_esc(properties["photo_url"])}" alt="{_esc(text.photo)}" width="160" loading="lazy">'
        )
    if properties.get("moderation_url"):
        parts.append(
            f'<br><a href="{_esc(properties["moderation_url"])}">'
            f"{_esc(text.moderate.format(id=properties.get('id')))}</a>"
        )
    parts.append("</div>")
    return "".join(parts)


def _new_map(
    tiles: str, bounds: tuple[float, float, float, float] | None, text: MapText = DEFAULT_TEXT
) -> folium.Map:
    provider = TILES.get(tiles, TILES["osm"]) if tiles in TILES else TILES["osm"]
    center = [49.894, 2.296] if bounds is None else [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    # tiles=None and our own TileLayer: folium's max_zoom only reaches its own tile layer, and
    # MarkerCluster needs the map's maxZoom, so it is passed as a map option as well.
    fmap = folium.Map(
        location=center,
        zoom_start=14,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,
        zoom_control=False,
        maxZoom=MAX_ZOOM,
    )
    #: the first view, kept for the legend (which fits it again, clear of its own box)
    fmap.arpenteur_bounds = bounds
    # Only Leaflet itself: our layers need neither jQuery, Bootstrap nor Font Awesome, and Bootstrap's
    # global CSS would restyle the page the map sits in. Instance attributes, so no other map changes.
    fmap.default_js = [(name, url) for name, url in folium.Map.default_js if name == "leaflet"]
    fmap.default_css = [(name, url) for name, url in folium.Map.default_css if name == "leaflet_css"]
    if provider is not None:
        folium.TileLayer(
            tiles=provider.url,
            attr=provider.attribution,
            name=provider.name,
            max_zoom=provider.max_zoom,
            overlay=False,
            control=False,
        ).add_to(fmap)
    if bounds is not None:
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=(20, 20))
    plugins.Fullscreen(position="topleft", title=text.fullscreen, title_cancel=text.fullscreen_exit).add_to(
        fmap
    )
    return fmap


_VIEWPORT = re.compile(r"<meta name=\"viewport\"[^>]*>", re.DOTALL)
_PAGE_STYLE = re.compile(r"<style>\s*html, body \{.*?</style>|<style>\s*#map \{.*?</style>", re.DOTALL)


def tidy_header(header: str) -> str:
    """folium's header without what would fight the host page: its viewport meta (which forbids
    zooming, an accessibility problem) and its global ``html, body`` / ``#map`` styles."""
    return _PAGE_STYLE.sub("", _VIEWPORT.sub("", header))


def _zone_outlines(zones: Mapping[str, Any], name: str) -> _GeoJsonLayer:
    features = []
    for feat in zones.get("features", []):
        p = feat.get("properties", {})
        style = {
            "color": "#37474F",
            "weight": 2,
            "dashArray": "6 4",
            "fillColor": "#90A4AE",
            "fillOpacity": 0.08,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": feat["geometry"],
                "properties": {"_s": style, "_t": _esc(p.get("name"))},
            }
        )
    return _GeoJsonLayer({"type": "FeatureCollection", "features": features}, name=name)


def _zone_names(zones: Mapping[str, Any]) -> _GeoJsonLayer:
    """Each quartier's name written inside it (a label, not a marker: it takes no click)."""
    features = []
    for feat in zones.get("features", []):
        name = feat.get("properties", {}).get("name")
        if not name or not feat.get("geometry"):
            continue
        inside = label_point(shape(feat["geometry"]))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(inside.x, 6), round(inside.y, 6)]},
                "properties": {
                    "_s": {"opacity": 0, "fillOpacity": 0, "interactive": False},
                    "_r": 1,
                    "_t": _esc(name),
                    "_tp": True,
                    "_tc": "map-label zone-label",
                },
            }
        )
    return _GeoJsonLayer(
        {"type": "FeatureCollection", "features": features}, name="Noms des quartiers", control=False
    )


def _routes_layer(routes: Mapping[str, Any], name: str) -> _GeoJsonLayer:
    features = []
    for feat in routes.get("features", []):
        p = feat.get("properties", {})
        style = {"color": "#111111", "weight": 4, "opacity": 0.8}
        features.append(
            {
                "type": "Feature",
                "geometry": feat["geometry"],
                "properties": {"_s": style, "_t": _esc(p.get("title"))},
            }
        )
    return _GeoJsonLayer({"type": "FeatureCollection", "features": features}, name=name)


def _stops_layer(stops: Mapping[str, Any], name: str, text: MapText = DEFAULT_TEXT) -> _GeoJsonLayer:
    features = []
    for feat in stops.get("features", []):
        p = feat.get("properties", {})
        style = {"color": "#111111", "weight": 2, "fillColor": "#FFFFFF", "fillOpacity": 1}
        features.append(
            {
                "type": "Feature",
                "geometry": feat["geometry"],
                "properties": {
                    "_s": style,
                    "_r": 11,
                    "_t": _esc(p.get("position")),
                    "_tp": True,
                    "_p": (
                        f"<strong>{_esc(text.stop.format(position=p.get('position')))}</strong>"
                        f" · {_esc(p.get('name'))}"
                    ),
                },
            }
        )
    return _GeoJsonLayer({"type": "FeatureCollection", "features": features}, name=name)


def _marker_features(
    features: Sequence[Mapping[str, Any]], themes: Mapping[str, ThemeStyle], text: MapText = DEFAULT_TEXT
) -> list[dict]:
    out = []
    for feat in features:
        p = feat.get("properties", {})
        polarity = str(p.get("polarity"))
        lon, lat = feat["geometry"]["coordinates"][:2]
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "_c": theme_of(str(p.get("theme")), themes).color,
                    "_k": polarity if polarity in _POLARITY_STYLE else "neutral",
                    "_p": popup_html(p, themes, text),
                },
            }
        )
    return out


def aggregate_cells(features: Sequence[Mapping[str, Any]], cell_m: float = CELL_M) -> list[dict[str, Any]]:
    """Group points into square cells of about ``cell_m`` metres: centre, count, negatives, main theme.

    Used when there are too many observations to send each one to the browser.
    """
    if not features:
        return []
    lat0 = sum(f["geometry"]["coordinates"][1] for f in features[:1000]) / min(len(features), 1000)
    dlat = cell_m / 111_320.0
    dlon = dlat / max(math.cos(math.radians(lat0)), 0.01)
    cells: dict[tuple[int, int], dict[str, Any]] = {}
    for feat in features:
        lon, lat = feat["geometry"]["coordinates"][:2]
        key = (math.floor(lon / dlon), math.floor(lat / dlat))
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = {"count": 0, "negative": 0, "themes": Counter(), "sx": 0.0, "sy": 0.0}
        p = feat.get("properties", {})
        cell["count"] += 1
        cell["negative"] += p.get("polarity") == "negative"
        cell["themes"][p.get("theme")] += 1
        cell["sx"] += lon
        cell["sy"] += lat
    return [
        {
            "lon": c["sx"] / c["count"],
            "lat": c["sy"] / c["count"],
            "count": c["count"],
            "negative": c["negative"],
            "theme": c["themes"].most_common(1)[0][0],
        }
        for c in cells.values()
    ]


def _cells_layer(
    features: Sequence[Mapping[str, Any]],
    themes: Mapping[str, ThemeStyle],
    name: str,
    text: MapText = DEFAULT_TEXT,
) -> _GeoJsonLayer:
    cells = aggregate_cells(features)
    top = max((c["count"] for c in cells), default=1)
    out = []
    for c in cells:
        theme = theme_of(str(c["theme"]), themes)
        radius = 4 + 14 * math.sqrt(c["count"] / top)
        share = round(100 * c["negative"] / c["count"])
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(c["lon"], 6), round(c["lat"], 6)]},
                "properties": {
                    "_s": {"color": theme.color, "fillColor": theme.color, "fillOpacity": 0.6, "weight": 1},
                    "_r": round(radius, 1),
                    "_p": (
                        f"<strong>{_esc(text.cell_count.format(count=c['count']))}</strong>"
                        f"<br>{_esc(text.cell_share.format(share=share))}"
                        f"<br>{_esc(text.cell_theme.format(theme=theme.label))}"
                    ),
                },
            }
        )
    return _GeoJsonLayer({"type": "FeatureCollection", "features": out}, name=name)


def _add_points(
    fmap: folium.Map,
    observations: Mapping[str, Any],
    themes: Mapping[str, ThemeStyle],
    text: MapText = DEFAULT_TEXT,
) -> str:
    features = observations.get("features", [])
    kind = point_layer_kind(len(features))
    if kind == "cells":
        _cells_layer(features, themes, text.grouped.format(count=len(features)), text).add_to(fmap)
        return kind
    groups = by_theme(features)
    for key in theme_order(groups, themes):
        theme = theme_of(key, themes)
        label = f"{theme.label} ({len(groups[key])})"
        if kind == "markers":
            _GeoJsonLayer(
                {"type": "FeatureCollection", "features": _marker_features(groups[key], themes, text)},
                name=label,
            ).add_to(fmap)
        else:
            rows = []
            for feat in groups[key]:
                lon, lat = feat["geometry"]["coordinates"][:2]
                p = feat.get("properties", {})
                rows.append(
                    [
                        round(lat, 6),
                        round(lon, 6),
                        theme.color,
                        p.get("polarity"),
                        popup_html(p, themes, text),
                    ]
                )
            styles = dict(_POLARITY_STYLE)
            plugins.FastMarkerCluster(
                rows,
                callback=_CLUSTER_CALLBACK % _json(styles),
                name=label,
                overlay=True,
                options={"maxClusterRadius": 40, "chunkedLoading": True},
            ).add_to(fmap)
    return kind


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def _legend_markup(
    themes: Mapping[str, ThemeStyle],
    present: Iterable[str],
    extra: Sequence[str] = (),
    text: MapText = DEFAULT_TEXT,
) -> str:
    rows: list[str] = []
    for key in present:
        theme = theme_of(key, themes)
        rows.append(
            f'<div><span class="swatch" style="background:{_esc(theme.color)}"></span>'
            f"{_esc(theme.label)}</div>"
        )
    rows.append(
        '<div class="polarity">'
        + " ".join(
            f'<span class="dot dot-{code}"></span>{_esc(text.polarity.get(code, code))}'
            for code in ("negative", "positive", "neutral")
        )
        + "</div>"
    )
    rows.extend(extra)
    return "".join(rows)


def build_walk_map(
    *,
    observations: Mapping[str, Any],
    themes: Sequence[ThemeStyle],
    route: Mapping[str, Any] | None = None,
    stops: Mapping[str, Any] | None = None,
    zones: Mapping[str, Any] | None = None,
    tiles: str = "osm",
    text: MapText = DEFAULT_TEXT,
    legend_open: bool | None = None,
) -> folium.Map:
    """The map of one walk: zones with their names, the planned route, numbered stops, observations.

    ``observations`` is a FeatureCollection of points whose properties are ``id``, ``theme``,
    ``polarity``, ``feeling``, ``note``, ``proposal`` and ``photo_url`` (all optional but ``theme``);
    ``route`` a FeatureCollection of LineStrings (property ``title``), ``stops`` of points
    (``position``, ``name``), ``zones`` of (Multi)Polygons (``name``).
    """
    themes_by_key = theme_map(themes)
    empty: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    route, stops, zones = route or empty, stops or empty, zones or empty
    fmap = _new_map(tiles, bounds_of([route, stops, observations]) or bounds_of([zones]), text)
    if zones["features"]:
        _zone_outlines(zones, text.zones).add_to(fmap)
        _zone_names(zones).add_to(fmap)
    if route["features"]:
        _routes_layer(route, text.route).add_to(fmap)
    if stops["features"]:
        _stops_layer(stops, text.stops, text).add_to(fmap)
    _add_points(fmap, observations, themes_by_key, text)
    present = theme_order(by_theme(observations.get("features", [])), themes_by_key)
    _Legend(
        _legend_markup(themes_by_key, present, text=text),
        bounds=fmap.arpenteur_bounds,
        open=legend_open,
        texts=text.controls(),
    ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def _classes(values: Sequence[float], integer: bool, n: int = 5) -> list[float]:
    top = max(values, default=0) or 1
    if integer:
        # Small counts: fewer classes than five, each a whole number, none repeated.
        return sorted({math.ceil(top * (i + 1) / n) for i in range(n)})
    return [top * (i + 1) / n for i in range(n)]


#: Zones shaded in blue-greys (light to mid): a neutral ground on which every theme colour stays visible.
_RAMP = ["#F2F4F6", "#DDE3E8", "#C5CFD8", "#AAB8C5", "#8C9EAF"]


def _choropleth_layer(
    zones: Mapping[str, Any], prop: str, name: str, fmt: str, show: bool
) -> tuple[_GeoJsonLayer, list[tuple[str, str]]]:
    values = [float(f["properties"].get(prop) or 0) for f in zones.get("features", [])]
    breaks = _classes(values, integer=prop == "count")
    ramp = _RAMP[len(_RAMP) - len(breaks) :]
    features = []
    for feat, value in zip(zones.get("features", []), values, strict=True):
        p = feat["properties"]
        index = next((i for i, b in enumerate(breaks) if value <= b), len(breaks) - 1)
        fill = ramp[index] if value > 0 else "#FFFFFF"
        features.append(
            {
                "type": "Feature",
                "geometry": feat["geometry"],
                "properties": {
                    "_s": {"color": "#37474F", "weight": 1.5, "fillColor": fill, "fillOpacity": 0.55},
                    "_t": f"<strong>{_esc(p.get('name'))}</strong><br>{_esc(name)} : {fmt.format(value)}",
                },
            }
        )
    scale = [(color, fmt.format(b)) for color, b in zip(ramp, breaks, strict=True)]
    return _GeoJsonLayer({"type": "FeatureCollection", "features": features}, name=name, show=show), scale


def _add_zone_choropleths(
    fmap: folium.Map, zones: Mapping[str, Any], text: MapText = DEFAULT_TEXT
) -> list[str]:
    """Zones shaded by observation count (shown) and by share of problems (a layer to switch on);
    returns the legend lines."""
    if not zones["features"]:
        return []
    count_layer, scale = _choropleth_layer(zones, "count", text.count_layer, "{:.0f}", True)
    share_layer, _ = _choropleth_layer(zones, "negative_share", text.share_layer, "{:.0f} %", False)
    count_layer.add_to(fmap)
    share_layer.add_to(fmap)
    _zone_names(zones).add_to(fmap)
    return [
        f'<div class="scale">{_esc(text.count_scale)} '
        + "".join(f'<span class="swatch" style="background:{c}"></span>≤ {_esc(v)} ' for c, v in scale)
        + "</div>"
    ]


def build_project_map(
    *,
    observations: Mapping[str, Any],
    themes: Sequence[ThemeStyle],
    routes: Mapping[str, Any] | None = None,
    zones: Mapping[str, Any] | None = None,
    tiles: str = "osm",
    text: MapText = DEFAULT_TEXT,
    legend_open: bool | None = None,
) -> folium.Map:
    """The team's map of a project: zones as choropleths, every walk's route, a layer per theme, a heatmap.

    ``zones`` features carry ``name``, ``count`` (observations) and ``negative_share`` (0-100) in
    their properties. The heatmap shows the points of the themes marked ``sensitive`` in ``themes``
    (street harassment in the default grid), hidden until chosen in the layer control.
    """
    themes_by_key = theme_map(themes)
    empty: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    routes, zones = routes or empty, zones or empty
    fmap = _new_map(tiles, bounds_of([observations, routes]) or bounds_of([zones]), text)
    extra = _add_zone_choropleths(fmap, zones, text)
    if routes["features"]:
        _routes_layer(routes, text.routes).add_to(fmap)
    features = observations.get("features", [])
    _add_points(fmap, observations, themes_by_key, text)
    sensitive = [t for t in themes if t.sensitive]
    heat_themes = {t.key for t in sensitive}
    heat = [
        [f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0]]
        for f in features
        if f.get("properties", {}).get("theme") in heat_themes
    ]
    if heat:
        label = _esc(" / ".join(t.label for t in sensitive))
        plugins.HeatMap(
            heat, name=text.heatmap.format(label=label, count=len(heat)), show=False, radius=22
        ).add_to(fmap)
    present = theme_order(by_theme(features), themes_by_key)
    _Legend(
        _legend_markup(themes_by_key, present, extra, text),
        bounds=fmap.arpenteur_bounds,
        open=legend_open,
        texts=text.controls(),
    ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


#: Style of a cell of sensitive reports: a square (Okabe–Ito reddish purple), visibly an area and not a place.
_SENSITIVE_CELL_STYLE = {"color": "#6B2D55", "weight": 1.5, "fillColor": "#CC79A7", "fillOpacity": 0.45}


def _sensitive_cells_layer(
    cells: Mapping[str, Any], name: str, label: str, text: MapText = DEFAULT_TEXT
) -> _GeoJsonLayer:
    features = []
    for feat in cells.get("features", []):
        p = feat.get("properties", {})
        count, size = int(p.get("count", 0)), int(p.get("size_m", 0))
        features.append(
            {
                "type": "Feature",
                "geometry": feat["geometry"],
                "properties": {
                    "cell": p.get("cell"),
                    "count": count,
                    "_s": _SENSITIVE_CELL_STYLE,
                    "_t": _esc(count),
                    "_tp": True,
                    "_p": (
                        f"<strong>{_esc(text.sensitive_count.format(label=label, count=count))}</strong>"
                        f"<br>{_esc(text.sensitive_cell.format(size=size))}"
                    ),
                },
            }
        )
    return _GeoJsonLayer({"type": "FeatureCollection", "features": features}, name=name)


def build_public_map(
    *,
    observations: Mapping[str, Any],
    themes: Sequence[ThemeStyle],
    sensitive_cells: Mapping[str, Any] | None = None,
    sensitive_label: str | None = None,
    routes: Mapping[str, Any] | None = None,
    zones: Mapping[str, Any] | None = None,
    tiles: str = "osm",
    text: MapText = DEFAULT_TEXT,
    legend_open: bool | None = None,
) -> folium.Map:
    """The map partners and the public see: like :func:`build_project_map`, without any exact sensitive point.

    ``observations`` should hold no sensitive report (any is dropped here anyway); those arrive only as
    ``sensitive_cells``, a FeatureCollection of squares with ``count`` and ``size_m``
    (``geodata.privacy.cells_geojson``), drawn as red squares labelled with their count. There is
    no heatmap: it would need the exact points. Which themes are sensitive comes from ``themes``
    (their ``sensitive`` flag, read from the forms).
    """
    themes_by_key = theme_map(themes)
    sensitive = {t.key for t in themes if t.sensitive}
    empty: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    routes, zones, cells = routes or empty, zones or empty, sensitive_cells or empty
    # Belt and braces: a sensitive point handed here by mistake is still never drawn.
    observations = {
        "type": "FeatureCollection",
        "features": [
            f
            for f in observations.get("features", [])
            if f.get("properties", {}).get("theme") not in sensitive
        ],
    }
    fmap = _new_map(tiles, bounds_of([observations, routes, cells]) or bounds_of([zones]), text)
    extra = _add_zone_choropleths(fmap, zones, text)
    if routes["features"]:
        _routes_layer(routes, text.routes).add_to(fmap)
    _add_points(fmap, observations, themes_by_key, text)
    if cells["features"]:
        label = sensitive_label or text.sensitive_default
        total = sum(int(f.get("properties", {}).get("count", 0)) for f in cells["features"])
        _sensitive_cells_layer(
            cells, text.sensitive_layer.format(label=label, count=total), label, text
        ).add_to(fmap)
        extra.append(
            '<div class="sensitive"><span class="square"></span>'
            f"{_esc(text.sensitive_legend.format(label=label))}</div>"
        )
    present = theme_order(by_theme(observations.get("features", [])), themes_by_key)
    _Legend(
        _legend_markup(themes_by_key, present, extra, text),
        bounds=fmap.arpenteur_bounds,
        open=legend_open,
        texts=text.controls(),
    ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


# --- the zones page: official QPV to keep or leave out, a project's own zones, a drawing tool -------

#: How each kind of zone looks on the zones page.
_ZONE_STYLES: dict[str, dict[str, Any]] = {
    "kept": {"color": "#0D47A1", "weight": 2, "fillColor": "#1E88E5", "fillOpacity": 0.18},
    "left_out": {
        "color": "#616161",
        "weight": 2,
        "dashArray": "4 6",
        "fillColor": "#9E9E9E",
        "fillOpacity": 0.04,
    },
    "custom": {"color": "#BF360C", "weight": 3, "fillColor": "#FF7043", "fillOpacity": 0.15},
}


class _ZoneDrawing(JSCSSMixin, MacroElement):
    """Leaflet.draw's polygon tool (npm ``leaflet-draw``, served locally): one zone at a time.

    When a polygon is closed, the map's container receives a bubbling ``arpenteur:zone-drawn``
    event whose ``detail.geojson`` is the drawn Feature; the page's own script takes it from there.
    ``texts`` replaces Leaflet.draw's English tooltips and button titles.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var t = {{ this.texts|tojson }};
            var local = L.drawLocal.draw;
            local.toolbar.buttons.polygon = t.polygon;
            local.toolbar.actions = {title: t.cancel_title, text: t.cancel};
            local.toolbar.finish = {title: t.finish_title, text: t.finish};
            local.toolbar.undo = {title: t.undo_title, text: t.undo};
            local.handlers.polygon.tooltip = {start: t.start, cont: t.cont, end: t.end};
            local.handlers.polyline.error = t.error;
            var drawn = new L.FeatureGroup().addTo(map);
            new L.Control.Draw({
                position: "topleft",
                draw: {
                    polygon: {
                        allowIntersection: false, showArea: false, shapeOptions: {{ this.style|tojson }}
                    },
                    polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false
                },
                edit: false
            }).addTo(map);
            map.on(L.Draw.Event.CREATED, function (e) {
                drawn.clearLayers();
                drawn.addLayer(e.layer);
                map.getContainer().dispatchEvent(new CustomEvent("arpenteur:zone-drawn", {
                    bubbles: true, detail: {geojson: e.layer.toGeoJSON()}
                }));
            });
        })();
        {% endmacro %}
        """
    )
    default_js = [
        ("leaflet_draw_js", "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js")
    ]
    default_css = [
        ("leaflet_draw_css", "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.css")
    ]

    def __init__(self, texts: Mapping[str, str]) -> None:
        super().__init__()
        self._name = "ZoneDrawing"
        self.texts = dict(texts)
        self.style = _ZONE_STYLES["custom"]


def _zones_layer(zones: Mapping[str, Any], name: str, style_of: Any) -> _GeoJsonLayer:
    features = []
    for feat in zones.get("features", []):
        p = dict(feat.get("properties", {}))
        features.append(
            {
                "type": "Feature",
                "geometry": feat["geometry"],
                "properties": {
                    "_s": style_of(p),
                    "_t": _esc(p.get("name")) + (f" ({_esc(p['code'])})" if p.get("code") else ""),
                    "code": p.get("code"),
                    "kind": p.get("kind"),
                },
            }
        )
    return _GeoJsonLayer({"type": "FeatureCollection", "features": features}, name=name)


def build_zones_map(
    *,
    qpv: Mapping[str, Any],
    custom: Mapping[str, Any],
    labels: Mapping[str, str],
    draw_texts: Mapping[str, str] | None = None,
    tiles: str = "osm",
    text: MapText = DEFAULT_TEXT,
) -> folium.Map:
    """The zones page's map: the official QPV of the project's communes (kept ones filled, left-out ones
    dashed), the project's own zones, and, with ``draw_texts``, a tool to draw a new zone.

    ``qpv`` is a FeatureCollection of (Multi)Polygons with properties ``code``, ``name`` and ``kept``;
    ``custom`` one with ``name`` (and ``code``). ``labels`` names the layers and the legend
    (``kept``, ``left_out``, ``custom``, ``legend``). Without any zone the map shows metropolitan France.
    """
    bounds = bounds_of([qpv, custom])
    fmap = _new_map(tiles, bounds or METROPOLE_BOUNDS, text)
    kept = {
        "type": "FeatureCollection",
        "features": [f for f in qpv.get("features", []) if f["properties"].get("kept")],
    }
    left = {
        "type": "FeatureCollection",
        "features": [f for f in qpv.get("features", []) if not f["properties"].get("kept")],
    }
    for collection, key in ((kept, "kept"), (left, "left_out")):
        for feat in collection["features"]:
            feat.setdefault("properties", {})["kind"] = key
        if collection["features"]:
            _zones_layer(collection, labels[key], lambda p: _ZONE_STYLES[p["kind"]]).add_to(fmap)
    if custom.get("features"):
        _zones_layer(custom, labels["custom"], lambda p: _ZONE_STYLES["custom"]).add_to(fmap)
    rows = []
    for key in ("kept", "left_out", "custom"):
        style = _ZONE_STYLES[key]
        border = "dashed" if style.get("dashArray") else "solid"
        rows.append(
            f'<div><span class="swatch" style="background:{_esc(style["fillColor"])};'
            f'border:2px {border} {_esc(style["color"])}"></span>{_esc(labels[key])}</div>'
        )
    _Legend("".join(rows), bounds=bounds, title=labels["legend"]).add_to(fmap)
    if draw_texts is not None:
        _ZoneDrawing(draw_texts).add_to(fmap)
    return fmap
