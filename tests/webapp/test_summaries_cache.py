"""Summaries: the same answers as a naive computation, in few statements, cached per data stamp.

The cache must never serve what another server instance changed: two apps on one database play the
two instances (ingest, moderation and deletion through one; summaries through the other).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from shapely.geometry import MultiPolygon, box

from tests.conftest import make_app
from tests.webapp.support import statements
from webapp.extensions import db
from webapp.models import Observation, Participant, Walk
from webapp.models.enums import AgeGroup
from webapp.services import data_stamps, moderation, observations, projects, summaries, walks, zones
from webapp.services.observation_filter import ObservationFilter

THEMES = ["eclairage", "proprete", "harcelement", "transports"]


def _random_project(seed: int, n: int = 240):  # type: ignore[no-untyped-def]
    """A project with three walks, two zones, participants and ``n`` random observations."""
    rng = random.Random(seed)
    project = projects.create_project(slug=f"alea-{seed}", name="Aléatoire", territory=["80021"])
    zones.save_custom_zone(
        project, code="ouest", name="Ouest", geometry=MultiPolygon([box(2.0, 49.0, 2.5, 50)])
    )
    zones.save_custom_zone(project, code="est", name="Est", geometry=MultiPolygon([box(2.5, 49.0, 3.0, 50)]))
    made = [
        walks.create_walk(project, title=slot, walk_date=date(2026, 3, i + 1), time_slot=slot)
        for i, slot in enumerate(["day", "evening", "night"])
    ]
    db.session.flush()
    people = []
    for i in range(18):
        person = Participant(
            walk_id=made[i % 3].id,
            token_hash=uuid.uuid4().hex * 2,
            gender=rng.choice(["woman", "man", "undisclosed"]),
            age_band=rng.choice(["15-17", "18-25", "26-44", "65+", "undisclosed"]),
            status="resident",
        )
        db.session.add(person)
        people.append(person)
    db.session.flush()
    for i in range(n):
        person = rng.choice([*people, None])
        walk = made[people.index(person) % 3] if person is not None else rng.choice(made)
        lon, lat = rng.uniform(1.9, 3.1), rng.uniform(49.1, 49.9)
        observations.record_observation(
            walk,
            client_uuid=uuid.UUID(int=rng.getrandbits(128)),
            lon=lon,
            lat=lat,
            theme=rng.choice(THEMES),
            polarity=rng.choice(["negative", "positive", "neutral"]),
            form_key=walk.form_key,
            form_version=walk.form_version,
            participant=person,
            feeling=rng.choice([None, 1, 2, 3, 4, 5]),
            # few distinct lengths, so ties between notes of one length are decided by id
            note=rng.choice(["", "court", "un peu plus long", "x" * rng.randint(1, 4), f"note {i % 7}"]),
            proposal=rng.choice(["", "", f"proposition {i % 5}"]),
            captured_at=datetime(2026, 3, 1, 18, tzinfo=UTC),
            moderation_status=rng.choice(["validated", "validated", "pending", "hidden"]),
        )
    db.session.flush()
    return project


def _naive(f: ObservationFilter) -> dict:  # type: ignore[type-arg]
    """The summary's figures from every matching row read one by one (no aggregate in SQL)."""
    rows = db.session.scalars(
        sa.select(Observation).join(Walk).where(Walk.project_id == f.project_id).order_by(Observation.id)
    ).all()
    kept = []
    for o in rows:
        person = db.session.get(Participant, o.participant_id) if o.participant_id else None
        if o.moderation_status not in f.statuses:
            continue
        if f.theme is not None and o.theme != f.theme:
            continue
        if f.time_slot is not None and o.walk.time_slot != f.time_slot:
            continue
        if f.zone_id is not None and (o.zone_id or 0) != f.zone_id:
            continue
        if f.gender is not None and (person is None or person.gender != f.gender):
            continue
        kept.append((o, person))

    def mean(values: list[int | None]) -> float | None:
        answered = [v for v in values if v is not None]
        return round(sum(answered) / len(answered), 2) if answered else None

    def group(pairs: list) -> tuple[int, int, float | None]:  # type: ignore[type-arg]
        return (
            len(pairs),
            sum(o.polarity == "negative" for o, _ in pairs),
            mean([o.feeling for o, _ in pairs]),
        )

    themes = {}
    for theme in {o.theme for o, _ in kept}:
        mine = [o for o, _ in kept if o.theme == theme]
        themes[theme] = (
            sum(o.polarity == "negative" for o in mine),
            sum(o.polarity == "positive" for o in mine),
            sum(o.polarity == "neutral" for o in mine),
            mean([o.feeling for o in mine]),
        )
    by_slot = {
        s: group([(o, p) for o, p in kept if o.walk.time_slot == s]) for s in ("day", "evening", "night")
    }
    by_gender = {
        g: group([(o, p) for o, p in kept if p is not None and p.gender == g]) for g in ("woman", "man")
    }
    by_age = {
        a.value: group([(o, p) for o, p in kept if p is not None and p.age_band in a.bands]) for a in AgeGroup
    }
    by_zone = {
        z: group([(o, p) for o, p in kept if (o.zone_id or 0) == z])
        for z in {o.zone_id or 0 for o, _ in kept}
    }
    quotes: dict[str, list[tuple[str, str]]] = {}
    for theme in sorted({o.theme for o, _ in kept}):
        ranked = sorted((o for o, _ in kept if o.theme == theme), key=lambda o: (-len(o.note), o.id))[:9]
        bucket: list[tuple[str, str]] = []
        for o in ranked:
            for kind, text in (("note", o.note), ("proposal", o.proposal)):
                if text and sum(k == kind for k, _ in bucket) < 3 and all(t != text for _, t in bucket):
                    bucket.append((kind, text))
        if ranked:
            quotes[theme] = bucket
    return {
        "total": len(kept),
        "avg": mean([o.feeling for o, _ in kept]),
        "themes": themes,
        "slot": by_slot,
        "gender": by_gender,
        "age": by_age,
        "zone": by_zone,
        "quotes": quotes,
    }


def _figures(s: summaries.Summary) -> dict:  # type: ignore[type-arg]
    def groups(kind: str) -> list[tuple[int, int, float | None]]:
        comparison = next(c for c in s.comparisons if c.kind == kind)
        return [(g.count, g.negative, g.avg_feeling) for g in comparison.groups]

    return {
        "total": s.total,
        "avg": s.avg_feeling,
        "themes": {r.theme: (r.negative, r.positive, r.neutral, r.avg_feeling) for r in s.themes},
        "slot": groups("time_slot"),
        "gender": groups("gender"),
        "age": groups("age_group"),
        "zone": sorted(groups("zone")),
        "quotes": {t: [(q.kind, q.text) for q in items] for t, items in s.quotes.items()},
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_summaries_equal_a_naive_computation_on_random_observations(app, seed):
    project = _random_project(seed)
    whole = ObservationFilter(project_id=project.id)
    for f in [
        whole,
        ObservationFilter(project_id=project.id, statuses=("validated", "pending")),
        ObservationFilter(project_id=project.id, theme="eclairage"),
        ObservationFilter(project_id=project.id, time_slot="night"),
        ObservationFilter(project_id=project.id, gender="woman"),
        ObservationFilter(project_id=project.id, zone_id=0),
    ]:
        naive = _naive(f)
        got = _figures(summaries.summarise(f))
        assert got["total"] == naive["total"] and got["avg"] == naive["avg"], f
        assert got["themes"] == naive["themes"], f
        assert got["slot"] == [naive["slot"][s] for s in ("day", "evening", "night")], f
        assert got["gender"] == [naive["gender"][g] for g in ("woman", "man")], f
        assert got["age"] == [naive["age"][a.value] for a in AgeGroup], f
        assert got["zone"] == sorted(naive["zone"].values()), f
        assert got["quotes"] == naive["quotes"], f


def test_a_summary_costs_a_few_statements_then_one_while_nothing_changes(app):
    project = _random_project(3, n=60)
    f = ObservationFilter(project_id=project.id)
    db.session.flush()
    with statements() as computed:
        first = summaries.summarise(f)
    with statements() as cached:
        again = summaries.summarise(f)
    # stamp, one grouped pass, theme styles (stamp, forms), walks, participants, zones, quotes
    assert len(computed) <= 14, "\n".join(computed)
    assert sum(" FROM observations" in s for s in computed) <= 3, "\n".join(computed)
    assert len(cached) == 1 and "data_version" in cached[0], "\n".join(cached)
    assert _figures(again) == _figures(first)


def test_every_kind_of_change_gives_the_project_a_new_stamp(app):
    project = _random_project(4, n=20)
    stamps = [data_stamps.current(project.id)]

    def moved() -> bool:
        db.session.flush()
        stamps.append(data_stamps.current(project.id))
        return stamps[-1] != stamps[-2]

    one = db.session.scalars(sa.select(Observation).join(Walk).where(Walk.project_id == project.id)).first()
    if one.moderation_status == "hidden":
        moderation.validate(one, None)
    else:
        moderation.hide(one, None, "Test")
    assert moved()
    person = db.session.scalars(
        sa.select(Participant).join(Walk).where(Walk.project_id == project.id)
    ).first()
    person.gender = "man" if person.gender != "man" else "woman"
    assert moved()
    walk = db.session.scalars(sa.select(Walk).where(Walk.project_id == project.id)).first()
    walk.time_slot = "night" if walk.time_slot != "night" else "day"
    assert moved()
    db.session.delete(one)
    assert moved()
    walk.title = "Un autre titre"  # not counted by any summary
    assert not moved()


@pytest.fixture
def two_instances(empty_database_url, tmp_path):  # type: ignore[no-untyped-def]
    """Two apps on one migrated database: two server instances, each with its own connections."""
    from flask_migrate import upgrade

    first = make_app(empty_database_url, tmp_path / "a")
    second = make_app(empty_database_url, tmp_path / "b")
    with first.app_context():
        upgrade()
    yield first, second
    for app in (first, second):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_summary_cached_by_one_instance_follows_what_another_changes(two_instances):
    from tests.webapp.capture_support import make_walk, payload

    first, second = two_instances
    with first.app_context():
        walk = make_walk()
        project_id, join_code = walk.project_id, walk.join_code
        db.session.remove()
    f = ObservationFilter(project_id=project_id, statuses=("validated", "pending"))

    def total_seen_by_first() -> int:
        with first.app_context():
            try:
                return summaries.summarise(f).total
            finally:
                db.session.remove()

    client = FlaskClient(second, second.response_class)  # a plain client: each request its own context
    joined = client.post("/api/v1/join", json={"code": join_code})
    token = {"Authorization": f"Bearer {joined.json['token']}"}
    assert client.post("/api/v1/observations", json=payload(), headers=token).status_code == 201
    assert total_seen_by_first() == total_seen_by_first() == 1  # computed, then cached

    # ingest through the other instance's API
    body = payload(answers={"note": "Arrivée par l'autre instance"})
    assert client.post("/api/v1/observations", json=body, headers=token).status_code == 201
    assert total_seen_by_first() == 2

    # moderation through the other instance
    with second.app_context():
        new = db.session.scalar(
            sa.select(Observation).where(Observation.client_uuid == uuid.UUID(body["client_uuid"]))
        )
        moderation.hide(new, None, "Hors sujet")
        db.session.commit()
    assert total_seen_by_first() == 1

    # a deletion through the other instance
    with second.app_context():
        db.session.delete(
            db.session.scalars(sa.select(Observation).where(Observation.moderation_status == "pending")).one()
        )
        db.session.commit()
    assert total_seen_by_first() == 0
