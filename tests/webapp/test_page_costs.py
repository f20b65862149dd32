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


def test_the_debrief_replay_projects_all_positions_at_once(app: Flask, monkeypatch) -> None:
    """Each observation goes to its nearest stop, in metres: positions were projected one by one (and
    compared to each stop one by one), half the replay of a walk of 700 observations."""
    from pyproj import Transformer

    from webapp.services import debriefs

    world = build_world()
    calls = []
    transform = Transformer.transform
    monkeypatch.setattr(
        Transformer, "transform", lambda self, *a, **k: calls.append(1) or transform(self, *a, **k)
    )
    steps = debriefs.replay(world.day)
    assert len(calls) <= 2  # the stops, then the observations
    # the day walk's observations by their nearest stop (Départ 49.892, Place 49.900, Arrivée 49.908)
    by_stop = {s.name: sorted(o.note for o in s.observations) for s in steps}
    assert by_stop == {
        "Départ": ["<script>alert(1)</script>", '=HYPERLINK("http://x")'],
        "Place": ["Jardin partagé"],
        "Arrivée": ["Bien éclairé", "Lampadaire en panne"],
    }
