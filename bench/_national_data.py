"""Set-up of the national map benchmark: a migrated database with N observations spread over France.

Twelve projects, one per city, each with one walk and a few participants; observations fall around
their city (a Gaussian spread of a few kilometres), one in ten of a sensitive theme (the default grid
marks ``harcelement``), nine in ten validated and the rest pending or hidden. Rows are bulk-inserted
(Core ``insert``, executemany in batches), as in ``bench/_debrief_data.py``.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

#: (slug, INSEE code, lon, lat) of the benchmark's projects.
CITIES = [
    ("paris", "75056", 2.35, 48.86),
    ("marseille", "13055", 5.37, 43.30),
    ("lyon", "69123", 4.84, 45.76),
    ("toulouse", "31555", 1.44, 43.60),
    ("nice", "06088", 7.26, 43.70),
    ("nantes", "44109", -1.55, 47.22),
    ("strasbourg", "67482", 7.75, 48.58),
    ("montpellier", "34172", 3.88, 43.61),
    ("bordeaux", "33063", -0.58, 44.84),
    ("lille", "59350", 3.06, 50.63),
    ("rennes", "35238", -1.68, 48.11),
    ("amiens", "80021", 2.30, 49.89),
]
PASSWORD = "bench-password"  # noqa: S105  (a throw-away benchmark database)


def admin_email(n: int) -> str:
    return f"national{n}@example.org"


#: The migration that adds the national map's cells (filled from the stored rows when it runs).
CELLS_MIGRATION = "f3a4b5c6d70b"


def _before_cells() -> str:
    """The revision just before the cells' migration (read from it: the integrator may re-chain it)."""
    import importlib.util

    folder = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    path = next(folder.glob(f"*_{CELLS_MIGRATION}_*.py"))
    spec = importlib.util.spec_from_file_location("cells_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.down_revision)


def fill(app, n: int, seed: int = 13) -> None:  # type: ignore[no-untyped-def]
    """Create the projects, walks, an administrator and ``n`` observations, then migrate to head.

    The observations are loaded before the cells' migration, which then counts them in one GROUP BY,
    as it does on an existing database (a row trigger per bulk-loaded row would only slow the set-up).
    """
    from flask_migrate import upgrade
    from geoalchemy2 import WKTElement

    from webapp.extensions import db
    from webapp.models import Observation, Participant
    from webapp.services import accounts, forms, projects, walks

    rng = random.Random(seed)
    with app.app_context():
        upgrade(revision=_before_cells())
        people: list[tuple[int, int, float, float]] = []
        for slug, insee, lon, lat in CITIES:
            project = projects.create_project(slug=f"{slug}-{n}", name=slug.title(), territory=[insee])
            walk = walks.create_walk(
                project,
                title="Marche",
                walk_date=date(2026, 3, 1),
                time_slot="day",
                route=[(lon - 0.01, lat), (lon + 0.01, lat)],
            )
            db.session.flush()
            for _ in range(4):
                participant = Participant(walk_id=walk.id, token_hash=uuid.uuid4().hex * 2, status="resident")
                db.session.add(participant)
                db.session.flush()
                people.append((walk.id, participant.id, lon, lat))
        accounts.create_user(email=admin_email(n), password=PASSWORD, is_admin=True)
        db.session.commit()
        form = forms.walk_form(walks.list_walks(projects.get_project(f"paris-{n}"))[0])
        themes = [theme.key for theme in forms.parsed(form).themes]
        sensitive = sorted(forms.parsed(form).sensitive_themes)
        ordinary = [key for key in themes if key not in sensitive]
        start = datetime(2026, 3, 1, 18, tzinfo=UTC)
        # RETURNING: SQLAlchemy sends multi-row INSERTs (one per 1,000 rows), not one statement per row,
        # each of which would fire the insert's statement trigger (and stamp the project) again
        batch = []
        for i in range(n):
            walk_id, participant_id, lon, lat = people[i % len(people)]
            x, y = rng.gauss(lon, 0.03), rng.gauss(lat, 0.02)
            roll = rng.random()
            batch.append(
                {
                    "client_uuid": uuid.UUID(int=rng.getrandbits(128)),
                    "walk_id": walk_id,
                    "participant_id": participant_id,
                    "location": WKTElement(f"POINT({x:.6f} {y:.6f})", srid=4326),
                    "location_source": "gps",
                    "out_of_area": False,
                    "theme": rng.choice(sensitive) if sensitive and roll < 0.1 else rng.choice(ordinary),
                    "polarity": rng.choice(["negative", "negative", "positive", "neutral"]),
                    "feeling": rng.randint(1, 5),
                    "note": f"Observation {i}",
                    "proposal": "",
                    "answers": {},
                    "form_key": form.key,
                    "form_version": form.version,
                    "moderation_status": "validated"
                    if rng.random() < 0.9
                    else rng.choice(["pending", "hidden"]),
                    "payload_hash": "",
                    "captured_at": start + timedelta(seconds=i),
                    "received_at": start,
                    "updated_at": start,
                }
            )
            if len(batch) == 10000:
                db.session.execute(sa.insert(Observation).returning(Observation.id), batch)
                batch = []
        if batch:
            db.session.execute(sa.insert(Observation).returning(Observation.id), batch)
        db.session.commit()
        upgrade()
        from webapp.services import observations

        # statistics on every table the head revision has (the facts rows are made by its migrations)
        if hasattr(observations, "refresh_statistics"):
            observations.refresh_statistics()
            db.session.commit()
