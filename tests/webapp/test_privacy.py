"""Retention purge and minors' consent, on both databases: aggregates stay, personal detail goes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from geodata.shapes import distance_m
from tests.factories import ObservationFactory, ProjectFactory, WalkFactory
from tests.webapp.support import photos_on_disk, store_photo, stored_photo
from webapp import transaction
from webapp.errors import Conflict, ValidationError
from webapp.extensions import db
from webapp.models import Observation, Photo
from webapp.services import privacy

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def old_and_new(app, db_session):
    project = ProjectFactory(retention_months=12)
    walk = WalkFactory(project=project)
    old = ObservationFactory(
        walk=walk,
        note="Mon voisin M. Dupont…",
        proposal="Éclairer",
        theme="eclairage",
        answers={"moment": "la_nuit", "libre": "texte"},
        captured_at=datetime(2025, 10, 1, tzinfo=UTC),
    )
    new = ObservationFactory(walk=walk, note="Récent", captured_at=datetime(2026, 10, 1, tzinfo=UTC))
    photo = Photo(
        client_uuid=uuid.uuid4(), observation=old, stored_name="old.jpg", width=1, height=1, size_bytes=4
    )
    db_session.add(photo)
    store_photo(photo, b"jpeg")
    db_session.commit()
    return project, old, new, None


def _themes_by_zone():
    return db.session.execute(
        select(Observation.theme, Observation.polarity, Observation.zone_id, func.count())
        .group_by(Observation.theme, Observation.polarity, Observation.zone_id)
        .order_by(Observation.theme)
    ).all()


def test_purge_removes_precise_point_text_and_photos_but_keeps_aggregates(old_and_new, caplog):
    caplog.set_level("INFO")
    _project, old, new, _ = old_and_new
    before_point = to_shape(old.location)
    aggregates = _themes_by_zone()

    report = privacy.purge_expired(now=NOW)
    # files go only once the purge is committed; bytes in the database go within it
    assert (stored_photo("old.jpg") is not None) == photos_on_disk()
    transaction.commit()

    assert report.total_observations == 1 and report.total_photos == 1
    db.session.refresh(old)
    assert (old.note, old.proposal, old.purged_at) == ("", "", NOW)
    assert old.answers == {"moment": "la_nuit"}  # choices stay; free text and unknown keys go
    after_point = to_shape(old.location)
    assert not after_point.equals(before_point)
    assert distance_m(after_point, before_point) < 200 * 0.75
    assert db.session.scalar(select(func.count(Photo.id))) == 0
    assert stored_photo("old.jpg") is None
    db.session.refresh(new)
    assert new.note == "Récent" and new.purged_at is None
    assert _themes_by_zone() == aggregates
    assert "observations=1" in caplog.text and "Dupont" not in caplog.text


def test_a_second_purge_is_a_no_op(old_and_new):
    privacy.purge_expired(now=NOW)
    again = privacy.purge_expired(now=NOW)
    assert again.total_observations == 0 and again.total_photos == 0


def test_a_dry_run_changes_nothing(old_and_new, runner):
    _project, old, _new, _ = old_and_new
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "seraient purgées" in result.output
    db.session.expire_all()
    assert db.session.get(Observation, old.id).note.startswith("Mon voisin")
    assert stored_photo("old.jpg") == b"jpeg"
    assert db.session.scalar(select(func.count(Photo.id))) == 1


def test_months_before_clamps_short_months():
    assert privacy._months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert privacy._months_before(datetime(2026, 1, 15, tzinfo=UTC), 14) == datetime(2024, 11, 15, tzinfo=UTC)


def test_minors_consent_is_recorded_once_at_group_level(db_session):
    walk = WalkFactory()
    consent = privacy.record_minors_consent(
        walk, minors_count=7, recorded_by=None, note="Autorisations au centre social"
    )
    assert consent.minors_count == 7 and consent.recorded_at.tzinfo is not None
    with pytest.raises(Conflict):
        privacy.record_minors_consent(walk, minors_count=7, recorded_by=None)
    with pytest.raises(ValidationError):
        privacy.record_minors_consent(WalkFactory(), minors_count=0, recorded_by=None)


def test_purge_leaves_a_sensitive_report_only_what_counts_need(old_and_new, tmp_path):
    """The forms' flag decides: the default grid's harassment theme, and a theme of an imported form."""
    from tests.xlsform_builder import write_neighbourhood_workbook
    from webapp.services import forms

    project, old, _new, _photo_dir = old_and_new
    imported = forms.install_xlsform(write_neighbourhood_workbook(tmp_path / "q.xlsx")).form
    other_walk = WalkFactory(project=project, form_key=imported.key, form_version=imported.version)
    captured = datetime(2025, 10, 1, tzinfo=UTC)
    harassment = ObservationFactory(
        walk=old.walk,
        theme="harcelement",
        subtheme="gestes_contacts",
        answers={"moment": "la_nuit"},
        captured_at=captured,
    )
    insecurity = ObservationFactory(
        walk=other_walk,
        theme="insecurite",
        form_key=imported.key,
        form_version=imported.version,
        answers={"moment": "soir", "remarque": "texte"},
        captured_at=captured,
    )
    noise = ObservationFactory(
        walk=other_walk,
        theme="bruit",
        form_key=imported.key,
        form_version=imported.version,
        answers={"moment": "soir", "remarque": "texte"},
        captured_at=captured,
    )
    aggregates = _themes_by_zone()
    privacy.purge_expired(now=NOW)
    for observation in (harassment, insecurity, noise, old):
        db.session.refresh(observation)
    assert (harassment.subtheme, harassment.answers) == (None, {})
    assert insecurity.answers == {}
    assert noise.answers == {"moment": "soir"}  # the imported form's free text goes, its choice stays
    assert old.answers == {"moment": "la_nuit"}
    assert _themes_by_zone() == aggregates
