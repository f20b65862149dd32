"""A static SVG map (matplotlib, no tiles) of zones, routes, stops and observations: for print and PDF.

The legend sits below the drawing (never cut at the page's edge) and names every kind of shape
drawn; zone names that would overlap another label are moved, or left out when no place is free.
Sensitive reports arrive only as grid squares (``geodata.privacy.cells_geojson``), drawn with their
count: no point of theirs is ever given to this module.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shapely.geometry import Point, box, shape

from geodata.map_style import ThemeStyle, bounds_of, by_theme, label_point, theme_map, theme_of, theme_order

#: Legend texts by default (callers translate them).
DEFAULT_TEXT = {
    "zones": "Zones",
    "routes": "Route",
    "stops": "Stop",
    "cells": "Sensitive reports (square)",
    "negative": "Problem",
    "positive": "Asset",
    "neutral": "Neutral",
}
#: Above this many observation markers, they are drawn as one picture inside the SVG (at
#: :data:`RASTER_DPI`) instead of one vector shape each: the zones, routes, stops, squares, names and
#: legend stay vector. A PDF reader, WeasyPrint included, draws thousands of vector markers one by one
#: (about a millisecond each in WeasyPrint: a report of 15,000 points took 16 s to write), while that
#: many points overlap on paper anyway.
RASTER_ABOVE = 1000
#: Resolution of the markers' picture when they are many: print quality at the map's printed size.
RASTER_DPI = 200
#: Polarity by shape, as on the web maps: a problem is a filled disc, an asset a ring, neutral a square.
POLARITY_MARKERS = {"negative": ("o", True), "positive": ("o", False), "neutral": ("s", True)}


#: One figure is written out at a time: how its text is written is a global setting of matplotlib.
_WRITING = threading.Lock()


def svg_of(fig: Any, *, for_pdf: bool = False, dpi: float | None = None) -> str:
    """A matplotlib figure as SVG (tight bounding box).

    For a browser, each letter is written as its outline (a path): the drawing looks the same
    whatever fonts the reader's machine has. For a PDF (``for_pdf``: WeasyPrint, which has the
    DejaVu Sans matplotlib measures with), text stays ``<text>``: it can be searched and selected in
    the PDF, and WeasyPrint draws the figure in about half the time (thousands of glyph outlines
    and their ``<use>`` references are most of a chart's drawing). ``dpi``: the resolution of the
    parts drawn as pictures (``rasterized`` artists), when there are some.
    """
    import matplotlib

    out = io.StringIO()
    with _WRITING, matplotlib.rc_context({"svg.fonttype": "none" if for_pdf else "path"}):
        fig.savefig(out, format="svg", bbox_inches="tight", **({"dpi": dpi} if dpi else {}))
    return out.getvalue()


def _place_labels(ax: Any, fig: Any, labels: list[Any]) -> None:
    """Move a label that overlaps an earlier one up or down; hide it when neither place is free."""
    renderer = fig.canvas.get_renderer()
    placed: list[Any] = []
    for text in labels:
        x, y = text.get_position()
        for dy in (0, 9, -9, 18, -18):
            text.set_position((x, y))
            text.set_transform(ax.transData)
            if dy:
                from matplotlib.transforms import offset_copy

                text.set_transform(offset_copy(ax.transData, fig=fig, y=dy, units="points"))
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
        else:
            text.set_visible(False)


def render_static_map(
    *,
    observations: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    themes: Sequence[ThemeStyle],
    routes: Mapping[str, Any] | None = None,
    zones: Mapping[str, Any] | None = None,
    stops: Mapping[str, Any] | None = None,
    sensitive_cells: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    width_in: float = 7.0,
    height_in: float = 5.6,
    for_pdf: bool = False,
    observations_key: str | None = None,
) -> str:
    """An SVG drawing of zones, routes, stops, observations and sensitive squares, without tiles;
    ``for_pdf``: its text kept as text (see :func:`svg_of`).

    Drawn once per content in this process (:data:`_drawn`): the same shapes, styles, texts and size
    give the same SVG, so a report or walk kit opened again is not drawn again (the drawing is nine
    tenths of a report page's making). Whatever changes what is drawn changes the key.

    ``observations_key``: a name the caller gives to exactly these observations (a data stamp), used
    in the key instead of their content; ``observations`` may then be a function that reads them,
    called only when the drawing is not kept. Serialising 100,000 points to key their drawing took
    a second at each visit of a report.
    """
    if observations_key is None and callable(observations):
        raise TypeError("observations read on demand need an observations_key")
    key = _content_key(
        observations if observations_key is None else ["observations", observations_key],
        themes,
        routes,
        zones,
        stops,
        sensitive_cells,
        labels,
        width_in,
        height_in,
        for_pdf,
    )
    with _drawn_lock:
        kept = _drawn.get(key)
        if kept is not None:
            _drawn.move_to_end(key)
            return kept
    svg = _draw(
        observations=observations() if callable(observations) else observations,
        themes=themes,
        routes=routes,
        zones=zones,
        stops=stops,
        sensitive_cells=sensitive_cells,
        labels=labels,
        width_in=width_in,
        height_in=height_in,
        for_pdf=for_pdf,
    )
    with _drawn_lock:
        _drawn[key] = svg
        while len(_drawn) > _DRAWN_KEPT or sum(len(v) for v in _drawn.values()) > _DRAWN_BYTES:
            if len(_drawn) == 1:
                break
            _drawn.popitem(last=False)
    return svg


#: SVGs drawn, by the digest of what they draw (:func:`_content_key`), least recently used first.
_drawn: OrderedDict[str, str] = OrderedDict()
_drawn_lock = threading.Lock()
#: At most this many drawings, and about this many characters of SVG, kept per process.
_DRAWN_KEPT = 16
_DRAWN_BYTES = 32_000_000


def _content_key(*parts: Any) -> str:
    """A digest of everything a drawing depends on (GeoJSON, theme styles, texts, size, target).

    Texts may be lazy translations: they are read as strings, in the language of the moment.
    """

    def plain(value: Any) -> Any:
        if isinstance(value, ThemeStyle):
            return [value.key, str(value.label), value.color, value.sensitive]
        return str(value)

    text = json.dumps(parts, default=plain, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _draw(
    *,
    observations: Mapping[str, Any],
    themes: Sequence[ThemeStyle],
    routes: Mapping[str, Any] | None,
    zones: Mapping[str, Any] | None,
    stops: Mapping[str, Any] | None,
    sensitive_cells: Mapping[str, Any] | None,
    labels: Mapping[str, str] | None,
    width_in: float,
    height_in: float,
    for_pdf: bool,
) -> str:
    """:func:`render_static_map`'s drawing, made with matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.patches import Polygon as MplPolygon

    texts = {**DEFAULT_TEXT, **(labels or {})}
    themes_by_key = theme_map(themes)
    empty: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    routes, zones, stops = routes or empty, zones or empty, stops or empty
    cells = sensitive_cells or empty
    fig, ax = plt.subplots(figsize=(width_in, height_in))
    try:
        lat0 = 49.9
        bounds = bounds_of([observations, routes, stops, cells]) or bounds_of([zones])
        if bounds:
            lat0 = (bounds[1] + bounds[3]) / 2
        ax.set_aspect(1 / math.cos(math.radians(lat0)))
        handles: list[Any] = []
        zone_labels = []
        zone_areas: list[Any] = []
        for feat in zones["features"]:
            geometry = feat["geometry"]
            polygons = (
                geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            )
            for polygon in polygons:
                ax.add_patch(
                    MplPolygon(polygon[0], closed=True, facecolor="#ECEFF1", edgecolor="#546E7A", lw=1)
                )
            area = shape(geometry)
            inside = label_point(area)
            zone_areas.append(area)
            zone_labels.append(
                ax.text(
                    inside.x,
                    inside.y,
                    str(feat["properties"].get("name", "")),
                    fontsize=8,
                    color="#263238",
                    ha="center",
                    va="center",
                    zorder=6,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
                )
            )
        if zones["features"]:
            handles.append(Patch(facecolor="#ECEFF1", edgecolor="#546E7A", label=texts["zones"]))
        for feat in routes["features"]:
            coords = feat["geometry"]["coordinates"]
            ax.plot([c[0] for c in coords], [c[1] for c in coords], color="#111111", lw=2, alpha=0.8)
        if routes["features"]:
            handles.append(Line2D([], [], color="#111111", lw=2, label=texts["routes"]))
        for feat in stops["features"]:
            x, y = feat["geometry"]["coordinates"][:2]
            ax.scatter([x], [y], s=170, facecolor="white", edgecolor="black", zorder=4)
            ax.annotate(
                str(feat["properties"].get("position", "")),
                (x, y),
                ha="center",
                va="center",
                fontsize=8,
                fontweight="bold",
                zorder=5,
            )
        if stops["features"]:
            handles.append(
                Line2D([], [], marker="o", ls="", ms=9, mfc="white", mec="black", label=texts["stops"])
            )
        for feat in cells["features"]:
            ring = feat["geometry"]["coordinates"][0]
            ax.add_patch(
                MplPolygon(
                    ring, closed=True, facecolor="#CC79A7", edgecolor="#6B2D55", alpha=0.45, lw=1, zorder=2
                )
            )
            cx, cy = feat["properties"]["centre"]
            ax.annotate(
                str(feat["properties"]["count"]), (cx, cy), ha="center", va="center", fontsize=8, zorder=5
            )
        if cells["features"]:
            handles.append(Patch(facecolor="#CC79A7", edgecolor="#6B2D55", alpha=0.6, label=texts["cells"]))
        groups = by_theme(observations.get("features", []))
        as_picture = len(observations.get("features", [])) > RASTER_ABOVE
        for key in theme_order(groups, themes_by_key):
            theme = theme_of(key, themes_by_key)
            for polarity, (marker, filled) in POLARITY_MARKERS.items():
                feats = [f for f in groups[key] if (f["properties"].get("polarity") or "neutral") == polarity]
                if not feats:
                    continue
                ax.scatter(
                    [f["geometry"]["coordinates"][0] for f in feats],
                    [f["geometry"]["coordinates"][1] for f in feats],
                    s=22,
                    marker=marker,
                    facecolor=theme.color if filled else "white",
                    edgecolor=theme.color,
                    linewidth=1.4,
                    zorder=3,
                    rasterized=as_picture,
                )
            handles.append(Line2D([], [], marker="o", ls="", color=theme.color, label=theme.label))
        if bounds:
            pad_x = max((bounds[2] - bounds[0]) * 0.08, 0.002)
            pad_y = max((bounds[3] - bounds[1]) * 0.08, 0.002)
            ax.set_xlim(bounds[0] - pad_x, bounds[2] + pad_x)
            ax.set_ylim(bounds[1] - pad_y, bounds[3] + pad_y)
            # Zones reaching beyond the drawing (the project's others around a walk's kit) are clipped
            # to it; so are their names: one whose place is out of view moves to the part in view,
            # or is left out when none is (written out there, it would stretch the figure).
            (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
            view = box(x0, y0, x1, y1)
            for label, area in zip(zone_labels, zone_areas, strict=True):
                if view.contains(Point(label.get_position())):
                    continue
                seen = area.intersection(view)
                if seen.is_empty or seen.area == 0:
                    label.set_visible(False)
                else:
                    place = label_point(seen)
                    label.set_position((place.x, place.y))
            zone_labels = [label for label in zone_labels if label.get_visible()]
        ax.set_xticks([])
        ax.set_yticks([])
        if groups:
            for polarity in ("negative", "positive", "neutral"):
                marker, filled = POLARITY_MARKERS[polarity]
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker=marker,
                        ls="",
                        mfc="#444" if filled else "white",
                        mec="#444",
                        label=texts[polarity],
                    )
                )
        if handles:
            ax.legend(
                handles=handles,
                fontsize=8,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.01),
                ncol=3,
                frameon=False,
            )
        # No tight_layout (it warns when the legend below is wide); savefig's tight bounding box
        # keeps the legend whole.
        _place_labels(ax, fig, zone_labels)
        return svg_of(fig, for_pdf=for_pdf, dpi=RASTER_DPI if as_picture else None)
    finally:
        plt.close(fig)
