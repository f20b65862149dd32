"""Summary numbers equal what direct SQL counts give, on SpatiaLite and PostGIS."""

from __future__ import annotations

import sqlalchemy as sa

from geodata.assets import find_external_urls
from tests.webapp.factories_debrief import build_world
from webapp.extensions import db
from webapp.services import charts, observation_filter, summaries
from webapp.services.observation_filter import ObservationFilter


def _sql(query: str, **params):  # type: ignore[no-untyped-def]
    return db.session.execute(sa.text(query), params).all()


def test_theme_polarity_counts_equal_sql_counts(app):
    world = build_world()
    f = ObservationFilter(project_id=world.project.id)
    summary = summaries.summarise(f)
    rows = _sql(
        "SELECT o.theme, o.polarity, COUNT(*) FROM observations o JOIN walks w ON w.id = o.walk_id "
        "WHERE w.project_id = :p AND o.moderation_status = 'validated' GROUP BY o.theme, o.polarity",
        p=world.project.id,
    )
    expected = {(t, p): n for t, p, n in rows}
    got = {
        (r.theme, pol): getattr(r, pol) for r in summary.themes for pol in ("negative", "positive", "neutral")
    }
    assert {k: v for k, v in got.items() if v} == expected
    assert summary.total == sum(expected.values()) == 7
    (avg,) = _sql(
        "SELECT AVG(o.feeling) FROM observations o JOIN walks w ON w.id = o.walk_id "
        "WHERE w.project_id = :p AND o.moderation_status = 'validated'",
        p=world.project.id,
    )[0]
    assert summary.avg_feeling == round(float(avg), 2)


def test_comparisons_equal_sql_counts(app):
    world = build_world()
    summary = summaries.summarise(ObservationFilter(project_id=world.project.id))
    by_title = {c.title: {g.label: g for g in c.groups} for c in summary.comparisons}
    slot_rows = dict(
        (slot, (n, neg))
        for slot, n, neg in _sql(
            "SELECT w.time_slot, COUNT(*), SUM(CASE WHEN o.polarity = 'negative' THEN 1 ELSE 0 END) "
            "FROM observations o JOIN walks w ON w.id = o.walk_id WHERE w.project_id = :p "
            "AND o.moderation_status = 'validated' GROUP BY w.time_slot",
            p=world.project.id,
        )
    )
    assert by_title["Jour, soirée et nuit"]["Jour"].count == slot_rows["day"][0] == 4
    assert by_title["Jour, soirée et nuit"]["Nuit"].negative == slot_rows["night"][1] == 2
    assert by_title["Jour, soirée et nuit"]["Soirée"].count == 0
    gender_rows = dict(
        _sql(
            "SELECT p.gender, COUNT(*) FROM observations o JOIN walks w ON w.id = o.walk_id "
            "JOIN participants p ON p.id = o.participant_id WHERE w.project_id = :p "
            "AND o.moderation_status = 'validated' GROUP BY p.gender",
            p=world.project.id,
        )
    )
    assert by_title["Femmes et hommes"]["Femmes"].count == gender_rows["woman"] == 4
    assert by_title["Femmes et hommes"]["Hommes"].count == gender_rows["man"] == 3
    ages = by_title["Jeunes, adultes et aînés"]
    assert (ages["11 à 25 ans"].count, ages["65 ans et plus"].count) == (5, 2)
    zone_rows = dict(
        _sql(
            "SELECT COALESCE(f.zone_id, 0), COUNT(*) FROM observations o JOIN walks w ON w.id = o.walk_id "
            "JOIN observation_facts f ON f.observation_id = o.id "
            "WHERE w.project_id = :p AND o.moderation_status = 'validated' GROUP BY COALESCE(f.zone_id, 0)",
            p=world.project.id,
        )
    )
    zones = by_title["Zone par zone"]
    assert zones["Nord"].count == zone_rows[world.north.id] == 4
    assert zones["Sud"].count == zone_rows[world.south.id] == 2
    assert zones["Hors zone"].count == zone_rows[0] == 1


def test_filters_match_sql_and_pending_is_opt_in(app):
    world = build_world()
    f, problems = observation_filter.parse_filter(
        {"theme": "eclairage", "time_slot": "night"}, project=world.project
    )
    assert problems == []
    (n,) = _sql(
        "SELECT COUNT(*) FROM observations o JOIN walks w ON w.id = o.walk_id WHERE w.project_id = :p "
        "AND o.theme = 'eclairage' AND w.time_slot = 'night' AND o.moderation_status = 'validated'",
        p=world.project.id,
    )[0]
    assert observation_filter.count(f) == n == 2
    with_pending, _ = observation_filter.parse_filter(
        {"moderation": "all"}, project=world.project, allow_pending=True
    )
    assert observation_filter.count(with_pending) == 8  # the hidden one never counts


def test_unknown_filter_values_are_dropped_with_a_message(app):
    world = build_world()
    f, problems = observation_filter.parse_filter(
        {"theme": "nope", "polarity": "bad", "walk_id": "abc", "date_from": "2026-13-45", "gender": "woman"},
        project=world.project,
    )
    assert f.theme is None and f.polarity is None and f.walk_id is None and f.date_from is None
    assert f.gender == "woman"
    assert len(problems) == 4


def test_empty_selection_gives_zero_and_a_sentence_instead_of_an_empty_chart(app, client):
    from tests.webapp.support import login, url

    world = build_world()
    f = ObservationFilter(project_id=world.project.id, theme="transports")
    summary = summaries.summarise(f)
    assert summary.total == 0 and summary.themes == [] and summary.avg_feeling is None
    assert charts.chart_theme_polarity(summary) == ""
    login(client)
    page = client.get(url("facilitators.project_page", slug=world.project.slug, theme="transports"))
    html = page.get_data(as_text=True)
    assert "pas de graphique à montrer" in html
    assert '<figure class="chart">' not in html


def test_a_selection_without_assets_says_so_instead_of_an_empty_list(app, client):
    from tests.webapp.support import login, url

    world = build_world()
    login(client)
    page = client.get(url("facilitators.project_page", slug=world.project.slug, polarity="negative"))
    html = page.get_data(as_text=True)
    assert 'Principaux atouts</h3><p class="empty">Aucun atout relevé.</p>' in html
    assert "Principaux problèmes</h3><ol><li>" in html
    assert "<ol></ol>" not in html


def test_charts_use_the_okabe_ito_palette_and_write_their_numbers(app):
    world = build_world()
    svg = charts.chart_theme_polarity(summaries.summarise(ObservationFilter(project_id=world.project.id)))
    assert svg.startswith("<svg") and find_external_urls(svg) == []
    lowered = svg.lower()
    assert "#d55e00" in lowered and "#0072b2" in lowered  # vermillion problems, blue assets
    assert "#c62828" not in lowered and "#2e7d32" not in lowered  # no red/green pair
    assert charts.FONT_PT >= 12


def test_quotes_come_from_shown_observations_only(app):
    world = build_world()
    summary = summaries.summarise(ObservationFilter(project_id=world.project.id))
    texts = {q.text for items in summary.quotes.values() for q in items}
    assert "Tout noir" in texts
    assert "Nom d'un voisin" not in texts  # hidden
    assert "Jardin partagé" not in texts  # pending
