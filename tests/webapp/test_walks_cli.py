"""`arpenteur walks …`: open without a public address, every bad input, status commands (both databases).

The whole sequence from an empty database (projects create, import-qpv, forms import-xlsform --install,
walks create/list/open/kit/close, an observation landing in its QPV) is in ``test_first_project_cli.py``;
here the project comes from ``services.projects.create_project`` and the QPV from the real ANCT file.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.webapp.support import url
from webapp.extensions import db
from webapp.models import Walk
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
