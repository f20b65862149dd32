"""Pages show instants in France's time, as the walk's own start and end are typed: a walk closed at
19:40 UTC on a summer evening reads « Clôturée le 01/07/2026 à 21:40 », and the moderation log, the
team's invitations and the forms' dates follow the same clock. Stored values stay in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import login, url
from webapp.extensions import db
from webapp.local_time import localtime
from webapp.models import ModerationEvent


def test_localtime_reads_utc_instants_in_paris_time_summer_and_winter() -> None:
    assert localtime(datetime(2026, 7, 1, 19, 40, tzinfo=UTC)) == "01/07/2026 21:40"
    assert localtime(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "%d/%m/%Y") == "01/01/2027"
    assert localtime(datetime(2026, 1, 15, 8, 5)) == "15/01/2026 09:05"  # naive: stored UTC
    assert localtime(None) == ""


def test_a_closed_walk_and_the_moderation_log_show_local_time(app, client) -> None:  # type: ignore[no-untyped-def]
    world = build_world()
    walk = world.day
    walk.status, walk.closed_at = "closed", datetime(2026, 7, 1, 19, 40, tzinfo=UTC)
    db.session.add(
        ModerationEvent(
            observation_id=world.observations[0].id,
            actor_id=world.facilitator.id,
            action="validate",
            created_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
        )
    )
    db.session.commit()
    login(client)
    page = url("facilitators.walk_page", slug=world.project.slug, walk_id=walk.id)
    html = client.get(page).get_data(as_text=True)
    assert "Clôturée le 01/07/2026 à 21:40." in html
    assert "(UTC)" not in html
    english = client.get(page + "?lang=en").get_data(as_text=True)
    assert "Closed on 01/07/2026 at 21:40." in english
    client.get(page + "?lang=fr")
    queue = url("facilitators.moderation_queue", slug=world.project.slug, walk_id=walk.id)
    journal = client.get(queue + "?status=all").get_data(as_text=True)
    assert "<th>Quand</th>" in journal and "<td>01/01/2027 00:30</td>" in journal
