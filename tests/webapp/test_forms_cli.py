"""`arpenteur forms …` on the shipped definitions and on real XLSForm workbooks."""

from __future__ import annotations

from click.testing import CliRunner

from tests.xlsform_builder import write_duplicate_name_workbook
from webapp.commands.forms import forms_group


def test_forms_check_accepts_every_shipped_definition():
    result = CliRunner().invoke(forms_group, ["check"])
    assert result.exit_code == 0, result.output
    assert "marche_exploratoire v1" in result.output


def test_forms_check_names_what_is_wrong(tmp_path):
    bad = tmp_path / "bad.v1.yaml"
    bad.write_text("key: bad\nversion: 1\nthemes: []\n")
    result = CliRunner().invoke(forms_group, ["check", str(bad)])
    assert result.exit_code == 1
    assert "invalide" in result.output


def test_import_xlsform_writes_a_definition_that_checks(data_dir, tmp_path):
    out = tmp_path / "toilets.v1.yaml"
    result = CliRunner().invoke(
        forms_group,
        [
            "import-xlsform",
            str(data_dir / "xlsforms" / "hotosm-osm-fieldwork_toilets.xls"),
            "--key",
            "toilets",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(forms_group, ["check", str(out)]).exit_code == 0
    again = CliRunner().invoke(
        forms_group,
        [
            "import-xlsform",
            str(data_dir / "xlsforms" / "hotosm-osm-fieldwork_toilets.xls"),
            "--key",
            "toilets",
            "-o",
            str(out),
        ],
    )
    assert again.exit_code != 0 and "ne se modifie pas" in again.output


def test_an_invalid_workbook_gets_a_clear_message(tmp_path):
    workbook = write_duplicate_name_workbook(tmp_path / "menages.xlsx")
    result = CliRunner().invoke(forms_group, ["import-xlsform", str(workbook)])
    assert result.exit_code != 0
    assert "invalid" in result.output and "HandWashHabits1" in result.output
