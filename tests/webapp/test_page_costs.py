"""What the team's walk pages read for their maps: positions and themes, nothing a popup shows."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import login, statements, url


@pytest.mark.parametrize("page", ["walk_page", "moderation_queue", "debrief"])
def test_a_walk_map_reads_no_text_nor_photo_its_popups_fetch_on_click(app: Flask, client, page: str) -> None:  # type: ignore[no-untyped-def]
    """The walk page, the moderation list and the debrief room draw their points from positions and
    themes; a point's note, proposal, photo, walk and moderation link come when it is clicked. They
    were read (and, on the walk page, the moderation link built by the router) for every point, then
    left out of the page: a third of a walk page of 700 observations."""
    world = build_world()
    login(client)
    args = {"walk_page": {"moderation": "all"}, "moderation_queue": {"status": "all"}, "debrief": {}}[page]
    with statements() as seen:
        body = client.get(url(f"facilitators.{page}", slug=world.project.slug, walk_id=world.day.id, **args))
    assert body.status_code == 200
    # the map's points are there (compact rows, one per observation of the day walk)
    assert body.get_data(as_text=True).count("[2.29") >= 4
    map_reads = [s for s in seen if "ST_X" in s.upper()]
    assert map_reads, "the map reads its points"
    assert not any("NOTE" in s.upper().split("FROM")[0] for s in map_reads)
    if page == "walk_page":  # (the moderation list shows each card's photos, read for the cards)
        assert not any("FROM PHOTOS" in s.upper() for s in seen)
