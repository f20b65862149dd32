"""Helpers shared by the capture tests (API, pages, concurrency, browser): a walk to join, payloads."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shapely.geometry import MultiPolygon, box

#: A short route in Amiens Nord, (lon, lat).
ROUTE = [(2.2950, 49.9180), (2.2990, 49.9195), (2.3030, 49.9210)]
STOPS = [("Maison de quartier", ROUTE[0]), ("Arrêt de bus", ROUTE[2])]
#: A project zone covering the route.
ZONE = MultiPolygon([box(2.290, 49.914, 2.308, 49.925)])
ZONE_NAME = "Nord — secteur test"


def make_walk(*, code: str = "K7PM3Q", status: str = "open", slug: str = "amiens-test") -> Any:
    """A project, a custom zone covering the route, and a walk with route and stops (committed)."""
    from webapp.extensions import db
    from webapp.services import projects, walks, zones

    project = projects.get_project(slug) or projects.create_project(
        slug=slug, name="Amiens test", territory=["80021"]
    )
    zones.save_custom_zone(project, code="nord-test", name=ZONE_NAME, geometry=ZONE)
    db.session.commit()
    walk = walks.create_walk(
        project,
        title="Marche de test",
        walk_date=date(2026, 11, 25),
        route=ROUTE,
        stops=STOPS,
        join_code=code,
    )
    if status == "open":
        walks.open_walk(walk)
    elif status == "closed":
        walks.open_walk(walk)
        walks.close_walk(walk)
    db.session.commit()
    return walk


def payload(**overrides: Any) -> dict[str, Any]:
    """A valid submission; ``answers``/``location`` keys given as overrides replace the defaults' ones."""
    overrides = dict(overrides)
    answers = {"theme": "eclairage", "polarity": "negative", "feeling": 2, "note": "Lampadaire éteint"}
    answers.update(overrides.pop("answers", {}))
    location: dict[str, Any] | None = {"lon": 2.2991, "lat": 49.9196, "accuracy_m": 8.0, "source": "gps"}
    if "location" in overrides and overrides["location"] is None:
        location = None
        overrides.pop("location")
    else:
        location.update(overrides.pop("location", {}))  # type: ignore[union-attr]
    body = {
        "client_uuid": str(uuid.uuid4()),
        "form": {"key": "marche_exploratoire", "version": 2},  # the walk's form (create_walk: newest default)
        "captured_at": (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0).isoformat(),
        "location": location,
        "answers": answers,
    }
    body.update(overrides)
    return body


def jpeg_with_gps(size: tuple[int, int] = (2400, 1800), orientation: int = 6) -> bytes:
    """A real JPEG carrying EXIF GPS tags, a camera model and an orientation."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 120, 40))
    for x in range(0, size[0], 50):
        image.paste((20, 20, 160), (x, 0, x + 10, size[1]))
    exif = Image.Exif()
    exif[0x0110] = "TestPhone 3000"  # Model
    exif[0x0112] = orientation  # Orientation: 6 = rotate 90° clockwise to display
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (49.0, 55.0, 12.34)
    gps[3] = "E"
    gps[4] = (2.0, 17.0, 56.78)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()
