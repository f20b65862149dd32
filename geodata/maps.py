"""folium map builders: plain data in (GeoJSON dicts and small dataclasses), ``folium.Map`` out.

folium appears only in this module (the print map is :mod:`geodata.static_map`, what both share
:mod:`geodata.map_style`). Builders never query anything: the services hand them
FeatureCollections whose properties are plain values, and the views embed the result with
:func:`geodata.assets.render_map_parts`.

Choices, measured on this machine (see ``bench/maps_page.py`` and the README's facilitators section):

- **Points by size, in one layer.** Observations arrive as compact rows
  (:class:`geodata.map_style.PointSet`: ``[lon, lat, theme index, polarity index, ref]``, coordinates
  rounded to what is shown) and become canvas circle markers of one layer; beyond
  :data:`geodata.map_style.MARKERS_UP_TO`, one ``L.markerClusterGroup`` (chunked). The legend has a
  check box per theme that takes its markers out of that layer and back. Beyond
  :data:`geodata.map_style.CLUSTER_UP_TO` the database counts them per square cell and theme
  (:class:`geodata.map_style.CellSet`), drawn as one canvas layer the check boxes recount: a browser
  gets at most a few thousand shapes, whatever the data size. One ``folium.Marker`` per point is
  never used (33 s for 10,000 points, never for 100,000).
- **Popups are built on click, in the browser, with ``textContent``.** No popup HTML per point is in
  the page: the team's maps fetch a point's fields from a small JSON endpoint (``popup_url``), partner
  maps carry them as plain values beside the rows. Other popups and tooltips (zones, stops, routes)
  are built here with :func:`html.escape`; data reaches the page through Jinja's ``tojson`` (which
  escapes ``<``, ``>`` and ``&``): no participant text can close the script.
- **Sensitive reports are never at their place.** Their rows are rounded to
  :data:`geodata.map_style.SENSITIVE_DECIMALS`; the team's heat map gets counts on a 1e-3 degree
  lattice; partner maps get squares of 3 reports or more only.
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import folium
from branca.element import MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Environment as FoliumEnvironment
from folium.template import Template as FoliumTemplate
from markupsafe import Markup
from shapely.geometry import shape

from geodata.map_style import (
    CELL_M,
    MAX_ZOOM,
    POLARITIES,
    CellSet,
    PointSet,
    ThemeStyle,
    bounds_of,
    cell_steps,
    label_point,
    point_layer_kind,
    round_point,
    theme_map,
    theme_of,
    theme_order,
)
from geodata.map_words import DEFAULT_TEXT, MapText

__all__ = [
    "MapText",
    "TILES",
    "TileProvider",
    "cell_set",
    "point_set",
    "build_project_map",
    "build_public_map",
    "build_walk_map",
    "build_zones_map",
    "tidy_header",
]


#: What starts a Jinja tag, comment or expression.
_JINJA_SYNTAX = re.compile(r"\{[{%#]")


class _Literal:
    """A template whose source has no Jinja syntax: it renders to itself, without being compiled."""

    def __init__(self, source: str) -> None:
        self.source = source

    def render(self, *args: Any, **kwargs: Any) -> str:
        return self.source


def _share_compiled_templates() -> None:
    """Stop branca from compiling text that is not a template, and compile real templates once.

    branca wraps every element's rendered output (our scripts with their data) in a new element
    whose "template" is that output, compiled by Jinja on each render: the data of 10,000 points were
    lexed as a template (0.1–0.4 s of every map page, measured), and any ``{{`` in a participant's
    note was *evaluated* as a Jinja expression on the server. Here text without Jinja syntax renders
    as itself (our data never holds any: :func:`_safe_json` escapes it), and small real templates
    (branca's own, the same few sources on every page) are compiled once per process.
    """
    import branca.element
    import jinja2

    if getattr(branca.element.Template, "_arpenteur_shared", False):
        return
    compiled: dict[str, jinja2.Template] = {}

    class SharedTemplate(jinja2.Template):
        _arpenteur_shared = True

        def __new__(cls, source: Any, **options: Any) -> Any:  # type: ignore[misc]
            if options or not isinstance(source, str):
                return jinja2.Template(source, **options)
            if not _JINJA_SYNTAX.search(source):
                return _Literal(source)
            if len(source) > 8192:
                return jinja2.Template(source)
            template = compiled.get(source)
            if template is None:
                template = compiled[source] = jinja2.Template(source)
            return template

    branca.element.Template = SharedTemplate  # type: ignore[misc]


def _safe_json(value: Any) -> Markup:
    """JSON for a script, as Jinja's ``tojson`` (``<``, ``>``, ``&``, ``'`` escaped), and with nothing
    Jinja could take for its own syntax: inside strings ``{{``, ``{%`` and ``{#`` become ``{\\u007b``,
    ``{\\u0025`` and ``{\\u0023`` (the same text once parsed); JSON itself never writes them."""
    import json

    text = (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("{{", "{\\u007b")
        .replace("{%", "{\\u0025")
        .replace("{#", "{\\u0023")
    )
    return Markup(text)  # noqa: S704  (every character HTML or Jinja could act on is escaped above)


def _plain(text: str) -> str:
    """A layer name (shown in the layer control, written by folium) that Jinja cannot take for syntax."""
    return _JINJA_SYNTAX.sub(lambda m: m.group(0)[0] + "\u200c" + m.group(0)[1], text)


class _SafeEnvironment(FoliumEnvironment):
    """folium's template environment with :func:`_safe_json` as ``tojson``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["tojson"] = _safe_json


class Template(FoliumTemplate):
    """The templates of this module's elements: their ``tojson`` is :func:`_safe_json`."""

    environment_class = _SafeEnvironment


_share_compiled_templates()

#: The legend is open at first display from this window width (px); a button opens it below.
LEGEND_OPEN_FROM = 1400

#: Metropolitan France (lon/lat), the view of a map with nothing to show yet.
METROPOLE_BOUNDS = (-5.2, 42.3, 8.3, 51.1)


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
        super().__init__(name=_plain(name), overlay=True, control=control, show=show)
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


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


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
        # Not animated: an animated first fit starts its zoom on the next frame, after every later
        # script, and a zoom in flight makes Leaflet ignore each setView until it ends (the debrief
        # room's first step, a popup opened at once), then lands on this first view.
        fit = folium.map.FitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=(20, 20))
        fit.options["animate"] = False
        fit.add_to(fmap)
    plugins.Fullscreen(position="topleft", title=text.fullscreen, title_cancel=text.fullscreen_exit).add_to(
        fmap
    )
    #: where the legend goes among the map's children: before any data layer (see :func:`_add_legend`)
    fmap.arpenteur_setup = len(fmap._children)
    return fmap


def _add_legend(fmap: folium.Map, legend: _Legend) -> None:
    """Put the legend's script before the data layers': it sets the map's final view (fitted clear of
    the legend's box), so each layer is projected and drawn once, at that view, not first at folium's
    view and again after the legend's ``fitBounds`` (1,000 markers projected twice, measured)."""
    fmap.add_child(legend, index=getattr(fmap, "arpenteur_setup", None))


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
                    "_tc": "map-label stop-label",
                    "_p": (
                        f"<strong>{_esc(text.stop.format(position=p.get('position')))}</strong>"
                        f" · {_esc(p.get('name'))}"
                    ),
                },
            }
        )
    return _GeoJsonLayer({"type": "FeatureCollection", "features": features}, name=name)


# --- observations: one layer of compact rows, theme filters in the legend, popups built on click ---------

#: Leaflet.markercluster from npm (``package.json``), served from the vendor folder by ``geodata.assets``.
_CLUSTER_JS = [
    (
        "markerclusterjs",
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js",
    )
]
_CLUSTER_CSS = [
    (
        "markerclustercss",
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css",
    ),
    (
        "markerclusterdefaultcss",
        "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css",
    ),
]

#: The popup of a point, built in the browser with ``textContent`` (no participant text is parsed as
#: HTML): ``d`` is a details row, ``[walk, date, feeling, note, proposal, photo_url, moderation_url, id]``.
_POPUP_JS = """
function arpenteurPopup(cfg, r, d) {
    var box = document.createElement("div"), add = function (tag, text, parent) {
        var el = document.createElement(tag); if (text) { el.textContent = text; }
        (parent || box).appendChild(el); return el;
    };
    box.className = "obs-popup";
    add("strong", cfg.themes[r[2]].label);
    box.appendChild(document.createTextNode(" · " + cfg.pol[r[3]]));
    if (!d) { return box; }
    if (d[0]) { add("br"); add("span", d[0] + (d[1] ? " · " + d[1] : "")).className = "walk"; }
    if (d[2]) { add("br"); box.appendChild(document.createTextNode(cfg.t.feeling.replace("{value}", d[2]))); }
    if (d[3]) { add("p", d[3]); }
    if (d[4]) {
        var p = add("p"); add("em", cfg.t.proposal, p); p.appendChild(document.createTextNode(" " + d[4]));
    }
    if (d[5]) {
        var img = add("img"); img.src = d[5]; img.alt = cfg.t.photo; img.width = 160; img.loading = "lazy";
    }
    if (d[6]) { var a = add("a", cfg.t.moderate.replace("{id}", d[7]), add("div")); a.href = d[6]; }
    return box;
}
"""


class _PointLayer(JSCSSMixin, Layer):
    """Every observation of a map in one layer: canvas circle markers, clustered beyond
    :data:`geodata.map_style.MARKERS_UP_TO` (one ``L.markerClusterGroup``).

    Data arrive as compact rows (:class:`geodata.map_style.PointSet`); the legend's check boxes
    (``input.theme-filter``) take a theme's markers out of the layer and put them back. A popup is
    built when its point is clicked: from ``details`` in the page, or fetched from ``popup_url``
    (``{id}`` replaced by the observation's id) as JSON ``{"d": details}``. Each marker carries a
    small ``feature`` (polarity code) so that scripts can tell observations from labels.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var map = {{ this._parent.get_name() }};
            var cfg = {{ this.config|tojson }};
            var S = cfg.styles, K = ["negative", "positive", "neutral"], rows = cfg.rows;
            var group = cfg.cluster
                ? L.markerClusterGroup({maxClusterRadius: 40, chunkedLoading: true, chunkInterval: 100})
                : L.featureGroup();
            var byTheme = cfg.themes.map(function () { return []; });
            {{ this.popup_js }}
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i], s = S[K[r[3]]] || S.neutral, c = cfg.themes[r[2]].color;
                var m = L.circleMarker([r[1], r[0]], {radius: s.r, color: s.o || c, fillColor: s.f || c,
                                                      fillOpacity: s.fo, weight: s.w});
                m.feature = {properties: {_k: K[r[3]]}};
                m.arpenteurRow = r;
                byTheme[r[2]].push(m);
            }
            var all = [].concat.apply([], byTheme);
            if (cfg.cluster) {
                // Once the group is on the map: before that, markercluster checks each marker it is
                // given against every one already waiting, which is quadratic (about 50 ms of the
                // first frame for 10,000 markers, 200 ms for 20,000).
                group.once("add", function () { group.addLayers(all); });
            } else {
                all.forEach(function (m) { m.addTo(group); });
            }
            group.on("click", function (e) {
                var m = e.layer, r = m.arpenteurRow;
                if (!r) { return; }
                if (m.getPopup()) { m.openPopup(); return; }
                var inline = cfg.details ? cfg.details[r[4]] : null;
                m.bindPopup(arpenteurPopup(cfg, r, inline), {maxWidth: 300}).openPopup();
                if (!cfg.url) { return; }
                var asked = {credentials: "same-origin", headers: {Accept: "application/json"}};
                fetch(cfg.url.replace("{id}", r[4]), asked)
                    .then(function (res) { return res.ok ? res.json() : null; })
                    .then(function (data) {
                        if (data) { m.setPopupContent(arpenteurPopup(cfg, r, data.d)); }
                    })
                    .catch(function () {});
            });
            map.getContainer().addEventListener("change", function (e) {
                var box = e.target;
                if (!box.matches || !box.matches("input.theme-filter")) { return; }
                var markers = byTheme[Number(box.dataset.theme)] || [];
                if (cfg.cluster) {
                    if (box.checked) { group.addLayers(markers); } else { group.removeLayers(markers); }
                } else {
                    markers.forEach(function (m) {
                        if (box.checked) { group.addLayer(m); } else { group.removeLayer(m); }
                    });
                }
            });
            return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, config: Mapping[str, Any], *, name: str, cluster: bool) -> None:
        super().__init__(name=_plain(name), overlay=True, control=True, show=True)
        self._name = "PointLayer"
        self.config = {**config, "cluster": cluster}
        self.popup_js = _POPUP_JS
        # Instance attributes: only maps with clusters load the plugin.
        self.default_js = _CLUSTER_JS if cluster else []
        self.default_css = _CLUSTER_CSS if cluster else []


class _CellLayer(Layer):
    """Observations counted per cell (:class:`geodata.map_style.CellSet`), drawn as canvas discs sized
    by count and coloured by the most frequent theme; the legend's theme check boxes recount them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var map = {{ this._parent.get_name() }};
            var cfg = {{ this.config|tojson }};
            var group = L.featureGroup(), shown = cfg.themes.map(function () { return true; });
            function draw() {
                var cells = {}, top = 1;
                cfg.rows.forEach(function (r) {
                    if (!shown[r[2]]) { return; }
                    var key = r[0] + ":" + r[1], c = cells[key];
                    if (!c) { c = cells[key] = {x: r[0], y: r[1], n: 0, neg: 0, by: {}}; }
                    c.n += r[3]; c.neg += r[4]; c.by[r[2]] = (c.by[r[2]] || 0) + r[3];
                    if (c.n > top) { top = c.n; }
                });
                group.clearLayers();
                Object.keys(cells).forEach(function (key) {
                    var c = cells[key], main = 0, best = -1;
                    Object.keys(c.by).forEach(function (t) {
                        if (c.by[t] > best) { best = c.by[t]; main = Number(t); }
                    });
                    var theme = cfg.themes[main];
                    var m = L.circleMarker([(c.y + 0.5) * cfg.dlat, (c.x + 0.5) * cfg.dlon], {
                        radius: 4 + 14 * Math.sqrt(c.n / top), color: theme.color, fillColor: theme.color,
                        fillOpacity: 0.6, weight: 1});
                    m.feature = {properties: {count: c.n}};
                    var box = document.createElement("div"), strong = document.createElement("strong");
                    strong.textContent = cfg.t.count.replace("{count}", c.n);
                    box.appendChild(strong);
                    [cfg.t.share.replace("{share}", Math.round(100 * c.neg / c.n)),
                     cfg.t.theme.replace("{theme}", theme.label)].forEach(function (line) {
                        box.appendChild(document.createElement("br"));
                        box.appendChild(document.createTextNode(line));
                    });
                    m.bindPopup(box, {maxWidth: 300});
                    group.addLayer(m);
                });
            }
            draw();
            map.getContainer().addEventListener("change", function (e) {
                var box = e.target;
                if (!box.matches || !box.matches("input.theme-filter")) { return; }
                shown[Number(box.dataset.theme)] = box.checked;
                draw();
            });
            return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, config: Mapping[str, Any], *, name: str) -> None:
        super().__init__(name=_plain(name), overlay=True, control=True, show=True)
        self._name = "CellLayer"
        self.config = config


def _theme_entries(keys: Sequence[str], themes: Mapping[str, ThemeStyle]) -> list[dict[str, str]]:
    return [{"label": theme_of(k, themes).label, "color": theme_of(k, themes).color} for k in keys]


def point_set(
    features: Sequence[Mapping[str, Any]],
    themes: Mapping[str, ThemeStyle],
    *,
    with_details: bool = True,
) -> PointSet:
    """Compact rows of a FeatureCollection's points (``map_style.PointSet``); with ``with_details``, the
    popup fields of each point go with them (``ref`` indexes them), else ``ref`` is the point's ``id``."""
    keys = [k for k in themes]
    positions = {k: i for i, k in enumerate(keys)}
    rows: list[list[Any]] = []
    details: list[list[Any]] = []
    for feat in features:
        p = feat.get("properties", {})
        key = str(p.get("theme"))
        if key not in positions:
            positions[key] = len(keys)
            keys.append(key)
        lon, lat = feat["geometry"]["coordinates"][:2]
        lon, lat = round_point(lon, lat, theme_of(key, themes).sensitive)
        polarity = POLARITIES.index(p["polarity"]) if p.get("polarity") in POLARITIES else 2
        ref = len(details) if with_details else p.get("id")
        rows.append([lon, lat, positions[key], polarity, ref])
        if with_details:
            details.append(
                [
                    p.get("walk"),
                    p.get("date"),
                    p.get("feeling"),
                    p.get("note"),
                    p.get("proposal"),
                    p.get("photo_url"),
                    p.get("moderation_url"),
                    p.get("id"),
                ]
            )
    return PointSet(themes=keys, rows=rows, details=details if with_details else None)


def cell_set(
    features: Sequence[Mapping[str, Any]], themes: Mapping[str, ThemeStyle], cell_m: float = CELL_M
) -> CellSet:
    """The same cells as ``webapp.services.map_data.cell_rows`` counts in SQL, from a FeatureCollection
    (for builders called with features, as in tests and scripts)."""
    keys = [k for k in themes]
    positions = {k: i for i, k in enumerate(keys)}
    lat0 = sum(f["geometry"]["coordinates"][1] for f in features[:1000]) / max(min(len(features), 1000), 1)
    dlon, dlat = cell_steps(lat0, cell_m)
    counts: dict[tuple[int, int, int], list[int]] = {}
    for feat in features:
        p = feat.get("properties", {})
        key = str(p.get("theme"))
        if key not in positions:
            positions[key] = len(keys)
            keys.append(key)
        lon, lat = feat["geometry"]["coordinates"][:2]
        cell = counts.setdefault((math.floor(lon / dlon), math.floor(lat / dlat), positions[key]), [0, 0])
        cell[0] += 1
        cell[1] += p.get("polarity") == "negative"
    rows = [[x, y, t, n, neg] for (x, y, t), (n, neg) in counts.items()]
    return CellSet(themes=keys, dlon=dlon, dlat=dlat, rows=rows, total=len(features))


def _points_config(
    points: PointSet, themes: Mapping[str, ThemeStyle], text: MapText, popup_url: str | None
) -> dict[str, Any]:
    return {
        "rows": points.rows,
        "themes": _theme_entries(points.themes, themes),
        "pol": [text.polarity.get(code, code) for code in POLARITIES],
        "styles": _POLARITY_STYLE,
        "details": None if popup_url else points.details,
        "url": popup_url,
        "t": {
            "feeling": text.feeling,
            "proposal": text.proposal,
            "photo": text.photo,
            "moderate": text.moderate,
        },
    }


def _as_rows(
    observations: Mapping[str, Any] | PointSet | CellSet,
    themes: Mapping[str, ThemeStyle],
    popup_url: str | None = None,
) -> PointSet | CellSet:
    """Compact rows of the observations (rounded as pages get them), whatever form they came in."""
    if isinstance(observations, (PointSet, CellSet)):
        return observations
    features = observations.get("features", [])
    if point_layer_kind(len(features)) == "cells":
        return cell_set(features, themes)
    return point_set(features, themes, with_details=popup_url is None)


def _add_points(
    fmap: folium.Map,
    observations: Mapping[str, Any] | PointSet | CellSet,
    themes: Mapping[str, ThemeStyle],
    text: MapText = DEFAULT_TEXT,
    popup_url: str | None = None,
) -> tuple[dict[str, int], list[str]]:
    """Draw the observations (features, a :class:`PointSet` or a :class:`CellSet`) as one layer; returns
    the count of each theme shown and the layer's theme order (for the legend's filters)."""
    data = _as_rows(observations, themes, popup_url)
    counts: Counter[int] = Counter()
    if isinstance(data, CellSet):
        for row in data.rows:
            counts[row[2]] += row[3]
        total = sum(counts.values())
        config = {
            "rows": data.rows,
            "themes": _theme_entries(data.themes, themes),
            "dlon": data.dlon,
            "dlat": data.dlat,
            "t": {"count": text.cell_count, "share": text.cell_share, "theme": text.cell_theme},
        }
        _CellLayer(config, name=text.grouped.format(count=total)).add_to(fmap)
    else:
        for row in data.rows:
            counts[row[2]] += 1
        kind = point_layer_kind(len(data.rows))
        _PointLayer(
            _points_config(data, themes, text, popup_url),
            name=text.observations.format(count=len(data.rows)),
            cluster=kind != "markers",
        ).add_to(fmap)
    return {key: counts[i] for i, key in enumerate(data.themes) if counts[i]}, list(data.themes)


def _points_bounds(data: Mapping[str, Any] | PointSet | CellSet) -> dict[str, Any] | None:
    """A FeatureCollection of the corners of compact data (for :func:`bounds_of`)."""
    if isinstance(data, PointSet):
        if not data.rows:
            return None
        xs, ys = [r[0] for r in data.rows], [r[1] for r in data.rows]
    elif isinstance(data, CellSet):
        if not data.rows:
            return None
        xs = [(r[0] + 0.5) * data.dlon for r in data.rows]
        ys = [(r[1] + 0.5) * data.dlat for r in data.rows]
    else:
        return dict(data)
    corners = [[min(xs), min(ys)], [max(xs), max(ys)]]
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": corners}}],
    }


def _legend_markup(
    themes: Mapping[str, ThemeStyle],
    counts: Mapping[str, int],
    extra: Sequence[str] = (),
    text: MapText = DEFAULT_TEXT,
    positions: Sequence[str] | None = None,
) -> str:
    """The legend: one check box per theme shown (it filters the observations' layer), the polarity
    shapes, then ``extra`` lines. ``positions`` is the theme order of the layer's data."""
    rows: list[str] = []
    order = list(positions) if positions is not None else list(counts)
    for key in theme_order(counts, themes):
        theme = theme_of(key, themes)
        rows.append(
            f'<label class="theme-filter-row"><input type="checkbox" class="theme-filter" checked '
            f'data-theme="{order.index(key)}"><span class="swatch" style="background:{_esc(theme.color)}">'
            f"</span>{_esc(theme.label)} ({counts[key]})</label>"
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
    popup_url: str | None = None,
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
    rows = _as_rows(observations, themes_by_key, popup_url)
    fmap = _new_map(tiles, bounds_of([route, stops, _points_bounds(rows)]) or bounds_of([zones]), text)
    if zones["features"]:
        _zone_outlines(zones, text.zones).add_to(fmap)
        _zone_names(zones).add_to(fmap)
    if route["features"]:
        _routes_layer(route, text.route).add_to(fmap)
    if stops["features"]:
        _stops_layer(stops, text.stops, text).add_to(fmap)
    counts, order = _add_points(fmap, rows, themes_by_key, text, popup_url)
    legend = _Legend(
        _legend_markup(themes_by_key, counts, text=text, positions=order),
        bounds=fmap.arpenteur_bounds,
        open=legend_open,
        texts=text.controls(),
    )
    _add_legend(fmap, legend)
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
    observations: Mapping[str, Any] | PointSet | CellSet,
    themes: Sequence[ThemeStyle],
    routes: Mapping[str, Any] | None = None,
    zones: Mapping[str, Any] | None = None,
    tiles: str = "osm",
    text: MapText = DEFAULT_TEXT,
    legend_open: bool | None = None,
    heat: Sequence[Sequence[float]] | None = None,
    popup_url: str | None = None,
) -> folium.Map:
    """The team's map of a project: zones as choropleths, every walk's route, the observations in one
    layer filtered by theme from the legend, a heat map of sensitive reports.

    ``observations`` is a FeatureCollection, or compact rows from the database (a
    :class:`~geodata.map_style.PointSet`, or a :class:`~geodata.map_style.CellSet` for many).
    ``zones`` features carry ``name``, ``count`` (observations) and ``negative_share`` (0-100) in
    their properties. ``heat`` is ``[lat, lon, count]`` on a 1e-3 degree lattice (computed here from
    the features when not given) for the themes marked ``sensitive`` in ``themes`` (street harassment
    in the default grid), hidden until chosen in the layer control: no exact place is in it.
    ``popup_url`` (with ``{id}``) makes popups fetched on click.
    """
    themes_by_key = theme_map(themes)
    empty: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    routes, zones = routes or empty, zones or empty
    rows = _as_rows(observations, themes_by_key, popup_url)
    fmap = _new_map(tiles, bounds_of([_points_bounds(rows), routes]) or bounds_of([zones]), text)
    extra = _add_zone_choropleths(fmap, zones, text)
    if routes["features"]:
        _routes_layer(routes, text.routes).add_to(fmap)
    counts, order = _add_points(fmap, rows, themes_by_key, text, popup_url)
    sensitive = [t for t in themes if t.sensitive]
    if heat is None:
        heat = _heat_of(observations, {t.key for t in sensitive})
    if heat:
        label = _esc(" / ".join(t.label for t in sensitive))
        total = int(sum(w for _, _, w in heat))
        plugins.HeatMap(
            [list(h) for h in heat],
            name=_plain(text.heatmap.format(label=label, count=total)),
            show=False,
            radius=22,
            max=max(w for _, _, w in heat),
        ).add_to(fmap)
    legend = _Legend(
        _legend_markup(themes_by_key, counts, extra, text, positions=order),
        bounds=fmap.arpenteur_bounds,
        open=legend_open,
        texts=text.controls(),
    )
    _add_legend(fmap, legend)
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def _heat_of(observations: Mapping[str, Any] | PointSet | CellSet, sensitive: set[str]) -> list[list[float]]:
    """Sensitive points of a FeatureCollection counted on the 1e-3 degree lattice (as
    ``webapp.services.map_data.sensitive_heat`` does in SQL)."""
    if isinstance(observations, (PointSet, CellSet)) or not sensitive:
        return []
    lattice: Counter[tuple[int, int]] = Counter()
    for f in observations.get("features", []):
        if f.get("properties", {}).get("theme") in sensitive:
            lon, lat = f["geometry"]["coordinates"][:2]
            lattice[(math.floor(lon * 1000 + 0.5), math.floor(lat * 1000 + 0.5))] += 1
    return [[y / 1000, x / 1000, n] for (x, y), n in lattice.items()]


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
    observations: Mapping[str, Any] | CellSet,
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

    ``observations`` (a FeatureCollection, or the cells the database counted for many: a
    :class:`~geodata.map_style.CellSet`) should hold no sensitive report (any is dropped here anyway);
    those arrive only as
    ``sensitive_cells``, a FeatureCollection of squares with ``count`` and ``size_m``
    (``geodata.privacy.cells_geojson``), drawn as red squares labelled with their count. There is
    no heatmap: it would need the exact points. Which themes are sensitive comes from ``themes``
    (their ``sensitive`` flag, read from the forms).
    """
    themes_by_key = theme_map(themes)
    sensitive = {t.key for t in themes if t.sensitive}
    empty: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    routes, zones, cells = routes or empty, zones or empty, sensitive_cells or empty
    # Belt and braces: a sensitive point (or cell) handed here by mistake is still never drawn.
    rows: PointSet | CellSet
    if isinstance(observations, CellSet):
        kept = [r for r in observations.rows if observations.themes[r[2]] not in sensitive]
        rows = replace(observations, rows=kept, total=sum(r[3] for r in kept))
    else:
        observations = {
            "type": "FeatureCollection",
            "features": [
                f
                for f in observations.get("features", [])
                if f.get("properties", {}).get("theme") not in sensitive
            ],
        }
        rows = _as_rows(observations, themes_by_key)
    fmap = _new_map(tiles, bounds_of([_points_bounds(rows), routes, cells]) or bounds_of([zones]), text)
    extra = _add_zone_choropleths(fmap, zones, text)
    if routes["features"]:
        _routes_layer(routes, text.routes).add_to(fmap)
    counts, order = _add_points(fmap, rows, themes_by_key, text)
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
    legend = _Legend(
        _legend_markup(themes_by_key, counts, extra, text, positions=order),
        bounds=fmap.arpenteur_bounds,
        open=legend_open,
        texts=text.controls(),
    )
    _add_legend(fmap, legend)
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
