"""Entry templates generated from a walk's form, and their import: all rows or none, every problem placed."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from html import unescape

import openpyxl
import pytest
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from tests.webapp.entry_support import (
    build_entry_world,
    count_observations,
    form_token,
    install_custom_form,
    signed_in,
)
from tests.webapp.support import url
from webapp.errors import ImportFailed
from webapp.extensions import db
from webapp.models import ModerationEvent, Observation, Participant
from webapp.services import entry, observations, zones

DEFAULT_HEADERS = [
    "feuille",
    "arret",
    "longitude",
    "latitude",
    "saisie_le",
    "theme",
    "sous_theme",
    "polarite",
    "ressenti",
    "moment",
    "note",
    "proposition",
    "tranche_age",
    "genre",
    "situation",
]


def row(**cells: str) -> list[str]:
    """A row of the default template, blank where not given."""
    assert set(cells) <= set(DEFAULT_HEADERS), set(cells) - set(DEFAULT_HEADERS)
    return [cells.get(header, "") for header in DEFAULT_HEADERS]


#: Five observations: two sheets (two people), a row by coordinates without a profile.
GOOD_ROWS = [
    row(feuille="1", arret="1", saisie_le="12/03/2026 18:05", theme="eclairage",
        sous_theme="lampadaire_en_panne", polarite="negative", ressenti="2", note="Noir",
        tranche_age="26-44", genre="woman", situation="resident"),
    row(feuille="1", arret="2", saisie_le="12/03/2026 18:20", theme="proprete", polarite="negative",
        ressenti="1", moment="often", note="Dépôts", proposition="Un container"),
    row(feuille="2", arret="2", theme="lieux_qui_fonctionnent", polarite="positive", ressenti="5",
        tranche_age="65+", genre="man"),
    row(feuille="2", arret="3", saisie_le="18h40", theme="eclairage", polarite="positive", ressenti="4",
        tranche_age="65+"),
    row(longitude="2,2931", latitude="49,9052", saisie_le="12/03/2026 18:50", theme="signaletique",
        polarite="neutral", note='=HYPERLINK("http://x")'),
]  # fmt: skip


@pytest.fixture
def setup(app):  # type: ignore[no-untyped-def]
    world = build_entry_world()
    slug, walk_id = world.world.project.slug, world.walk.id
    pages = {
        "import": url("facilitators.entry_import", slug=slug, walk_id=walk_id),
        "xlsx": url("facilitators.entry_template", slug=slug, walk_id=walk_id, fmt="xlsx"),
        "csv": url("facilitators.entry_template", slug=slug, walk_id=walk_id, fmt="csv"),
    }
    return world, pages


def _csv(rows: list[list[str]], headers: list[str] = DEFAULT_HEADERS, sep: str = ";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_from_template(template: bytes, rows: list[list[object]]) -> bytes:
    """Fill the downloaded template as a spreadsheet program would (numbers and dates as such)."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value not in ("", None):
                sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, page: str, data: bytes, name: str):  # type: ignore[no-untyped-def]
    # The multipart body is built here: the test client would spool a large one to a temporary file
    # it never closes (a ResourceWarning, which is an error in this suite).
    boundary = "arpenteur-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{form_token(client, page)}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(page, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _problems(html: str) -> list[str]:
    block = re.search(r'<ul class="problems">(.*?)</ul>', html, re.S)
    assert block, "no list of problems on the page"
    return [unescape(" ".join(item.split())) for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


# --- the template -------------------------------------------------------------------------------------


def test_template_has_one_column_per_question_of_the_walks_form(app, setup) -> None:
    world, pages = setup
    assert [c.header for c in entry.template_columns(world.walk)] == DEFAULT_HEADERS

    install_custom_form(world.walk)
    columns = {c.header: c for c in entry.template_columns(world.walk)}
    headers = list(columns)
    # The extra questions of this form, in its order; photos and the location are not spreadsheet cells.
    assert headers[headers.index("moment") : headers.index("note")] == ["moment", "usagers", "rue", "bruit"]
    assert "photos" not in columns and "location" not in columns
    assert columns["usagers"].codes == (("pietons", "Piétons"), ("velos", "Vélos"), ("voitures", "Voitures"))
    assert (columns["bruit"].minimum, columns["bruit"].maximum) == (0, 3)
    assert columns["rue"].required and columns["theme"].required
    assert ("3", "Arrivée") in columns["arret"].codes


def test_xlsx_template_lists_codes_and_offers_drop_down_lists(app, setup) -> None:
    world, pages = setup
    install_custom_form(world.walk)
    db.session.commit()
    client = signed_in(app)
    response = client.get(pages["xlsx"])
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Observations", "Colonnes", "Codes"]
    sheet = workbook["Observations"]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "usagers" in headers and "rue" in headers and "bruit" in headers and "ressenti" in headers
    codes = {(r[0], r[1]): r[2] for r in workbook["Codes"].iter_rows(min_row=2, values_only=True)}
    assert codes[("theme", "eclairage")] == "Éclairage"
    assert codes[("sous_theme", "lampadaire_en_panne")] == "Éclairage › Lampadaire en panne"
    assert codes[("usagers", "velos")] == "Vélos"
    assert codes[("arret", "2")] == "Place"
    assert codes[("genre", "woman")] == "Femme"
    described = {r[0]: r for r in workbook["Colonnes"].iter_rows(min_row=2, values_only=True)}
    assert described["rue"][1] == "oui" and "Nom de la rue" in described["rue"][2]
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    by_column = {ref.split(":")[0].rstrip("0123456789"): v for ref, v in validations.items()}
    theme_col = openpyxl.utils.get_column_letter(headers.index("theme") + 1)
    assert by_column[theme_col].type == "list" and "Codes" in by_column[theme_col].formula1
    feeling_col = openpyxl.utils.get_column_letter(headers.index("ressenti") + 1)
    assert by_column[feeling_col].type == "whole"


def test_csv_template_is_a_semicolon_header_with_a_bom(app, setup) -> None:
    world, pages = setup
    client = signed_in(app)
    response = client.get(pages["csv"])
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.data.decode("utf-8-sig").strip() == ";".join(DEFAULT_HEADERS)


# --- importing ------------------------------------------------------------------------------------------


def test_a_good_csv_is_stored_with_source_facilitator(app, setup) -> None:
    world, pages = setup
    walk = world.walk
    client = signed_in(app)
    before = count_observations(walk)
    people_before = db.session.scalar(
        select(func.count(Participant.id)).where(Participant.walk_id == walk.id)
    )

    response = _upload(client, pages["import"], _csv(GOOD_ROWS), "feuilles.csv")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert count_observations(walk) == before + 5
    stored = list(
        db.session.scalars(
            select(Observation).where(Observation.walk_id == walk.id).order_by(Observation.id.desc()).limit(5)
        )
    )[::-1]
    assert {o.location_source for o in stored} == {"facilitator"}
    assert {o.moderation_status for o in stored} == {"pending"}
    first, second, third, fourth, fifth = stored
    # Zones and the out-of-area flag follow the same rules as for phones (computed for all rows at once).
    for observation in stored:
        point = to_shape(observation.location)
        assert observation.zone_id == zones.find_zone_id(world.world.project, point.x, point.y)
        assert observation.out_of_area is observations.is_out_of_area(walk, point.x, point.y) is False
    assert {first.zone_id, fifth.zone_id} == {world.world.south.id, world.world.north.id}
    assert to_shape(first.location).equals_exact(Point(2.292, 49.892), 1e-9)
    assert to_shape(fifth.location).equals_exact(Point(2.2931, 49.9052), 1e-9)
    assert first.captured_at == datetime(2026, 3, 12, 17, 5, tzinfo=UTC)  # Paris time in March: UTC+1
    assert fourth.captured_at == datetime(2026, 3, 12, 17, 40, tzinfo=UTC)  # a time alone: the walk's day
    assert third.captured_at == datetime(2026, 3, 12, 11, 0, tzinfo=UTC)  # blank: the walk's day at noon
    assert (first.theme, first.subtheme, first.feeling, first.note) == (
        "eclairage",
        "lampadaire_en_panne",
        2,
        "Noir",
    )
    assert second.answers == {"moment": "often"} and second.proposal == "Un container"
    # A cell that looks like a formula is text.
    assert fifth.note == '=HYPERLINK("http://x")'
    # One person per sheet, with the sheet's profile; the row without sheet or profile counts nobody.
    assert first.participant_id == second.participant_id
    assert third.participant_id == fourth.participant_id != first.participant_id
    assert fifth.participant_id is None
    assert (first.participant.age_band, first.participant.gender) == ("26-44", "woman")
    assert (third.participant.age_band, third.participant.gender) == ("65+", "man")
    people = db.session.scalar(select(func.count(Participant.id)).where(Participant.walk_id == walk.id))
    assert people == people_before + 2
    events = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.observation_id == first.id)
    ).all()
    assert [(e.action, e.actor_id, e.reason) for e in events] == [
        ("entry", world.world.facilitator.id, "feuilles.csv")
    ]
    assert events[0].changes["row"] == [None, 2]
    page = client.get(pages["import"]).get_data(as_text=True)
    assert "5 observation(s) importée(s)" in page


def test_a_good_xlsx_filled_from_the_template_is_stored(app, setup) -> None:
    world, pages = setup
    install_custom_form(world.walk)
    db.session.commit()
    client = signed_in(app)
    template = client.get(pages["xlsx"]).data
    headers = [c.header for c in entry.template_columns(world.walk)]
    row = dict.fromkeys(headers, "")
    row.update(
        feuille=7,
        arret=3,
        saisie_le=datetime(2026, 3, 12, 19, 15),
        theme="visibilite",
        polarite="negative",
        ressenti=1,
        usagers="velos, pietons",
        rue="Rue des Tanneurs",
        bruit=0,
        note="=SUM(A1:A3)",
        genre="woman",
    )
    data = _xlsx_from_template(template, [[row[h] for h in headers]])
    before = count_observations(world.walk)
    response = _upload(client, pages["import"], data, "feuilles.xlsx")
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert count_observations(world.walk) == before + 1
    observation = db.session.scalar(
        select(Observation)
        .where(Observation.walk_id == world.walk.id)
        .order_by(Observation.id.desc())
        .limit(1)
    )
    assert observation.location_source == "facilitator"
    assert (observation.form_key, observation.form_version) == ("grille_saisie_test", 1)
    assert observation.answers == {"usagers": ["pietons", "velos"], "rue": "Rue des Tanneurs", "bruit": 0}
    assert observation.feeling == 1
    # openpyxl writes "=SUM(...)" as a real formula: it is read as its text, never computed.
    assert observation.note == "=SUM(A1:A3)"
    assert observation.captured_at == datetime(2026, 3, 12, 18, 15, tzinfo=UTC)
    assert to_shape(observation.location).equals_exact(Point(2.298, 49.908), 1e-9)


BAD_ROWS = [
    GOOD_ROWS[0],
    row(feuille="1", arret="2", theme="eclairage", polarite="negative", ressenti="9"),
    row(arret="7", theme="bruit", polarite="negative"),
    row(saisie_le="32/13/2026", theme="eclairage", sous_theme="tags", polarite="negative", genre="alien"),
    GOOD_ROWS[2],
]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_is_stored(app, setup, kind) -> None:  # type: ignore[no-untyped-def]
    world, pages = setup
    walk = world.walk
    client = signed_in(app)
    data = _csv(BAD_ROWS) if kind == "csv" else _xlsx_from_template(client.get(pages["xlsx"]).data, BAD_ROWS)
    before = count_observations(walk)
    people = db.session.scalar(select(func.count(Participant.id)))

    response = _upload(client, pages["import"], data, f"feuilles.{kind}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "rien n'a été enregistré" in unescape(html)
    assert _problems(html) == [
        "ligne 3, colonne « ressenti » : choisissez une note de 1 à 5.",
        "ligne 4, colonne « arret » : arrêt inconnu : 7 (arrêts de la marche : 1, 2, 3).",
        "ligne 4, colonne « theme » : ce thème n'existe pas dans ce formulaire.",
        "ligne 5, colonne « arret » : indiquez l'arrêt ou longitude et latitude.",
        "ligne 5, colonne « saisie_le » : date et heure attendues, par exemple 12/03/2026 18:30.",
        "ligne 5, colonne « sous_theme » : ce sous-thème ne fait pas partie du thème choisi.",
        "ligne 5, colonne « genre » : valeur inconnue : alien.",
    ]
    assert count_observations(walk) == before
    assert db.session.scalar(select(func.count(Participant.id))) == people


def test_importing_the_same_rows_again_stores_only_what_is_new(app, setup) -> None:
    world, pages = setup
    walk = world.walk
    client = signed_in(app)
    before = count_observations(walk)
    assert _upload(client, pages["import"], _csv(GOOD_ROWS[:3]), "a.csv").status_code == 303
    assert count_observations(walk) == before + 3
    people = db.session.scalar(select(func.count(Participant.id)).where(Participant.walk_id == walk.id))

    # The same file again: nothing new.
    assert _upload(client, pages["import"], _csv(GOOD_ROWS[:3]), "a.csv").status_code == 303
    assert count_observations(walk) == before + 3
    assert "étaient déjà importées" in unescape(client.get(pages["import"]).get_data(as_text=True))

    # The same sheets as XLSX, with two more rows: only those two are stored; sheet 2 keeps its person.
    data = _xlsx_from_template(client.get(pages["xlsx"]).data, GOOD_ROWS)
    assert _upload(client, pages["import"], data, "b.xlsx").status_code == 303
    assert count_observations(walk) == before + 5
    assert (
        db.session.scalar(select(func.count(Participant.id)).where(Participant.walk_id == walk.id)) == people
    )

    # Two identical rows are two observations (two people said the same), stored once each.
    twice = [GOOD_ROWS[4], GOOD_ROWS[4]]
    assert _upload(client, pages["import"], _csv(twice), "c.csv").status_code == 303
    assert count_observations(walk) == before + 6  # the first one was already there
    assert _upload(client, pages["import"], _csv(twice), "c.csv").status_code == 303
    assert count_observations(walk) == before + 6


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("vieux.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Ancien format Excel (.xls)"),
        (
            "feuilles.csv",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 100,
            "ni un classeur .xlsx ni un fichier .csv",
        ),
        ("feuilles.xlsx", b"PK\x03\x04 pas vraiment un zip", "pas un classeur .xlsx lisible"),
        ("feuilles.csv", b"", "Le fichier est vide."),
        ("feuilles.csv", b"x" * (5 * 1024 * 1024 + 1), "Fichier trop volumineux : 5 Mo au plus."),
        ("rapport.pdf", b"%PDF-1.4", "Seuls les fichiers .xlsx et .csv sont acceptés."),
    ],
)
def test_a_file_of_the_wrong_kind_or_too_big_gets_a_clear_message(app, setup, name, data, message) -> None:  # type: ignore[no-untyped-def]
    world, pages = setup
    client = signed_in(app)
    before = count_observations(world.walk)
    response = _upload(client, pages["import"], data, name)
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    assert count_observations(world.walk) == before


def test_unknown_or_missing_columns_are_named(app, setup) -> None:
    world, pages = setup
    client = signed_in(app)
    headers = ["arret", "themes", "polarite"]
    response = _upload(client, pages["import"], _csv([["1", "eclairage", "negative"]], headers), "x.csv")
    assert response.status_code == 422
    assert _problems(response.get_data(as_text=True)) == [
        "ligne 1, colonne « themes » : colonne inconnue : ce modèle n'a pas de colonne « themes ».",
        "ligne 1, colonne « theme » : colonne obligatoire absente.",
    ]
    # Headers are matched without accents or case, a comma separator works, and field keys are accepted.
    headers = ["Arrêt", "Thème", "polarity", "Ressenti"]
    before = count_observations(world.walk)
    response = _upload(
        client, pages["import"], _csv([["1", "eclairage", "negative", "3"]], headers, ","), "x.csv"
    )
    assert response.status_code == 303
    assert count_observations(world.walk) == before + 1


def test_rows_of_one_sheet_must_agree_on_the_profile(app, setup) -> None:
    world, pages = setup
    client = signed_in(app)
    rows = [
        row(
            feuille="4", arret="1", theme="eclairage", polarite="negative", tranche_age="15-17", genre="woman"
        ),
        row(feuille="4", arret="2", theme="eclairage", polarite="negative", tranche_age="18-25"),
    ]
    response = _upload(client, pages["import"], _csv(rows), "x.csv")
    assert response.status_code == 422
    assert _problems(response.get_data(as_text=True)) == [
        "ligne 3, colonne « tranche_age » : la feuille 4 a un autre profil à la ligne 2."
    ]


def test_import_service_refuses_everything_when_one_row_is_wrong(app) -> None:
    world = build_entry_world()
    before = count_observations(world.walk)
    with pytest.raises(ImportFailed) as refused:
        entry.import_template(
            world.walk,
            None,
            filename="x.csv",
            data=_csv([GOOD_ROWS[0], row(arret="1")]),
        )
    assert [(p["row"], p["column"], p["code"]) for p in refused.value.details] == [
        (3, "theme", "required"),
        (3, "polarite", "required"),
    ]
    assert count_observations(world.walk) == before


def test_a_blank_time_in_a_sheet_is_the_walks_start_even_while_it_is_open(app) -> None:
    from datetime import time

    from webapp.services import walks

    world = build_entry_world()
    walk = world.walk
    walk.starts_at = time(18, 0)
    walks.open_walk(walk)
    result = entry.import_template(
        walk, None, filename="x.csv", data=_csv([row(arret="1", theme="eclairage", polarite="negative")])
    )
    observation = db.session.get(Observation, result.observation_ids[0])
    assert observation.captured_at == datetime(2026, 3, 12, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "cell",
    ["2026-03-12T17:40:00Z", "2026-03-12t17:40:00z", "2026-03-12 17:40:00z", "2026-03-12T18:40:00+01:00"],
)
def test_an_iso_time_with_its_offset_is_read_whatever_the_case_of_t_and_z(app, cell) -> None:  # type: ignore[no-untyped-def]
    # RFC 3339 allows "t" and "z" in lower case (an export from another tool may write them so)
    world = build_entry_world()
    result = entry.import_template(
        world.walk,
        None,
        filename="x.csv",
        data=_csv([row(arret="1", saisie_le=cell, theme="eclairage", polarite="negative")]),
    )
    observation = db.session.get(Observation, result.observation_ids[0])
    assert observation.captured_at == datetime(2026, 3, 12, 17, 40, tzinfo=UTC)


@pytest.mark.parametrize("cell", ["01/01/0001 00:00", "0001-01-01 00:05", "0001-01-01T00:30:00+01:00"])
def test_a_time_outside_the_calendar_in_utc_is_a_problem_of_its_row_not_a_crash(app, cell) -> None:  # type: ignore[no-untyped-def]
    # 1 January of year 1 in Paris time is in year 0 in UTC: Python cannot hold it (it was a 500)
    world = build_entry_world()
    before = count_observations(world.walk)
    rows = [GOOD_ROWS[0], row(arret="1", saisie_le=cell, theme="eclairage", polarite="negative")]
    with pytest.raises(ImportFailed) as refused:
        entry.import_template(world.walk, None, filename="x.csv", data=_csv(rows))
    assert [(p["row"], p["column"], p["code"]) for p in refused.value.details] == [
        (3, "saisie_le", "wrong_type")
    ]
    assert count_observations(world.walk) == before


def test_a_row_far_from_the_route_is_kept_but_flagged(app) -> None:
    world = build_entry_world()
    far = row(longitude="2.3400", latitude="49.9400", theme="eclairage", polarite="negative")
    result = entry.import_template(world.walk, None, filename="x.csv", data=_csv([far, GOOD_ROWS[0]]))
    flagged = [db.session.get(Observation, i).out_of_area for i in result.observation_ids]
    assert flagged == [True, False]
