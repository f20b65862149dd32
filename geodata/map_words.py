"""Every word a map shows (:class:`MapText`), apart from folium: the app builds them for each request
(``webapp.map_text``) without loading the map builders, which :mod:`geodata.maps` does only when a
page draws a map."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


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
    observations: str = "Observations ({count})"
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
