"""What the databases themselves allow, for the re-assignment's goal: floors, not the product.

The re-assignment goal is 5 s for 1,000,000 observations all changing zone, on both databases. Until
the twenty-second pass the zone was a column of the observation's row, in the summaries' covering
index ("today" below); the product now keeps it in the summaries' own table (the third layout here,
``models.observation.ObservationFacts``), and these floors stay as the record of why. This measures the
layouts that could hold it instead, on synthetic tables shaped like the observations (no app, no
SpatiaLite functions), so whoever weighs a change of schema can see the floors on their machine:

* **writes** — every row given a new zone through a temporary table and one ``UPDATE … FROM`` (the
  product's way), for a narrow ``(observation_id, zone_id)`` table with its key only; with a foreign
  key to the zones; with that and an index on the zone; and (PostgreSQL) with the key only at
  ``fillfactor = 50``, so that every update can be heap-only (HOT); and for the summaries' own narrow
  table — their columns and the zone, the zone in no index, ``fillfactor = 50`` on PostgreSQL —
  which they would read without a join (twenty-first pass);
* **reads** — the summaries' grouped pass (count, sum and count of the feeling by walk, theme,
  polarity, zone and participant, validated rows only), answered by today's covering index alone,
  against the same pass joining the narrow table for the zone (the covering index then without the
  zone, with the id), and the same pass over the summaries' own table.

With ``--product``, the reads are measured on the product's own data instead (the summaries
benchmark's ``fill``): today's ``summarise()``, computed, and its anchor give the room the summaries'
goal leaves (4 × the anchor, less ``summarise()``); then a narrow table is put beside the
observations, the covering index rebuilt without the zone and with the id, and the grouped pass timed
joining it — what moving the zone out of the row would add to every summary — and then over the
summaries' own table put beside the observations.

The product's own figures are in ``python -m bench --only zone_assignment summaries_query``; the
conclusions drawn from these floors are in bench/README.md (twentieth and twenty-first passes).

    .venv/bin/python -m bench.zone_floors [--rows 1000000] [--runs 3] [--databases sqlite postgis] [--product]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from bench.zone_assignment import PG_ADMIN

#: Today's covering index of the summaries (``ix_observations_summary``), and the one a narrow table
#: of zones would need instead: the zone out, the id in (for the join).
COVERING_TODAY = "(walk_id, moderation_status, theme, polarity, zone_id, participant_id, feeling)"
COVERING_NARROW = "(walk_id, moderation_status, theme, polarity, participant_id, feeling, id)"
GROUPED_TODAY = (
    "SELECT walk_id, theme, polarity, zone_id, participant_id, count(*), sum(feeling), count(feeling) "
    "FROM facts WHERE walk_id IN ({walks}) AND moderation_status = 'validated' GROUP BY 1, 2, 3, 4, 5"
)
GROUPED_NARROW = (
    "SELECT f.walk_id, f.theme, f.polarity, z.zone_id, f.participant_id, count(*), sum(f.feeling), "
    "count(f.feeling) FROM facts f JOIN zone_of z ON z.observation_id = f.id "
    "WHERE f.walk_id IN ({walks}) AND f.moderation_status = 'validated' GROUP BY 1, 2, 3, 4, 5"
)
#: The summaries' own narrow table (a third layout): their columns and the zone, the zone in no index —
#: so that, with half-empty pages, writing it is heap-only on PostgreSQL — and no join to read it.
SUMMARY_OF = (
    "CREATE TABLE summary_of (observation_id integer PRIMARY KEY REFERENCES facts (id), walk_id integer "
    "NOT NULL, moderation_status varchar(16) NOT NULL, theme varchar(64) NOT NULL, polarity varchar(16) "
    "NOT NULL, zone_id integer, participant_id integer, feeling smallint){storage}"
)
FILL_SUMMARY_OF = (
    "INSERT INTO summary_of SELECT id, walk_id, moderation_status, theme, polarity, zone_id, participant_id, "
    "feeling FROM {source}"
)
GROUPED_SUMMARY_OF = GROUPED_TODAY.replace("FROM facts", "FROM summary_of")
#: PostgreSQL: the zone's integrity checked once per statement rather than by a foreign key's trigger per
#: row — every zone a statement wrote must exist, and is locked against deletion until the commit, as
#: the foreign key's own check does.
ZONE_CHECKED_PER_STATEMENT = (
    "CREATE FUNCTION summary_of_zones_exist() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF EXISTS (SELECT 1 FROM (SELECT DISTINCT zone_id FROM written WHERE zone_id IS NOT NULL) w "
    "LEFT JOIN (SELECT id FROM zones WHERE id IN (SELECT zone_id FROM written) FOR KEY SHARE) z "
    "ON z.id = w.zone_id WHERE z.id IS NULL) "
    "THEN RAISE EXCEPTION 'no such zone' USING ERRCODE = 'foreign_key_violation'; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER summary_of_zones_exist AFTER UPDATE ON summary_of REFERENCING NEW TABLE AS written "
    "FOR EACH STATEMENT EXECUTE FUNCTION summary_of_zones_exist()",
)
#: A project's shape: a few zones, walks with a handful of participants each, the eight themes.
ZONES, WALKS, THEMES, PER_WALK = 6, 10, 8, 6


def _columns(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    feeling = rng.integers(1, 6, n).astype(object)
    feeling[rng.random(n) < 0.3] = None
    walk = rng.integers(1, WALKS + 1, n)
    return {
        "id": np.arange(1, n + 1),
        "walk_id": walk,
        "moderation_status": np.where(rng.random(n) < 0.9, "validated", "pending"),
        "theme": np.array([f"theme-{i}" for i in range(THEMES)])[rng.integers(0, THEMES, n)],
        "polarity": np.array(["negative", "positive", "neutral"])[rng.integers(0, 3, n)],
        "zone_id": rng.integers(1, ZONES + 1, n),
        "participant_id": walk * 100 + rng.integers(0, PER_WALK, n),
        "feeling": feeling,
    }


def _load(raw: Any, dialect: str, n: int, seed: int) -> None:
    """The synthetic observations (rows about as wide as the product's: a 180-byte filler) and zones."""
    cur = raw.cursor()
    cur.execute("CREATE TABLE zones (id integer PRIMARY KEY)")
    cur.execute("INSERT INTO zones (id) VALUES " + ", ".join(f"({i})" for i in range(1, ZONES + 1)))  # noqa: S608 (numbers)
    cur.execute(
        "CREATE TABLE facts (id integer PRIMARY KEY, walk_id integer NOT NULL, moderation_status "
        "varchar(16) NOT NULL, theme varchar(64) NOT NULL, polarity varchar(16) NOT NULL, zone_id integer, "
        "participant_id integer, feeling smallint, filler text NOT NULL)"
    )
    cols = _columns(n, seed)
    filler = "x" * 180
    rows = list(
        zip(
            cols["id"].tolist(),
            cols["walk_id"].tolist(),
            cols["moderation_status"].tolist(),
            cols["theme"].tolist(),
            cols["polarity"].tolist(),
            cols["zone_id"].tolist(),
            cols["participant_id"].tolist(),
            cols["feeling"].tolist(),
            [filler] * n,
            strict=True,
        )
    )
    if dialect == "postgresql":
        with cur.copy("COPY facts FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cur.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    raw.commit()


def _narrow(raw: Any, dialect: str, layout: str) -> None:
    """(Re)create the narrow table of zones in one of the layouts, filled from ``facts``."""
    cur = raw.cursor()
    cur.execute("DROP TABLE IF EXISTS zone_of")
    zone = "zone_id integer REFERENCES zones (id)" if "foreign key" in layout else "zone_id integer"
    storage = " WITH (fillfactor = 50)" if "fillfactor" in layout else ""
    cur.execute(
        f"CREATE TABLE zone_of (observation_id integer PRIMARY KEY REFERENCES facts (id), {zone}){storage}"
    )
    if "index" in layout:
        cur.execute("CREATE INDEX ix_zone_of_zone ON zone_of (zone_id)")
    cur.execute("INSERT INTO zone_of SELECT id, zone_id FROM facts")
    raw.commit()
    _settle(raw, dialect)


def _summary_of(raw: Any, dialect: str, *, checked: bool = False) -> None:
    """(Re)create the summaries' own table, filled from ``facts``: its key, an index on the walk (a
    project's rows), ``fillfactor = 50`` on PostgreSQL; ``checked``: its zones checked per statement."""
    cur = raw.cursor()
    cur.execute("DROP TABLE IF EXISTS summary_of")
    if dialect == "postgresql":
        cur.execute("DROP FUNCTION IF EXISTS summary_of_zones_exist()")
    cur.execute(SUMMARY_OF.format(storage=" WITH (fillfactor = 50)" if dialect == "postgresql" else ""))
    cur.execute("CREATE INDEX ix_summary_of_walk ON summary_of (walk_id)")
    cur.execute(FILL_SUMMARY_OF.format(source="facts"))
    if checked:
        for statement in ZONE_CHECKED_PER_STATEMENT:
            cur.execute(statement)
    raw.commit()
    _settle(raw, dialect)


def _settle(raw: Any, dialect: str) -> None:
    """Statistics and (PostgreSQL) the visibility map, as long after a bulk load."""
    if dialect == "postgresql":
        raw.autocommit = True
        raw.cursor().execute("VACUUM (ANALYZE)")
        raw.autocommit = False
    else:
        raw.execute("ANALYZE")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.commit()


def _write_all(raw: Any, dialect: str, ids: np.ndarray, zones: np.ndarray, table: str = "zone_of") -> float:
    """Seconds to give every row a new zone: temporary table filled in bulk, one ``UPDATE … FROM``,
    commit (the product's ``zones.write_zones``, without the product around it)."""
    start = time.perf_counter()
    cur = raw.cursor()
    if dialect == "postgresql":
        cur.execute(
            "CREATE TEMPORARY TABLE m (obs_id integer NOT NULL, zone_id integer NOT NULL) ON COMMIT DROP"
        )
        rows = np.empty(
            len(ids), dtype=[("n", ">i2"), ("l1", ">i4"), ("id", ">i4"), ("l2", ">i4"), ("zone", ">i4")]
        )
        rows["n"], rows["l1"], rows["l2"] = 2, 4, 4
        rows["id"], rows["zone"] = ids, zones
        with cur.copy("COPY m (obs_id, zone_id) FROM STDIN (FORMAT binary)") as copy:
            copy.write(b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8 + rows.tobytes() + b"\xff\xff")
        cur.execute("ANALYZE m")
    else:
        cur.execute("CREATE TEMPORARY TABLE m (obs_id INTEGER PRIMARY KEY, zone_id INTEGER NOT NULL)")
        cur.executemany("INSERT INTO m VALUES (?, ?)", zip(ids.tolist(), zones.tolist(), strict=True))
    cur.execute(f"UPDATE {table} SET zone_id = m.zone_id FROM m WHERE {table}.observation_id = m.obs_id")  # noqa: S608 (our names)
    if dialect != "postgresql":
        cur.execute("DROP TABLE m")
    raw.commit()
    return time.perf_counter() - start


def _refuses_a_zone_that_does_not_exist(raw: Any) -> None:
    """The per-statement check does its job (else its time means nothing)."""
    import psycopg

    try:
        raw.cursor().execute("UPDATE summary_of SET zone_id = 999999 WHERE observation_id = 1")
    except psycopg.errors.ForeignKeyViolation:
        raw.rollback()
        return
    raise AssertionError("a zone that does not exist was accepted")


def _timed(raw: Any, sql: str) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        cur = raw.cursor()
        cur.execute(sql)
        cur.fetchall()
        elapsed = time.perf_counter() - start
        raw.rollback()
        return elapsed

    return run


def measure(raw: Any, dialect: str, n: int, runs: int) -> list[tuple[str, float]]:
    """``[(what, seconds)]`` on this connection's empty database."""
    _load(raw, dialect, n, seed=11)
    cur = raw.cursor()
    cur.execute(f"CREATE INDEX ix_facts_today ON facts {COVERING_TODAY}")
    cur.execute(f"CREATE INDEX ix_facts_narrow ON facts {COVERING_NARROW}")
    raw.commit()
    out: list[tuple[str, float]] = []
    rng = np.random.default_rng(5)
    ids = np.arange(1, n + 1, dtype=np.int64)
    layouts = ["key only", "key and foreign key", "key, foreign key and index"]
    if dialect == "postgresql":
        layouts.append("key only, fillfactor 50")
    for layout in layouts:
        _narrow(raw, dialect, layout)
        times = []
        for _ in range(runs):
            times.append(_write_all(raw, dialect, ids, rng.integers(1, ZONES + 1, n)))
            _settle(raw, dialect)
        out.append((f"narrow table ({layout}): every row's zone written", statistics.median(times)))
    for checked in [False, True] if dialect == "postgresql" else [False]:
        _summary_of(raw, dialect, checked=checked)
        times = []
        for _ in range(runs):
            times.append(_write_all(raw, dialect, ids, rng.integers(1, ZONES + 1, n), table="summary_of"))
            _settle(raw, dialect)
        what = "zone in no index" + (", checked once per statement" if checked else "")
        out.append((f"the summaries' own table ({what}): every row's zone written", statistics.median(times)))
    if dialect == "postgresql":
        _refuses_a_zone_that_does_not_exist(raw)
    # reads: the narrow table as the writes left it in the first layout (key only), settled
    _narrow(raw, dialect, "key only")
    walks = ", ".join(str(w) for w in range(1, WALKS + 1))
    today, narrow, own = (
        _timed(raw, GROUPED_TODAY.format(walks=walks)),
        _timed(raw, GROUPED_NARROW.format(walks=walks)),
        _timed(raw, GROUPED_SUMMARY_OF.format(walks=walks)),
    )
    today(), narrow(), own()
    a, b, c = [], [], []
    for _ in range(max(runs, 5)):
        a.append(today())
        b.append(narrow())
        c.append(own())
    out.append(("summaries' grouped pass, zone in the covering index (today)", statistics.median(a)))
    out.append(("summaries' grouped pass, zone joined from the narrow table", statistics.median(b)))
    out.append(("summaries' grouped pass, from the summaries' own table", statistics.median(c)))
    return out


def _product_reads(label: str, n: int, runs: int) -> list[tuple[str, float]]:
    """The summaries' room and the narrow join's cost on the product's data (see the module's doc)."""
    from bench._debrief_data import drop_postgis_database, fill, make_app, postgis_database
    from bench.anchors import summaries as anchor
    from bench.summaries_query import computed_summary
    from webapp.extensions import db
    from webapp.services import observation_filter, projects

    with tempfile.TemporaryDirectory() as tmp:
        name = f"arpenteur_bench_floors_{uuid.uuid4().hex[:8]}"
        url = postgis_database(name) if label == "postgis" else f"sqlite:///{Path(tmp) / 'p.sqlite'}"
        try:
            app = make_app(url, Path(tmp))
            slug = fill(app, n)
            with app.app_context():
                project_id = projects.get_project(slug).id
                f = observation_filter.ObservationFilter(project_id=project_id)
                with db.engine.connect() as connection:
                    anchor.prepare(connection)
                    connection.commit()
                walks = f"SELECT id FROM walks WHERE project_id = {int(project_id)}"  # noqa: S608 (an integer)
                today = GROUPED_TODAY.replace("facts", "observations").format(walks=walks)
                narrow = GROUPED_NARROW.replace("facts", "observations").format(walks=walks)

                def timed_sql(sql: str) -> Callable[[], float]:
                    def run() -> float:
                        start = time.perf_counter()
                        db.session.execute(sa.text(sql)).all()
                        elapsed = time.perf_counter() - start
                        db.session.rollback()
                        return elapsed

                    return run

                def settled_then_timed(sql: str) -> list[float]:
                    """Commit what was just built, settle it as long after a bulk load, then time ``sql``."""
                    db.session.commit()
                    if label == "postgis":
                        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as settle:
                            settle.exec_driver_sql("VACUUM (ANALYZE)")
                    else:
                        # a checkpoint too: with a new table's pages still in the WAL a join is 3× slower
                        for statement in ("ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"):
                            db.session.execute(sa.text(statement))
                            db.session.commit()
                    run = timed_sql(sql)
                    run()
                    return [run() for _ in range(max(runs, 5))]

                def anchored() -> float:
                    connection = db.session.connection()
                    start = time.perf_counter()
                    anchor.group_by(connection, project_id)
                    elapsed = time.perf_counter() - start
                    db.session.rollback()
                    return elapsed

                steps: dict[str, Callable[[], float]] = {
                    "summarise": lambda: computed_summary(f),
                    "anchor": anchored,
                    "today": timed_sql(today),
                }
                for step in steps.values():
                    step()
                times: dict[str, list[float]] = {key: [] for key in steps}
                for _ in range(max(runs, 5)):
                    for key, step in steps.items():
                        times[key].append(step())
                connection = db.session.connection()
                connection.exec_driver_sql(
                    "CREATE TABLE zone_of (observation_id integer PRIMARY KEY REFERENCES observations (id), "
                    "zone_id integer REFERENCES zones (id))"
                )
                connection.exec_driver_sql("INSERT INTO zone_of SELECT id, zone_id FROM observations")
                connection.exec_driver_sql(
                    f"CREATE INDEX ix_bench_summary_narrow ON observations {COVERING_NARROW}"
                )
                connection.exec_driver_sql("DROP INDEX ix_observations_summary")
                times["joined"] = settled_then_timed(narrow)
                # the summaries' own table beside the observations, read without a join
                storage = " WITH (fillfactor = 50)" if label == "postgis" else ""
                connection = db.session.connection()
                connection.exec_driver_sql(
                    SUMMARY_OF.replace("facts (id)", "observations (id)").format(storage=storage)
                )
                connection.exec_driver_sql("CREATE INDEX ix_summary_of_walk ON summary_of (walk_id)")
                connection.exec_driver_sql(FILL_SUMMARY_OF.format(source="observations"))
                times["own"] = settled_then_timed(GROUPED_SUMMARY_OF.format(walks=walks))
                db.session.remove()
                db.engine.dispose()
        finally:
            if label == "postgis":
                drop_postgis_database(name)
    median = {key: statistics.median(values) for key, values in times.items()}
    room = 4 * median["anchor"] - median["summarise"]
    return [
        ("summarise() today, computed (the product)", median["summarise"]),
        ("its anchor (the goal: at most 4 times it)", median["anchor"]),
        ("room the goal leaves: 4 × anchor - summarise()", room),
        ("summaries' grouped pass, zone in the covering index (today)", median["today"]),
        ("summaries' grouped pass, zone joined from the narrow table", median["joined"]),
        ("what the join adds to every summary", median["joined"] - median["today"]),
        ("summaries' grouped pass, from the summaries' own table", median["own"]),
        ("what reading that table instead adds", median["own"] - median["today"]),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--product", action="store_true", help="the reads on the product's data (its fill, summarise())"
    )
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgis"], default=["sqlite", "postgis"]
    )
    args = parser.parse_args(argv)
    budget = 5.0 * args.rows / 1_000_000
    print(
        f"{args.rows:,} rows; the re-assignment's goal at this size: {budget:g} s "
        "(reading and classifying included)"
    )
    for name in args.databases:
        if args.product:
            results = _product_reads(name, args.rows, args.runs)
        elif name == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                import sqlean  # type: ignore[import-untyped]

                # the product's settings (webapp/db_setup.py): WAL, synchronous NORMAL, foreign keys
                sqlite = sqlean.connect(str(Path(tmp) / "floors.sqlite"))
                for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
                    sqlite.execute(f"PRAGMA {pragma}")
                try:
                    results = measure(sqlite, "sqlite", args.rows, args.runs)
                finally:
                    sqlite.close()
        else:
            admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            database = f"arpenteur_bench_floors_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
            engine = sa.create_engine(sa.engine.make_url(PG_ADMIN).set(database=database))
            raw = engine.raw_connection()
            try:
                results = measure(raw.dbapi_connection, "postgresql", args.rows, args.runs)
            finally:
                raw.close()
                engine.dispose()
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        print(f"\n{name}")
        for what, seconds in results:
            print(f"  {seconds * 1000:9.1f} ms  {what}")


if __name__ == "__main__":
    main()
