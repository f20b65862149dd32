"""The partners' and public maps beyond the cluster threshold (issue 13): cells counted by the database.

As on the team's map, no non-sensitive point is fetched once there are too many to draw one by one;
the sensitive reports are still read, for their own squares of at least a few reports, and never
counted in the cells.
"""

from __future__ import annotations

import sqlalchemy as sa

from geodata import map_style
from tests.webapp.support import map_rows, url
from tests.webapp.test_partners import fresh_client
from tests.webapp.test_partners_privacy import seeded  # noqa: F401  (a fixture)
from webapp.extensions import db
from webapp.models import Observation, Walk
from webapp.services import forms, map_data


def test_partner_and_public_maps_count_cells_in_the_database_beyond_the_threshold(app, seeded, monkeypatch):  # noqa: F811
    monkeypatch.setattr(map_style, "MARKERS_UP_TO", 1)
    monkeypatch.setattr(map_style, "CLUSTER_UP_TO", 2)
    fetched: list[str | None] = []
    real = map_data.observations_geojson

    def spy(f, **kwargs):  # type: ignore[no-untyped-def]
        fetched.append(f.theme)
        return real(f, **kwargs)

    monkeypatch.setattr(map_data, "observations_geojson", spy)
    project = seeded.pw.world.project
    sensitive = forms.project_sensitive_themes(project.id)
    shown = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Observation)
        .join(Walk)
        .where(
            Walk.project_id == project.id,
            Observation.moderation_status == "validated",
            Observation.theme.not_in(sorted(sensitive)),
        )
    )
    assert shown > 2
    partner = fresh_client(app, "partenaire-a@example.org")
    for path in (url("partners.project_page", slug=seeded.slug), url("public.project_map", slug=seeded.slug)):
        fetched.clear()
        response = partner.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        # only the sensitive reports are read one by one (for their squares), theme by theme
        assert fetched and set(fetched) <= set(sensitive), (path, fetched)
        cells = map_rows(html)
        assert cells and sum(row[3] for row in cells) == shown, path
        assert f"{shown} observations" in html, path
