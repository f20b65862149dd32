"""« Today » is the date in France, not in UTC (deadlines, overdue marks, the report's date).

Between midnight and 1 a.m. (2 a.m. in summer) in Amiens, UTC still reads the day before: a
recommendation due that day was not yet « en retard », and a report printed after a late debrief was
dated the day before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.webapp.support import recommendation_due
from webapp.extensions import db
from webapp.models import Project, Recommendation, base
from webapp.services import followup, partner_views, reports

#: 00:30 on 1 July 2026 in Amiens (summer time, UTC+2): still 30 June in UTC
JUST_AFTER_MIDNIGHT = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)


@pytest.fixture
def due_on_30_june(db_session):
    return recommendation_due(date(2026, 6, 30), status="accepted")


@pytest.fixture
def clock(monkeypatch):
    """Set the app's clock (``utcnow``, wherever a module took its own reference to it)."""

    def set_to(instant: datetime) -> None:
        monkeypatch.setattr(base, "utcnow", lambda: instant)
        for module in (followup, partner_views, reports):
            monkeypatch.setattr(module, "utcnow", lambda: instant, raising=False)

    return set_to


def _project(recommendation: Recommendation) -> Project:
    project = db.session.get(Project, recommendation.project_id)
    assert project is not None
    return project


def test_a_deadline_of_yesterday_in_france_is_overdue_after_midnight(due_on_30_june, clock):
    clock(JUST_AFTER_MIDNIGHT)
    (card,) = followup.scorecards(due_on_30_june.project_id)
    assert card.overdue == 1
    (row,) = partner_views.list_recommendations(_project(due_on_30_june))
    assert row.overdue
    (item,) = partner_views.followup_board(_project(due_on_30_june))
    assert item.row.overdue


def test_a_deadline_of_today_in_france_is_not_overdue(due_on_30_june, clock):
    # 23:30 on 30 June in Amiens (21:30 UTC): the day is not over
    clock(datetime(2026, 6, 30, 21, 30, tzinfo=UTC))
    (card,) = followup.scorecards(due_on_30_june.project_id)
    assert card.overdue == 0
    (row,) = partner_views.list_recommendations(_project(due_on_30_june))
    assert not row.overdue


def test_a_report_printed_after_midnight_bears_the_new_date(due_on_30_june, clock):
    clock(JUST_AFTER_MIDNIGHT)
    report = reports.build_report(_project(due_on_30_june), None)
    assert report.generated_on == date(2026, 7, 1)
