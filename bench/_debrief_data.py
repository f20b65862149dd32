"""Shared set-up of the debrief benchmarks: a migrated database filled with N observations, fast.

Observations are bulk-inserted (Core ``insert`` with executemany), spread over Amiens, with themes
of the walks' form (the stored default grid, newest version), all three polarities and validated.
Zones are two project zones around them (assigned in process with the same STRtree the app uses for
bulk re-assignment).
"""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

PG_ADMIN = os.environ.get(
    "ARPENTEUR_TEST_POSTGIS_URL", "postgresql+psycopg://arpenteur:arpenteur@127.0.0.1:5432/arpenteur"
)
PG_TEMPLATE = os.environ.get("ARPENTEUR_TEST_POSTGIS_TEMPLATE", "arpenteur_template")


def postgis_database(name: str) -> str:
    """A fresh PostGIS database cloned from the test template; returns its URL."""
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{PG_TEMPLATE}"')
    admin.dispose()
    return sa.engine.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def drop_postgis_database(name: str) -> None:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def make_app(url: str, instance: Path, **extra: object):  # type: ignore[no-untyped-def]
    from webapp import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "PHOTO_DIR": str(instance / "photos"),
            "TILES": "none",
            **extra,
        }
    )


def fill(app, n: int, seed: int = 4) -> str:  # type: ignore[no-untyped-def]
    """Migrate, then create a project with two walks, participants and ``n`` observations.

    Returns the project's slug.
    """
    from flask_migrate import upgrade
    from geoalchemy2 import WKTElement
    from shapely.geometry import MultiPolygon, box

    from webapp.extensions import db
    from webapp.models import Observation, Participant
    from webapp.services import accounts, forms, projects, walks, zones

    rng = random.Random(seed)
    with app.app_context():
        upgrade()
        slug = f"bench-{n}"
        project = projects.create_project(slug=slug, name=f"Banc {n}", territory=["80021"])
        zones.save_custom_zone(
            project, code="ouest", name="Ouest", geometry=MultiPolygon([box(2.24, 49.86, 2.30, 49.93)])
        )
        zones.save_custom_zone(
            project, code="est", name="Est", geometry=MultiPolygon([box(2.30, 49.86, 2.36, 49.93)])
        )
        day = walks.create_walk(
            project,
            title="Jour",
            walk_date=date(2026, 3, 1),
            time_slot="day",
            route=[(2.25, 49.87), (2.35, 49.92)],
        )
        night = walks.create_walk(
            project,
            title="Nuit",
            walk_date=date(2026, 3, 2),
            time_slot="night",
            route=[(2.25, 49.92), (2.35, 49.87)],
        )
        db.session.flush()
        people = []
        for i in range(40):
            p = Participant(
                walk_id=(day if i % 2 else night).id,
                token_hash=uuid.uuid4().hex * 2,
                gender=rng.choice(["woman", "man"]),
                age_band=rng.choice(["15-17", "26-44", "65+"]),
                status="resident",
            )
            db.session.add(p)
            people.append(p)
        user = accounts.create_user(
            email=f"bench{n}@example.org",
            password="bench-password",  # noqa: S106  (a throw-away benchmark database)
            is_admin=True,
        )
        db.session.commit()
        form = forms.walk_form(day)
        themes = [theme.key for theme in forms.parsed(form).themes]
        points = [(rng.uniform(2.24, 2.36), rng.uniform(49.86, 49.93)) for _ in range(n)]
        start = datetime(2026, 3, 1, 18, tzinfo=UTC)
        # RETURNING: SQLAlchemy sends multi-row INSERTs (one per 1,000 rows), not one statement per row,
        # each of which would fire the insert's statement trigger (and stamp the project) again
        batch = []
        for i, (lon, lat) in enumerate(points):
            person = people[i % len(people)]
            batch.append(
                {
                    "client_uuid": uuid.UUID(int=rng.getrandbits(128)),
                    "walk_id": person.walk_id,
                    "participant_id": person.id,
                    "location": WKTElement(f"POINT({lon} {lat})", srid=4326),
                    "location_source": "gps",
                    "out_of_area": False,
                    "theme": rng.choice(themes),
                    "polarity": rng.choice(["negative", "negative", "positive", "neutral"]),
                    "feeling": rng.randint(1, 5),
                    "note": f"Observation de test numéro {i}, un peu de texte.",
                    "proposal": f"Proposition {i}",
                    "answers": {},
                    "form_key": form.key,
                    "form_version": form.version,
                    "moderation_status": "validated",
                    "payload_hash": "",
                    "captured_at": start + timedelta(seconds=i),
                    "received_at": start,
                    "updated_at": start,
                }
            )
            if len(batch) == 5000:
                db.session.execute(sa.insert(Observation).returning(Observation.id), batch)
                batch = []
        if batch:
            db.session.execute(sa.insert(Observation).returning(Observation.id), batch)
        # the zones, as a perimeter import gives them (into the facts rows the inserts made)
        zones.reassign_observations([project])
        db.session.commit()
        from webapp.services import observations

        if hasattr(observations, "refresh_statistics"):  # what the product does after a bulk load
            observations.refresh_statistics()
            db.session.commit()
        _ = user
    return slug
