"""The summaries' own table (``observation_facts``), home of each observation's zone.

The database makes one row per observation whoever inserts it, keeps its copied columns equal to the
observation's, checks that a zone exists, empties the zone when it is deleted, and stamps the
project when an observation arrives (migration ``e8f90a1b2c3d``). On PostgreSQL the zone is in no
index and the pages half empty, so re-assigning zones is a heap-only write; on SQLite the summaries'
covering index is here. Real SpatiaLite and PostGIS, no mocks.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from shapely.geometry import MultiPolygon, box

from tests.factories import ObservationFactory, ParticipantFactory, ProjectFactory, WalkFactory
from webapp.extensions import db
from webapp.models import Observation, ObservationFacts, Project, Zone
from webapp.services import observations, zones

COPIED = ("walk_id", "moderation_status", "theme", "polarity", "participant_id", "feeling")


def _facts(observation_id: int) -> dict[str, object] | None:
    row = db.session.execute(
        sa.select(ObservationFacts.__table__).where(ObservationFacts.observation_id == observation_id)
    ).first()
    return dict(row._mapping) if row is not None else None


def _zone(project: Project, code: str, cell: tuple[float, float, float, float]) -> Zone:
    return zones.save_custom_zone(project, code=code, name=code.upper(), geometry=MultiPolygon([box(*cell)]))


def test_every_observation_gets_its_facts_row_and_keeps_it_equal(app):
    walk = WalkFactory()
    person = ParticipantFactory(walk=walk)
    made = ObservationFactory(walk=walk, participant=person, moderation_status="pending")
    row = _facts(made.id)
    assert row is not None
    assert {k: row[k] for k in COPIED} == {k: getattr(made, k) for k in COPIED}
    # a Core insert (the ingest's and imports' way) gets one too
    db.session.execute(
        sa.insert(Observation).values(
            client_uuid=uuid.uuid4(),
            walk_id=walk.id,
            location=observations.point_element(2.3, 49.9),
            location_source="gps",
            out_of_area=False,
            theme="proprete",
            polarity="positive",
            note="",
            note_length=0,
            proposal="",
            answers={},
            form_key="marche_exploratoire",
            form_version=1,
            moderation_status="pending",
            payload_hash="",
            captured_at=datetime(2026, 3, 12, tzinfo=UTC),
            received_at=datetime(2026, 3, 12, tzinfo=UTC),
            updated_at=datetime(2026, 3, 12, tzinfo=UTC),
        )
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ObservationFacts)) == db.session.scalar(
        sa.select(sa.func.count()).select_from(Observation)
    )
    # every copied column follows, through the ORM and through a Core update
    made.moderation_status = "validated"
    made.theme = "proprete"
    made.feeling = 5
    db.session.flush()
    db.session.execute(sa.update(Observation).where(Observation.id == made.id).values(polarity="neutral"))
    row = _facts(made.id)
    assert (row["moderation_status"], row["theme"], row["feeling"], row["polarity"]) == (
        "validated",
        "proprete",
        5,
        "neutral",
    )
    # a participant erased: the observation keeps no participant, nor does its facts row
    db.session.delete(person)
    db.session.flush()
    assert _facts(made.id)["participant_id"] is None
    # and it goes with the observation
    db.session.delete(made)
    db.session.flush()
    assert _facts(made.id) is None


def test_the_zone_lives_in_the_facts_row_and_must_exist(app):
    project = ProjectFactory()
    walk = WalkFactory(project=project)
    a = _zone(project, "a", (2.30, 49.90, 2.31, 49.91))
    b = _zone(project, "b", (2.31, 49.90, 2.32, 49.91))
    made = ObservationFactory(walk=walk, lon=2.305, lat=49.905, zone_id=a.id)
    assert _facts(made.id)["zone_id"] == a.id
    db.session.expire_all()
    assert (made.zone_id, made.zone.name) == (a.id, "A")
    made.zone_id = b.id  # as moderation moves a point
    db.session.flush()
    assert _facts(made.id)["zone_id"] == b.id
    assert (made.zone_id, made.zone.name) == (b.id, "B")  # nothing loaded before stays
    assert db.session.scalar(sa.select(Observation.id).where(Observation.zone_id == b.id)) == made.id
    missing = max(a.id, b.id) + 1000
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(
            sa.update(ObservationFacts)
            .where(ObservationFacts.observation_id == made.id)
            .values(zone_id=missing)
        )
    assert _facts(made.id)["zone_id"] == b.id
    # a zone deleted leaves its observations in none
    db.session.execute(sa.delete(Zone).where(Zone.id == b.id))
    assert _facts(made.id)["zone_id"] is None


def test_an_observation_inserted_stamps_its_project_in_the_database(app):
    walk = WalkFactory()
    stamp = sa.select(Project.data_version).where(Project.id == walk.project_id)
    before = db.session.scalar(stamp)
    db.session.execute(
        sa.text(
            "INSERT INTO observations (client_uuid, walk_id, location, location_source, out_of_area, theme, "
            "polarity, note, note_length, proposal, answers, form_key, form_version, moderation_status, "
            "payload_hash, captured_at, received_at, updated_at) VALUES (:uuid, :walk, "
            "ST_GeomFromText('POINT(2.3 49.9)', 4326), 'gps', false, 'eclairage', 'negative', '', 0, '', "
            "'{}', 'marche_exploratoire', 1, 'pending', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)"
        ),
        {
            "uuid": uuid.uuid4().hex if db.session.get_bind().dialect.name == "sqlite" else str(uuid.uuid4()),
            "walk": walk.id,
        },
    )
    after = db.session.scalar(stamp)
    assert after != before and 0 < after < 2**62 + 1


def _indexes_with(column: str) -> set[str]:
    inspector = sa.inspect(db.session.connection())
    return {i["name"] for i in inspector.get_indexes("observation_facts") if column in i["column_names"]}


def test_each_database_has_the_layout_that_meets_its_goals(app):
    """PostgreSQL: the zone in no index, pages half empty (heap-only updates), the walk's index for the
    summaries; SQLite: the summaries' covering index, zone included. No foreign key on the zone (the
    triggers check it), and the observations' old summary index is gone."""
    inspector = sa.inspect(db.session.connection())
    assert "ix_observations_summary" not in {i["name"] for i in inspector.get_indexes("observations")}
    assert not [
        fk for fk in inspector.get_foreign_keys("observation_facts") if "zone_id" in fk["constrained_columns"]
    ]
    if db.session.get_bind().dialect.name == "postgresql":
        assert _indexes_with("zone_id") == set()
        assert _indexes_with("walk_id") == {"ix_observation_facts_walk"}
        options = db.session.scalar(
            sa.text("SELECT reloptions FROM pg_class WHERE relname = 'observation_facts'")
        )
        assert options == ["fillfactor=50"]
    else:
        assert _indexes_with("zone_id") == {"ix_observation_facts_summary"}


def test_reassigning_zones_writes_no_observation_and_on_postgresql_no_index(app):
    """The point of the layout: re-assigning writes the narrow facts rows, never the observations; on
    PostgreSQL each moved row is a heap-only update (no index entry written)."""
    project = ProjectFactory()
    walk = WalkFactory(project=project)
    made = [ObservationFactory(walk=walk, lon=2.301 + i * 0.0005, lat=49.905) for i in range(20)]
    _zone(project, "a", (2.30, 49.90, 2.32, 49.91))
    db.session.execute(sa.update(ObservationFacts).values(zone_id=None))
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql:
        counts = sa.text(
            "SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
            "WHERE relname IN ('observations', 'observation_facts') ORDER BY relname"
        )
        before = {name: (upd, hot) for name, upd, hot in db.session.execute(counts)}
    else:  # SQLite keeps no such counts: a temporary trigger counts the observations written
        db.session.execute(sa.text("CREATE TEMP TABLE written (n INTEGER)"))
        db.session.execute(
            sa.text(
                "CREATE TEMP TRIGGER count_written AFTER UPDATE ON main.observations "
                "BEGIN INSERT INTO written VALUES (1); END"
            )
        )
    try:
        assert zones.reassign_observations([project]) == len(made)
        if postgresql:
            after = {name: (upd, hot) for name, upd, hot in db.session.execute(counts)}
            upd, hot = (
                a - b for a, b in zip(after["observation_facts"], before["observation_facts"], strict=True)
            )
            assert upd == len(made) and hot == upd
            assert after.get("observations", (0, 0))[0] == before.get("observations", (0, 0))[0]
        else:
            assert db.session.scalar(sa.text("SELECT count(*) FROM written")) == 0
    finally:
        if not postgresql:
            db.session.execute(sa.text("DROP TRIGGER count_written"))
            db.session.execute(sa.text("DROP TABLE written"))
