"""The walk kit (« feuille de route »): one printable A4 PDF for the group, and the QR code of the join link.

The kit holds what a group needs on the day, on paper: the QR code and the code to join, how to join in
three steps, the map of the route with numbered stops (a static drawing, no tiles, as in the report),
the list of stops, the themes of the walk's form with their pictograms, the help numbers and the
promise that nothing personal is asked. The PDF is made by WeasyPrint through
:func:`webapp.services.reports.render_pdf`, which loads nothing from outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import segno
from flask import current_app, g, render_template
from flask_babel import lazy_gettext as _  # extracted like gettext (babel does not know `_l`)

from geodata.static_map import render_static_map
from webapp.models import Walk
from webapp.services import forms, map_data, reports, walks

#: Help numbers in France, as the kit and the capture page's help show them (number, who answers).
HELP_NUMBERS: tuple[tuple[str, object], ...] = (
    ("17 / 112", _("Police, urgence")),
    ("114", _("Urgence par SMS (personnes sourdes, ou quand parler est dangereux)")),
    ("3919", _("Violences faites aux femmes (gratuit, anonyme)")),
    ("119", _("Enfance en danger, pour les mineur·es (gratuit, 24 h/24)")),
)


@dataclass(frozen=True)
class KitTheme:
    """A theme of the walk's form, as the kit lists it."""

    emoji: str
    label: str


@dataclass(frozen=True)
class WalkKit:
    """Everything the kit template shows."""

    walk: Walk
    #: the full join link, or None when no site address is known (command line without PUBLIC_URL)
    join_url: str | None
    join_path: str
    code: str
    code_groups: list[str]
    qr_svg: str | None
    map_svg: str
    stops: list[tuple[int, str]]
    themes: list[KitTheme]
    form_title: str
    help_numbers: list[tuple[str, str]]


def code_groups(code: str) -> list[str]:
    """The code cut in groups of three, easier to read aloud and to copy (``K7P M3Q``)."""
    return [code[i : i + 3] for i in range(0, len(code), 3)]


def qr_svg(url: str, *, title: str = "") -> str:
    """The QR code of ``url`` as inline SVG (made here: no outside service ever sees the link)."""
    qr = segno.make(url, error="m", micro=False)
    # No width/height, a viewBox instead: the page sizes it (a projector's half-screen, 48 mm on paper).
    return str(
        qr.svg_inline(
            scale=10, border=2, dark="#000", light="#fff", title=title or None, svgclass="qr", omitsize=True
        )
    )


def build_kit(walk: Walk, join_url: str | None) -> WalkKit:
    """Collect the kit of a walk; ``join_url`` is the full link (None: code and relative path only)."""
    lang = g.get("lang", "fr")
    definition = forms.walk_definition(walk)
    code = walk.join_code or ""
    join_path = f"/rejoindre?code={code}"
    empty: dict[str, object] = {"type": "FeatureCollection", "features": []}
    map_svg = render_static_map(
        observations=empty,
        themes=[],
        routes=map_data.routes_geojson([walk]),
        zones=walks.project_zones_geojson(walk.project),
        stops=map_data.stops_geojson(walk),
        labels=reports.static_map_text(),  # the legend in the kit's language
        width_in=4.4,  # the left 60 % of the sheet, beside the list of stops
        height_in=3.0,
        for_pdf=True,  # the kit is only ever a PDF
    )
    return WalkKit(
        walk=walk,
        join_url=join_url,
        join_path=join_path,
        code=code,
        code_groups=code_groups(code),
        qr_svg=qr_svg(join_url, title=str(_("Code QR pour rejoindre la marche"))) if join_url else None,
        map_svg=map_svg,
        stops=[(s.position, s.name) for s in walk.stops],
        themes=[KitTheme(t.icon.emoji, t.label.get(lang)) for t in definition.themes],
        form_title=definition.title.get(lang),
        help_numbers=[(number, str(label)) for number, label in HELP_NUMBERS],
    )


def render_kit_pdf(kit: WalkKit) -> bytes:
    """The kit as an A4 PDF (needs an app context: the template and the static folder)."""
    static = Path(current_app.static_folder or "")
    html = render_template("facilitators/walks/kit.html", kit=kit, svg_uri=reports.svg_data_uri)
    return reports.render_pdf(html, base_dir=static, allowed_dirs=[static])
