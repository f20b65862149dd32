"""`arpenteur walks …` from a database without projects: create, list, open, close, kit (both databases).

The project comes from ``services.projects.create_project`` (its command is another piece of work), the
QPV from the real ANCT file through ``arpenteur geodata import-qpv``; an observation posted through the
API after ``walks open`` must land in the QPV that contains it.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import LineString

from tests.webapp.support import url
from webapp.extensions import db
from webapp.models import Observation, Walk, Zone
from webapp.services import projects, walks

#: A walk through Amiens Nord (QN08003M), lon/lat.
NORD = [(2.2990, 49.9090), (2.3048, 49.9104), (2.3090, 49.9120)]


def _gpx(path: Path, points) -> Path:  # type: ignore[no-untyped-def]
    pts = "".join(f'<trkpt lat="{lat}" lon="{lon}"/>' for lon, lat in points)
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>Nord</name><trkseg>{pts}</trkseg></trk></gpx>"
    )
    return path


def _stops(path: Path, stops) -> Path:  # type: ignore[no-untyped-def]
    features = [
        {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {"type": "Point", "coordinates": list(p)},
        }
        for name, p in stops
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def project(app, db_session, runner, data_dir):  # type: ignore[no-untyped-def]
    imported = runner.invoke(
        args=["geodata", "import-qpv", str(data_dir / "geodata" / "qpv2024_amiens.geojson")]
    )
    assert imported.exit_code == 0, imported.output
    return projects.create_project(slug="amiens-cli", name="Amiens", territory=["80021"])


def test_the_command_line_sequence_from_planning_to_kit(app, runner, project, tmp_path, data_dir, client):
    route = _gpx(tmp_path / "nord.gpx", NORD)
    stops = _stops(
        tmp_path / "arrets.geojson", [("Place Vogel", NORD[0]), ("Collège Arthur Rimbaud", NORD[2])]
    )
    created = runner.invoke(
        args=[
            "walks",
            "create",
            "--project",
            "amiens-cli",
            "--title",
            "Marche du soir",
            "--date",
            "2026-03-12",
            "--start",
            "19:00",
            "--end",
            "21:00",
            "--route",
            str(route),
            "--stops",
            str(stops),
            "--form",
            "marche_exploratoire:1",
            "--group",
            "mixte",
            "--size",
            "10",
        ]
    )
    assert created.exit_code == 0, created.output
    walk_id = int(created.stdout.strip())
    walk = db.session.get(Walk, walk_id)
    assert walk.time_slot == "evening" and walk.status == "planned" and walk.form_version == 1
    assert LineString(walks.route_points(walk)).equals_exact(LineString(NORD), 1e-7)
    assert [s.name for s in walk.stops] == ["Place Vogel", "Collège Arthur Rimbaud"]

    listed = runner.invoke(args=["walks", "list", "--project", "amiens-cli"])
    assert f"{walk_id}\t2026-03-12\tSoirée\tPrévue\t{walk.join_code}\t0\tMarche du soir" in listed.stdout

    app.config["PUBLIC_URL"] = "https://arpenteur.example.org"
    try:
        opened = runner.invoke(args=["walks", "open", str(walk_id)])
    finally:
        app.config["PUBLIC_URL"] = ""
    assert opened.exit_code == 0, opened.output
    code, link = opened.stdout.split()
    assert code == walk.join_code
    assert link == f"https://arpenteur.example.org/rejoindre?code={code}"

    # A phone joins with the code and records an observation inside a QPV: it lands in that QPV.
    inside = json.loads((data_dir / "geodata" / "qpv2024_amiens_inside_points.geojson").read_text())[
        "features"
    ]
    nord = next(f for f in inside if f["properties"]["code_qp"] == "QN08003M")
    lon, lat = nord["geometry"]["coordinates"]
    token = client.post(url("api.join"), json={"code": code}).json["token"]
    body = {
        "client_uuid": "6f1c1d2e-0b7e-4c1a-9a63-3b8f4d0d2c11",
        "form": {"key": "marche_exploratoire", "version": 1},
        "captured_at": (datetime.now(UTC) - timedelta(minutes=2)).replace(microsecond=0).isoformat(),
        "location": {"lon": lon, "lat": lat, "accuracy_m": 6, "source": "gps"},
        "answers": {"theme": "eclairage", "polarity": "negative", "feeling": 2, "note": "Lampadaire éteint"},
    }
    posted = client.post(
        url("api.create_observation"), json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert posted.status_code == 201, posted.json
    observation = db.session.query(Observation).filter_by(walk_id=walk_id).one()
    zone = db.session.get(Zone, observation.zone_id)
    assert (zone.kind, zone.code, zone.name) == ("qpv", "QN08003M", nord["properties"]["lib_qp"])
    assert posted.json["zone_name"] == zone.name

    closed = runner.invoke(args=["walks", "close", str(walk_id)])
    assert closed.exit_code == 0, closed.output
    assert "48 h" in closed.stdout and db.session.get(Walk, walk_id).status == "closed"

    pdf = tmp_path / "kit.pdf"
    kit = runner.invoke(args=["walks", "kit", str(walk_id), "-o", str(pdf)])
    assert kit.exit_code == 0, kit.output
    assert "ARPENTEUR_PUBLIC_URL" in kit.stderr and "pas de code QR" in kit.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert code[:3] in text and code[3:] in text
    assert "Place Vogel" in text and "Collège Arthur Rimbaud" in text
    assert url("residents.join", code=code) in re.sub(r"\s+", "", text)


def test_open_without_public_url_prints_the_path_and_warns(runner, project):
    walk = walks.create_walk(project, title="Jour", walk_date=datetime(2026, 3, 1).date())
    result = runner.invoke(args=["walks", "open", str(walk.id)])
    assert result.exit_code == 0
    assert result.stdout.split() == [walk.join_code, url("residents.join", code=walk.join_code)]
    assert "ARPENTEUR_PUBLIC_URL" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--project", "nulle-part"], "introuvable"),
        (["--date", "12/03/2026"], "Date invalide"),
        (["--start", "7h"], "Heure invalide"),
        (["--slot", "aube"], "aube"),
        (["--route", "ONE_POINT"], "au moins deux points"),
        (["--route", "NO_TRACK"], "aucune trace"),
        (["--route", "PNG"], "Type de fichier non accepté"),
        (["--stops", "NO_NAME"], "n'a pas de nom"),
        (["--form", "inconnu"], "Formulaire introuvable"),
        (["--form", "marche_exploratoire:v2"], "Version de formulaire invalide"),
        (["--route", "MISSING"], "Fichier illisible"),
    ],
)
def test_bad_input_exits_non_zero_with_a_french_message_and_stores_nothing(
    runner, project, tmp_path, args, message
):
    files = {
        "ONE_POINT": _gpx(tmp_path / "un.gpx", [NORD[0]]),
        "NO_TRACK": tmp_path / "points.gpx",
        "PNG": tmp_path / "photo.png",
        "NO_NAME": tmp_path / "arrets.geojson",
        "MISSING": tmp_path / "absent.gpx",
    }
    files["NO_TRACK"].write_text(
        '<gpx xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="49.9" lon="2.3"/></gpx>'
    )
    files["PNG"].write_bytes(b"\x89PNG\r\n\x1a\n")
    files["NO_NAME"].write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [2.3, 49.91]}}]}'
    )
    base = {"--project": "amiens-cli", "--title": "Marche", "--date": "2026-03-12"}
    extra = dict(zip(args[::2], args[1::2], strict=True))
    merged = {**base, **{k: str(files.get(v, v)) for k, v in extra.items()}}
    result = runner.invoke(args=["walks", "create", *[x for kv in merged.items() for x in kv]])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.query(Walk).filter(Walk.project_id == project.id).count() == 0


def test_status_commands_refuse_unknown_walks_and_a_close_before_opening(runner, project):
    assert "Marche introuvable" in runner.invoke(args=["walks", "open", "999999"]).output
    walk = walks.create_walk(project, title="Jour", walk_date=datetime(2026, 3, 1).date())
    result = runner.invoke(args=["walks", "close", str(walk.id)])
    assert result.exit_code == 1 and "Seule une marche ouverte" in result.output
