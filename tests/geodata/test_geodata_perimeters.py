"""Reading QPV and custom zone files: formats, fields, CRS, filters, repairs and refusals."""

from __future__ import annotations

import copy
import json
import struct
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geodata.convert import geojson_to_shape
from geodata.crs import reproject
from geodata.perimeters import PerimeterError, PerimeterSet, Problem, read_perimeters, slugify

AMIENS_CODES = ["QN08001M", "QN08002M", "QN08003M", "QN08004M", "QN08005M", "QN08006M", "QN08010N"]
ABBEVILLE_CODES = ["QN08007M", "QN08008M", "QN08009M"]
CODES_2015 = [f"QP0800{n:02d}" for n in range(1, 8)]
NAMES = [
    "Etouvie",
    "Pierre Rollin",
    "Amiens Nord",
    "Marcel Paul - Salamandre",
    "Condorcet - Philéas Lebesgue",
    "Les Parcheminiers",
    "Elbeuf-Lescouvé",
]
TOLERANCE_DEG = 1e-7  # about 1 cm: reprojection round trips stay far below it


def _errors(excinfo: pytest.ExceptionInfo[PerimeterError]) -> list[Problem]:
    return excinfo.value.problems


def _only(excinfo: pytest.ExceptionInfo[PerimeterError], reason: str) -> Problem:
    problems = [p for p in excinfo.value.problems if p.reason == reason]
    assert problems, f"no {reason!r} problem in {excinfo.value.reasons}"
    return problems[0]


def _same_geometry(a: shapely.Geometry, b: shapely.Geometry, tolerance: float = TOLERANCE_DEG) -> bool:
    return shapely.normalize(a).equals_exact(shapely.normalize(b), tolerance)


def _square(lon: float, lat: float, size: float = 0.001) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def _collection(*features: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", **extra, "features": list(features)}


def _qpv(
    code: str, geometry: dict[str, Any] | None, name: str = "Quartier", insee: str = "80021"
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code_qp": code, "lib_qp": name, "insee_com": insee},
        "geometry": geometry,
    }


# --------------------------------------------------------------------------- official files


def test_amiens_file_gives_its_seven_qpv_with_codes_names_and_commune(amiens_path: Path) -> None:
    result = read_perimeters(amiens_path)
    assert isinstance(result, PerimeterSet)
    assert result.codes == AMIENS_CODES
    assert [f.name for f in result] == NAMES
    assert {f.insee_com for f in result} == {"80021"}
    assert {f.departement for f in result} == {"80"}
    assert result.list_year == 2024
    assert {f.list_year for f in result} == {2024}
    assert result.source_crs == "EPSG:4326"
    assert result.source_format == "geojson"
    assert result.total_in_file == 7
    assert result.warnings == ()
    assert [f.source_index for f in result] == list(range(7))
    assert all(isinstance(f.geometry, MultiPolygon) and f.geometry.is_valid for f in result)
    assert all(f.repaired_note is None for f in result)


def test_amiens_geometries_are_kept_exactly(amiens_path: Path, amiens_geoms: list[shapely.Geometry]) -> None:
    result = read_perimeters(amiens_path)
    for feature, expected in zip(result, amiens_geoms, strict=True):
        assert _same_geometry(feature.geometry, expected, 0.0)


def test_somme_file_gives_ten_qpv_in_amiens_and_abbeville(somme_path: Path) -> None:
    result = read_perimeters(somme_path)
    assert len(result) == 10
    assert sorted(result.codes) == sorted(AMIENS_CODES + ABBEVILLE_CODES)
    by_code = {f.code: f for f in result}
    assert by_code["QN08008M"].name == "Espérance - Provinces - Lopofa - Québec"
    assert {by_code[c].insee_com for c in ABBEVILLE_CODES} == {"80001"}


def test_filter_by_commune_80001_keeps_the_three_abbeville_qpv(somme_path: Path) -> None:
    result = read_perimeters(somme_path, communes=["80001"])
    assert sorted(result.codes) == ABBEVILLE_CODES
    assert result.total_in_file == 10


def test_filter_by_departement_accepts_two_or_three_character_codes(somme_path: Path) -> None:
    assert len(read_perimeters(somme_path, departements=["80"])) == 10
    assert len(read_perimeters(somme_path, departements=["080"])) == 10


def test_commune_and_departement_filters_add_up(somme_path: Path, write_json: Any) -> None:
    doc = json.loads(somme_path.read_text(encoding="utf-8"))
    doc["features"].append(_qpv("QN06001M", _square(7.25, 43.70), "Nice test", insee="06088"))
    path = write_json(doc)
    result = read_perimeters(path, communes=["80001"], departements=["06"])
    assert sorted(result.codes) == sorted([*ABBEVILLE_CODES, "QN06001M"])


def test_filter_matching_nothing_is_refused(somme_path: Path) -> None:
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(somme_path, departements=["2A"])
    assert _only(excinfo, "no_match").message_en.startswith("no feature matches the filter (2A)")


def test_corsican_and_overseas_departements_are_read_from_insee_codes(write_json: Any) -> None:
    path = write_json(
        _collection(
            _qpv("QN02A02M", _square(8.72, 41.93), "Salines", insee="2A004"),
            _qpv("QN97411M", _square(55.45, -20.90), "Saint-Denis", insee="97411"),
            _qpv("QN00201M", _square(3.28, 49.85), "Europe", insee="02571, 02691"),
        )
    )
    result = read_perimeters(path)
    assert [f.departement for f in result] == ["2A", "974", "02"]
    assert result.features[2].communes == ("02571", "02691")
    assert read_perimeters(path, departements=["2a"]).codes == ["QN02A02M"]
    assert read_perimeters(path, departements=["974"]).codes == ["QN97411M"]
    assert read_perimeters(path, communes=["02691"]).codes == ["QN00201M"]


def test_bad_filter_arguments_raise_value_error(somme_path: Path) -> None:
    with pytest.raises(ValueError, match="INSEE"):
        read_perimeters(somme_path, communes=["Amiens"])
    with pytest.raises(ValueError, match="département"):
        read_perimeters(somme_path, departements=["800"])
    with pytest.raises(ValueError, match="kind"):
        read_perimeters(somme_path, kind="zones")  # type: ignore[arg-type]


def test_progress_is_reported_up_to_the_total(somme_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    read_perimeters(somme_path, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (10, 10)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_shipped_demo_layer_is_the_amiens_file_and_reads(amiens_path: Path) -> None:
    layer = Path(__file__).resolve().parents[2] / "geodata" / "layers" / "qpv2024_amiens.geojson"
    assert layer.read_bytes() == amiens_path.read_bytes()
    assert read_perimeters(layer).codes == AMIENS_CODES
    readme = (layer.parent / "README.md").read_text(encoding="utf-8")
    assert "ANCT, 2024" in readme and "Licence Ouverte" in readme


def test_set_exports_back_to_an_rfc7946_feature_collection(amiens_path: Path) -> None:
    result = read_perimeters(amiens_path)
    exported = result.to_geojson()
    assert exported["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in exported["features"]] == AMIENS_CODES
    again = geojson_to_shape(exported["features"][0]["geometry"])
    assert _same_geometry(again, result.features[0].geometry, 1e-6)


# --------------------------------------------------------------------------- CRS and formats


def test_lambert93_geojson_with_legacy_crs_member_is_reprojected(
    write_json: Any, amiens_doc: dict[str, Any], amiens_l93: list[shapely.Geometry], amiens_path: Path
) -> None:
    doc = copy.deepcopy(amiens_doc)
    for feature, geom in zip(doc["features"], amiens_l93, strict=True):
        feature["geometry"] = json.loads(shapely.to_geojson(geom))
    reference = read_perimeters(amiens_path)
    for name in ("urn:ogc:def:crs:EPSG::2154", "EPSG:2154"):
        doc["crs"] = {"type": "name", "properties": {"name": name}}
        result = read_perimeters(write_json(doc))
        assert result.source_crs == "EPSG:2154"
        assert result.codes == AMIENS_CODES
        for got, expected in zip(result, reference, strict=True):
            assert _same_geometry(got.geometry, expected.geometry)


def test_crs84_member_means_wgs84(write_json: Any, amiens_doc: dict[str, Any]) -> None:
    doc = dict(amiens_doc, crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    result = read_perimeters(write_json(doc))
    assert result.source_crs == "EPSG:4326"
    assert len(result) == 7


def test_unknown_crs_member_is_refused(write_json: Any, amiens_doc: dict[str, Any]) -> None:
    doc = dict(amiens_doc, crs={"type": "name", "properties": {"name": "EPSG:999999"}})
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(doc))
    problem = _only(excinfo, "unknown_crs")
    assert "EPSG:999999" in problem.message_en and "EPSG:999999" in problem.message_fr
    assert problem.field == "crs"


def test_zipped_shapefile_of_the_2015_list_in_lambert93_is_read(
    write_ogr: Any, zip_shapefile: Any, amiens_l93: list[shapely.Geometry], amiens_path: Path
) -> None:
    shp = write_ogr(
        amiens_l93, {"CODE_QP": CODES_2015, "NOM_QP": NAMES, "COMMUNE_QP": ["Amiens"] * 7}, srid=2154
    )
    archive = zip_shapefile(shp, folder="QP_METROPOLE_LB93/", extra={"LISEZMOI.txt": b"ANCT"})
    result = read_perimeters(archive)
    assert result.list_year == 2015
    assert result.source_format == "shapefile"
    assert result.source_crs == "EPSG:2154"
    assert result.codes == CODES_2015
    assert [f.name for f in result] == NAMES
    # The 2015 COMMUNE_QP field holds names: kept as a label, the département comes from the code.
    assert {f.commune_label for f in result} == {"Amiens"}
    assert {f.insee_com for f in result} == {None}
    assert {f.departement for f in result} == {"80"}
    for got, expected in zip(result, read_perimeters(amiens_path), strict=True):
        assert _same_geometry(got.geometry, expected.geometry)
    assert read_perimeters(archive, departements=["80"]).codes == CODES_2015


def test_commune_filter_on_a_file_with_commune_names_explains_why_nothing_matched(
    write_ogr: Any, amiens_l93: list[shapely.Geometry]
) -> None:
    shp = write_ogr(amiens_l93, {"CODE_QP": CODES_2015, "NOM_QP": NAMES, "COMMUNE_QP": ["Amiens"] * 7})
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(shp, communes=["80021"])
    assert "filter by département" in _only(excinfo, "no_match").message_en


def test_zipped_geojson_is_read(tmp_path: Path, amiens_path: Path) -> None:
    import zipfile

    archive = tmp_path / "qpv.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(amiens_path, "GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson")
        handle.writestr("metadata.json", "{}")
    assert read_perimeters(archive).codes == AMIENS_CODES


def test_shapefile_without_prj_in_lambert93_ranges_is_assumed_lambert93_with_a_warning(
    write_ogr: Any, amiens_l93: list[shapely.Geometry]
) -> None:
    shp = write_ogr(
        amiens_l93, {"code_qp": AMIENS_CODES, "lib_qp": NAMES, "insee_com": ["80021"] * 7}, srid=None
    )
    assert not shp.with_suffix(".prj").exists()
    result = read_perimeters(shp)
    assert result.crs_assumed
    assert result.source_crs == "EPSG:2154"
    assert [w.reason for w in result.warnings] == ["assumed_crs"]
    assert "Lambert-93" in result.warnings[0].message_fr


def test_shapefile_without_prj_in_degrees_is_refused(
    write_ogr: Any, amiens_geoms: list[shapely.Geometry]
) -> None:
    shp = write_ogr(
        amiens_geoms, {"code_qp": AMIENS_CODES, "lib_qp": NAMES, "insee_com": ["80021"] * 7}, srid=None
    )
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(shp)
    assert ".prj" in _only(excinfo, "missing_crs").message_en


def test_shapefile_without_dbf_is_refused(
    write_ogr: Any, zip_shapefile: Any, amiens_l93: list[shapely.Geometry]
) -> None:
    shp = write_ogr(amiens_l93, {"CODE_QP": CODES_2015, "NOM_QP": NAMES, "COMMUNE_QP": ["Amiens"] * 7})
    shp.with_suffix(".dbf").unlink()
    archive = zip_shapefile(shp)
    for path in (shp, archive):
        with pytest.raises(PerimeterError) as excinfo:
            read_perimeters(path)
        assert excinfo.value.reasons == ["missing_dbf"]


def test_geopackage_is_read(write_ogr: Any, amiens_geoms: list[shapely.Geometry]) -> None:
    gpkg = write_ogr(
        amiens_geoms,
        {"code_qp": AMIENS_CODES, "lib_qp": NAMES, "insee_com": ["80021"] * 7},
        name="qpv.gpkg",
        srid=4326,
        driver="GPKG",
    )
    result = read_perimeters(gpkg)
    assert result.source_format == "gpkg"
    assert result.codes == AMIENS_CODES


# --------------------------------------------------------------------------- list year


def test_list_year_is_detected_from_codes_even_with_2015_field_names(write_json: Any) -> None:
    feature = {
        "type": "Feature",
        "properties": {"CODE_QP": "QN08010N", "NOM_QP": "Elbeuf-Lescouvé", "COMMUNE_QP": "80021"},
        "geometry": _square(2.30, 49.90),
    }
    result = read_perimeters(write_json(_collection(feature)))
    assert result.list_year == 2024
    assert [w.reason for w in result.warnings] == ["list_year_from_codes"]


def test_requested_list_year_contradicted_by_the_codes_is_refused(amiens_path: Path) -> None:
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(amiens_path, list_year=2015)
    problem = _only(excinfo, "list_year_mismatch")
    assert "2015" in problem.message_en and "2024" in problem.message_en
    assert read_perimeters(amiens_path, list_year=2024).list_year == 2024


def test_code_not_following_the_list_pattern_is_refused(write_json: Any) -> None:
    path = write_json(
        _collection(_qpv("QN08001M", _square(2.30, 49.90)), _qpv("AMIENS-1", _square(2.31, 49.90)))
    )
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(path)
    problem = _only(excinfo, "bad_code")
    assert (problem.index, problem.code, problem.field) == (1, "AMIENS-1", "code_qp")


# --------------------------------------------------------------------------- custom zones


def test_custom_zones_accept_nom_and_generate_unique_slug_codes(write_json: Any) -> None:
    features = [
        {"type": "Feature", "properties": {"nom": "Cœur de ville"}, "geometry": _square(2.29, 49.89)},
        {"type": "Feature", "properties": {"nom": "Cœur de ville"}, "geometry": _square(2.30, 49.89)},
        {
            "type": "Feature",
            "properties": {"nom": "Gare du Nord", "id": "gare"},
            "geometry": _square(2.31, 49.89),
        },
    ]
    result = read_perimeters(write_json(_collection(*features)), kind="custom")
    assert result.codes == ["coeur-de-ville", "coeur-de-ville-2", "gare"]
    assert result.list_year is None and {f.list_year for f in result} == {None}
    assert [w.reason for w in result.warnings] == ["generated_codes"]


def test_custom_zone_code_may_come_from_the_geojson_feature_id(write_json: Any) -> None:
    feature = {"type": "Feature", "id": 12, "properties": {"name": "Parc"}, "geometry": _square(2.29, 49.89)}
    assert read_perimeters(write_json(_collection(feature)), kind="custom").codes == ["12"]


def test_slugify_makes_ascii_codes() -> None:
    assert slugify("Marcel Paul - Salamandre") == "marcel-paul-salamandre"
    assert slugify("Æsthète  Œuvre!") == "aesthete-oeuvre"
    assert slugify("???") == ""


# --------------------------------------------------------------------------- repairs


def test_bowtie_ring_is_repaired_and_noted(write_json: Any) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[2.30, 49.90], [2.31, 49.91], [2.31, 49.90], [2.30, 49.91], [2.30, 49.90]]],
    }
    path = write_json(_collection(_qpv("QN08001M", _square(2.25, 49.90)), _qpv("QN08002M", bowtie)))
    result = read_perimeters(path)
    repaired = result.features[1]
    assert repaired.geometry.is_valid
    assert len(repaired.geometry.geoms) == 2
    assert repaired.repaired_note is not None and "Self-intersection" in repaired.repaired_note
    expected = MultiPolygon(
        [
            Polygon([(2.30, 49.90), (2.305, 49.905), (2.30, 49.91)]),
            Polygon([(2.31, 49.90), (2.31, 49.91), (2.305, 49.905)]),
        ]
    )
    assert _same_geometry(repaired.geometry, expected, 1e-9)
    assert result.features[0].repaired_note is None
    warning = result.warnings[0]
    assert (warning.reason, warning.index, warning.code) == ("repaired", 1, "QN08002M")


def test_ring_collapsing_to_a_line_is_refused(write_json: Any) -> None:
    flat = {"type": "Polygon", "coordinates": [[[2.30, 49.90], [2.31, 49.90], [2.32, 49.90], [2.30, 49.90]]]}
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(_collection(_qpv("QN08001M", flat))))
    problem = _only(excinfo, "invalid_geometry")
    assert (problem.index, problem.code) == (0, "QN08001M")


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("<!doctype html><title>404</title>", "malformed_json"),
        ('{"type": "FeatureCollection", "features": [', "malformed_json"),
        (b"\xff\xfe{}", "not_utf8"),
        ("   ", "empty_file"),
        ('{"type": "FeatureCollection", "features": []}', "no_features"),
        ('{"type": "Polygon", "coordinates": []}', "not_geojson"),
        ("[1, 2]", "not_geojson"),
    ],
)
def test_unreadable_geojson_is_refused(write_json: Any, content: str | bytes, reason: str) -> None:
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(content))
    assert excinfo.value.reasons == [reason]
    problem = excinfo.value.problems[0]
    assert problem.message_fr and problem.message_en and problem.message_fr != problem.message_en


def test_zero_byte_file_is_refused(write_json: Any) -> None:
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(b""))
    assert excinfo.value.reasons == ["empty_file"]


def test_missing_and_unsupported_files_are_refused(tmp_path: Path, write_json: Any) -> None:
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(tmp_path / "absent.geojson")
    assert excinfo.value.reasons == ["not_found"]
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json("<kml/>", name="zones.kml"))
    assert excinfo.value.reasons == ["unsupported_format"]


def test_file_over_max_bytes_is_refused(amiens_path: Path) -> None:
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(amiens_path, max_bytes=1000)
    assert excinfo.value.reasons == ["too_large"]
    assert "MB" in excinfo.value.problems[0].message_en and "Mo" in excinfo.value.problems[0].message_fr


def test_zip_whose_content_exceeds_max_bytes_is_refused(tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("big.geojson", " " * 200_000)
    assert archive.stat().st_size < 10_000
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(archive, max_bytes=100_000)
    assert excinfo.value.reasons == ["too_large"]


def test_broken_or_empty_zip_is_refused(tmp_path: Path) -> None:
    import zipfile

    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK not really")
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(broken)
    assert excinfo.value.reasons == ["archive_invalid"]
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as handle:
        handle.writestr("notes.txt", "rien")
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(empty)
    assert excinfo.value.reasons == ["archive_empty"]


def test_zip_holding_two_datasets_asks_which_one(tmp_path: Path, amiens_path: Path, somme_path: Path) -> None:
    import zipfile

    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(amiens_path, "amiens.geojson")
        handle.write(somme_path, "somme.geojson")
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(archive)
    assert excinfo.value.reasons == ["archive_ambiguous"]
    assert len(read_perimeters(archive, member="somme.geojson")) == 10


def test_wrong_fields_say_what_was_expected_and_what_was_found(write_json: Any) -> None:
    feature = {
        "type": "Feature",
        "properties": {"quartier": "Etouvie", "ville": "Amiens"},
        "geometry": _square(2.3, 49.9),
    }
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(_collection(feature)))
    problem = _only(excinfo, "missing_fields")
    for name in ("code_qp", "lib_qp", "insee_com", "CODE_QP", "NOM_QP", "COMMUNE_QP", "quartier", "ville"):
        assert name in problem.message_en and name in problem.message_fr


def test_custom_file_without_name_or_code_fields_is_refused(write_json: Any) -> None:
    feature = {"type": "Feature", "properties": {"label": "Parc"}, "geometry": _square(2.3, 49.9)}
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(_collection(feature)), kind="custom")
    assert "label" in _only(excinfo, "missing_fields").message_en


def test_duplicate_code_names_both_features(write_json: Any) -> None:
    path = write_json(
        _collection(_qpv("QN08001M", _square(2.30, 49.90)), _qpv("QN08001M", _square(2.32, 49.90)))
    )
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(path)
    problem = _only(excinfo, "duplicate_code")
    assert (problem.index, problem.code, problem.field) == (1, "QN08001M", "code_qp")
    assert "#1" in problem.message_en and "n° 1" in problem.message_fr


def test_nan_and_infinite_coordinates_are_refused(write_json: Any) -> None:
    middle_nan = _square(2.31, 49.90)
    middle_nan["coordinates"][0][2] = [float("nan"), 49.901]
    closing_inf = _square(2.32, 49.90)
    closing_inf["coordinates"][0][0] = closing_inf["coordinates"][0][-1] = [float("inf"), 49.90]
    text = json.dumps(
        _collection(
            _qpv("QN08001M", _square(2.30, 49.90)),
            _qpv("QN08002M", middle_nan),
            _qpv("QN08003M", closing_inf),
        )
    )
    assert "NaN" in text and "Infinity" in text  # what a careless export writes
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(text))
    assert [(p.reason, p.index, p.code) for p in _errors(excinfo)] == [
        ("nan_coordinates", 1, "QN08002M"),
        ("nan_coordinates", 2, "QN08003M"),
    ]


def test_lambert93_numbers_in_a_wgs84_file_are_refused(
    write_json: Any, amiens_doc: dict[str, Any], amiens_l93: list[shapely.Geometry]
) -> None:
    doc = copy.deepcopy(amiens_doc)
    doc["features"][3]["geometry"] = json.loads(shapely.to_geojson(amiens_l93[3]))
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(doc))
    problem = _only(excinfo, "looks_lambert93")
    assert (problem.index, problem.code) == (3, "QN08004M")
    assert "EPSG:2154" in problem.message_en and "Lambert-93" in problem.message_fr
    assert len(excinfo.value.problems) == 1


def test_swapped_latitude_and_longitude_are_refused(
    write_json: Any, amiens_doc: dict[str, Any], amiens_geoms: list[shapely.Geometry]
) -> None:
    doc = copy.deepcopy(amiens_doc)
    for i in (0, 5):
        swapped = shapely.transform(amiens_geoms[i], lambda xy: xy[:, ::-1])
        doc["features"][i]["geometry"] = json.loads(shapely.to_geojson(swapped))
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(doc))
    assert [(p.reason, p.index, p.code) for p in _errors(excinfo)] == [
        ("swapped_axes", 0, "QN08001M"),
        ("swapped_axes", 5, "QN08006M"),
    ]
    assert "inversées" in excinfo.value.problems[0].message_fr


def test_qpv_outside_france_is_refused_but_a_custom_zone_abroad_is_accepted(write_json: Any) -> None:
    berlin = _square(13.40, 52.52)
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(_collection(_qpv("QN08001M", berlin))))
    assert excinfo.value.reasons == ["outside_france"]
    feature = {"type": "Feature", "properties": {"name": "Berlin"}, "geometry": berlin}
    assert len(read_perimeters(write_json(_collection(feature)), kind="custom")) == 1


def test_declared_lambert93_holding_degrees_is_refused(write_json: Any) -> None:
    doc = _collection(
        _qpv("QN08001M", _square(2.30, 49.90)), crs={"type": "name", "properties": {"name": "EPSG:2154"}}
    )
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(write_json(doc))
    assert excinfo.value.reasons == ["out_of_range"]
    assert "Lambert-93" in excinfo.value.problems[0].message_en


def test_non_polygon_geometry_is_refused_naming_the_feature(write_json: Any) -> None:
    point = {"type": "Point", "coordinates": [2.30, 49.90]}
    path = write_json(_collection(_qpv("QN08001M", _square(2.30, 49.90)), _qpv("QN08002M", point)))
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(path)
    problem = _only(excinfo, "not_polygon")
    assert (problem.index, problem.code) == (1, "QN08002M")
    assert "Point" in problem.message_en
    assert problem.describe("fr").startswith("élément n° 2 (QN08002M)")
    assert problem.describe("en").startswith("feature #2 (QN08002M)")


def test_missing_and_malformed_geometries_are_refused(write_json: Any) -> None:
    broken = {"type": "Polygon", "coordinates": [[[2.30, 49.90], [2.31, 49.91]]]}
    path = write_json(_collection(_qpv("QN08001M", None), _qpv("QN08002M", broken)))
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(path)
    assert [(p.reason, p.index) for p in _errors(excinfo)] == [("no_geometry", 0), ("malformed_geometry", 1)]


def test_every_problem_of_a_file_is_reported_at_once(write_json: Any) -> None:
    path = write_json(
        _collection(
            _qpv("QN08001M", _square(2.30, 49.90)),
            _qpv("QN08001M", _square(2.31, 49.90)),
            _qpv("QN08003M", {"type": "LineString", "coordinates": [[2.3, 49.9], [2.4, 49.9]]}),
            _qpv("QN08004M", _square(49.90, 2.30)),
            _qpv("QN08005M", _square(2.33, 49.90), name=""),
            _qpv("QN08006M", _square(2.34, 49.90), insee="Amiens"),
        )
    )
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(path)
    assert sorted(excinfo.value.reasons) == sorted(
        ["duplicate_code", "not_polygon", "swapped_axes", "missing_name", "bad_insee"]
    )
    report = excinfo.value.report("fr")
    assert report.startswith("5 problème(s) : import refusé")
    assert "5 problem(s)" in str(excinfo.value)


def test_problems_outside_the_filter_do_not_block_the_import(somme_path: Path, write_json: Any) -> None:
    doc = json.loads(somme_path.read_text(encoding="utf-8"))
    doc["features"].append(_qpv("QN06001M", {"type": "Point", "coordinates": [7.2, 43.7]}, insee="06088"))
    path = write_json(doc)
    assert len(read_perimeters(path, departements=["80"])) == 10
    with pytest.raises(PerimeterError):
        read_perimeters(path)


def test_geometry_round_trip_through_lambert93_is_within_a_centimetre(
    amiens_geoms: list[shapely.Geometry],
) -> None:
    back = reproject(reproject(amiens_geoms[2], 4326, 2154), 2154, 4326)
    assert _same_geometry(back, amiens_geoms[2])


def test_nan_vertex_in_a_geopackage_is_refused_without_warnings(write_ogr: Any) -> None:
    square = shapely.box(650_000, 6_975_000, 650_100, 6_975_100)
    ring = [tuple(xy) for xy in shapely.get_coordinates(square)]
    ring[2] = (float("nan"), 6_975_100.0)
    # Built as WKB by hand: Shapely itself warns when asked to build a NaN polygon.
    nan_wkb = struct.pack("<BIII", 1, 3, 1, len(ring)) + b"".join(struct.pack("<dd", *xy) for xy in ring)
    gpkg = write_ogr(
        [square, square],
        {"code_qp": ["QN08001M", "QN08002M"], "lib_qp": ["A", "B"], "insee_com": ["80021", "80021"]},
        name="qpv.gpkg",
        driver="GPKG",
        wkb_override={1: nan_wkb},
    )
    with pytest.raises(PerimeterError) as excinfo:
        read_perimeters(gpkg)
    assert [(p.reason, p.index, p.code) for p in _errors(excinfo)] == [("nan_coordinates", 1, "QN08002M")]
