"""Recommendation follow-up: allowed moves, reasons, timeline and scorecards, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import flask_babel
import pytest
from sqlalchemy import func, select

from tests.webapp.support import recommendation_due
from webapp.errors import Conflict, ValidationError
from webapp.extensions import db
from webapp.models import Recommendation, RecommendationEvent
from webapp.services import followup


@pytest.fixture
def recommendation(db_session):
    return recommendation_due(date(2026, 6, 30))


def test_the_usual_path_records_a_dated_timeline(recommendation):
    for status in ("accepted", "in_progress", "done"):
        followup.change_status(recommendation, status, comment=f"→ {status}")
    events = db.session.scalars(select(RecommendationEvent).order_by(RecommendationEvent.id)).all()
    assert [(e.status_from, e.status_to) for e in events] == [
        ("proposed", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "done"),
    ]
    assert all(e.created_at.tzinfo is not None for e in events)
    assert recommendation.status == "done"


@pytest.mark.parametrize(
    ("start", "target"), [("proposed", "done"), ("done", "accepted"), ("declined", "done")]
)
def test_a_move_out_of_order_is_refused_and_changes_nothing(recommendation, start, target):
    recommendation.status = start
    db.session.commit()
    with pytest.raises(Conflict, match="Passage impossible"):
        followup.change_status(recommendation, target)
    db.session.rollback()
    assert db.session.scalar(select(Recommendation.status)) == start
    assert db.session.scalar(select(func.count(RecommendationEvent.id))) == 0


def test_declining_needs_a_reason(recommendation):
    with pytest.raises(ValidationError, match="motivé"):
        followup.change_status(recommendation, "declined", comment="  ")
    followup.change_status(recommendation, "declined", comment="Voie privée : relève du bailleur.")
    assert recommendation.status == "declined"


def test_setting_the_current_status_again_is_refused_without_recording(recommendation):
    with pytest.raises(Conflict, match="déjà"):
        followup.change_status(recommendation, "proposed")


def test_a_done_recommendation_can_be_reopened_after_a_rewalk(recommendation):
    followup.change_status(recommendation, "in_progress")
    followup.change_status(recommendation, "done")
    followup.change_status(recommendation, "in_progress", comment="Marche de retour : toujours pas éclairé.")
    assert recommendation.status == "in_progress"


def test_scorecards_count_done_overdue_and_median_delay(recommendation):
    project_id = recommendation.project_id
    late = Recommendation(
        project_id=project_id,
        title="Bancs",
        organisation_id=recommendation.organisation_id,
        deadline=date(2026, 1, 31),
        status="accepted",
    )
    db.session.add(late)
    db.session.commit()
    recommendation.created_at = datetime(2026, 3, 1, tzinfo=UTC)
    followup.change_status(recommendation, "in_progress")
    followup.change_status(recommendation, "done")
    done_event = recommendation.events[-1]
    done_event.created_at = recommendation.created_at + timedelta(days=40)
    db.session.commit()

    (card,) = followup.scorecards(project_id, today=date(2026, 11, 25))
    assert (card.name, card.total, card.done, card.overdue, card.median_days_to_done) == (
        "Ville — Éclairage public",
        2,
        1,
        1,
        40,
    )
    assert card.done_share == 0.5
    (by_zone,) = followup.scorecards(project_id, by="zone", today=date(2026, 11, 25))
    assert by_zone.name == "Hors zone" and by_zone.total == 2


def test_a_recommendation_without_partner_is_grouped_under_a_name_in_the_page_language(app, recommendation):
    project_id = recommendation.project_id
    db.session.add(Recommendation(project_id=project_id, title="Sans suite", status="proposed"))
    db.session.commit()
    for lang, name in (("fr", "Sans partenaire"), ("en", "No partner")):
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            flask_babel.refresh()  # the test's own app context keeps the language it found first
            names = [card.name for card in followup.scorecards(project_id)]
        assert name in names, (lang, names)
