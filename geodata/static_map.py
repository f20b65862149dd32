"""A static SVG map (matplotlib, no tiles) of zones, routes, stops and observations: for print and PDF."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from geodata.map_style import ThemeStyle, bounds_of, by_theme, theme_map, theme_of, theme_order


def render_static_map(
    *,
    observations: Mapping[str, Any],
    themes: Sequence[ThemeStyle],
    routes: Mapping[str, Any] | None = None,
    zones: Mapping[str, Any] | None = None,
    stops: Mapping[str, Any] | None = None,
    width_in: float = 7.0,
    height_in: float = 5.0,
) -> str:
    """An SVG drawing of zones, routes, stops and observations, without tiles: for print and PDF."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon as MplPolygon

    themes_by_key = theme_map(themes)
    empty: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    routes, zones, stops = routes or empty, zones or empty, stops or empty
    fig, ax = plt.subplots(figsize=(width_in, height_in))
    try:
        lat0 = 49.9
        bounds = bounds_of([observations, routes, stops]) or bounds_of([zones])
        if bounds:
            lat0 = (bounds[1] + bounds[3]) / 2
        ax.set_aspect(1 / math.cos(math.radians(lat0)))
        for feat in zones["features"]:
            geometry = feat["geometry"]
            polygons = (
                geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            )
            for polygon in polygons:
                ax.add_patch(
                    MplPolygon(polygon[0], closed=True, facecolor="#ECEFF1", edgecolor="#546E7A", lw=1)
                )
            ring = polygons[0][0]
            cx = sum(p[0] for p in ring) / len(ring)
            cy = sum(p[1] for p in ring) / len(ring)
            ax.annotate(
                str(feat["properties"].get("name", "")), (cx, cy), fontsize=7, color="#37474F", ha="center"
            )
        for feat in routes["features"]:
            coords = feat["geometry"]["coordinates"]
            ax.plot([c[0] for c in coords], [c[1] for c in coords], color="#111111", lw=2, alpha=0.8)
        for feat in stops["features"]:
            x, y = feat["geometry"]["coordinates"][:2]
            ax.scatter([x], [y], s=160, facecolor="white", edgecolor="black", zorder=4)
            ax.annotate(
                str(feat["properties"].get("position", "")),
                (x, y),
                ha="center",
                va="center",
                fontsize=7,
                zorder=5,
            )
        groups = by_theme(observations.get("features", []))
        handles = []
        for key in theme_order(groups, themes_by_key):
            theme = theme_of(key, themes_by_key)
            xs = [f["geometry"]["coordinates"][0] for f in groups[key]]
            ys = [f["geometry"]["coordinates"][1] for f in groups[key]]
            ax.scatter(xs, ys, s=14, color=theme.color, edgecolor="white", linewidth=0.4, zorder=3)
            handles.append(Line2D([], [], marker="o", ls="", color=theme.color, label=theme.label))
        if bounds:
            pad_x = max((bounds[2] - bounds[0]) * 0.08, 0.002)
            pad_y = max((bounds[3] - bounds[1]) * 0.08, 0.002)
            ax.set_xlim(bounds[0] - pad_x, bounds[2] + pad_x)
            ax.set_ylim(bounds[1] - pad_y, bounds[3] + pad_y)
        ax.set_xticks([])
        ax.set_yticks([])
        if handles:
            ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg")
        return out.getvalue()
    finally:
        plt.close(fig)
