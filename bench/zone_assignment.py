"""Zone assignment: one query per point (SpatiaLite, PostGIS) vs. an in-process STRtree, and bulk.

Zones: the 10 official QPV of the Somme (ANCT, 2024) copied on a grid across France to reach about
1,600 polygons, the size of the national list. Points: random in the Amiens area, so most queries
find candidates. Usage:

    .venv/bin/python -m bench.zone_assignment [--points 100000] [--single 1000] [--runs 5]

Baseline: the in-process STRtree on the same points (pure Shapely, no database).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from shapely import affinity
from shapely.geometry import shape

REPO = Path(__file__).resolve().parents[1]
#: Reference perimeters shipped with the tests (ANCT, 2024; see tests/data/SOURCES.md).
REFERENCE = REPO / "tests" / "data" / "geodata"
PG_ADMIN = os.environ.get(
    "ARPENTEUR_TEST_POSTGIS_URL", "postgresql+psycopg://arpenteur:arpenteur@127.0.0.1:5432/arpenteur"
)


def _zones() -> list[tuple[str, str, object]]:
    features = json.loads((REFERENCE / "qpv2024_somme.geojson").read_text())["features"]
    base = [(f["properties"]["code_qp"], f["properties"]["lib_qp"], shape(f["geometry"])) for f in features]
    zones = list(base)
    copy = 0
    for dx in range(-4, 8):
        for dy in range(-7, 7):
            if dx == 0 and dy == 0:
                continue
            copy += 1
            for code, name, geom in base:
                zones.append((f"{code}-{copy:03d}", name, affinity.translate(geom, dx * 0.6, dy * 0.5)))
    return zones[:1600]


def _points(n: int, zones_data, seed: int = 7) -> list[tuple[float, float]]:
    """Half the points in the bounding box of an Amiens QPV (many inside), half anywhere in the city."""
    rng = random.Random(seed)
    boxes = [geom.bounds for code, _name, geom in zones_data[:10]]
    points = []
    for i in range(n):
        if i % 2:
            minx, miny, maxx, maxy = rng.choice(boxes)
        else:
            minx, miny, maxx, maxy = 2.22, 49.85, 2.36, 49.93
        points.append((rng.uniform(minx, maxx), rng.uniform(miny, maxy)))
    return points


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _app(url: str, tmp: Path):
    from flask_migrate import upgrade

    from webapp import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": url, "PHOTO_DIR": str(tmp / "photos")})
    with app.app_context():
        upgrade()
    return app


def _pg_database() -> tuple[str, sa.Engine, str] | None:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"arpenteur_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE arpenteur_template')
    except sa.exc.SQLAlchemyError as error:
        print(f"PostGIS skipped: {error.__class__.__name__}", file=sys.stderr)
        return None
    return sa.engine.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), admin, name


def _load(zones_data, points) -> object:
    """Create a project, the zones and one observation per point (zone left empty)."""
    from geoalchemy2.shape import from_shape
    from shapely.geometry import MultiPolygon

    from webapp.extensions import db
    from webapp.models import Observation, Project, Walk, Zone
    from webapp.services import forms

    form = forms.latest_form()  # the stored default grid, as a new walk gets it
    project = Project(slug="bench", name="Bench", territory=["80021"], qpv_year=2024)
    walk = Walk(
        project=project,
        title="Bench",
        walk_date=datetime(2026, 1, 1).date(),
        time_slot="day",
        status="open",
        form_key=form.key,
        form_version=form.version,
    )
    db.session.add_all([project, walk])
    for code, name, geom in zones_data:
        multi = geom if geom.geom_type == "MultiPolygon" else MultiPolygon([geom])
        db.session.add(
            Zone(kind="qpv", code=code, name=name, list_year=2024, area=from_shape(multi, srid=4326))
        )
    db.session.flush()
    now = datetime.now(UTC)
    rows = [
        {
            "client_uuid": uuid.uuid4(),
            "walk_id": walk.id,
            "location": f"SRID=4326;POINT({lon} {lat})",
            "location_source": "gps",
            "out_of_area": False,
            "theme": "eclairage",
            "polarity": "negative",
            "note": "",
            "proposal": "",
            "answers": {},
            "form_key": form.key,
            "form_version": form.version,
            "moderation_status": "pending",
            "payload_hash": "",
            "captured_at": now,
            "received_at": now,
            "updated_at": now,
        }
        for lon, lat in points
    ]
    # RETURNING: multi-row INSERTs (one per 1,000 rows), not one statement per row firing the insert's
    # statement trigger (which stamps the project) each time
    db.session.execute(sa.insert(Observation).returning(Observation.id), rows)
    db.session.commit()
    return project


def _measure_database(label: str, url: str, tmp: Path, zones_data, points, single: int, runs: int) -> dict:
    from webapp.extensions import db
    from webapp.models import ObservationFacts
    from webapp.services import zones

    app = _app(url, tmp)
    with app.app_context():
        t0 = time.perf_counter()
        project = _load(zones_data, points)
        load_s = time.perf_counter() - t0
        sample = points[:single]
        per_point = []
        for _ in range(runs):
            t0 = time.perf_counter()
            for lon, lat in sample:
                zones.find_zone_id(project, lon, lat)
            per_point.append((time.perf_counter() - t0) / len(sample))
        bulk = []
        for _ in range(runs):
            db.session.execute(sa.update(ObservationFacts).values(zone_id=None))
            db.session.commit()
            t0 = time.perf_counter()
            zones.reassign_observations([project])
            db.session.commit()
            bulk.append(time.perf_counter() - t0)
        assigned = db.session.scalar(sa.select(sa.func.count()).where(ObservationFacts.zone_id.is_not(None)))
        db.engine.dispose()
    return {
        "label": label,
        "per_point_s": _median(per_point),
        "bulk_s": _median(bulk),
        "assigned": assigned,
        "load_s": load_s,
    }


def _paired_reassignment(  # type: ignore[no-untyped-def]
    url: str, tmp: Path, zones_data, points, runs: int
) -> tuple[float, float, float, float | None]:
    """Medians of the product's bulk re-assignment with every observation changing zone, of the
    anchor's classification of the same points (interleaved), of the floor: one bare
    ``UPDATE observation_facts SET zone_id = …`` of every row, without reading or classifying anything, and
    (SQLite) of the copy of the WAL into the database that the product leaves to a thread after its
    commit (``webapp.wal_checkpoint``; None on PostgreSQL, whose checkpointer always does that apart).
    The benchmark waits for that copy after each timed run, outside the timing, so that it never
    overlaps the next run or the anchor.

    Before each product run every observation is put in a far zone none of them lies in (that bare
    UPDATE, timed as the floor), so each run moves all of them: the ones inside a zone to it, the
    others to no zone. The bench's own writes are then settled outside the timing — a WAL checkpoint on
    SQLite, a VACUUM on PostgreSQL — as they would be long before anybody imports perimeters. One
    untimed round first, so every timed run finds the same warm state.
    """
    from bench._table import interleave, timed
    from bench.anchors.assignment import StrtreeClassifier
    from webapp import wal_checkpoint
    from webapp.extensions import db
    from webapp.models import Zone
    from webapp.services import zones

    app = _app(url, tmp)
    with app.app_context():
        project = _load(zones_data, points)
        index = zones.build_zone_index(project)
        coords = np.asarray(points)
        lons, lats = coords[:, 0].copy(), coords[:, 1].copy()
        anchor = StrtreeClassifier(index)  # built outside the timing, like the product's cached index
        # the anchor classifies exactly as the product does
        assigned = anchor.classify(lons, lats)
        assert (assigned == index.assign(lons, lats)).all()
        far = db.session.scalar(sa.select(Zone.id).where(Zone.code == zones_data[-1][0]))
        assert far is not None and not (assigned == far).any()
        floors: list[float] = []
        copies: list[float] = []

        def settle() -> None:
            if db.engine.dialect.name == "sqlite":
                db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
                db.session.commit()
            else:
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM observation_facts")

        def product() -> float:
            start = time.perf_counter()
            db.session.execute(sa.text("UPDATE observation_facts SET zone_id = :far"), {"far": far})
            db.session.commit()
            floors.append(time.perf_counter() - start)
            settle()
            start = time.perf_counter()
            moved = zones.reassign_observations([project])
            db.session.commit()
            elapsed = time.perf_counter() - start
            assert moved == len(points), moved
            done = len(wal_checkpoint.durations)
            wal_checkpoint.wait()
            copies.extend(wal_checkpoint.durations[done:])
            return elapsed

        try:
            product()
            floors.clear()
            copies.clear()
            product_s, anchor_s = interleave(timed(lambda: anchor.classify(lons, lats)), product, runs)
            return (
                product_s,
                anchor_s,
                statistics.median(floors),
                statistics.median(copies) if copies else None,
            )
        finally:
            db.session.remove()
            db.engine.dispose()


def lines(scale: str = "quick", runs: int | None = None) -> list:  # type: ignore[type-arg]
    """Bulk re-assignment against the classification alone, on SpatiaLite and PostGIS.

    Goal: 5 s for 1,000,000 observations, scaled linearly at the quick scale (0.5 s for 100,000).
    Every observation changes zone in every run (see :func:`_paired_reassignment`).
    """
    from bench._table import Line

    n = 1_000_000 if scale == "full" else 100_000
    runs = runs or 3
    budget = 5.0 * n / 1_000_000
    zones_data = _zones()
    points = _points(n, zones_data)
    out = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        targets = [("SpatiaLite", f"sqlite:///{tmp / 'bench.sqlite'}", None)]
        pg = _pg_database()
        if pg is not None:
            targets.append(("PostGIS", pg[0], pg))
        for label, url, handle in targets:
            try:
                product, anchor, floor, copy = _paired_reassignment(url, tmp, zones_data, points, runs)
            finally:
                if handle is not None:
                    with handle[1].connect() as conn:
                        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{handle[2]}" WITH (FORCE)')
            out.append(
                Line(
                    f"bulk re-assignment, {n:,} obs all changing zone, {label}",
                    product,
                    anchor,
                    "s",
                    product / anchor,
                    f"≤ {budget:g} s",
                    product <= budget,
                    f"anchor: STRtree classification alone; a bare UPDATE of every row's zone alone: "
                    f"{floor:.2f} s"
                    + (
                        f"; then the WAL copied into the database in the background: {copy:.2f} s"
                        if copy is not None
                        else ""
                    ),
                )
            )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=1000, help="points timed one query at a time")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    from geodata.assign import ZoneIndex, ZoneShape

    zones_data = _zones()
    points = _points(args.points, zones_data)
    coords = np.asarray(points)
    index_build, in_process, in_process_single = [], [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        index = ZoneIndex([ZoneShape(i, 0, code, geom) for i, (code, _n, geom) in enumerate(zones_data)])
        index_build.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        result = index.assign(coords[:, 0], coords[:, 1])
        in_process.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for lon, lat in points[: args.single]:
            index.assign_one(lon, lat)
        in_process_single.append((time.perf_counter() - t0) / args.single)
    baseline = _median(in_process)
    print(
        f"{len(zones_data)} zones, {len(points):,} points, {int((result >= 0).sum()):,} inside a zone; "
        f"median of {args.runs} runs"
    )
    print(f"{'path':42} {'median':>12} {'× baseline':>11}")
    print(f"{'in-process STRtree, bulk (baseline)':42} {baseline:10.3f} s {1:>10.1f}")
    print(
        f"{'in-process STRtree, index build':42} {_median(index_build):10.3f} s "
        f"{_median(index_build) / baseline:>10.1f}"
    )
    print(
        f"{'in-process STRtree, one point':42} {_median(in_process_single) * 1e6:9.1f} µs "
        f"{_median(in_process_single) * len(points) / baseline:>10.1f}"
    )

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        results = [
            _measure_database(
                "SpatiaLite",
                f"sqlite:///{tmp / 'bench.sqlite'}",
                tmp,
                zones_data,
                points,
                args.single,
                args.runs,
            )
        ]
        pg = _pg_database()
        if pg is not None:
            url, admin, name = pg
            try:
                results.append(
                    _measure_database("PostGIS", url, tmp, zones_data, points, args.single, args.runs)
                )
            finally:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for r in results:
        per_point = r["per_point_s"]
        print(
            f"{r['label'] + ', one indexed query per point':42} {per_point * 1e3:9.2f} ms "
            f"{per_point * len(points) / baseline:>10.1f}"
        )
        print(
            f"{r['label'] + ', same for all points (extrapolated)':42} {per_point * len(points):10.1f} s "
            f"{per_point * len(points) / baseline:>10.1f}"
        )
        print(
            f"{r['label'] + ', bulk re-assignment (read+STRtree+write)':42} {r['bulk_s']:10.2f} s "
            f"{r['bulk_s'] / baseline:>10.1f}   ({r['assigned']:,} assigned)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
