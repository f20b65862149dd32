"""Exports: CSV for French spreadsheets without formula injection, XLSX as text, GeoJSON, GeoPackage, CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import login, url
from webapp.services import exports
from webapp.services.observation_filter import ObservationFilter


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def test_csv_is_utf8_bom_semicolon_and_neutralises_formulas(world, client):
    response = client.get(url("facilitators.export", slug=world.project.slug, what="observations", fmt="csv"))
    assert response.status_code == 200
    raw = response.data
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id", "marche", "date"]
    assert len(body) == 7  # validated only
    notes = [r[header.index("note")] for r in body]
    assert '\'=HYPERLINK("http://x")' in notes
    assert not any(n.startswith(("=", "+", "-", "@")) for n in notes)
    assert "Bien éclairé" in notes


@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(value):
    assert exports.neutralise(value) == "'" + value
    assert exports.neutralise("Bonjour = merci") == "Bonjour = merci"
    assert exports.neutralise(3) == 3


def test_xlsx_keeps_formula_like_text_as_text(world, client):
    response = client.get(
        url("facilitators.export", slug=world.project.slug, what="observations", fmt="xlsx")
    )
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else sheet
    assert "<f>" not in sheet
    assert "HYPERLINK" in strings


def test_geojson_and_filters(world, client):
    response = client.get(
        url(
            "facilitators.export",
            slug=world.project.slug,
            what="observations",
            fmt="geojson",
            theme="eclairage",
        )
    )
    data = json.loads(response.data)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 4
    assert {f["properties"]["theme"] for f in data["features"]} == {"eclairage"}
    assert data["features"][0]["geometry"]["type"] == "Point"


def test_geopackage_is_readable(world, client, tmp_path):
    import pyogrio

    response = client.get(
        url("facilitators.export", slug=world.project.slug, what="observations", fmt="gpkg", moderation="all")
    )
    path = tmp_path / "o.gpkg"
    path.write_bytes(response.data)
    meta = pyogrio.read_info(path, layer="observations")
    assert meta["features"] == 8 and meta["geometry_type"] == "Point" and "4326" in meta["crs"]


def test_recommendations_csv_lists_evidence(world, client):
    from webapp.services import debriefs

    debriefs.create_recommendation(
        world.project,
        None,
        observation_ids=[world.observations[0].id],
        title="=cmd|' /C calc'!A0",
        priority="high",
    )
    body = client.get(
        url("facilitators.export", slug=world.project.slug, what="preconisations", fmt="csv")
    ).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:4] == ["id", "priorite", "priorite_libelle", "titre"]
    assert (row["priorite"], row["priorite_libelle"]) == ("high", "Haute")
    assert (row["statut"], row["statut_libelle"]) == ("proposed", "Proposée")
    assert row["titre"].startswith("'=")
    assert rows[1][-1] == str(world.observations[0].id)
    assert (
        client.get(
            url("facilitators.export", slug=world.project.slug, what="preconisations", fmt="xlsx")
        ).status_code
        == 200
    )


def test_export_of_a_project_with_no_data_gives_headers_only(app, client, runner, tmp_path):
    from webapp.services import projects

    empty = projects.create_project(slug="vide", name="Vide", territory=["80021"])
    f = ObservationFilter(project_id=empty.id)
    text = "".join(exports.observations_csv(f))
    assert text.count("\r\n") == 1
    assert json.loads("".join(exports.observations_geojson(f)))["features"] == []
    out = tmp_path / "vide.gpkg"
    result = runner.invoke(
        args=["export", "observations", "--project", "vide", "--format", "gpkg", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "0 observations" in result.output


def test_cli_exports_every_format_with_progress(world, runner, tmp_path):
    for fmt in ("csv", "xlsx", "geojson", "gpkg"):
        out = tmp_path / f"o.{fmt}"
        result = runner.invoke(
            args=[
                "export",
                "observations",
                "--project",
                world.project.slug,
                "--format",
                fmt,
                "-o",
                str(out),
                "--include-pending",
            ]
        )
        assert result.exit_code == 0, result.output
        assert "8 observations" in result.output and out.stat().st_size > 0
    result = runner.invoke(
        args=["export", "recommendations", "--project", world.project.slug, "-o", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["export", "observations", "--project", "nope", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code != 0 and "introuvable" in bad.output
    # A folder that does not exist is one clear line before any work (it was a traceback after it).
    for args in (
        ["export", "observations", "--project", world.project.slug, "--format", "xlsx"],
        ["export", "recommendations", "--project", world.project.slug],
        ["walks", "kit", str(world.day.id)],
    ):
        missing = tmp_path / "pas-de-dossier" / "sortie.bin"
        result = runner.invoke(args=[*args, "-o", str(missing)])
        assert result.exit_code == 2, (args, result.output)
        assert f"le dossier « {missing.parent} » n'existe pas." in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def test_unknown_export_format_is_not_found(world, client):
    assert (
        client.get(
            url("facilitators.export", slug=world.project.slug, what="observations", fmt="exe")
        ).status_code
        == 404
    )


#: Coded columns of the observation export and the French label each code of the world has.
FRENCH_LABELS = {
    "creneau": {"day": "Jour", "night": "Nuit", "evening": "Soirée"},
    "polarite": {"negative": "Problème", "positive": "Atout", "neutral": "Neutre"},
    "moderation": {"validated": "Validée", "pending": "À modérer", "hidden": "Masquée"},
    "genre": {"woman": "Femme", "man": "Homme", "other": "Autre", "undisclosed": "Non précisé"},
    "tranche_age": {"15-17": "15 à 17 ans", "26-44": "26 à 44 ans", "65+": "65 ans et plus"},
    "theme": {"eclairage": "Éclairage"},
}


def _check_codes_and_labels(rows: list[dict[str, str]], label_suffix: str) -> None:
    """Each coded column holds codes, and its label column the French label of that code."""
    assert rows
    for column, labels in FRENCH_LABELS.items():
        label_column = column + label_suffix
        for row in rows:
            code = row[column]
            if code in labels:
                assert row[label_column] == labels[code], (column, code, row[label_column])
            else:
                assert code == "" or code.isascii() and code == code.lower(), (column, code)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_exports_carry_codes_and_french_labels_whatever_the_language(world, client, tmp_path, lang):
    """CSV, XLSX, GeoJSON and GeoPackage: ``creneau`` = ``night`` beside ``creneau_libelle`` = ``Nuit``."""
    import openpyxl
    import pyogrio.raw

    def export(fmt: str) -> bytes:
        path = url(
            "facilitators.export", slug=world.project.slug, what="observations", fmt=fmt, moderation="all"
        )
        return client.get(path).data

    client.get(url("public.index", lang=lang))  # the language cookie, as a browser keeps it
    csv_text = export("csv").decode("utf-8-sig")
    csv_rows = list(csv.DictReader(io.StringIO(csv_text), delimiter=";"))
    _check_codes_and_labels(csv_rows, "_libelle")
    assert {r["creneau"] for r in csv_rows} >= {"day", "night"}

    book = openpyxl.load_workbook(io.BytesIO(export("xlsx")), read_only=True)
    values = [["" if v is None else str(v) for v in row] for row in book.active.iter_rows(values_only=True)]
    _check_codes_and_labels([dict(zip(values[0], row, strict=True)) for row in values[1:]], "_libelle")

    # GeoJSON and GeoPackage name their fields by key: time_slot and time_slot_label.
    keys = {
        "creneau": "time_slot",
        "polarite": "polarity",
        "moderation": "moderation_status",
        "genre": "gender",
        "tranche_age": "age_band",
        "theme": "theme",
    }

    def by_header(properties: dict) -> dict[str, str]:
        out = {}
        for header, key in keys.items():
            out[header] = "" if properties.get(key) is None else str(properties[key])
            out[header + "_libelle"] = (
                "" if properties.get(key + "_label") is None else str(properties[key + "_label"])
            )
        return out

    features = json.loads(export("geojson"))["features"]
    _check_codes_and_labels([by_header(f["properties"]) for f in features], "_libelle")

    path = tmp_path / "o.gpkg"
    path.write_bytes(export("gpkg"))
    meta, _fids, _geometry, columns = pyogrio.raw.read(path, layer="observations", read_geometry=False)
    records = [dict(zip(meta["fields"], values, strict=True)) for values in zip(*columns, strict=True)]
    _check_codes_and_labels([by_header(record) for record in records], "_libelle")

    reco = client.get(
        url("facilitators.export", slug=world.project.slug, what="preconisations", fmt="csv")
    ).data.decode("utf-8-sig")
    assert reco.splitlines()[0].split(";")[:3] == ["id", "priorite", "priorite_libelle"]
