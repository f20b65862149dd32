"""QPV import and zone assignment, on SpatiaLite and PostGIS, with the official ANCT files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from shapely.geometry import MultiPolygon, box, mapping
from sqlalchemy import func, select

from tests.factories import ObservationFactory, ProjectFactory, WalkFactory
from webapp.extensions import db
from webapp.models import Observation, ObservationFacts, Zone
from webapp.services import observations, zones


def _zone_count() -> int:
    return db.session.scalar(select(func.count(Zone.id)))


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text())["features"]


def _write(tmp_path: Path, name: str, features: list[dict]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_import_qpv_amiens_creates_seven_zones_with_credit(runner, data_dir):
    result = runner.invoke(
        args=["geodata", "import-qpv", str(data_dir / "geodata" / "qpv2024_amiens.geojson")]
    )
    assert result.exit_code == 0, result.output
    assert "7 zone(s) créée(s)" in result.output
    assert _zone_count() == 7
    zone = db.session.scalar(select(Zone).where(Zone.code == "QN08003M"))
    assert (zone.name, zone.insee_com, zone.list_year, zone.kind, zone.source) == (
        "Amiens Nord",
        "80021",
        2024,
        "qpv",
        "ANCT, 2024",
    )


def test_import_qpv_somme_creates_ten_and_a_commune_filter_keeps_abbeville(runner, data_dir):
    somme = str(data_dir / "geodata" / "qpv2024_somme.geojson")
    result = runner.invoke(args=["geodata", "import-qpv", somme, "--commune", "80001"])
    assert result.exit_code == 0, result.output
    assert _zone_count() == 3
    result = runner.invoke(args=["geodata", "import-qpv", somme, "--departement", "80"])
    assert result.exit_code == 0, result.output
    assert "7 zone(s) créée(s)" in result.output and "3 inchangée(s)" in result.output
    assert _zone_count() == 10


def test_reimporting_the_same_file_updates_and_never_duplicates(runner, data_dir):
    path = str(data_dir / "geodata" / "qpv2024_amiens.geojson")
    runner.invoke(args=["geodata", "import-qpv", path])
    result = runner.invoke(args=["geodata", "import-qpv", path])
    assert result.exit_code == 0, result.output
    assert "0 zone(s) créée(s), 0 mise(s) à jour, 7 inchangée(s)" in result.output
    assert _zone_count() == 7


def test_dry_run_writes_nothing(runner, data_dir):
    path = str(data_dir / "geodata" / "qpv2024_amiens.geojson")
    result = runner.invoke(args=["geodata", "import-qpv", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Essai à blanc" in result.output
    assert _zone_count() == 0


def test_a_bad_file_is_refused_whole_and_changes_nothing(runner, data_dir, tmp_path):
    good = data_dir / "geodata" / "qpv2024_amiens.geojson"
    runner.invoke(args=["geodata", "import-qpv", str(good)])
    features = _features(good)
    features[0]["properties"]["lib_qp"] = "Nom modifié"
    features[3]["geometry"]["coordinates"][0][0][2] = [float("nan"), 49.9]
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": features}).replace("NaN", "NaN"))
    result = runner.invoke(args=["geodata", "import-qpv", str(bad)])
    assert result.exit_code == 1
    assert "rien n'a été modifié" in result.output
    assert "QN08004M" in result.output  # the feature at fault is named
    assert db.session.scalar(select(Zone.name).where(Zone.code == "QN08001M")) == "Etouvie"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "JSON"),
        ('{"type": "FeatureCollection", "features": []}', "aucun"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"foo": 1}, '
            '"geometry": {"type": "Polygon", '
            '"coordinates": [[[2.3,49.9],[2.31,49.9],[2.31,49.91],[2.3,49.9]]]}}]}',
            "code_qp",
        ),
    ],
)
def test_malformed_files_get_a_french_message(runner, tmp_path, content, expected):
    path = tmp_path / "f.geojson"
    path.write_text(content)
    result = runner.invoke(args=["geodata", "import-qpv", str(path)])
    assert result.exit_code == 1
    assert expected.lower() in result.output.lower()
    assert _zone_count() == 0


def test_inside_points_land_in_their_qpv_and_pois_in_none_in_database_and_in_process(runner, data_dir):
    runner.invoke(args=["geodata", "import-qpv", str(data_dir / "geodata" / "qpv2024_amiens.geojson")])
    project = ProjectFactory()
    codes = {z.id: z.code for z in db.session.scalars(select(Zone))}
    inside = _features(data_dir / "geodata" / "qpv2024_amiens_inside_points.geojson")
    pois = _features(data_dir / "geodata" / "amiens_pois_geo2france.geojson")
    points = [tuple(f["geometry"]["coordinates"]) for f in inside + pois]

    in_db = [zones.find_zone_id(project, lon, lat) for lon, lat in points]
    in_process = zones.assign_points_in_process(project, points)

    assert in_db == in_process
    assert [codes.get(z) for z in in_db[: len(inside)]] == [f["properties"]["code_qp"] for f in inside]
    assert in_db[len(inside) :] == [None] * len(pois)


def test_a_point_on_a_shared_boundary_gets_the_same_zone_in_database_and_in_process(db_session, tmp_path):
    project = ProjectFactory()
    west, east = box(2.30, 49.90, 2.31, 49.91), box(2.31, 49.90, 2.32, 49.91)
    zones.save_custom_zone(project, code="b-est", name="Est", geometry=MultiPolygon([east]))
    zones.save_custom_zone(project, code="a-ouest", name="Ouest", geometry=MultiPolygon([west]))
    on_edge = [(2.31, 49.905), (2.31, 49.90), (2.3100000, 49.9099)]
    expected = db.session.scalar(select(Zone.id).where(Zone.code == "a-ouest"))

    assert [zones.find_zone_id(project, *p) for p in on_edge] == [expected] * 3
    assert zones.assign_points_in_process(project, on_edge) == [expected] * 3


def test_a_qpv_wins_over_a_custom_zone_covering_the_same_point(runner, data_dir):
    runner.invoke(args=["geodata", "import-qpv", str(data_dir / "geodata" / "qpv2024_amiens.geojson")])
    project = ProjectFactory()
    zones.save_custom_zone(
        project, code="tout", name="Toute la ville", geometry=MultiPolygon([box(2.2, 49.8, 2.4, 49.95)])
    )
    point = _features(data_dir / "geodata" / "qpv2024_amiens_inside_points.geojson")[0]["geometry"][
        "coordinates"
    ]
    zone = zones.find_zone(project, *point)
    assert zone.code == "QN08001M"
    assert zones.find_zone(project, 2.3021, 49.8945).code == "tout"  # the cathedral: custom zone only


def test_qpv_of_another_list_year_are_not_candidates(runner, data_dir):
    runner.invoke(args=["geodata", "import-qpv", str(data_dir / "geodata" / "qpv2024_amiens.geojson")])
    project = ProjectFactory(qpv_year=2015)
    point = _features(data_dir / "geodata" / "qpv2024_amiens_inside_points.geojson")[0]["geometry"][
        "coordinates"
    ]
    assert zones.find_zone_id(project, *point) is None


def test_observations_are_reassigned_when_perimeters_change(runner, data_dir, tmp_path):
    project = ProjectFactory()
    walk = WalkFactory(project=project)
    inside = _features(data_dir / "geodata" / "qpv2024_amiens_inside_points.geojson")[2]
    lon, lat = inside["geometry"]["coordinates"]
    observation = ObservationFactory(walk=walk, lon=lon, lat=lat)
    assert observation.zone_id is None

    result = runner.invoke(
        args=["geodata", "import-qpv", str(data_dir / "geodata" / "qpv2024_amiens.geojson")]
    )
    assert "1 observation(s) ont été réaffectée(s)" in result.output
    db.session.refresh(observation)
    assert observation.zone.code == inside["properties"]["code_qp"]

    # Move that QPV away: the observation goes back to "hors zone".
    moved = _features(data_dir / "geodata" / "qpv2024_amiens.geojson")
    for feature in moved:
        if feature["properties"]["code_qp"] == inside["properties"]["code_qp"]:
            feature["geometry"] = mapping(MultiPolygon([box(3.0, 50.0, 3.01, 50.01)]))
    result = runner.invoke(args=["geodata", "import-qpv", str(_write(tmp_path, "moved.geojson", moved))])
    assert "1 mise(s) à jour" in result.output, result.output
    db.session.refresh(observation)
    assert observation.zone_id is None


def test_a_new_observation_gets_its_zone_on_arrival(runner, data_dir):
    runner.invoke(args=["geodata", "import-qpv", str(data_dir / "geodata" / "qpv2024_amiens.geojson")])
    walk = WalkFactory()
    import uuid

    lon, lat = _features(data_dir / "geodata" / "qpv2024_amiens_inside_points.geojson")[1]["geometry"][
        "coordinates"
    ]
    stored = observations.record_observation(
        walk,
        client_uuid=uuid.uuid4(),
        lon=lon,
        lat=lat,
        theme="eclairage",
        polarity="negative",
        form_key="marche_exploratoire",
        form_version=1,
    )
    assert stored.zone.code == "QN08002M"
    assert db.session.scalar(select(func.count(Observation.id))) == 1


def test_import_custom_zones_for_a_project(runner, tmp_path):
    project = ProjectFactory(slug="amiens")
    path = _write(
        tmp_path,
        "centre.geojson",
        [
            {
                "type": "Feature",
                "properties": {"code": "centre", "nom": "Centre-ville"},
                "geometry": mapping(box(2.29, 49.889, 2.31, 49.897)),
            },
        ],
    )
    result = runner.invoke(args=["geodata", "import-zones", str(path), "--project", "amiens"])
    assert result.exit_code == 0, result.output
    zone = db.session.scalar(select(Zone).where(Zone.project_id == project.id))
    assert (zone.code, zone.name, zone.kind) == ("centre", "Centre-ville", "custom")
    result = runner.invoke(args=["geodata", "import-zones", str(path), "--project", "inconnu"])
    assert result.exit_code != 0 and "introuvable" in result.output


def test_boundary_ties_order_codes_by_code_point_on_both_databases(db_session, dialect):
    # A locale collation puts "ab" before "Bz"; code-point order (Python, SQLite) puts "Bz" first.
    if dialect == "postgresql":
        # Give the column a locale collation (rolled back with the test) so the query must override it.
        db_session.execute(sa.text('ALTER TABLE zones ALTER COLUMN code TYPE varchar(64) COLLATE "fr-x-icu"'))
        assert db_session.scalar(sa.text("SELECT 'Bz' < 'ab' COLLATE \"fr-x-icu\"")) is False
    project = ProjectFactory()
    zones.save_custom_zone(
        project, code="ab", name="B", geometry=MultiPolygon([box(2.31, 49.90, 2.32, 49.91)])
    )
    zones.save_custom_zone(
        project, code="Bz", name="A", geometry=MultiPolygon([box(2.30, 49.90, 2.31, 49.91)])
    )
    expected = db.session.scalar(select(Zone.id).where(Zone.code == "Bz"))
    assert zones.find_zone_id(project, 2.31, 49.905) == expected
    assert zones.assign_points_in_process(project, [(2.31, 49.905)]) == [expected]


def test_a_perimeter_import_reassigns_only_observations_near_the_zones_that_changed(runner, tmp_path):
    project = ProjectFactory(slug="amiens")
    walk = WalkFactory(project=project)
    near = ObservationFactory(walk=walk, lon=2.30, lat=49.893)
    far = ObservationFactory(walk=walk, lon=2.40, lat=49.95)
    # A stale zone far from the imported outline: only a full pass over every observation would see it.
    stale = zones.save_custom_zone(
        project, code="ailleurs", name="Ailleurs", geometry=MultiPolygon([box(2.39, 49.94, 2.41, 49.96)])
    )
    db.session.execute(
        sa.update(ObservationFacts).where(ObservationFacts.observation_id == far.id).values(zone_id=None)
    )
    db.session.flush()
    path = _write(
        tmp_path,
        "centre.geojson",
        [
            {
                "type": "Feature",
                "properties": {"code": "centre", "nom": "Centre-ville"},
                "geometry": mapping(box(2.29, 49.889, 2.31, 49.897)),
            }
        ],
    )
    result = runner.invoke(args=["geodata", "import-zones", str(path), "--project", "amiens"])
    assert result.exit_code == 0, result.output
    assert "1 observation(s) ont été réaffectée(s)" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Observation, near.id).zone.code == "centre"
    assert db.session.get(Observation, far.id).zone_id is None  # not read, not rewritten
    assert zones.reassign_observations([project]) == 1  # a full pass would have fixed it
    assert db.session.get(Observation, far.id).zone_id == stale.id
