"""Summary query time for 1,000 / 10,000 / 100,000 observations on SpatiaLite and PostGIS (medians).

What is timed: ``summaries.summarise`` for a whole project (counts theme × polarity, average
feeling, the four comparisons and the quotes), i.e. what the project page and the report run.

    .venv/bin/python -m bench.summaries_query [--sizes 1000 10000 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench._debrief_data import drop_postgis_database, fill, make_app, postgis_database
from bench._table import Line, interleave, slower_ratio, timed


def _time(app, slug: str, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    from webapp.services import observation_filter, projects, summaries

    with app.app_context():
        project = projects.get_project(slug)
        f = observation_filter.ObservationFilter(project_id=project.id)
        summaries.summarise(f)  # warm caches
        full, counts = [], []
        for _ in range(runs):
            t = time.perf_counter()
            summaries.summarise(f)
            full.append(time.perf_counter() - t)
            t = time.perf_counter()
            summaries.count_by_theme_polarity(f)
            counts.append(time.perf_counter() - t)
    return statistics.median(full), statistics.median(counts)


def _forget_caches() -> None:
    """Empty this process's summary and theme caches, so the next call computes (a cold page)."""
    from webapp.services import forms, summaries, themes

    summaries._summaries.clear()
    themes._styles.clear()
    forms._project_pairs.clear()


def computed_summary(f) -> float:  # type: ignore[no-untyped-def]
    """Seconds ``summarise(f)`` takes computed: this process's caches emptied first, outside the timing
    (the session's transaction ended after it)."""
    from webapp.extensions import db
    from webapp.services import summaries

    _forget_caches()
    start = time.perf_counter()
    summaries.summarise(f)
    elapsed = time.perf_counter() - start
    db.session.rollback()
    return elapsed


def _paired(app, slug: str, runs: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Medians of ``summarise()`` computed (caches emptied before each run, outside the timing) and of
    the anchor's covering-index GROUP BY, interleaved; and the median of a cached call."""
    from bench.anchors import summaries as anchor
    from webapp.extensions import db
    from webapp.services import observation_filter, projects, summaries

    with app.app_context():
        project = projects.get_project(slug)
        f = observation_filter.ObservationFilter(project_id=project.id)
        with db.engine.connect() as connection:
            anchor.prepare(connection)
            connection.commit()
            anchor.group_by(connection, project.id)
            summaries.summarise(f)
            db.session.rollback()

            cold, base = interleave(
                timed(lambda: anchor.group_by(connection, project.id)), lambda: computed_summary(f), runs
            )
            cached = []
            for _ in range(runs):
                start = time.perf_counter()
                summaries.summarise(f)
                cached.append(time.perf_counter() - start)
            return cold, base, statistics.median(cached)


def lines(scale: str = "quick", runs: int | None = None) -> list[Line]:
    """``summarise()`` against the anchor: 100k (and 1M at full scale) on SpatiaLite and PostGIS."""
    sizes = [100_000, 1_000_000] if scale == "full" else [100_000]
    runs = runs or 5
    out: list[Line] = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", Path(tmp))
            slug = fill(app, n)
            product, anchor, cached = _paired(app, slug, runs)
            out.append(
                slower_ratio(
                    f"summarise(), {n:,} obs, SpatiaLite",
                    product,
                    anchor,
                    "s",
                    at_most=4,
                    note=f"computed (caches emptied); cached: {cached * 1000:.1f} ms",
                )
            )
            name = f"arpenteur_bench_summ_{n}"
            url = postgis_database(name)
            try:
                pg = make_app(url, Path(tmp))
                slug = fill(pg, n)
                product, anchor, cached = _paired(pg, slug, runs)
                out.append(
                    slower_ratio(
                        f"summarise(), {n:,} obs, PostGIS",
                        product,
                        anchor,
                        "s",
                        at_most=4,
                        note=f"computed (caches emptied); cached: {cached * 1000:.1f} ms",
                    )
                )
                from webapp.extensions import db

                with pg.app_context():
                    db.engine.dispose()
            finally:
                drop_postgis_database(name)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print("| observations | database | summarise (median) | theme × polarity count (median) |")
    print("|---|---|---|---|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", Path(tmp))
            slug = fill(app, n)
            full, counts = _time(app, slug, args.runs)
            print(f"| {n:,} | SpatiaLite | {full * 1000:.0f} ms | {counts * 1000:.1f} ms |", flush=True)
            name = f"arpenteur_bench_summ_{n}"
            try:
                url = postgis_database(name)
            except Exception as error:  # noqa: BLE001
                print(f"| {n:,} | PostGIS | unavailable: {error} | |")
                continue
            try:
                pg = make_app(url, Path(tmp))
                slug = fill(pg, n)
                full, counts = _time(pg, slug, args.runs)
                print(f"| {n:,} | PostGIS | {full * 1000:.0f} ms | {counts * 1000:.1f} ms |", flush=True)
                from webapp.extensions import db

                with pg.app_context():
                    db.engine.dispose()
            finally:
                drop_postgis_database(name)


if __name__ == "__main__":
    main()
