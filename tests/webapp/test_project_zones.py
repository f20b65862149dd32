"""The zones page of a project: QPV kept or left out, official file imported by an administrator, zone files
uploaded all or nothing, zones drawn, renamed and deleted — each change re-assigns observations.

Runs on SpatiaLite and PostGIS, with the official ANCT files of ``tests/data/geodata``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely
from shapely.geometry import box, mapping
from sqlalchemy import func, select

from geodata.assets import find_external_urls
from tests.factories import ObservationFactory, WalkFactory
from tests.webapp.support import url
from tests.webapp.test_projects import make_user, signed_in, token_of
from webapp.extensions import db
from webapp.models import Observation, Project, Zone
from webapp.services import projects, zones

#: A rectangle around Amiens cathedral (outside every QPV): the city centre.
CENTRE = box(2.296, 49.891, 2.308, 49.898)
CATHEDRAL = (2.3021, 49.8945)


def _inside(data_dir: Path) -> dict[str, tuple[float, float]]:
    features = json.loads((data_dir / "geodata/qpv2024_amiens_inside_points.geojson").read_text())["features"]
    return {f["properties"]["code_qp"]: tuple(f["geometry"]["coordinates"]) for f in features}


@pytest.fixture
def world(app, runner, data_dir):  # type: ignore[no-untyped-def]
    """Amiens QPV imported; project « amiens » (80021) with an observation in each QPV and one at the
    cathedral; its facilitator signed in."""
    result = runner.invoke(args=["geodata", "import-qpv", str(data_dir / "geodata/qpv2024_amiens.geojson")])
    assert result.exit_code == 0, result.output
    project = projects.create_project(slug="amiens", name="Amiens", territory=["80021"])
    walk = WalkFactory(project=project)
    points = {**_inside(data_dir), "CATHEDRALE": CATHEDRAL}
    observations = {
        code: ObservationFactory(walk=walk, lon=lon, lat=lat) for code, (lon, lat) in points.items()
    }
    zones.reassign_observations([project])
    make_user("anim@example.org", project=project)
    db.session.commit()
    return {"project": project, "obs": observations, "client": signed_in(app, "anim@example.org")}


def _zone_code(observation: Observation) -> str | None:
    db.session.expire_all()
    fresh = db.session.get(Observation, observation.id)
    return fresh.zone.code if fresh.zone is not None else None


def _page(app, client, slug: str = "amiens"):  # type: ignore[no-untyped-def]
    response = client.get(url("facilitators.zones_page", slug=slug))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _post(app, client, endpoint: str, data: dict, slug: str = "amiens", **values):  # type: ignore[no-untyped-def]
    token = token_of(_page(app, client, slug))
    return client.post(url(endpoint, slug=slug, **values), data={**data, "csrf_token": token})


# --- official QPV: kept or left out ---------------------------------------------------------------


def test_the_page_lists_the_qpv_of_the_project_communes_checked_by_default(app, world):
    html = _page(app, world["client"])
    boxes = dict(
        re.findall(r'<input type="checkbox" name="keep" value="(\w+)" data-qpv="\w+" (checked)?', html)
    )
    assert sorted(boxes) == [
        "QN08001M",
        "QN08002M",
        "QN08003M",
        "QN08004M",
        "QN08005M",
        "QN08006M",
        "QN08010N",
    ]
    assert set(boxes.values()) == {"checked"}
    assert "Amiens Nord" in html and "ANCT, 2024" in html
    assert url("static", filename="vendor/leaflet-draw/dist/leaflet.draw.js") in html
    assert find_external_urls(html) == []


def test_unchecking_a_qpv_stores_its_code_and_reassigns_in_database_and_in_process(app, world, data_dir):
    client, project, obs = world["client"], world["project"], world["obs"]
    zones.save_custom_zone(
        project,
        code="ville",
        name="Toute la ville",
        geometry=shapely.MultiPolygon([box(2.2, 49.85, 2.4, 49.95)]),
    )
    zones.reassign_observations([project])
    db.session.commit()
    kept = ["QN08001M", "QN08002M", "QN08004M", "QN08005M", "QN08006M", "QN08010N"]  # not Amiens Nord

    response = _post(app, client, "facilitators.keep_qpv", {"keep": kept})

    assert response.status_code == 303
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    assert project.excluded_qpv_codes == ["QN08003M"]
    # The point in Amiens Nord now falls in the project's own zone, by both engines alike.
    point = _inside(data_dir)["QN08003M"]
    in_db = zones.find_zone_id(project, *point)
    in_process = zones.assign_points_in_process(project, [point])
    assert db.session.get(Zone, in_db).code == "ville"
    assert in_process == [in_db]
    assert _zone_code(obs["QN08003M"]) == "ville"
    assert _zone_code(obs["QN08002M"]) == "QN08002M"
    every = list(_inside(data_dir).values())
    assert [zones.find_zone_id(project, *p) for p in every] == zones.assign_points_in_process(project, every)
    html = _page(app, client)
    assert re.search(r'value="QN08003M" data-qpv="QN08003M" >', html)  # unchecked now
    assert "6 QPV retenu(s) ; 1 observation(s) ont changé de zone." in html

    # Ticking it again brings the observation back.
    _post(app, client, "facilitators.keep_qpv", {"keep": [*kept, "QN08003M"]})
    assert _zone_code(obs["QN08003M"]) == "QN08003M"
    assert db.session.get(Project, project.id).excluded_qpv_codes == []


def _qpv_form(html: str) -> dict[str, list[str] | str]:
    """The QPV form as a browser would send it untouched: its token, what it showed, its ticked boxes."""
    return {
        "csrf_token": token_of(html),
        "shown": re.findall(r'name="shown" value="(\w+)"', html),
        "shown_kept": re.findall(r'name="shown_kept" value="(\w+)"', html),
        "keep": re.findall(r'name="keep" value="(\w+)" data-qpv="\w+" checked', html),
    }


def test_two_people_choosing_qpv_at_once_keep_each_others_choices(app, world):
    """Anim opens the zones page; Bernadette leaves Amiens Nord out and saves; Anim, whose page still
    shows it ticked, leaves Étouvie out: both are left out, and Anim is told about Amiens Nord."""
    anim, project = world["client"], world["project"]
    make_user("bernadette@example.org", project=project)
    db.session.commit()
    bernadette = signed_in(app, "bernadette@example.org")
    mine = _qpv_form(_page(app, anim))
    hers = _qpv_form(_page(app, bernadette))
    hers["keep"] = [c for c in hers["keep"] if c != "QN08003M"]
    assert bernadette.post(url("facilitators.keep_qpv", slug="amiens"), data=hers).status_code == 303
    mine["keep"] = [c for c in mine["keep"] if c != "QN08001M"]
    assert anim.post(url("facilitators.keep_qpv", slug="amiens"), data=mine).status_code == 303
    db.session.expire_all()
    assert db.session.get(Project, project.id).excluded_qpv_codes == ["QN08001M", "QN08003M"]
    assert _zone_code(world["obs"]["QN08003M"]) is None and _zone_code(world["obs"]["QN08001M"]) is None
    html = _page(app, anim)
    assert "quelqu&#39;un d&#39;autre a changé le choix de : « Amiens Nord »" in html
    # Bernadette ticks Amiens Nord again; Anim then saves from a page opened before that without touching
    # its box: Bernadette's choice stands.
    stale = _qpv_form(html)
    hers = _qpv_form(_page(app, bernadette))
    hers["keep"] = [*hers["keep"], "QN08003M"]
    bernadette.post(url("facilitators.keep_qpv", slug="amiens"), data=hers)
    assert _zone_code(world["obs"]["QN08003M"]) == "QN08003M"
    assert (
        anim.post(
            url("facilitators.keep_qpv", slug="amiens"), data={**stale, "keep": stale["keep"]}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(Project, project.id).excluded_qpv_codes == ["QN08001M"]


def test_qpv_of_communes_outside_the_project_are_neither_candidates_nor_zones(app, runner, data_dir):
    runner.invoke(args=["geodata", "import-qpv", str(data_dir / "geodata/qpv2024_somme.geojson")])
    abbeville = projects.create_project(slug="abbeville", name="Abbeville", territory=["80001"])
    codes = [c.code for c in zones.list_qpv_candidates(abbeville)]
    assert len(codes) == 3 and not set(codes) & set(_inside(data_dir))
    point = _inside(data_dir)["QN08003M"]
    assert zones.find_zone_id(abbeville, *point) is None
    assert zones.assign_points_in_process(abbeville, [point]) == [None]


# --- official QPV imported through the page ---------------------------------------------------------


def test_without_official_perimeters_the_page_says_how_to_import_them(app):
    project = projects.create_project(slug="amiens", name="Amiens", territory=["80021"])
    make_user("anim@example.org", project=project)
    db.session.commit()
    html = _page(app, signed_in(app, "anim@example.org"))
    assert "Aucun périmètre officiel de la liste 2024 n'a encore été importé" in html
    assert "Importing official QPV perimeters" in html
    assert (
        "arpenteur geodata import-qpv QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson --commune 80021"
        in html
    )
    assert "Importer le fichier officiel des QPV" not in html  # administrators only


def _upload(
    app, client, endpoint: str, name: str, content: bytes, *, slug: str = "amiens", json_answer: bool = False
):  # type: ignore[no-untyped-def]
    token = token_of(_page(app, client, slug))
    headers = {"Accept": "application/json"} if json_answer else {}
    return client.post(
        url(endpoint, slug=slug),
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_an_administrator_imports_the_official_file_kept_to_the_project_communes(app, data_dir):
    project = projects.create_project(slug="amiens", name="Amiens", territory=["80021"])
    walk = WalkFactory(project=project)
    observation = ObservationFactory(
        walk=walk, lon=_inside(data_dir)["QN08010N"][0], lat=_inside(data_dir)["QN08010N"][1]
    )
    make_user("admin@example.org", admin=True)
    db.session.commit()
    admin = signed_in(app, "admin@example.org")
    assert "Importer le fichier officiel des QPV" in _page(app, admin)

    somme = (data_dir / "geodata/qpv2024_somme.geojson").read_bytes()
    response = _upload(app, admin, "facilitators.import_qpv", "QP2024.geojson", somme)

    assert response.status_code == 303
    assert (
        db.session.scalar(select(func.count(Zone.id)).where(Zone.kind == "qpv")) == 7
    )  # Abbeville's left out
    assert _zone_code(observation) == "QN08010N"
    html = _page(app, admin)
    assert "Import terminé : 7 zone(s) créée(s)" in html and "Elbeuf-Lescouvé" in html


def test_facilitators_cannot_import_official_perimeters(app, data_dir):
    project = projects.create_project(slug="amiens", name="Amiens", territory=["80021"])
    make_user("anim@example.org", project=project)
    db.session.commit()
    client = signed_in(app, "anim@example.org")
    content = (data_dir / "geodata/qpv2024_amiens.geojson").read_bytes()
    assert _upload(app, client, "facilitators.import_qpv", "qpv.geojson", content).status_code == 403
    assert zones.count_official_qpv() == 0


# --- a file of the project's own zones -----------------------------------------------------------------


def _collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(geometry, **properties) -> dict:  # type: ignore[no-untyped-def]
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def test_a_zone_file_is_imported_all_or_nothing_with_each_problem_named(app, world):
    client, obs = world["client"], world["obs"]
    bad = _collection(
        _feature(CENTRE, code="centre", nom="Centre-ville"),
        _feature(box(2.25, 49.87, 2.26, 49.88), code="centre", nom="Gare"),  # code used twice
        _feature(shapely.Point(2.3, 49.9), code="place", nom="Place"),  # not an area
    )

    response = _upload(app, client, "facilitators.upload_zones", "zones.geojson", bad)

    assert response.status_code == 422
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "Import refusé, rien n'a été importé" in html
    assert "élément n° 2 (centre), champ « code » : code centre en double" in html
    assert "élément n° 3 (place) : géométrie de type Point" in html
    assert zones.list_custom_zones(world["project"]) == []
    assert _zone_code(obs["CATHEDRALE"]) is None

    good = _collection(_feature(CENTRE, code="centre", nom="Centre-ville"))
    response = _upload(app, client, "facilitators.upload_zones", "zones.geojson", good)
    assert response.status_code == 303
    assert [z.name for z in zones.list_custom_zones(world["project"])] == ["Centre-ville"]
    assert _zone_code(obs["CATHEDRALE"]) == "centre"


def test_the_upload_answers_json_to_the_page_script(app, world):
    bad = _collection(_feature(box(2.25, 49.87, 2.26, 49.88), code="x", nom="X", extra=float("nan")))
    bad = bad.replace(b'"coordinates": [[[2.26', b'"coordinates": [[[NaN')
    response = _upload(app, world["client"], "facilitators.upload_zones", "z.geojson", bad, json_answer=True)
    assert response.status_code == 422
    body = response.get_json()
    assert body["ok"] is False and "rien n'a été importé" in body["message"]
    assert any("élément n° 1 (x)" in p for p in body["problems"])
    good = _collection(_feature(CENTRE, code="centre", nom="Centre-ville"))
    response = _upload(app, world["client"], "facilitators.upload_zones", "z.geojson", good, json_answer=True)
    assert response.status_code == 200
    assert response.get_json()["ok"] is True and response.get_json()["redirect"].endswith("#zones-projet")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("zones.txt", b"hello", "n'est pas d'un type lu ici"),
        ("zones.geojson", b"", "est vide"),
        ("zones.geojson", b"{pas du json", "JSON mal formé"),
        ("zones.zip", b"PK not really a zip", "archive zip illisible"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_in_french(app, world, name, content, message):
    response = _upload(app, world["client"], "facilitators.upload_zones", name, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert zones.list_custom_zones(world["project"]) == []


def test_a_file_too_big_is_refused(app, world, monkeypatch):
    from webapp.facilitators import projects as pages

    monkeypatch.setattr(pages, "ZONE_FILE_MAX_BYTES", 100)
    content = _collection(_feature(CENTRE, code="centre", nom="Centre-ville"))
    response = _upload(app, world["client"], "facilitators.upload_zones", "zones.geojson", content)
    assert response.status_code == 422
    assert "Mo au plus ici" in response.get_data(as_text=True)
    assert zones.list_custom_zones(world["project"]) == []


def _shapefile_zip(tmp_path: Path) -> bytes:
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.raw.write(
        str(folder / "zones.shp"),
        geometry=np.array([shapely.to_wkb(CENTRE)], dtype=object),
        field_data=[np.array(["centre"], dtype=object), np.array(["Centre-ville"], dtype=object)],
        fields=["code", "nom"],
        crs="EPSG:4326",
        geometry_type="Polygon",
        driver="ESRI Shapefile",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    return buffer.getvalue()


def _geopackage(tmp_path: Path) -> bytes:
    path = tmp_path / "zones.gpkg"
    pyogrio.raw.write(
        str(path),
        geometry=np.array([shapely.to_wkb(CENTRE)], dtype=object),
        field_data=[np.array(["centre"], dtype=object), np.array(["Centre-ville"], dtype=object)],
        fields=["code", "name"],
        crs="EPSG:4326",
        geometry_type="Polygon",
        driver="GPKG",
        layer="zones",
    )
    return path.read_bytes()


@pytest.mark.parametrize(("name", "make"), [("zones.zip", _shapefile_zip), ("zones.gpkg", _geopackage)])
def test_zipped_shapefiles_and_geopackages_are_read_too(app, world, tmp_path, name, make):
    response = _upload(app, world["client"], "facilitators.upload_zones", name, make(tmp_path))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert [(z.code, z.name) for z in zones.list_custom_zones(world["project"])] == [
        ("centre", "Centre-ville")
    ]
    assert _zone_code(world["obs"]["CATHEDRALE"]) == "centre"


# --- drawn zones, renamed and deleted --------------------------------------------------------------


def _drawn(geometry) -> str:  # type: ignore[no-untyped-def]
    return json.dumps({"type": "Feature", "properties": {}, "geometry": mapping(geometry)})


def test_a_drawn_zone_is_saved_and_observations_inside_join_it(app, world):
    client = world["client"]
    response = _post(
        app, client, "facilitators.draw_zone", {"name": "Centre-ville", "geojson": _drawn(CENTRE)}
    )
    assert response.status_code == 303
    zone = zones.list_custom_zones(world["project"])[0]
    assert (zone.code, zone.name, zone.source) == ("centre-ville", "Centre-ville", "Dessinée sur la carte")
    assert shapely.equals_exact(
        zones.zone_shape(zone), shapely.MultiPolygon([CENTRE]), 1e-9
    ) or zones.zone_shape(zone).equals(CENTRE)
    assert _zone_code(world["obs"]["CATHEDRALE"]) == "centre-ville"
    html = _page(app, client)
    assert "Zone « Centre-ville » enregistrée ; 1 observation(s) réaffectée(s)." in html
    # A second zone of the same name gets its own code.
    _post(
        app,
        client,
        "facilitators.draw_zone",
        {"name": "Centre-ville", "geojson": _drawn(box(2.29, 49.88, 2.295, 49.885))},
    )
    assert [z.code for z in zones.list_custom_zones(world["project"])] == ["centre-ville", "centre-ville-2"]


def test_a_zone_drawn_far_away_is_saved_with_a_warning(app, world):
    marseille = box(5.36, 43.29, 5.38, 43.30)
    response = _post(
        app, world["client"], "facilitators.draw_zone", {"name": "Vieux-Port", "geojson": _drawn(marseille)}
    )
    assert response.status_code == 303
    html = _page(app, world["client"])
    assert "Attention : cette zone est à" in html and "km des zones et des marches du projet" in html


@pytest.mark.parametrize(
    ("geojson", "message"),
    [
        ("", "Dessinez d'abord la zone sur la carte."),
        (
            '{"type": "LineString", "coordinates": [[2.3, 49.9], [2.31, 49.9]]}',
            "un point ou une ligne ne délimitent pas de zone",
        ),
        ("pas du json", "n'est pas un polygone GeoJSON lisible"),
        (_drawn(box(2.0, 49.0, 4.0, 50.5)), "Cette zone est bien trop grande"),
        (_drawn(box(2.3, 49.9, 2.30001, 49.90001)), "Cette zone est minuscule"),
        (
            '{"type": "Polygon", "coordinates": [[[200, 49.9], [2.31, 49.9], [2.31, 49.91], [200, 49.9]]]}',
            "ne sont pas des longitudes",
        ),
    ],
)
def test_a_drawing_that_is_not_a_usable_zone_is_refused(app, world, geojson, message):
    response = _post(
        app, world["client"], "facilitators.draw_zone", {"name": "Centre-ville", "geojson": geojson}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert zones.list_custom_zones(world["project"]) == []


def test_a_refused_drawing_says_why_in_the_page_language(app, world):
    """The team's refusals followed the page's language only for the page's own words: the reason
    (from the zones service) stayed French on an English page."""
    client = world["client"]
    tiny = _drawn(box(2.3, 49.9, 2.30001, 49.90001))
    client.get(url("facilitators.zones_page", slug="amiens", lang="en"))
    response = _post(app, client, "facilitators.draw_zone", {"name": "Centre", "geojson": tiny})
    assert response.status_code == 422
    assert "This zone is tiny (" in response.get_data(as_text=True)
    client.get(url("facilitators.zones_page", slug="amiens", lang="fr"))
    response = _post(app, client, "facilitators.draw_zone", {"name": "Centre", "geojson": tiny})
    assert "Cette zone est minuscule (" in response.get_data(as_text=True)


def test_a_self_crossing_drawing_is_repaired_with_a_warning(app, world):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[2.296, 49.891], [2.308, 49.898], [2.308, 49.891], [2.296, 49.898], [2.296, 49.891]]
        ],
    }
    response = _post(
        app, world["client"], "facilitators.draw_zone", {"name": "Papillon", "geojson": json.dumps(bowtie)}
    )
    assert response.status_code == 303
    assert "corrigé automatiquement" in _page(app, world["client"])
    assert zones.zone_shape(zones.list_custom_zones(world["project"])[0]).is_valid


def test_renaming_and_deleting_a_custom_zone_reassigns_its_observations(app, world):
    client, project, obs = world["client"], world["project"], world["obs"]
    small = zones.save_custom_zone(
        project, code="centre", name="Centre", geometry=shapely.MultiPolygon([CENTRE])
    )
    big = zones.save_custom_zone(
        project, code="ville", name="Ville", geometry=shapely.MultiPolygon([box(2.2, 49.85, 2.4, 49.95)])
    )
    zones.reassign_observations([project])
    db.session.commit()
    assert _zone_code(obs["CATHEDRALE"]) == "centre"

    response = _post(
        app, client, "facilitators.rename_zone", {"name": "Centre-ville historique"}, zone_id=small.id
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (db.session.get(Zone, small.id).name, db.session.get(Zone, small.id).code) == (
        "Centre-ville historique",
        "centre",
    )
    refused = _post(app, client, "facilitators.rename_zone", {"name": "   "}, zone_id=small.id)
    assert refused.status_code == 422 and db.session.get(Zone, small.id).name == "Centre-ville historique"

    response = _post(app, client, "facilitators.delete_zone", {}, zone_id=small.id)
    assert response.status_code == 303
    assert db.session.get(Zone, small.id) is None
    assert _zone_code(obs["CATHEDRALE"]) == "ville"  # re-assigned to the zone that still covers it
    assert "Zone « Centre-ville historique » supprimée ; 1 observation(s) réaffectée(s)." in _page(
        app, client
    )

    _post(app, client, "facilitators.delete_zone", {}, zone_id=big.id)
    assert _zone_code(obs["CATHEDRALE"]) is None


def test_official_qpv_and_zones_of_other_projects_cannot_be_renamed_or_deleted(app, world):
    client = world["client"]
    qpv_id = db.session.scalar(select(Zone.id).where(Zone.code == "QN08003M"))
    other = projects.create_project(slug="ailleurs", name="Ailleurs", territory=["80001"])
    theirs = zones.save_custom_zone(
        other, code="x", name="Leur zone", geometry=shapely.MultiPolygon([CENTRE])
    )
    db.session.commit()
    for zone_id in (qpv_id, theirs.id):
        assert _post(app, client, "facilitators.delete_zone", {}, zone_id=zone_id).status_code == 404
        assert (
            _post(app, client, "facilitators.rename_zone", {"name": "Pris"}, zone_id=zone_id).status_code
            == 404
        )
    db.session.expire_all()
    assert db.session.get(Zone, theirs.id).name == "Leur zone" and db.session.get(Zone, qpv_id) is not None


def test_the_zones_page_reads_in_english(app, world):
    path = url("facilitators.zones_page", slug="amiens", lang="en")
    html = world["client"].get(path).get_data(as_text=True)
    assert "Project zones" in html and "Save the choice of QPV" in html and "Draw a zone" in html
    assert "Zones du projet" not in html
