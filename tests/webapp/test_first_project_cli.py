"""A first project from the command line, from an empty database, on SpatiaLite and PostGIS (issue 9).

The sequence of the README's « Premier projet » for scripts: ``projects create``, ``geodata import-qpv``
(the real ANCT file), ``forms import-xlsform --install``, ``walks create`` with that form, a GPX route and
a stops file, ``walks list``, ``walks open``, ``walks kit``; a phone then joins through the API and posts an
observation answering the imported form, which must land in the QPV that contains it; ``walks close``.
Every command runs through Click's runner against the test database; exit codes and output are checked.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shapely.geometry import LineString
from sqlalchemy import func, select

from tests.webapp.support import url
from tests.xlsform_builder import write_walk_grid_workbook
from webapp.extensions import db
from webapp.models import Observation, Project, Walk, Zone
from webapp.services import projects, walks

#: A walk through Amiens Nord (QN08003M), lon/lat.
NORD = [(2.2990, 49.9090), (2.3048, 49.9104), (2.3090, 49.9120)]
STOPS = ["Place Vogel", "Collège Arthur Rimbaud", "Maison de quartier Nord"]


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


def _run(runner, *args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, (args, result.output)
    return result


def test_a_first_project_from_the_command_line(app, runner, client, db_session, data_dir, tmp_path):
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0

    # The project, then the official perimeters of its commune.
    created = _run(
        runner,
        "projects",
        "create",
        "amiens-cli",
        "--name",
        "Marches exploratoires — Amiens",
        "--commune",
        "80021",
    )
    assert "amiens-cli" in created.output
    project = projects.get_project("amiens-cli")
    imported = _run(runner, "geodata", "import-qpv", str(data_dir / "geodata" / "qpv2024_amiens.geojson"))
    assert "7" in imported.output
    assert db.session.scalar(select(func.count()).select_from(Zone).where(Zone.kind == "qpv")) == 7

    # The team's own form, installed from its workbook: stdout is KEY:VERSION and nothing else.
    installed = _run(
        runner, "forms", "import-xlsform", str(write_walk_grid_workbook(tmp_path / "g.xlsx")), "--install"
    )
    form = installed.stdout.strip()
    assert form == "grille_nord:1"

    # The walk, with that form, a GPX route and three named stops: stdout is its id.
    planned = _run(
        runner,
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
        str(_gpx(tmp_path / "nord.gpx", NORD)),
        "--stops",
        str(_stops(tmp_path / "arrets.geojson", zip(STOPS, NORD, strict=True))),
        "--form",
        form,
        "--group",
        "femmes du quartier",
        "--size",
        "10",
    )
    walk_id = int(planned.stdout.strip())
    walk = db.session.get(Walk, walk_id)
    assert (walk.project_id, walk.status, walk.time_slot) == (project.id, "planned", "evening")
    assert (walk.form_key, walk.form_version) == ("grille_nord", 1)
    assert LineString(walks.route_points(walk)).equals_exact(LineString(NORD), 1e-7)
    assert [s.name for s in walk.stops] == STOPS
    listed = _run(runner, "walks", "list", "--project", "amiens-cli")
    assert f"{walk_id}\t2026-03-12\tSoirée\tPrévue\t{walk.join_code}\t0\tMarche du soir" in listed.stdout

    # Open: stdout is the code and the join link (on the public address when it is set).
    app.config["PUBLIC_URL"] = "https://arpenteur.example.org"
    try:
        opened = _run(runner, "walks", "open", str(walk_id))
        pdf = tmp_path / "kit.pdf"
        kit = _run(runner, "walks", "kit", str(walk_id), "-o", str(pdf))
    finally:
        app.config["PUBLIC_URL"] = ""
    code, link = opened.stdout.split()
    assert code == walk.join_code and walk.status == "open"
    assert link == f"https://arpenteur.example.org/rejoindre?code={code}"
    assert "pas de code QR" not in kit.output
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert code[:3] in text and code[3:] in text
    assert all(name in text for name in STOPS)
    assert link in re.sub(r"\s+", "", text)
    assert "Aires de jeux" in text  # the themes of the walk's form, not the default grid's

    # A phone joins with the code and answers the walk's form inside Amiens Nord: it lands in that QPV.
    inside = json.loads((data_dir / "geodata" / "qpv2024_amiens_inside_points.geojson").read_text())
    nord = next(f for f in inside["features"] if f["properties"]["code_qp"] == "QN08003M")
    lon, lat = nord["geometry"]["coordinates"]
    token = client.post(url("api.join"), json={"code": code}).json["token"]
    assert client.get(url("api.my_walk"), headers={"Authorization": f"Bearer {token}"}).json["form"][
        "key"
    ] == ("grille_nord")
    body = {
        "client_uuid": "6f1c1d2e-0b7e-4c1a-9a63-3b8f4d0d2c11",
        "form": {"key": "grille_nord", "version": 1},
        "captured_at": (datetime.now(UTC) - timedelta(minutes=2)).replace(microsecond=0).isoformat(),
        "location": {"lon": lon, "lat": lat, "accuracy_m": 6, "source": "gps"},
        "answers": {"theme": "jeux", "frequence": "parfois"},
    }
    posted = client.post(
        url("api.create_observation"), json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert posted.status_code == 201, posted.json
    observation = db.session.scalars(select(Observation).where(Observation.walk_id == walk_id)).one()
    zone = db.session.get(Zone, observation.zone_id)
    assert (zone.kind, zone.code, zone.name) == ("qpv", "QN08003M", nord["properties"]["lib_qp"])
    assert posted.json["zone_name"] == zone.name
    assert (observation.theme, observation.answers) == ("jeux", {"frequence": "parfois"})

    # Close: the walk is over, and says how long offline phones may still deliver.
    closed = _run(runner, "walks", "close", str(walk_id))
    assert "48 h" in closed.stdout and db.session.get(Walk, walk_id).status == "closed"


def test_a_kit_without_public_address_names_the_join_path_and_warns(runner, db_session, data_dir, tmp_path):
    project = projects.create_project(slug="amiens-kit", name="Amiens", territory=["80021"])
    walk = walks.create_walk(project, title="Jour", walk_date=datetime(2026, 3, 1).date())
    _run(runner, "walks", "open", str(walk.id))
    pdf = tmp_path / "kit.pdf"
    kit = _run(runner, "walks", "kit", str(walk.id), "-o", str(pdf))
    assert "ARPENTEUR_PUBLIC_URL" in kit.stderr and "pas de code QR" in kit.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert f"/rejoindre?code={walk.join_code}" in re.sub(r"\s+", "", text)
