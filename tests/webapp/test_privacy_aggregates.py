"""Purge and participant erasure leave every aggregate consistent, on SpatiaLite and PostGIS.

Each figure the pages, exports and reports show (counts per theme × polarity, per zone, totals, mean
feeling, export rows, group composition, recommendation evidence, scorecards) is computed before and
after, and checked against a direct recount from the rows: a purge changes none of them, an erasure
lowers them by exactly the erased participant's observations.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import store_photo
from webapp.extensions import db
from webapp.models import (
    ModerationEvent,
    Observation,
    Participant,
    Photo,
    Recommendation,
    Walk,
    recommendation_observations,
)
from webapp.services import (
    debriefs,
    exports,
    followup,
    map_data,
    moderation,
    observation_filter,
    privacy,
    summaries,
)

#: A purge run "now": the world's observations (March 2026) are past a 12-month retention.
NOW = datetime(2027, 7, 1, tzinfo=UTC)
RECENT = datetime(2027, 6, 1, tzinfo=UTC)


@pytest.fixture
def world(app, db_session):  # type: ignore[no-untyped-def]
    w = build_world()
    w.project.retention_months = 12
    for obs in w.observations[:3]:
        name = f"agg-{uuid.uuid4().hex}.jpg"
        photo = Photo(
            client_uuid=uuid.uuid4(), observation=obs, stored_name=name, width=1, height=1, size_bytes=4
        )
        db_session.add(photo)
        store_photo(photo, b"jpeg")
    # Two observations are recent: the purge keeps their detail.
    for obs in w.observations[5:7]:
        obs.captured_at = RECENT
    db_session.commit()
    moderation.edit_text(w.observations[0], w.facilitator, note="Lampadaire", proposal="", reason="nom")
    moderation.move(w.observations[1], w.facilitator, lon=2.2961, lat=49.9061)
    validated = [o for o in w.observations if o.moderation_status == "validated"]
    w.recommendation = debriefs.create_recommendation(  # type: ignore[attr-defined]
        w.project, w.facilitator, observation_ids=[o.id for o in validated[:4]], title="Éclairer"
    )
    return w


def _filters(w) -> list[observation_filter.ObservationFilter]:  # type: ignore[no-untyped-def]
    base = observation_filter.ObservationFilter(project_id=w.project.id)
    return [
        base,
        replace(base, statuses=("validated", "pending")),
        replace(base, walk_id=w.night.id),
        replace(base, zone_id=w.north.id),
        replace(base, zone_id=0),
        replace(base, time_slot="night"),
        replace(base, gender="woman"),
        replace(base, theme="harcelement"),
    ]


def aggregates(w) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Every figure the app shows, through the app's own services."""
    out: dict[str, Any] = {}
    for i, f in enumerate(_filters(w)):
        summary = summaries.summarise(f, quotes=False)
        out[f"theme_polarity{i}"] = summaries.count_by_theme_polarity(f)
        out[f"total{i}"] = summary.total
        out[f"avg{i}"] = summary.avg_feeling
        out[f"rows{i}"] = [
            (r.theme, r.negative, r.positive, r.neutral, r.avg_feeling) for r in summary.themes
        ]
        out[f"comparisons{i}"] = [
            (c.title, [(g.label, g.count, g.negative) for g in c.groups]) for c in summary.comparisons
        ]
        out[f"zones{i}"] = {
            feat["properties"]["id"]: feat["properties"]["count"]
            for feat in map_data.zones_geojson(w.project, f)["features"]
        }
        out[f"export{i}"] = Counter(
            (r["theme"], r["polarity"], r["zone"]) for r in exports.iter_observation_rows(f)
        )
    walk_ids = [w.day.id, w.night.id]
    out["composition"] = summaries.group_composition(walk_ids)
    out["evidence"] = {r.id: len(r.observations) for r in debriefs.list_recommendations(w.project)}
    # (the evidence ids' order is not defined: compared as sets)
    out["recommendation_rows"] = [
        (row[0], sorted(row[-1].split())) for row in exports.recommendation_rows(w.project)
    ]
    out["scorecards"] = followup.scorecards(w.project.id, today=NOW.date())
    return out


def recount(w) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The same figures counted straight from the rows, in Python."""
    rows = db.session.execute(
        select(
            Observation.theme,
            Observation.polarity,
            Observation.zone_id,
            Observation.feeling,
            Observation.moderation_status,
            Walk.time_slot,
            Observation.walk_id,
            Participant.gender,
        )
        .join(Walk, Walk.id == Observation.walk_id)
        .outerjoin(Participant, Participant.id == Observation.participant_id)
        .where(Walk.project_id == w.project.id)
    ).all()
    out: dict[str, Any] = {}
    for i, f in enumerate(_filters(w)):
        chosen = [
            r
            for r in rows
            if r.moderation_status in f.statuses
            and (f.walk_id is None or r.walk_id == f.walk_id)
            and (f.zone_id is None or (r.zone_id is None if f.zone_id == 0 else r.zone_id == f.zone_id))
            and (f.time_slot is None or r.time_slot == f.time_slot)
            and (f.gender is None or r.gender == f.gender)
            and (f.theme is None or r.theme == f.theme)
        ]
        out[f"theme_polarity{i}"] = dict(Counter((r.theme, r.polarity) for r in chosen))
        out[f"total{i}"] = len(chosen)
        feelings = [r.feeling for r in chosen if r.feeling is not None]
        out[f"avg{i}"] = round(sum(feelings) / len(feelings), 2) if feelings else None
        # The map's zone layer counts every zone under the other filters (its own zone filter aside).
        zone_counts = Counter(
            r.zone_id
            for r in rows
            if r.zone_id is not None
            and r.moderation_status in f.statuses
            and (f.walk_id is None or r.walk_id == f.walk_id)
            and (f.time_slot is None or r.time_slot == f.time_slot)
            and (f.gender is None or r.gender == f.gender)
            and (f.theme is None or r.theme == f.theme)
        )
        out[f"zones{i}"] = {z: zone_counts.get(z, 0) for z in (w.north.id, w.south.id)}
    link = recommendation_observations.c
    out["evidence"] = dict(
        db.session.execute(
            select(Recommendation.id, func.count(link.observation_id))
            .outerjoin(recommendation_observations, link.recommendation_id == Recommendation.id)
            .where(Recommendation.project_id == w.project.id)
            .group_by(Recommendation.id)
        ).all()
    )
    return out


def _check_against_rows(w) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    shown, counted = aggregates(w), recount(w)
    for key, value in counted.items():
        if key.startswith("zones"):
            assert {z: shown[key].get(z, 0) for z in value} == value, key
        else:
            assert shown[key] == value, key
    return shown


def test_a_purge_keeps_every_aggregate_and_they_match_the_rows(world):
    before = _check_against_rows(world)

    report = privacy.purge_expired(now=NOW)

    assert report.total_observations == len(world.observations) - 2 and report.total_photos == 3
    db.session.expire_all()
    after = _check_against_rows(world)
    assert after == before
    purged = db.session.scalars(select(Observation).where(Observation.purged_at.is_not(None))).all()
    assert len(purged) == len(world.observations) - 2
    assert all(o.note == "" and o.proposal == "" and not o.photos for o in purged)


def test_a_purge_twice_is_a_no_op_and_a_dry_run_changes_nothing(world, runner):
    def snapshot() -> list[Any]:
        db.session.expire_all()
        rows = db.session.execute(
            select(
                Observation.id,
                Observation.note,
                Observation.proposal,
                Observation.zone_id,
                Observation.purged_at,
                func.ST_AsText(Observation.location),
            ).order_by(Observation.id)
        ).all()
        events = db.session.execute(
            select(ModerationEvent.id, ModerationEvent.changes).order_by(ModerationEvent.id)
        ).all()
        photos = db.session.execute(select(Photo.id).order_by(Photo.id)).all()
        return [rows, events, photos]

    untouched = snapshot()
    result = runner.invoke(args=["purge", "--project", world.project.slug, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert snapshot() == untouched

    privacy.purge_expired(now=NOW)
    once = snapshot()
    assert once != untouched
    again = privacy.purge_expired(now=NOW)
    assert (again.total_observations, again.total_photos) == (0, 0)
    assert snapshot() == once


def test_a_purge_also_blanks_the_moderation_log_copies_of_text_and_points(world):
    edited, moved = world.observations[0], world.observations[1]
    privacy.purge_expired(now=NOW)
    db.session.expire_all()
    events = {
        e.observation_id: e.changes
        for e in db.session.scalars(
            select(ModerationEvent).where(ModerationEvent.action.in_(["edit", "move"]))
        )
    }
    assert events[edited.id]["note"] == [None, None]
    assert events[moved.id]["location"] == [None, None]
    assert events[moved.id]["zone_id"]  # aggregates-related fields stay
    text = str(list(events.values()))
    assert "Lampadaire" not in text and "2.2961" not in text


def _participant_of(w, obs):  # type: ignore[no-untyped-def]
    return db.session.get(Participant, obs.participant_id)


@pytest.mark.parametrize("purge_first", [False, True])
def test_erasing_a_participant_lowers_aggregates_by_exactly_their_observations(world, purge_first):
    if purge_first:
        privacy.purge_expired(now=NOW)
        db.session.expire_all()
    before = _check_against_rows(world)
    target = world.observations[0]  # validated, in the recommendation's evidence, with a photo
    participant = _participant_of(world, target)
    theirs = db.session.execute(
        select(Observation.theme, Observation.polarity, Observation.moderation_status).where(
            Observation.participant_id == participant.id
        )
    ).all()
    assert theirs and any(status == "validated" for *_, status in theirs)
    gender = participant.gender

    erasure = privacy.erase_participant_data(participant)

    assert erasure.observations == len(theirs) and erasure.profile
    after = _check_against_rows(world)
    lost = Counter((t, p) for t, p, status in theirs if status == "validated")
    expected = Counter(before["theme_polarity0"])
    expected.subtract(lost)
    assert after["theme_polarity0"] == {k: v for k, v in expected.items() if v}
    assert after["total0"] == before["total0"] - sum(lost.values())
    rid = world.recommendation.id
    assert after["evidence"][rid] == before["evidence"][rid] - 1
    assert after["scorecards"] == before["scorecards"]  # recommendations themselves stay
    genre_before, genre_after = before["composition"]["gender"], after["composition"]["gender"]
    assert genre_after.get(gender, 0) == genre_before[gender] - 1
    assert sum(genre_after.values()) == sum(genre_before.values()) - 1


def test_erasing_twice_changes_nothing_more(world):
    participant = _participant_of(world, world.observations[2])
    privacy.erase_participant_data(participant, keep_profile=True)
    before = _check_against_rows(world)
    again = privacy.erase_participant_data(participant, keep_profile=True)
    assert (again.observations, again.photos, again.recommendations) == (0, 0, 0)
    assert _check_against_rows(world) == before
