"""Pages listing a walk's observations with their photos read the photos in one statement, not one
per observation: the moderation list, the debrief room and the walk's report (before: one query per
observation — 500 for a walk of 500 observations, each a round trip to the database)."""

from __future__ import annotations

import re

import pytest

from tests.webapp.support import statements, url
from tests.webapp.test_partners import PartnerWorld, build_partner_world, sign_in

#: One observation's photos, loaded when touched (``WHERE ? = photos.observation_id``).
_ONE_BY_ONE = re.compile(r"FROM photos\s+WHERE \S+ = photos\.observation_id", re.I)


@pytest.fixture
def pw(app) -> PartnerWorld:  # type: ignore[no-untyped-def]
    return build_partner_world()


@pytest.mark.parametrize(
    ("endpoint", "extra", "shown"),
    [
        ("facilitators.moderation_queue", {"status": "all"}, "valide"),
        ("facilitators.debrief", {}, "valide"),
        ("facilitators.report", {}, "valide"),
    ],
)
def test_a_walk_page_reads_its_observations_photos_in_one_statement(client, pw, endpoint, extra, shown):
    sign_in(client, "anim@example.org")
    walk = pw.world.day
    observations = [o for o in pw.world.observations if o.walk_id == walk.id]
    assert len(observations) >= 3
    path = url(endpoint, slug=pw.slug, walk_id=walk.id, **extra)
    with statements() as seen:
        html = client.get(path).get_data(as_text=True)
    assert shown in html  # the validated observation's photo is on the page
    assert [s for s in seen if _ONE_BY_ONE.search(s)] == []
    # the list's photos in one statement, another part of the page's in one more at most
    assert len([s for s in seen if "FROM photos" in s]) <= 2
