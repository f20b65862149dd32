"""The counts the team's pages read at every visit: how they reach the observations, and what is kept.

Plans and statement counts, never times (see bench/README.md for the figures at 100,000 observations).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from shapely.geometry import MultiPolygon, box
from sqlalchemy import Engine, event, func, insert, select, text, update

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import statements
from webapp.extensions import db
from webapp.models import Observation, ObservationFacts
from webapp.services import moderation, observations, projects, summaries, zones


def _plans_of(call: Callable[[], Any]) -> list[tuple[str, list[str]]]:
    """Each statement ``call`` runs over the observations, with SQLite's plan for it."""
    seen: list[tuple[str, Any]] = []

    def keep(_conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
        if (
            "observations" in statement or "observation_facts" in statement
        ) and not statement.lstrip().upper().startswith("EXPLAIN"):
            seen.append((statement, params))

    event.listen(Engine, "before_cursor_execute", keep)
    try:
        call()
    finally:
        event.remove(Engine, "before_cursor_execute", keep)
    raw = db.session.connection().connection.dbapi_connection
    assert raw is not None and seen
    return [
        (statement, [row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}", params)])
        for statement, params in seen
    ]


def _after_an_import(world: Any, n: int = 600) -> None:
    """A project whose observations are all moderated and validated (after its debrief), ``n`` more
    of them loaded in bulk, then the planner's statistics refreshed as the product does after an
    import (``observations.refresh_statistics``) — the benchmark's project, at a smaller size.
    SQLite's plan of the joined count turns bad from a few hundred rows of one status."""
    db.session.execute(update(Observation).values(moderation_status="validated"))
    now = datetime.now(UTC)
    db.session.execute(
        insert(Observation),
        [
            {
                "client_uuid": uuid.uuid4(),
                "walk_id": (world.day if i % 2 else world.night).id,
                "location": f"SRID=4326;POINT({2.291 + i * 1e-5} {49.895 + i * 1e-5})",
                "location_source": "gps",
                "out_of_area": False,
                "theme": "eclairage",
                "polarity": "negative",
                "note": "",
                "proposal": "",
                "answers": {},
                "form_key": "marche_exploratoire",
                "form_version": 1,
                "moderation_status": "validated",
                "payload_hash": "",
                "captured_at": now,
                "received_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ],
    )
    observations.refresh_statistics()


@pytest.mark.parametrize("page", ["project page", "project list"])
def test_pending_counts_seek_each_walk_instead_of_reading_every_observation(
    app: Flask, dialect: str, page: str
) -> None:
    """The project page and the project list count each walk's observations waiting for moderation.
    Joined to the walks, SQLite read every observation of the project in walk order to join it
    (``SCAN observations``: 67 ms with 100,000 validated observations and none pending); with the
    walks by ``IN`` it seeks each walk's pending entries in the covering index (0.14 ms). The plan is
    SQLite's (PostgreSQL planned both forms alike: 0.6 ms); the counts are checked on both."""
    world = build_world()
    _after_an_import(world)
    if page == "project page":
        call: Callable[[], Any] = lambda: moderation.pending_by_walk(world.project.id)  # noqa: E731
    else:
        call = lambda: projects.list_staff_projects(world.facilitator)  # noqa: E731
    if dialect == "sqlite":
        for statement, plan in _plans_of(call):
            assert not any(step.startswith("SCAN") for step in plan), (statement, plan)
    assert moderation.pending_by_walk(world.project.id) == {}
    # one sent back to moderation: counted in its walk
    db.session.execute(
        update(Observation)
        .where(Observation.id == world.observations[0].id)
        .values(moderation_status="pending")
    )
    assert moderation.pending_by_walk(world.project.id) == {world.observations[0].walk_id: 1}
    listed = {p.slug: p for p in projects.list_staff_projects(world.facilitator)}[world.project.slug]
    assert sum(w.pending for w in listed.walks) == 1


def test_the_overview_counts_per_walk_before_summing_per_project(app: Flask, dialect: str) -> None:
    """The projects' overview counted observations per project by joining each one to its walk
    (SQLite: a full pass with a lookup per row); counted per walk from the index first, then summed."""
    world = build_world()
    overview = {o.slug: o for o in projects.list_project_overviews()}[world.project.slug]
    assert overview.observation_count == len(world.observations)
    assert isinstance(overview.observation_count, int)
    if dialect == "sqlite":
        projects._observation_counts.clear()  # counted again, to be planned
        for statement, plan in _plans_of(projects.list_project_overviews):
            if "count" in statement.lower():
                # the observations are grouped by walk on their own (a subquery SQLite runs as a
                # co-routine), the walks looked up once per walk, not once per observation
                assert any(s.startswith(("CO-ROUTINE", "MATERIALIZE")) for s in plan), plan


def _add(world: Any, theme: str, lon: float = 2.2955, lat: float = 49.9005) -> Observation:
    observation = observations.record_observation(
        world.day,
        client_uuid=uuid.uuid4(),
        lon=lon,
        lat=lat,
        theme=theme,
        polarity="negative",
        form_key="marche_exploratoire",
        form_version=1,
    )
    db.session.commit()
    return observation


def _reads_observations(seen: list[str]) -> list[str]:
    return [s for s in seen if "FROM observations" in s]


def test_the_filter_form_keeps_the_themes_used_until_an_observation_changes(app: Flask) -> None:
    """The filter form's theme list adds the themes observations use that no form has: a ``DISTINCT``
    over every observation of the project at each visit of the project and partners' pages (39 ms on
    PostgreSQL at 100,000). Kept under the project's data stamp: read again only after a change."""
    world = build_world()
    summaries.list_filter_choices(world.project)
    with statements() as seen:
        choices = summaries.list_filter_choices(world.project)
    assert not _reads_observations(seen), seen
    assert "hors_grille" not in dict(choices["theme"])
    # an observation of a theme no form has (an imported one): the next form lists it
    added = _add(world, "hors_grille")
    assert "hors_grille" in dict(summaries.list_filter_choices(world.project)["theme"])
    # its theme edited away: gone again
    added.theme = "eclairage"
    db.session.commit()
    assert "hors_grille" not in dict(summaries.list_filter_choices(world.project)["theme"])


def test_the_zones_page_keeps_its_counts_until_an_observation_changes(app: Flask) -> None:
    """The zones page counted every observation of the project by zone at each visit (28 ms on
    SQLite at 100,000); kept under the data stamp, which every observation written, moved or
    deleted changes."""
    world = build_world()
    before = zones.count_observations_by_zone(world.project)
    with statements() as seen:
        assert zones.count_observations_by_zone(world.project) == before
    assert not _reads_observations(seen), seen
    # a new observation inside the north zone
    added = _add(world, "eclairage", lon=2.2955, lat=49.9005)
    db.session.refresh(added)
    assert added.zone_id is not None
    after = zones.count_observations_by_zone(world.project)
    assert after[added.zone_id] == before.get(added.zone_id, 0) + 1
    # deleted: the count comes back
    db.session.delete(added)
    db.session.commit()
    assert zones.count_observations_by_zone(world.project) == before
    # the same through the database alone, for the record
    total = db.session.scalar(
        text(
            "SELECT count(*) FROM observation_facts WHERE zone_id IS NOT NULL AND walk_id IN "
            "(SELECT id FROM walks WHERE project_id = :p)"
        ),
        {"p": world.project.id},
    )
    assert sum(before.values()) == total


def test_the_landing_page_keeps_its_counts_and_reads_no_perimeter(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    """The public landing page counted every observation of the site at each visit (46 ms on
    PostgreSQL at 100,000) and read each project's zone perimeters to print their names. The counts
    are kept under every project's stamp; the names are read alone."""
    world = build_world()
    client.get("/")
    with statements() as seen:
        page = client.get("/").get_data(as_text=True)
    assert not _reads_observations(seen), seen
    assert not [s for s in seen if "FROM zones" in s and "area" in s.split("FROM")[0].lower()], seen
    assert "Nord" in page and "Sud" in page
    overview = {o.slug: o for o in projects.list_project_overviews()}[world.project.slug]
    assert overview.observation_count == len(world.observations)
    assert overview.zone_names == ["Nord", "Sud"]
    _add(world, "eclairage")
    overview = {o.slug: o for o in projects.list_project_overviews()}[world.project.slug]
    assert overview.observation_count == len(world.observations) + 1


def test_the_partners_sensitive_counts_are_kept_until_an_observation_changes(app: Flask) -> None:
    """The partners' page and the public map count the validated sensitive reports per zone at each
    visit (10 ms on PostgreSQL at 100,000); kept under the data stamp."""
    from webapp.services import partner_views

    world = build_world()
    before = partner_views.sensitive_by_zone(world.project)
    with statements() as seen:
        assert partner_views.sensitive_by_zone(world.project) == before
    assert not _reads_observations(seen), seen
    # three more reports in the north zone, two in the south one: enough for both counts to be shown
    for lat in (49.9005, 49.9006, 49.9007, 49.8955, 49.8956):
        added = _add(world, "harcelement", lat=lat)
        added.moderation_status = "validated"
    db.session.commit()
    after = {z.name: z.count for z in partner_views.sensitive_by_zone(world.project)}
    # (the world already has one validated report in each zone: masked until now)
    assert before == [] and after == {"Nord": 4, "Sud": 3}, (before, after)


def test_the_forms_pages_keep_their_counts_until_an_observation_changes(app: Flask) -> None:
    """The forms list and a version's page counted every observation of the site by form version at
    each visit (54–62 ms at 100,000, no index serves it); kept under every project's stamp."""
    from webapp.services import forms

    world = build_world()

    def used() -> tuple[int, int]:
        listed = {(u.form.key, u.form.version): u.observations for u in forms.list_form_usage()}
        return listed[("marche_exploratoire", 1)], forms.get_form_usage("marche_exploratoire", 1).observations

    before = used()
    assert before[0] == before[1] >= len(world.observations)
    with statements() as seen:
        assert used() == before
    assert not _reads_observations(seen), seen
    _add(world, "eclairage")
    assert used() == (before[0] + 1, before[1] + 1)


def test_a_reassignment_moving_most_observations_builds_the_zone_index_again_as_it_was(
    app: Flask, dialect: str
) -> None:
    """When most of the table changes zone, SQLite drops the zone's index (the summaries' covering
    index) for the ``UPDATE`` and builds it again rather than moving one entry per row (bench/README.md,
    seventeenth pass). It comes back as it was — its definition, its entries, the planner's statistics
    on it, read again at once: the pending counts still seek it instead of scanning the table. A few
    moves keep it (PostgreSQL always does); the zones are right either way, on both databases."""
    world = build_world()
    _after_an_import(world, n=1200)
    everywhere = MultiPolygon([box(2.2, 49.8, 2.4, 50.0)])
    zone = zones.save_custom_zone(world.project, code="tout", name="Tout le quartier", geometry=everywhere)
    total = db.session.scalar(select(func.count()).select_from(Observation))
    assert total is not None and total > 1200

    def schema() -> tuple[Any, ...]:
        return (
            db.session.execute(
                text("SELECT sql FROM sqlite_schema WHERE name = :n"), {"n": zones._ZONE_INDEX}
            ).all(),
            db.session.execute(
                text("SELECT stat FROM sqlite_stat1 WHERE idx = :n"), {"n": zones._ZONE_INDEX}
            ).all(),
            # the samples (this SQLite is built with STAT4)
            db.session.execute(
                text("SELECT neq, nlt, ndlt, sample FROM sqlite_stat4 WHERE idx = :n ORDER BY sample"),
                {"n": zones._ZONE_INDEX},
            ).all(),
        )

    def reassigned(moving: int) -> list[str]:
        """Re-assign after taking ``moving`` observations out of their zone; the DDL statements run."""
        ids = db.session.scalars(select(Observation.id).order_by(Observation.id).limit(moving)).all()
        db.session.execute(
            update(ObservationFacts).where(ObservationFacts.observation_id.in_(ids)).values(zone_id=None)
        )
        with statements() as seen:
            assert zones.reassign_observations([world.project]) == moving
        assert dict(db.session.execute(select(Observation.id, Observation.zone_id)).all()) == settled
        return [s for s in seen if s.startswith(("DROP INDEX", "CREATE INDEX", "ANALYZE sqlite_schema"))]

    before = schema() if dialect == "sqlite" else None
    zones.reassign_observations([world.project])  # each into its zone: the world's, or the new one
    settled = dict(db.session.execute(select(Observation.id, Observation.zone_id)).all())
    assert None not in settled.values() and zone.id in settled.values()
    assert reassigned(total // 10) == []  # a tenth of the table: the index kept, entry by entry
    ddl = reassigned(total)
    if dialect == "postgresql":
        assert ddl == []
        return
    # so many: the commit leaves that copy to a thread (webapp/wal_checkpoint.py)
    assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
    assert [s.split()[0:2] for s in ddl] == [
        ["DROP", "INDEX"],
        ["CREATE", "INDEX"],
        ["ANALYZE", "sqlite_schema"],
    ]
    assert schema() == before and before[1] and before[2]  # its definition and its statistics
    raw = db.session.connection().connection.dbapi_connection
    assert raw is not None
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]  # every entry matches its row
    counts = (
        "SELECT zone_id, count(*) FROM observation_facts {} WHERE walk_id > 0 GROUP BY zone_id ORDER BY 1"
    )
    by_index = raw.execute(counts.format(f"INDEXED BY {zones._ZONE_INDEX}")).fetchall()
    assert by_index == raw.execute(counts.format("NOT INDEXED")).fetchall()
    assert sum(n for _zone, n in by_index) == total
    for statement, plan in _plans_of(lambda: moderation.pending_by_walk(world.project.id)):
        assert not any(step.startswith("SCAN") for step in plan), (statement, plan)
