"""The restitution report follows the partner pages' privacy rules for sensitive themes.

Harassment reports (sensitive in the default grid) are seeded at known places with known notes;
neither their coordinates (at 6, 5 and 4 decimals) nor their notes may appear in the report's HTML
(images included, decoded) or in its PDF (text and decompressed streams). The PDF is tagged, with
its title and language.
"""

from __future__ import annotations

import base64
import re
import subprocess
import uuid
import zlib
from datetime import UTC, datetime

import pytest

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import login, url
from webapp.extensions import db
from webapp.services import observations, participants

#: (lon, lat, note): three in one 200 m square of the grid, one alone (never drawn).
SEEDED = [
    (2.293718, 49.896173, "Il m'a suivie jusqu'au hall B"),
    (2.293845, 49.896254, "Insultes devant la pharmacie"),
    (2.293562, 49.896088, "Sifflements répétés à l'arrêt"),
    (2.298231, 49.904687, "Main aux fesses dans le bus 7"),
]


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    for i, (lon, lat, note) in enumerate(SEEDED):
        participant, _ = participants.add_participant(
            w.day, gender="woman", age_band="15-17", status="resident"
        )
        observations.record_observation(
            w.day,
            client_uuid=uuid.uuid4(),
            lon=lon,
            lat=lat,
            theme="harcelement",
            polarity="negative",
            form_key="marche_exploratoire",
            form_version=1,
            participant=participant,
            feeling=1,
            note=note,
            proposal=f"{note} (proposition)",
            moderation_status="validated",
            captured_at=datetime(2026, 3, 12, 21, 17 + i, tzinfo=UTC),
        )
    db.session.commit()
    login(client)
    return w


def _needles() -> list[str]:
    out = []
    for lon, lat, note in SEEDED:
        for digits in (6, 5, 4):
            out += [f"{lon:.{digits}f}", f"{lat:.{digits}f}"]
        out += [note, note.replace("'", "&#39;")]
    out += ["21:17", "21h17"]  # the time of the first report
    return out


def _found(haystack: str) -> list[str]:
    """The needles in ``haystack``; a coordinate only where a number starts (the charts' glyph
    positions, ``translate(102.29375 0)``, hold such digits by chance: their texts hold the random
    slug and today's date)."""
    found = []
    for needle in _needles():
        if needle[0].isdigit() and "." in needle:
            if re.search(rf"(?<![\d.]){re.escape(needle)}", haystack):
                found.append(needle)
        elif needle in haystack:
            found.append(needle)
    return found


def _decoded_images(html: str) -> str:
    parts = []
    for payload in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html):
        parts.append(base64.b64decode(payload).decode("utf-8", "replace"))
    return "\n".join(parts)


def _pdf_streams(pdf: bytes) -> str:
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            out.append(zlib.decompress(match.group(1)).decode("latin-1"))
        except zlib.error:
            out.append(match.group(1).decode("latin-1"))
    return "\n".join(out)


@pytest.mark.parametrize("scope", ["walk", "project"])
def test_report_never_shows_a_sensitive_place_note_or_time(world, client, tmp_path, scope):  # type: ignore[no-untyped-def]
    args = {"walk_id": world.day.id} if scope == "walk" else {}
    html = client.get(url("facilitators.report", slug=world.project.slug, **args)).get_data(as_text=True)
    assert _found(html + _decoded_images(html)) == []
    # counted, grouped in a square of at least three, and per quartier
    assert "signalements validés" in html
    assert "1 carreau de 200 m" in html
    assert "Signalements par zone" in html
    response = client.get(url("facilitators.report_pdf", slug=world.project.slug, **args))
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    streams = _pdf_streams(response.data)
    assert _found(text + "\n" + streams) == []


def test_report_pdf_is_tagged_with_title_and_language(world, client, tmp_path):  # type: ignore[no-untyped-def]
    response = client.get(url("facilitators.report_pdf", slug=world.project.slug, walk_id=world.day.id))
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(response.data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M), info
    assert re.search(r"^Title:\s+Restitution — Marche de jour", info, re.M), info
    assert b"/Lang (fr)" in response.data or "/Lang (fr)" in _pdf_streams(response.data)


def test_report_page_names_its_icon(world, client):  # type: ignore[no-untyped-def]
    html = client.get(url("facilitators.report", slug=world.project.slug)).get_data(as_text=True)
    assert 'rel="icon"' in html


@pytest.mark.parametrize("scope", ["walk", "project"])
def test_the_report_map_draws_no_sensitive_point(world, monkeypatch, scope):  # type: ignore[no-untyped-def]
    """The map is drawn in pixels (its numbers are no coordinates): what it is given to draw is checked."""
    import sqlalchemy as sa

    from webapp.models import Observation
    from webapp.services import forms, reports

    drawn: list[dict] = []  # type: ignore[type-arg]
    real = reports.render_static_map

    def spy(**kwargs):  # type: ignore[no-untyped-def]
        drawn.append(kwargs["observations"]())
        return real(**kwargs)

    monkeypatch.setattr(reports, "render_static_map", spy)
    walk = world.day if scope == "walk" else None
    reports.build_report(world.project, walk)
    sensitive = forms.project_sensitive_themes(world.project.id)
    assert "harcelement" in sensitive
    themes = [feature["properties"]["theme"] for points in drawn for feature in points["features"]]
    assert themes and not set(themes) & sensitive
    shown = sa.select(sa.func.count()).where(
        Observation.moderation_status == "validated",
        Observation.theme.not_in(sorted(sensitive)),
        Observation.walk_id.in_([world.day.id] if walk else [world.day.id, world.night.id]),
    )
    assert len(themes) == db.session.scalar(shown)  # every other validated observation is drawn
