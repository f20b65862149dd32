"""Creating and editing projects: the page (administrators), the command line, every bad input, who may edit.

Runs on SpatiaLite and PostGIS. Each refused input must leave the database as it was.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import ObservationFactory, WalkFactory
from tests.webapp.support import PASSWORD, csrf_from, login, url
from webapp.extensions import db
from webapp.models import Membership, Project, User
from webapp.services import accounts, projects, teams, zones

AMIENS_QPV = "geodata/qpv2024_amiens.geojson"


def token_of(html: str) -> str:
    """The CSRF token of a page (Flask-WTF's hidden field or a hand-written one)."""
    return csrf_from(html)


def make_user(email: str, *, admin: bool = False, project: Project | None = None, role: str = "facilitator"):  # type: ignore[no-untyped-def]
    user = accounts.create_user(
        email=email, password=PASSWORD, display_name=email.split("@")[0], is_admin=admin
    )
    if project is not None:
        teams.add_membership(user, project.id, role)
    db.session.commit()
    return user


def signed_in(app, email: str):  # type: ignore[no-untyped-def]
    """A browser of its own, signed in as ``email``."""
    client = app.test_client()
    with app.app_context():
        response = login(client, email)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    return client


GOOD = {
    "name": "Marches exploratoires — Abbeville",
    "slug": "abbeville-2027",
    "description": "Des marches de femmes et de collégiens.",
    "communes": "80001",
    "starts_on": "2027-01-10",
    "ends_on": "2027-12-20",
    "qpv_year": "2024",
    "retention_months": "18",
}


def _post_new(app, client, **changes):  # type: ignore[no-untyped-def]
    path = url("facilitators.new_project")
    token = token_of(client.get(path).get_data(as_text=True))
    data = {**GOOD, **changes, "csrf_token": token}
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def _count() -> int:
    return db.session.scalar(select(func.count(Project.id)))


@pytest.fixture
def admin(app):  # type: ignore[no-untyped-def]
    make_user("admin@example.org", admin=True)
    return signed_in(app, "admin@example.org")


def test_an_administrator_creates_a_project_from_the_page(app, admin):
    page = admin.get(url("facilitators.index")).get_data(as_text=True)
    assert "Nouveau projet" in page
    form = admin.get(url("facilitators.new_project")).get_data(as_text=True)
    assert 'value="24"' in form and '<option selected value="2024">' in form

    response = _post_new(app, admin)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(url("facilitators.zones_page", slug="abbeville-2027"))
    db.session.expire_all()
    project = projects.get_project("abbeville-2027")
    assert (project.name, project.territory, project.qpv_year, project.retention_months) == (
        "Marches exploratoires — Abbeville",
        ["80001"],
        2024,
        18,
    )
    assert (project.starts_on, project.ends_on) == (date(2027, 1, 10), date(2027, 12, 20))
    assert project.excluded_qpv_codes == []
    # A site administrator who runs no walk is not made a member (they see every project anyway).
    assert (
        db.session.scalar(select(func.count(Membership.id)).where(Membership.project_id == project.id)) == 0
    )
    assert "Projet « Marches exploratoires — Abbeville » créé" in admin.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_the_creator_joins_the_team_when_asked(app, admin):
    response = _post_new(app, admin, join_team="y")
    assert response.status_code == 303
    project = projects.get_project("abbeville-2027")
    admin_id = db.session.scalar(select(User.id).where(User.email == "admin@example.org"))
    assert teams.project_role(db.session.get(User, admin_id), project.id) == "admin"
    role = db.session.scalar(
        select(Membership.role).where(Membership.project_id == project.id, Membership.user_id == admin_id)
    )
    assert role == "facilitator"


def test_an_administrator_who_facilitates_another_project_joins_by_default(app):
    other = projects.create_project(slug="autre", name="Autre", territory=["80021"])
    make_user("anim-admin@example.org", admin=True, project=other)
    client = signed_in(app, "anim-admin@example.org")
    html = client.get(url("facilitators.new_project")).get_data(as_text=True)
    assert re.search(r'<input checked id="join_team"', html)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "deja-pris"}, "L'identifiant « deja-pris » est déjà pris par un autre projet"),
        ({"slug": "Abbeville 2027"}, "ne convient pas comme identifiant court"),
        ({"slug": "nouveau"}, "mot réservé"),
        ({"slug": ""}, "L'identifiant court est obligatoire."),
        ({"name": "  "}, "Le nom du projet est obligatoire."),
        ({"communes": ""}, "Indiquez au moins une commune"),
        ({"communes": "8002"}, "« 8002 » n'est pas un code commune INSEE : il faut 5 caractères"),
        (
            {"communes": "80021 20004"},
            "« 20004 » n'est pas un code commune INSEE : les communes de Corse commencent par 2A ou 2B",
        ),
        ({"communes": "00123"}, "« 00123 » n'est pas un code commune INSEE : ce département n'existe pas"),
        ({"communes": "96001"}, "ce département n'existe pas"),
        ({"communes": "97901"}, "ce département n'existe pas"),
        ({"communes": "80000"}, "le numéro de commune ne peut pas être 000"),
        ({"communes": "8OO21"}, "seulement des chiffres"),
        (
            {"starts_on": "2027-06-01", "ends_on": "2027-05-31"},
            "La date de fin (31/05/2027) précède la date de début (01/06/2027).",
        ),
        ({"starts_on": "31/12/2027"}, "Date invalide : utilisez le format AAAA-MM-JJ"),
        ({"qpv_year": "2019"}, "Not a valid choice"),
        ({"retention_months": "0"}, "Entre 1 et 120 mois."),
        ({"retention_months": "douze"}, "Nombre entier attendu."),
    ],
)
def test_bad_input_on_the_new_project_page_is_refused_in_french_and_stores_nothing(
    app, admin, changes, message
):
    projects.create_project(slug="deja-pris", name="Déjà là", territory=["80021"])
    db.session.commit()
    before = _count()

    response = _post_new(app, admin, **changes)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    if message == "Not a valid choice":
        # A year the select list does not offer can only come from a forged request.
        assert 'aria-invalid="true"' in html and 'id="qpv_year-erreur"' in html
    else:
        assert message in html.replace("&#39;", "'").replace("&#34;", '"'), html[:3000]
    assert "Le projet n'a pas été enregistré" in html
    assert _count() == before


def test_accented_and_overseas_communes_are_accepted_and_normalised(app, admin):
    response = _post_new(app, admin, communes="2a004, 97411;80021 80021")
    assert response.status_code == 303
    assert projects.get_project("abbeville-2027").territory == ["2A004", "97411", "80021"]


def test_only_administrators_create_projects(app):
    project = projects.create_project(slug="amiens", name="Amiens", territory=["80021"])
    make_user("anim@example.org", project=project)
    facilitator = signed_in(app, "anim@example.org")
    path = url("facilitators.new_project")
    assert facilitator.get(path).status_code == 403
    assert "Nouveau projet" not in facilitator.get(url("facilitators.index")).get_data(as_text=True)
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 302 and url("auth.login") in response.headers["Location"]


# --- editing ------------------------------------------------------------------------------------------


@pytest.fixture
def amiens(app, runner, data_dir):  # type: ignore[no-untyped-def]
    """The Amiens QPV imported, a project on Amiens with an observation inside Amiens Nord."""
    result = runner.invoke(args=["geodata", "import-qpv", str(data_dir / AMIENS_QPV)])
    assert result.exit_code == 0, result.output
    project = projects.create_project(slug="amiens", name="Amiens", territory=["80021"])
    walk = WalkFactory(project=project)
    inside = json.loads((data_dir / "geodata/qpv2024_amiens_inside_points.geojson").read_text())["features"]
    lon, lat = next(f for f in inside if f["properties"]["code_qp"] == "QN08003M")["geometry"]["coordinates"]
    observation = ObservationFactory(walk=walk, lon=lon, lat=lat)
    zones.reassign_observations([project])
    db.session.commit()
    assert observation.zone.code == "QN08003M"
    return project, observation


def _post_edit(app, client, project, **changes):  # type: ignore[no-untyped-def]
    """The edit page sent back with ``changes`` (its values, token and mark as the page gives them)."""
    return client.post(
        url("facilitators.edit_project", slug=project.slug), data={**_edit_form(client, project), **changes}
    )


def test_a_facilitator_of_the_project_edits_it_and_changing_communes_reassigns(app, amiens):
    project, observation = amiens
    make_user("anim@example.org", project=project)
    client = signed_in(app, "anim@example.org")
    html = client.get(url("facilitators.edit_project", slug="amiens")).get_data(as_text=True)
    assert 'value="80021"' in html and "amiens" in html

    response = _post_edit(app, client, project, name="Amiens, nouvelle saison", communes="80001")
    assert response.status_code == 303
    assert "1 observation(s) ont changé de zone" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.session.expire_all()
    project = projects.get_project("amiens")
    assert (project.name, project.territory, project.slug) == ("Amiens, nouvelle saison", ["80001"], "amiens")
    assert db.session.get(type(observation), observation.id).zone_id is None  # Abbeville's QPV are elsewhere

    _post_edit(app, client, project, communes="80021")
    db.session.expire_all()
    assert db.session.get(type(observation), observation.id).zone.code == "QN08003M"


def test_changing_the_qpv_list_year_reassigns(app, amiens):
    project, observation = amiens
    admin = make_user("admin@example.org", admin=True)
    assert admin.is_admin
    client = signed_in(app, "admin@example.org")
    assert _post_edit(app, client, project, qpv_year="2015").status_code == 303
    db.session.expire_all()
    assert db.session.get(type(observation), observation.id).zone_id is None  # no 2015 perimeter imported


def test_bad_input_when_editing_changes_nothing(app, amiens):
    project, _ = amiens
    make_user("anim@example.org", project=project)
    client = signed_in(app, "anim@example.org")
    response = _post_edit(app, client, project, name="Autre nom", communes="80021 123")
    assert response.status_code == 422
    assert "« 123 » n'est pas un code commune INSEE" in response.get_data(as_text=True).replace("&#39;", "'")
    db.session.expire_all()
    assert (projects.get_project("amiens").name, projects.get_project("amiens").territory) == (
        "Amiens",
        ["80021"],
    )


def _edit_form(client, project):  # type: ignore[no-untyped-def]
    """The edit page's values, as a browser would send them back untouched (its mark included)."""
    html = client.get(url("facilitators.edit_project", slug=project.slug)).get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', html)
    assert seen and "territory=" in seen.group(1)
    return {
        "name": project.name,
        "description": project.description,
        "communes": " ".join(project.territory),
        "starts_on": "",
        "ends_on": "",
        "qpv_year": str(project.qpv_year),
        "retention_months": str(project.retention_months),
        "seen": seen.group(1),
        "csrf_token": token_of(html),
    }


def test_two_editors_of_a_project_keep_each_others_changes_or_are_told(app, amiens):
    project, _ = amiens
    make_user("anim@example.org", project=project)
    client = signed_in(app, "anim@example.org")
    path = url("facilitators.edit_project", slug="amiens")
    form = _edit_form(client, project)
    # a colleague changes the description meanwhile
    projects.update_project(project, name=project.name, territory=project.territory, description="Saison 2")
    db.session.commit()
    response = client.post(path, data={**form, "retention_months": "36"})
    assert response.status_code == 303
    db.session.expire_all()
    project = projects.get_project("amiens")
    assert (project.description, project.retention_months) == ("Saison 2", 36)
    page = client.get(response.headers["Location"]).get_data(as_text=True).replace("&#39;", "'")
    assert "quelqu'un d'autre a changé : « Description »" in page

    # both rename it: nothing saved, the form as typed; saving again keeps it
    form = _edit_form(client, project)
    projects.update_project(project, name="Amiens (colline)", territory=project.territory)
    db.session.commit()
    response = client.post(path, data={**form, "name": "Amiens 2027"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "quelqu&#39;un d&#39;autre a changé : « Nom du projet ». Rien n&#39;a été enregistré." in html
    assert 'value="Amiens 2027"' in html
    db.session.expire_all()
    assert projects.get_project("amiens").name == "Amiens (colline)"
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', html).group(1)
    again = client.post(
        path, data={**form, "name": "Amiens 2027", "seen": seen, "csrf_token": token_of(html)}
    )
    assert again.status_code == 303
    db.session.expire_all()
    assert projects.get_project("amiens").name == "Amiens 2027"


@pytest.mark.parametrize("who", ["outsider", "partner"])
def test_staff_of_another_project_and_partners_cannot_edit(app, amiens, who):
    project, _ = amiens
    if who == "outsider":
        other = projects.create_project(slug="ailleurs", name="Ailleurs", territory=["80001"])
        make_user("anim-b@example.org", project=other)
        email = "anim-b@example.org"
    else:
        make_user("partenaire@example.org", project=project, role="partner")
        email = "partenaire@example.org"
    client = signed_in(app, email)
    path = url("facilitators.edit_project", slug="amiens")
    assert client.get(path).status_code == 403
    response = client.post(
        path, data={"name": "Piraté", "communes": "80001", "qpv_year": "2024", "retention_months": "6"}
    )
    assert response.status_code in (400, 403)
    db.session.expire_all()
    assert projects.get_project("amiens").name == "Amiens"


def test_my_projects_lists_walks_with_status_and_what_waits_for_moderation(app, amiens):
    project, _ = amiens
    WalkFactory(project=project, title="Marche de nuit", status="closed", walk_date=date(2026, 4, 2))
    make_user("anim@example.org", project=project)
    other = projects.create_project(slug="ailleurs", name="Ailleurs", territory=["80001"])
    WalkFactory(project=other, title="Marche d'ailleurs")
    db.session.commit()
    client = signed_in(app, "anim@example.org")
    html = client.get(url("facilitators.index")).get_data(as_text=True)
    assert "Marche de nuit" in html and "Terminée" in html and "Ouverte" in html
    assert "1 observation(s) à modérer" in html
    assert "Marche d&#39;ailleurs" not in html and "Ailleurs" not in html
    assert "Nouveau projet" not in html


# --- command line -----------------------------------------------------------------------------------


def test_projects_create_from_the_command_line(runner):
    result = runner.invoke(
        args=[
            "projects",
            "create",
            "amiens-2026",
            "--name",
            "Marches Amiens",
            "--commune",
            "80021",
            "--commune",
            "80001",
            "--qpv-year",
            "2015",
            "--start",
            "2026-01-05",
            "--end",
            "2027-06-30",
            "--description",
            "Dix-huit mois",
            "--retention-months",
            "12",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Projet « Marches Amiens » créé : amiens-2026" in result.output
    project = projects.get_project("amiens-2026")
    assert (project.territory, project.qpv_year, project.retention_months, project.ends_on) == (
        ["80021", "80001"],
        2015,
        12,
        date(2027, 6, 30),
    )
    listed = runner.invoke(args=["projects", "list"])
    assert listed.exit_code == 0 and "amiens-2026\tMarches Amiens\t80021,80001\tQPV 2015" in listed.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--commune", "8002"], "« 8002 » n'est pas un code commune INSEE"),
        (["--commune", "80021", "--qpv-year", "2019"], "L'année de la liste QPV doit être 2015 ou 2024."),
        (["--commune", "80021", "--start", "2026-05-01", "--end", "2026-04-01"], "précède la date de début"),
        (["--commune", "80021", "--start", "1er mai"], "--start : date invalide"),
        (["--commune", "80021", "--retention-months", "0"], "entre 1 et 120"),
        (["--commune", "80021", "--retention-months", "douze"], "nombre entier attendu"),
    ],
)
def test_projects_create_refuses_bad_input_with_a_french_message(runner, extra, message):
    result = runner.invoke(args=["projects", "create", "nouveau-projet", "--name", "Nouveau", *extra])
    assert result.exit_code != 0
    assert message in result.output
    assert _count() == 0


def test_projects_create_refuses_a_slug_taken(runner):
    assert (
        runner.invoke(args=["projects", "create", "amiens", "--name", "A", "--commune", "80021"]).exit_code
        == 0
    )
    result = runner.invoke(args=["projects", "create", "amiens", "--name", "B", "--commune", "80001"])
    assert result.exit_code == 1
    assert "L'identifiant « amiens » est déjà pris" in result.output
    assert projects.get_project("amiens").name == "A"
    assert _count() == 1


def test_the_service_checks_what_the_page_checks(db_session):
    with pytest.raises(Exception, match="pas un code commune INSEE"):
        projects.create_project(slug="x-" + uuid.uuid4().hex[:4], name="X", territory=["2C004"])
    assert _count() == 0


def test_the_header_offers_the_facilitators_pages_to_all_but_partners_only(app, db_session):
    """« Animation » led a partner to a page that lists nothing for them (« Aucun projet ne vous est
    encore attribué »): it is left out of the header of an account that is only ever a partner. A
    facilitator, someone who is a partner here and a facilitator there, an administrator and an account
    with no project yet keep it (the last one will be given a project there)."""
    here, there = WalkFactory().project, WalkFactory().project
    make_user("nav-anim@example.org", project=here)
    make_user("nav-part@example.org", project=here, role="partner")
    both = make_user("nav-both@example.org", project=here, role="partner")
    teams.add_membership(both, there.id, "facilitator")
    make_user("nav-admin@example.org", admin=True)
    make_user("nav-new@example.org")
    db.session.commit()
    animation = url("facilitators.index", app=app)
    for email, offered in (
        ("nav-anim@example.org", True),
        ("nav-part@example.org", False),
        ("nav-both@example.org", True),
        ("nav-admin@example.org", True),
        ("nav-new@example.org", True),
    ):
        client = signed_in(app, email)
        for endpoint in ("partners.index", "auth.account"):
            html = client.get(url(endpoint, app=app)).get_data(as_text=True)
            nav = re.search(r'<nav class="staff-nav".*?</nav>', html, re.S)
            assert nav is not None, (email, endpoint)
            assert (f'href="{animation}"' in nav.group(0)) is offered, (email, endpoint)
            assert f'href="{url("partners.index", app=app)}"' in nav.group(0)
