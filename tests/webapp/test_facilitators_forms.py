"""The staff pages of observation forms: the list of versions, one version, importing a workbook."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from mobile_forms import FIELD_TYPES
from tests.factories import ProjectFactory
from tests.webapp.support import csrf_token, login, url
from tests.xlsform_builder import write_duplicate_name_workbook, write_neighbourhood_workbook
from webapp.extensions import db
from webapp.models import FormVersion
from webapp.models.enums import FieldKind
from webapp.services import accounts, forms, teams

PASSWORD = "un-mot-de-passe-solide"


def _login(client, email: str) -> None:  # type: ignore[no-untyped-def]
    response = login(client, email, PASSWORD)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]


@pytest.fixture
def facilitator(app, client):  # type: ignore[no-untyped-def]
    """A facilitator of some project, signed in: any facilitator may import forms."""
    user = accounts.create_user(email="anim-formulaires@example.org", password=PASSWORD, display_name="Awa")
    teams.add_membership(user, ProjectFactory().id, "facilitator")
    _login(client, user.email)
    return user


def _csrf(client) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, url("facilitators.import_form"))


def _upload(client, content: bytes, name: str = "diagnostic.xlsx", **fields):  # type: ignore[no-untyped-def]
    """Post the upload form; the body is encoded in memory (werkzeug's test builder would spool a large
    one to a temporary file it never closes)."""
    workbook = FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream")
    values = {"csrf_token": _csrf(client), "workbook": workbook, **fields}
    boundary, body = encode_multipart(values)
    return client.post(
        url("facilitators.import_form"), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _count() -> int:
    return db.session.scalar(select(func.count(FormVersion.id))) or 0


def test_the_list_shows_every_version_with_its_use(client, facilitator):
    html = client.get(url("facilitators.forms_index")).get_data(as_text=True)
    assert "Marche exploratoire" in html and "marche_exploratoire" in html
    assert url("facilitators.form_version", key="marche_exploratoire", version=2) in html
    assert url("facilitators.form_version", key="marche_exploratoire", version=1) in html
    assert "Fourni avec Arpenteur" in html
    assert 'enctype="multipart/form-data"' in html  # the upload form is on the page


def test_importing_a_workbook_stores_it_and_shows_its_version(client, facilitator, tmp_path):
    content = write_neighbourhood_workbook(tmp_path / "diagnostic.xlsx").read_bytes()
    before = _count()
    response = _upload(client, content)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        url("facilitators.form_version", key="diagnostic_quartier", version=1)
    )
    assert _count() == before + 1
    stored = forms.get_form("diagnostic_quartier", 1)
    assert stored.created_by_id == facilitator.id and stored.source_name == "diagnostic.xlsx"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "enregistré : version 1" in page
    assert "🔊" in page and "🚨" in page and "Insécurité" in page
    assert page.count('class="badge-sensitive"') == 1  # only « Insécurité » is sensitive
    assert "Comment vous sentez-vous ici ?" in page and "de 1 à 5" in page
    assert "Rapport d'import" in page and "categorie" in page
    # the same workbook again: the same version, nothing new
    again = _upload(client, content)
    assert again.status_code == 303 and _count() == before + 1
    assert "même contenu que la version 1" in client.get(again.headers["Location"]).get_data(as_text=True)
    # the list names who imported it and counts its use
    listing = client.get(url("facilitators.forms_index")).get_data(as_text=True)
    assert "Diagnostic du quartier" in listing and "Awa" in listing


def test_a_workbook_with_errors_lists_each_problem_with_sheet_and_row(client, facilitator, tmp_path):
    before = _count()
    response = _upload(
        client, write_duplicate_name_workbook(tmp_path / "menages.xlsx").read_bytes(), "menages.xlsx"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Import annulé, rien n'a été enregistré." in html
    assert "Feuille « survey », ligne 6" in html and "HandWashHabits1" in html
    assert _count() == before


def test_questions_the_page_cannot_show_are_named_unless_left_out(client, facilitator, tmp_path):
    content = write_neighbourhood_workbook(
        tmp_path / "trace.xlsx", survey_rows=[("geotrace", "parcours", "Votre parcours", "", "", "")]
    ).read_bytes()
    refused = _upload(client, content)
    assert refused.status_code == 422
    assert "ligne 7" in refused.get_data(as_text=True) and "parcours" in refused.get_data(as_text=True)
    accepted = _upload(client, content, skip_unsupported="y")
    assert accepted.status_code == 303
    page = client.get(accepted.headers["Location"]).get_data(as_text=True)
    assert "Lignes laissées de côté" in page and "parcours" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("grille.pdf", b"%PDF-1.7 not a workbook", "Seuls les classeurs .xlsx et .xls sont acceptés."),
        ("grille.xlsx", b"type;name;label\ntext;a;A\n", "n&#39;est pas un classeur Excel"),
        (
            "grille.xlsx",
            b"PK\x03\x04" + b"0" * (forms.MAX_WORKBOOK_BYTES + 10),
            "trop volumineux : 5 Mo au plus",
        ),
    ],
)
def test_a_file_of_the_wrong_kind_or_too_big_gets_a_clear_message(
    client, facilitator, name, content, message
):
    before = _count()
    response = _upload(client, content, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == before


def test_a_bad_key_is_refused_on_the_form(client, facilitator, tmp_path):
    content = write_neighbourhood_workbook(tmp_path / "d.xlsx").read_bytes()
    response = _upload(client, content, key="Sécurité parc")
    assert response.status_code == 422
    assert "Minuscules sans accent" in response.get_data(as_text=True)
    assert _upload(client, content, key="securite_parc").status_code == 303
    assert forms.get_form("securite_parc", 1).origin == "xlsform"


def test_a_version_page_shows_the_default_grid_with_its_sensitive_theme(client, facilitator):
    html = client.get(url("facilitators.form_version", key="marche_exploratoire", version=2)).get_data(
        as_text=True
    )
    assert "Harcèlement" in html and html.count('class="badge-sensitive"') == 1
    assert "Rapport d'import" not in html  # shipped, not imported
    v1 = client.get(url("facilitators.form_version", key="marche_exploratoire", version=1)).get_data(
        as_text=True
    )
    assert 'class="badge-sensitive"' not in v1  # version 1 did not mark it
    assert client.get(url("facilitators.form_version", key="absent", version=1)).status_code == 404


def test_partners_may_not_see_or_import_forms(app, client, tmp_path):
    user = accounts.create_user(email="partenaire-formulaires@example.org", password=PASSWORD)
    teams.add_membership(user, ProjectFactory().id, "partner")
    _login(client, user.email)
    assert client.get(url("facilitators.forms_index")).status_code == 403
    assert client.get(url("facilitators.import_form")).status_code == 403


def test_every_field_type_has_a_label_and_is_rendered_by_the_capture_page():
    assert {kind.value for kind in FieldKind} == set(FIELD_TYPES) == forms.RENDERED_FIELD_TYPES
