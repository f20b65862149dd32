"""Importing XLSForm workbooks as stored form versions, and the form a walk uses (service and CLI)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import ObservationFactory, ProjectFactory
from tests.xlsform_builder import write_duplicate_name_workbook, write_neighbourhood_workbook, write_xlsform
from webapp.errors import Conflict, ImportFailed
from webapp.models import FormVersion
from webapp.services import forms, walks


def _count() -> int:
    from webapp.extensions import db

    return db.session.scalar(select(func.count(FormVersion.id))) or 0


def test_a_workbook_becomes_version_1_of_its_form_with_its_report(db_session, tmp_path):
    outcome = forms.install_xlsform(write_neighbourhood_workbook(tmp_path / "diagnostic.xlsx"))
    form = outcome.form
    assert outcome.created
    assert (form.key, form.version, form.origin, form.source_name) == (
        "diagnostic_quartier",
        1,
        "xlsform",
        "diagnostic.xlsx",
    )
    definition = forms.definition("diagnostic_quartier", 1)
    assert [t.key for t in definition.themes] == ["bruit", "proprete", "insecurite"]
    assert definition.sensitive_themes == frozenset({"insecurite"})
    assert form.import_report["themes_from"] == "categorie"
    assert form.import_report["field_count"] == 4 and not form.import_report["made_optional"]


def test_the_same_content_again_is_the_same_version_and_a_change_is_a_new_one(db_session, tmp_path):
    first = forms.install_xlsform(write_neighbourhood_workbook(tmp_path / "a.xlsx")).form
    stored = dict(first.definition)
    before = _count()
    # same questions in a file of another name: nothing new
    again = forms.install_xlsform(write_neighbourhood_workbook(tmp_path / "copie (1).xlsx"))
    assert not again.created and again.form.id == first.id and _count() == before
    changed = forms.install_xlsform(
        write_neighbourhood_workbook(tmp_path / "b.xlsx", remark_label="Qu'avez-vous remarqué ?")
    )
    assert changed.created and changed.form.version == 2 and _count() == before + 1
    assert forms.definition("diagnostic_quartier", 2).field("remarque").label.fr == "Qu'avez-vous remarqué ?"
    # the stored version 1 is untouched
    db_session.expire_all()
    assert forms.get_form("diagnostic_quartier", 1).definition == stored
    assert forms.definition("diagnostic_quartier", 1).field("remarque").label.fr == "Une remarque ?"


def test_an_invalid_workbook_is_refused_with_sheet_and_row_and_nothing_is_stored(db_session, tmp_path):
    before = _count()
    with pytest.raises(ImportFailed) as raised:
        forms.install_xlsform(write_duplicate_name_workbook(tmp_path / "menages.xlsx"))
    (problem,) = raised.value.details["problems"]
    assert (problem["sheet"], problem["row"]) == ("survey", 6)
    assert "HandWashHabits1" in problem["message"]
    assert "Feuille « survey », ligne 6" in raised.value.message
    assert "rien n'a été enregistré" in raised.value.message
    assert _count() == before


def test_a_question_the_capture_page_cannot_show_is_refused_unless_left_out(db_session, tmp_path):
    workbook = write_neighbourhood_workbook(
        tmp_path / "trace.xlsx",
        survey_rows=[
            ("geotrace", "parcours", "Votre parcours", "", "", ""),
            ("date", "jour", "Date", "", "", ""),
        ],
    )
    before = _count()
    with pytest.raises(ImportFailed) as raised:
        forms.install_xlsform(workbook)
    rows = {(p["sheet"], p["row"]) for p in raised.value.details["problems"]}
    assert rows == {("survey", 7), ("survey", 8)}
    assert "« parcours » (geotrace)" in raised.value.message
    assert _count() == before
    outcome = forms.install_xlsform(workbook, skip_unsupported=True)
    assert outcome.created
    assert {f.key for f in forms.parsed(outcome.form).fields} == {"ressenti", "remarque", "moment", "photo"}
    assert any("« parcours » (ligne 7) laissée de côté" in w for w in outcome.warnings)


def test_two_photo_questions_are_refused(db_session, tmp_path):
    workbook = write_neighbourhood_workbook(
        tmp_path / "photos.xlsx", survey_rows=[("image", "photo_2", "Une autre photo", "", "", "")]
    )
    with pytest.raises(ImportFailed, match="2 questions photo"):
        forms.install_xlsform(workbook)


def test_the_default_grid_key_cannot_be_taken_by_an_import(db_session, tmp_path):
    before = _count()
    with pytest.raises(ImportFailed, match="grille fournie avec Arpenteur"):
        forms.install_xlsform(write_neighbourhood_workbook(tmp_path / "x.xlsx"), key="marche_exploratoire")
    assert _count() == before


def test_fields_made_optional_and_long_forms_are_warned_about(db_session, tmp_path):
    survey = [("type", "name", "label", "required", "relevant")]
    survey += [("select_one oui_non", "gene", "Gêné·e ?", "yes", "")]
    survey += [("text", "pourquoi", "Pourquoi ?", "yes", "${gene} = 'oui'")]
    survey += [("text", f"q{n}", f"Question {n}", "", "") for n in range(120)]
    workbook = write_xlsform(
        tmp_path / "long.xlsx",
        survey=survey,
        choices=[("list_name", "name", "label"), ("oui_non", "oui", "Oui"), ("oui_non", "non", "Non")],
    )
    outcome = forms.install_xlsform(workbook)
    assert outcome.created
    assert any("« pourquoi » (ligne 3)" in w and "facultative" in w for w in outcome.warnings)
    assert any("122 questions" in w for w in outcome.warnings)
    assert outcome.form.import_report["many_fields"] is True


def test_a_walks_form_changes_only_while_it_has_no_observations(db_session, tmp_path):
    imported = forms.install_xlsform(write_neighbourhood_workbook(tmp_path / "d.xlsx")).form
    project = ProjectFactory()
    walk = walks.create_walk(project, title="Marche", walk_date=date(2026, 5, 4))
    assert (walk.form_key, walk.form_version) == ("marche_exploratoire", 2)
    forms.set_walk_form(walk, imported.key, imported.version)
    assert forms.walk_definition(walk).key == "diagnostic_quartier"
    ObservationFactory(walk=walk, form_key=imported.key, form_version=1, theme="bruit")
    with pytest.raises(Conflict, match="nouvelle version"):
        forms.set_walk_form(walk, "marche_exploratoire", 2)
    assert (walk.form_key, walk.form_version) == ("diagnostic_quartier", 1)
    forms.set_walk_form(walk, imported.key, imported.version)  # the same form again: fine


def test_a_project_follows_the_forms_its_walks_use(db_session, tmp_path):
    imported = forms.install_xlsform(write_neighbourhood_workbook(tmp_path / "e.xlsx")).form
    project = ProjectFactory()
    assert [d.key for d in forms.project_definitions(project.id)] == ["marche_exploratoire"]
    first = walks.create_walk(project, title="Jour", walk_date=date(2026, 5, 4))
    second = walks.create_walk(project, title="Soir", walk_date=date(2026, 5, 5))
    forms.set_walk_form(second, imported.key, imported.version)
    assert [(d.key, d.version) for d in forms.project_definitions(project.id)] == [
        ("marche_exploratoire", 2),
        ("diagnostic_quartier", 1),
    ]
    assert forms.project_sensitive_themes(project.id) == {"harcelement", "insecurite"}
    assert first.form_key == "marche_exploratoire"


def test_a_project_knows_every_form_its_observations_were_recorded_with(db_session):
    # Read by skipping through the walk's index: every key of every walk, every version of every key —
    # including an old version a phone kept offline, and nothing of another project.
    project, other = ProjectFactory(), ProjectFactory()
    busy = walks.create_walk(project, title="Jour", walk_date=date(2026, 5, 4))
    empty = walks.create_walk(project, title="Soir", walk_date=date(2026, 5, 5))
    late = walks.create_walk(project, title="Nuit", walk_date=date(2026, 5, 6))
    elsewhere = walks.create_walk(other, title="Ailleurs", walk_date=date(2026, 5, 4))
    for walk, key, version, times in [
        (busy, "marche_exploratoire", 1, 2),
        (busy, "marche_exploratoire", 3, 5),
        (busy, "atelier", 4, 1),
        (busy, "zz_cahier", 1, 2),
        (busy, "zz_cahier", 2, 1),
        (late, "atelier", 2, 3),
        (elsewhere, "ailleurs", 7, 2),
    ]:
        for _ in range(times):
            ObservationFactory(walk=walk, form_key=key, form_version=version)
    assert empty.form_key == "marche_exploratoire"
    assert sorted(forms._query_project_form_pairs(project.id)) == [
        ("atelier", 2),
        ("atelier", 4),
        ("marche_exploratoire", 1),
        ("marche_exploratoire", 2),  # the walks' own form
        ("marche_exploratoire", 3),
        ("zz_cahier", 1),
        ("zz_cahier", 2),
    ]
    assert sorted(forms._query_project_form_pairs(other.id)) == [("ailleurs", 7), ("marche_exploratoire", 2)]


# --- command line ---------------------------------------------------------------------------------


def test_cli_install_prints_key_and_version_and_is_idempotent(runner, db_session, tmp_path):
    workbook = write_neighbourhood_workbook(tmp_path / "diagnostic.xlsx")
    result = runner.invoke(args=["forms", "import-xlsform", str(workbook), "--install"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "diagnostic_quartier:1"
    again = runner.invoke(args=["forms", "import-xlsform", str(workbook), "--install"])
    assert again.exit_code == 0 and again.stdout.strip().splitlines()[-1] == "diagnostic_quartier:1"
    changed = write_neighbourhood_workbook(tmp_path / "v2.xlsx", remark_label="Autre chose ?")
    third = runner.invoke(args=["forms", "import-xlsform", str(changed), "--install", "--key", "diag"])
    assert third.stdout.strip().splitlines()[-1] == "diag:1"


def test_cli_install_refuses_a_bad_workbook_in_french(runner, db_session, tmp_path):
    before = _count()
    workbook = write_duplicate_name_workbook(tmp_path / "menages.xlsx")
    result = runner.invoke(args=["forms", "import-xlsform", str(workbook), "--install"])
    assert result.exit_code == 1
    assert "Import annulé, rien n'a été enregistré" in result.output
    assert "Feuille « survey », ligne 6" in result.output
    assert _count() == before


def test_cli_install_names_unsupported_questions_or_leaves_them_out(runner, db_session, tmp_path):
    workbook = write_neighbourhood_workbook(
        tmp_path / "trace.xlsx", survey_rows=[("geotrace", "parcours", "Votre parcours", "", "", "")]
    )
    refused = runner.invoke(args=["forms", "import-xlsform", str(workbook), "--install"])
    assert refused.exit_code == 1
    assert "Feuille « survey », ligne 7" in refused.output and "« parcours » (geotrace)" in refused.output
    accepted = runner.invoke(
        args=["forms", "import-xlsform", str(workbook), "--install", "--skip-unsupported"]
    )
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.strip().splitlines()[-1] == "diagnostic_quartier:1"
    assert "laissée de côté" in accepted.output
