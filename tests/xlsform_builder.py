"""Write small XLSForm workbooks (.xlsx) for tests, with openpyxl (a dependency of pyxform).

Real workbooks live in ``tests/data/xlsforms/``; this builder makes the constructs those do not
have, such as an invalid form, without shipping a workbook whose licence forbids it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

Rows = Sequence[Sequence[object]]


def write_xlsform(path: Path, survey: Rows, choices: Rows = (), settings: Rows = ()) -> Path:
    """Write a workbook whose sheets hold these rows (the first row of each is its header)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows:
            extra = workbook.create_sheet(title)
            for row in rows:
                extra.append(list(row))
    workbook.save(path)
    return path


def write_duplicate_name_workbook(path: Path) -> Path:
    """A household-survey-like workbook with one question name used on two rows (rows 5 and 6).

    The same defect as a real field form: the two rows differ only in their list and their
    ``relevant`` condition, which pyxform refuses ("Questions, groups, and repeats must be unique").
    """
    return write_xlsform(
        path,
        survey=[
            ("type", "name", "label", "relevant"),
            ("integer", "Age", "Âge des membres du ménage", ""),
            ("select_one oui_non", "Toilettes", "Avez-vous des toilettes ?", ""),
            ("geopoint", "Lieu", "Position du ménage", ""),
            ("select_multiple habitudes_a", "HandWashHabits1", "Mains (enfants)", "min(${Age})<5"),
            ("select_multiple habitudes_b", "HandWashHabits1", "Mains (adultes)", "min(${Age})>=5"),
        ],
        choices=[
            ("list_name", "name", "label"),
            ("oui_non", "oui", "Oui"),
            ("oui_non", "non", "Non"),
            ("habitudes_a", "savon", "Avec du savon"),
            ("habitudes_a", "eau", "À l'eau seule"),
            ("habitudes_b", "savon", "Avec du savon"),
            ("habitudes_b", "cendre", "Avec de la cendre"),
        ],
    )


def write_neighbourhood_workbook(path: Path, *, remark_label: str = "Une remarque ?", **extra: Rows) -> Path:
    """A small French survey of a neighbourhood, as a facilitator would write it for a walk.

    Its category list gives the themes, one of them marked ``sensitive`` (« Insécurité »); the
    questions map to a rating, a long text, a choice and a photo. ``remark_label`` changes one label
    (a changed workbook); ``extra`` rows are appended to the survey sheet.
    """
    return write_xlsform(
        path,
        survey=[
            ("type", "name", "label", "required", "constraint", "appearance"),
            ("select_one categories", "categorie", "Thème", "yes", "", ""),
            ("integer", "ressenti", "Comment vous sentez-vous ici ?", "", ". >= 1 and . <= 5", ""),
            ("text", "remarque", remark_label, "", "", "multiline"),
            ("select_one moment", "moment", "Quand passez-vous ici ?", "", "", ""),
            ("image", "photo", "Une photo ?", "", "", ""),
            *extra.get("survey_rows", ()),
        ],
        choices=[
            ("list_name", "name", "label", "emoji", "sensitive"),
            ("categories", "bruit", "Bruit", "🔊", ""),
            ("categories", "proprete", "Propreté", "🧹", ""),
            ("categories", "insecurite", "Insécurité", "🚨", "yes"),
            ("moment", "jour", "En journée", "", ""),
            ("moment", "soir", "Le soir", "", ""),
        ],
        settings=[("form_title", "form_id"), ("Diagnostic du quartier", "diagnostic_quartier")],
    )


def write_walk_grid_workbook(path: Path) -> Path:
    """The grid a team writes for its first project (``grille_nord``): themes and one question of its own.

    Three themes from the category list (« Agression » marked ``sensitive``) and one required single
    choice, « Vous passez ici… » (``frequence``: ``chaque_jour``, ``parfois``, ``jamais``).
    """
    return write_xlsform(
        path,
        survey=[
            ("type", "name", "label", "required"),
            ("select_one themes", "theme", "De quoi s'agit-il ?", "yes"),
            ("select_one frequence", "frequence", "Vous passez ici…", "yes"),
        ],
        choices=[
            ("list_name", "name", "label", "emoji", "sensitive"),
            ("themes", "eclairage_nord", "Éclairage", "💡", ""),
            ("themes", "jeux", "Aires de jeux", "🛝", ""),
            ("themes", "agression", "Agression", "🚨", "yes"),
            ("frequence", "chaque_jour", "Tous les jours", "", ""),
            ("frequence", "parfois", "De temps en temps", "", ""),
            ("frequence", "jamais", "Jamais", "", ""),
        ],
        settings=[("form_title", "form_id"), ("Grille Amiens Nord", "grille_nord")],
    )
