from tests.webapp.support import url
from webapp.services import projects


def test_landing_page_lists_projects_in_french(client, db_session):
    projects.create_project(slug="amiens", name="Marches exploratoires — Amiens", territory=["80021"])
    response = client.get(url("public.index"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'lang="fr"' in page
    assert "Marches exploratoires — Amiens" in page


def test_each_test_starts_from_an_empty_database(db_session):
    assert projects.count_projects() == 0
