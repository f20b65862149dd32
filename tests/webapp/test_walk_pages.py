"""Walk planning pages: plan (typed route, GPX, GeoJSON), bad input, edit, copy, status, join screen, kit.

Runs on both databases through the test client, signed in as the project's facilitator.
"""

from __future__ import annotations

import io
import re
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest
from shapely.geometry import LineString, MultiPolygon, box

from tests.webapp.capture_support import ROUTE
from tests.webapp.support import csrf_from, login, url
from webapp.extensions import db
from webapp.models import Walk
from webapp.services import accounts, observations, projects, rewalks, teams, walks, zones

PASSWORD = "correct-horse-battery"
STOPS_TEXT = (
    "2.2950, 49.9180, Maison de quartier\n2.2990, 49.9195, Square Vogel\n2.3030, 49.9210, Arrêt de bus"
)
ROUTE_TEXT = "\n".join(f"{lon}, {lat}" for lon, lat in ROUTE)


@pytest.fixture
def project(app, db_session):  # type: ignore[no-untyped-def]
    project = projects.create_project(
        slug=f"p-{uuid.uuid4().hex[:6]}", name="Amiens Nord", territory=["80021"]
    )
    zones.save_custom_zone(
        project, code="nord", name="Nord", geometry=MultiPolygon([box(2.290, 49.914, 2.308, 49.925)])
    )
    user = accounts.create_user(email=f"{project.slug}@example.org", password=PASSWORD)
    teams.add_membership(user, project.id, "facilitator")
    db.session.flush()
    return project


@pytest.fixture
def staff(client, project):  # type: ignore[no-untyped-def]
    response = login(client, f"{project.slug}@example.org", PASSWORD)
    assert response.status_code in (302, 303)
    return client


def _plan(client, app, project, **fields):  # type: ignore[no-untyped-def]
    path = url("facilitators.new_walk", slug=project.slug)
    page = client.get(path)
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_from(page),
        "title": "Marche du soir",
        "walk_date": "2026-03-12",
        "starts_at": "19:00",
        "ends_at": "21:00",
        "time_slot": "",
        "meeting_point": "Devant le centre social",
        "group_description": "femmes du quartier",
        "expected_size": "12",
        "form_choice": "marche_exploratoire:2",
        "route": ROUTE_TEXT,
        "stops": STOPS_TEXT,
    }
    data.update(fields)
    return client.post(path, data=_multipart(data), content_type=f"multipart/form-data; boundary={BOUNDARY}")


BOUNDARY = "arpenteur-test-boundary"


def _multipart(data: dict) -> bytes:  # type: ignore[type-arg]
    """The request body by hand: werkzeug's test builder spools big bodies to a file it never closes."""
    out = io.BytesIO()
    for name, value in data.items():
        out.write(f"--{BOUNDARY}\r\n".encode())
        if isinstance(value, tuple):
            handle, filename = value
            handle.seek(0)  # the same parameter serves both databases
            out.write(f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode())
            out.write(b"Content-Type: application/octet-stream\r\n\r\n" + handle.read() + b"\r\n")
        else:
            out.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


def _walks(project) -> list[Walk]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return walks.list_walks(project)


def test_planning_a_walk_with_a_typed_route_and_stops(staff, app, project):
    response = _plan(staff, app, project)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    (walk,) = _walks(project)
    assert response.headers["Location"].endswith(
        url("facilitators.walk_page", slug=project.slug, walk_id=walk.id)
    )
    assert walk.title == "Marche du soir" and walk.time_slot == "evening" and walk.status == "planned"
    assert (walk.meeting_point, walk.group_description, walk.expected_size) == (
        "Devant le centre social",
        "femmes du quartier",
        12,
    )
    assert [s.name for s in walk.stops] == ["Maison de quartier", "Square Vogel", "Arrêt de bus"]
    assert LineString(walks.route_points(walk)).equals_exact(LineString(ROUTE), 1e-6)
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert walk.join_code in page and "Ouvrir la marche" in page


def _gpx(points) -> bytes:  # type: ignore[no-untyped-def]
    pts = "".join(
        f'<trkpt lat="{lat}" lon="{lon}"><time>2026-03-12T18:0{i}:00Z</time></trkpt>'
        for i, (lon, lat) in enumerate(points)
    )
    wpts = (
        '<wpt lat="49.9180" lon="2.2950"><name>Départ</name></wpt>'
        '<wpt lat="49.9210" lon="2.3030"><name>Arrivée</name></wpt>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="OpenTracks" '
        f'xmlns="http://www.topografix.com/GPX/1/1">{wpts}<trk><name>Repérage</name><trkseg>{pts}</trkseg></trk></gpx>'
    ).encode()


def test_a_route_imported_from_a_gpx_track_recorded_on_a_phone(staff, app, project, tmp_path: Path):
    path = tmp_path / "reperage.gpx"
    path.write_bytes(_gpx(ROUTE))
    with path.open("rb") as handle:
        response = _plan(staff, app, project, route="", stops="", route_file=(handle, path.name))
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    (walk,) = _walks(project)
    assert LineString(walks.route_points(walk)).equals_exact(LineString(ROUTE), 1e-6)
    assert [s.name for s in walk.stops] == ["Départ", "Arrivée"]  # the waypoints, since no stop was typed


def test_a_route_imported_from_a_geojson_line(staff, app, project):
    geojson = (
        b'{"type": "Feature", "properties": {}, '
        b'"geometry": {"type": "LineString", "coordinates": [[2.295, 49.918], [2.303, 49.921]]}}'
    )
    response = _plan(staff, app, project, route="", route_file=(io.BytesIO(geojson), "trace.geojson"))
    assert response.status_code == 303
    (walk,) = _walks(project)
    assert len(walks.route_points(walk)) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"route": "2.2950, 49.9180"}, "au moins deux points"),
        ({"route": "2.2950, 49.9180\n2.2950, 49.9180"}, "au moins deux points"),
        ({"route": "", "route_file": (io.BytesIO(b"\x89PNG\r\n"), "photo.png")}, "GPX"),
        (
            {
                "route": "",
                "route_file": (
                    io.BytesIO(
                        b'<gpx xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="49.9" lon="2.3"/></gpx>'
                    ),
                    "points.gpx",
                ),
            },
            "ne contient aucune trace",
        ),
        (
            {
                "route": "",
                "route_file": (io.BytesIO(b"<gpx>" + b" " * (5 * 2**20 + 10) + b"</gpx>"), "gros.gpx"),
            },
            "trop lourd",
        ),
        ({"title": ""}, "Donnez un titre"),
        ({"walk_date": "12/03/2026"}, "pas une date valide"),
        ({"stops": "2.2950, 49.9180"}, "pas de nom"),
        ({"route": "ici et là\n2.29, 49.91"}, "Ligne 1 illisible"),
        ({"starts_at": "15:00", "ends_at": "14:00"}, "fin précède"),
        ({"expected_size": "0"}, "Entre 1 et 500"),
        ({"form_choice": "inconnu:9"}, "pas un choix valide"),
    ],
)
def test_bad_input_gets_a_french_message_and_stores_nothing(staff, app, project, fields, message):
    response = _plan(staff, app, project, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html, re.sub(r"\s+", " ", html)[-3000:]
    assert _walks(project) == []


def test_stops_far_from_the_project_get_a_warning_but_are_saved(staff, app, project):
    response = _plan(staff, app, project, stops=STOPS_TEXT + "\n3.0708, 50.6366, Gare de Lille")
    assert response.status_code == 303
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gare de Lille" in page and "plus de 2 km" in page
    assert len(_walks(project)[0].stops) == 4


def test_editing_reorders_and_renames_stops(staff, app, project, open_walk):
    walk = open_walk
    path = url("facilitators.edit_walk", slug=project.slug, walk_id=walk.id)
    page = staff.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "2.295000, 49.918000, A" in html
    data = {
        "csrf_token": csrf_from(page),
        "title": "Jour (modifiée)",
        "walk_date": "2026-03-14",
        "starts_at": "",
        "ends_at": "",
        "time_slot": "night",
        "form_choice": "marche_exploratoire:2",
        "route": ROUTE_TEXT,
        "stops": "2.3030, 49.9210, Bus\n2.2950, 49.9180, Maison",
    }
    response = staff.post(
        path, data=_multipart(data), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 303
    walk = _walks(project)[0]
    assert (
        walk.title == "Jour (modifiée)" and walk.time_slot == "night" and walk.walk_date == date(2026, 3, 14)
    )
    assert [s.name for s in walk.stops] == ["Bus", "Maison"]


def test_duplicating_a_walk_as_a_rewalk(staff, app, project, open_walk):
    walk = open_walk
    path = url("facilitators.duplicate_walk", slug=project.slug, walk_id=walk.id)
    page = staff.get(path)
    assert "Jour (copie)" in page.get_data(as_text=True)
    token = csrf_from(page)
    plain = staff.post(
        path,
        data={
            "csrf_token": token,
            "title": "Nuit",
            "walk_date": "2026-03-12",
            "starts_at": "21:30",
            "time_slot": "",
        },
    )
    assert plain.status_code == 303
    linked = staff.post(
        path,
        data={
            "csrf_token": token,
            "title": "Re-marche",
            "walk_date": "2026-09-12",
            "time_slot": "",
            "as_rewalk": "y",
        },
    )
    assert linked.status_code == 303
    night, rewalk = [w for w in _walks(project) if w.id != walk.id]
    assert night.time_slot == "night" and [s.name for s in night.stops] == ["A", "B"]
    assert rewalks.get_original(night) is None
    assert rewalks.get_original(rewalk).id == walk.id and len(rewalk.stops) == 2
    assert len({walk.join_code, night.join_code, rewalk.join_code}) == 3
    too_early = staff.post(
        path,
        data={
            "csrf_token": token,
            "title": "Avant",
            "walk_date": "2026-01-01",
            "time_slot": "",
            "as_rewalk": "y",
        },
    )
    assert too_early.status_code == 422 and "avant celle-ci" in too_early.get_data(as_text=True)


def test_open_close_with_confirmation_and_reopen(staff, app, project):
    walk = walks.create_walk(project, title="Jour", walk_date=date(2026, 3, 12), route=ROUTE)
    page_url = url("facilitators.walk_page", slug=project.slug, walk_id=walk.id)
    token = csrf_from(staff.get(page_url))
    opened = staff.post(
        url("facilitators.open_walk", slug=project.slug, walk_id=walk.id), data={"csrf_token": token}
    )
    assert opened.status_code == 303 and _walks(project)[0].status == "open"
    close_url = url("facilitators.close_walk", slug=project.slug, walk_id=walk.id)
    confirm = staff.get(close_url)
    assert confirm.status_code == 200 and "48 h" in confirm.get_data(as_text=True)
    unconfirmed = staff.post(close_url, data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and "Cochez la case" in unconfirmed.get_data(as_text=True)
    assert _walks(project)[0].status == "open"
    closed = staff.post(close_url, data={"csrf_token": token, "confirm": "y"})
    assert closed.status_code == 303 and _walks(project)[0].status == "closed"
    assert "Rouvrir la marche" in staff.get(page_url).get_data(as_text=True)
    staff.post(url("facilitators.open_walk", slug=project.slug, walk_id=walk.id), data={"csrf_token": token})
    assert _walks(project)[0].status == "open" and _walks(project)[0].closed_at is None


def test_a_stale_open_button_does_not_reopen_a_walk_a_colleague_closed(staff, app, project):
    """« Ouvrir la marche » on a page shown while the walk was planned; meanwhile a colleague opened it,
    walked, and closed it: the click must not let phones send again."""
    walk = walks.create_walk(project, title="Jour", walk_date=date(2026, 3, 12), route=ROUTE)
    page_url = url("facilitators.walk_page", slug=project.slug, walk_id=walk.id)
    page = staff.get(page_url).get_data(as_text=True)
    assert 'name="seen_status" value="planned"' in page
    walks.open_walk(walk)
    walks.close_walk(walk)
    db.session.flush()
    response = staff.post(
        url("facilitators.open_walk", slug=project.slug, walk_id=walk.id),
        data={"csrf_token": csrf_from(staff.get(page_url)), "seen_status": "planned"},
    )
    assert response.status_code == 303 and _walks(project)[0].status == "closed"
    shown = staff.get(response.headers["Location"]).get_data(as_text=True).replace("&#39;", "'")
    assert "ouverte puis clôturée entre-temps" in shown and "elle n'a pas été rouverte" in shown
    # « Rouvrir la marche », shown on the closed walk's page, does reopen it
    reopened = staff.post(
        url("facilitators.open_walk", slug=project.slug, walk_id=walk.id),
        data={"csrf_token": csrf_from(staff.get(page_url)), "seen_status": "closed"},
    )
    assert reopened.status_code == 303 and _walks(project)[0].status == "open"


def test_opening_a_walk_of_a_project_without_zones_warns(staff, app, project):
    bare = projects.create_project(slug=f"b-{uuid.uuid4().hex[:5]}", name="Sans zone", territory=["80021"])
    user = (
        accounts.get_user_by_email(f"{project.slug}@example.org")
        if hasattr(accounts, "get_user_by_email")
        else None
    )
    if user is None:
        from webapp.models import User

        user = db.session.query(User).filter_by(email=f"{project.slug}@example.org").one()
    teams.add_membership(user, bare.id, "facilitator")
    walk = walks.create_walk(bare, title="Jour", walk_date=date(2026, 3, 12))
    page_url = url("facilitators.walk_page", slug=bare.slug, walk_id=walk.id)
    token = csrf_from(staff.get(page_url))
    response = staff.post(
        url("facilitators.open_walk", slug=bare.slug, walk_id=walk.id), data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert "aucune zone" in staff.get(page_url).get_data(as_text=True)
    assert _walks(bare)[0].status == "open"


def test_deleting_a_planned_walk_and_the_refusal_once_it_has_observations(staff, app, project):
    empty = walks.create_walk(project, title="Vide", walk_date=date(2026, 3, 12))
    used = walks.create_walk(project, title="Utilisée", walk_date=date(2026, 3, 13))
    observations.record_observation(
        used,
        client_uuid=uuid.uuid4(),
        lon=2.2991,
        lat=49.9196,
        theme="eclairage",
        polarity="negative",
        form_key="marche_exploratoire",
        form_version=2,
    )
    path = url("facilitators.delete_walk", slug=project.slug, walk_id=empty.id)
    token = csrf_from(staff.get(path))
    assert staff.post(path, data={"csrf_token": token, "confirm": "y"}).status_code == 303
    assert [w.title for w in _walks(project)] == ["Utilisée"]
    refused_url = url("facilitators.delete_walk", slug=project.slug, walk_id=used.id)
    assert "ne peut pas être supprimée" in staff.get(refused_url).get_data(as_text=True)
    refused = staff.post(refused_url, data={"csrf_token": token, "confirm": "y"}, follow_redirects=True)
    assert "1 observation(s)" in refused.get_data(as_text=True)
    assert [w.title for w in _walks(project)] == ["Utilisée"]


def test_the_join_screen_shows_the_code_and_an_inline_qr_code_of_the_join_link(staff, app, project):
    walk = walks.create_walk(project, title="Jour", walk_date=date(2026, 3, 12))
    walks.open_walk(walk)
    html = staff.get(url("facilitators.join_screen", slug=project.slug, walk_id=walk.id)).get_data(
        as_text=True
    )
    assert "<svg" in html and 'class="qr"' in html
    assert f"{walk.join_code[:3]}</span><span>{walk.join_code[3:]}" in html
    join = url("residents.join", code=walk.join_code)
    assert f"http://localhost{join}" in html
    assert "https://" not in html.replace("http://www.w3.org", "")
    app.config["PUBLIC_URL"] = "https://arpenteur.example.org"
    try:
        html = staff.get(url("facilitators.join_screen", slug=project.slug, walk_id=walk.id)).get_data(
            as_text=True
        )
        assert f"https://arpenteur.example.org{join}" in html
    finally:
        app.config["PUBLIC_URL"] = ""


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "kit.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_walk_kit_pdf_has_the_code_the_stops_the_themes_and_the_help_numbers(
    staff, app, project, tmp_path
):
    walk = walks.create_walk(
        project,
        title="Marche de nuit",
        walk_date=date(2026, 3, 12),
        route=ROUTE,
        stops=[("Maison de quartier", ROUTE[0]), ("Square Vogel", ROUTE[1]), ("Arrêt de bus", ROUTE[2])],
    )
    response = staff.get(url("facilitators.walk_kit", slug=project.slug, walk_id=walk.id))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = _pdf_text(response.data, tmp_path)
    squeezed = re.sub(r"\s+", " ", text)
    assert walk.join_code[:3] in text and walk.join_code[3:] in text
    for name in ("Maison de quartier", "Square Vogel", "Arrêt de bus"):
        assert name in text
    for number in ("17 / 112", "114", "3919", "119"):
        assert number in text
    assert "Éclairage" in squeezed and "pas de compte, rien de personnel" in squeezed.lower()
    assert url("residents.join", code=walk.join_code) in squeezed.replace(" ", "")
    fonts = subprocess.run(["pdffonts", "-"], input=response.data, capture_output=True).stdout.decode()
    assert "Emoji" in fonts  # the themes' pictograms are drawn, not left as empty boxes
    # One A4 sheet, as the README promises (the themes and help numbers went to a second page, which
    # left a third of the first one empty and doubled the paper for a group).
    assert _pdf_pages(response.data) == 1


def _pdf_pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def test_a_walk_with_many_stops_gets_its_whole_kit_on_a_second_page(staff, app, project, tmp_path):
    names = [f"Arrêt numéro {n} devant la résidence des Tilleuls, côté parking" for n in range(1, 19)]
    walk = walks.create_walk(
        project,
        title="Grande boucle",
        walk_date=date(2026, 3, 12),
        route=ROUTE,
        stops=[(name, ROUTE[n % len(ROUTE)]) for n, name in enumerate(names)],
    )
    response = staff.get(url("facilitators.walk_kit", slug=project.slug, walk_id=walk.id))
    (tmp_path / "kit.pdf").write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "kit.pdf"), "-"], capture_output=True, text=True
    ).stdout
    squeezed = re.sub(r"\s+", " ", text)  # reading order: a long name wraps, its words stay together
    for name in names:
        assert name in squeezed, name
    for number in ("17 / 112", "3919", "119"):
        assert number in squeezed
    assert _pdf_pages(response.data) == 2


def test_the_walk_kit_map_speaks_the_kit_language_in_text(staff, app, project, tmp_path):
    """The kit's map keeps its words as text (searchable in the PDF), in the kit's language."""
    walk = walks.create_walk(
        project,
        title="Marche du matin",
        walk_date=date(2026, 3, 12),
        route=ROUTE,
        stops=[("Maison de quartier", ROUTE[0]), ("Square Vogel", ROUTE[1])],
    )
    response = staff.get(url("facilitators.walk_kit", slug=project.slug, walk_id=walk.id))
    text = re.sub(r"\s+", " ", _pdf_text(response.data, tmp_path))
    assert "Itinéraire" in text and "Arrêt (numéro)" in text, text
    assert "Route" not in text and "Stop" not in text


# --- two people editing one walk ------------------------------------------------------------------


def _edit_page(staff, project, walk):  # type: ignore[no-untyped-def]
    """The edit page's fields as the browser would send them back untouched."""
    path = url("facilitators.edit_walk", slug=project.slug, walk_id=walk.id)
    page = staff.get(path)
    html = page.get_data(as_text=True)
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', html)
    assert seen and "route=" in seen.group(1)
    data = {
        "csrf_token": csrf_from(page),
        "seen": seen.group(1).replace("&#34;", '"'),
        "title": walk.title,
        "walk_date": walk.walk_date.isoformat(),
        "starts_at": "",
        "ends_at": "",
        "time_slot": walk.time_slot,
        "meeting_point": walk.meeting_point or "",
        "group_description": walk.group_description or "",
        "expected_size": "",
        "form_choice": f"{walk.form_key}:{walk.form_version}",
        "route": re.search(r'<textarea[^>]*name="route"[^>]*>\s*([^<]*)</textarea>', html).group(1),
        "stops": re.search(r'<textarea[^>]*name="stops"[^>]*>\s*([^<]*)</textarea>', html).group(1),
    }
    return path, data


def _send(staff, path, data):  # type: ignore[no-untyped-def]
    return staff.post(path, data=_multipart(data), content_type=f"multipart/form-data; boundary={BOUNDARY}")


@pytest.fixture
def open_walk(project):  # type: ignore[no-untyped-def]
    walk = walks.create_walk(
        project,
        title="Jour",
        walk_date=date(2026, 3, 12),
        route=ROUTE,
        stops=[("A", ROUTE[0]), ("B", ROUTE[2])],
        meeting_point="Devant l'école",
        form_key="marche_exploratoire",
        form_version=2,
    )
    db.session.flush()
    return walk


def test_saving_the_meeting_point_keeps_the_route_a_colleague_drew_meanwhile(staff, app, project, open_walk):
    path, data = _edit_page(staff, project, open_walk)
    # a colleague, in another tab, redraws the route and adds a stop
    longer = [*ROUTE, (2.3045, 49.9215)]
    walks.update_walk(
        open_walk,
        **walks.plan_arguments(
            {
                **walks.plan_values(open_walk),
                "route": tuple(longer),
                "stops": (("A", ROUTE[0]), ("C", longer[-1])),
            }
        ),
    )
    db.session.flush()
    response = _send(staff, path, {**data, "meeting_point": "Devant le centre social"})
    assert response.status_code == 303
    walk = _walks(project)[0]
    assert walk.meeting_point == "Devant le centre social"
    assert LineString(walks.route_points(walk)).equals_exact(LineString(longer), 1e-6)
    assert [s.name for s in walk.stops] == ["A", "C"]
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "quelqu&#39;un d&#39;autre a changé : l&#39;itinéraire, les arrêts" in page


def test_both_changing_the_route_saves_nothing_and_keeps_the_words(staff, app, project, open_walk):
    path, data = _edit_page(staff, project, open_walk)
    walks.update_walk(
        open_walk, **walks.plan_arguments({**walks.plan_values(open_walk), "stops": (("Z", ROUTE[1]),)})
    )
    db.session.flush()
    mine = "2.3030, 49.9210, Bus\n2.2950, 49.9180, Maison"
    response = _send(staff, path, {**data, "stops": mine, "title": "Jour (revu)"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    walk = _walks(project)[0]
    assert [s.name for s in walk.stops] == ["Z"] and walk.title == "Jour"
    assert "quelqu&#39;un d&#39;autre a changé : les arrêts. Rien n&#39;a été enregistré." in html
    assert "Maison</textarea>" in html and 'value="Jour (revu)"' in html
    # saving again, knowingly, keeps them
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', html).group(1)
    again = _send(staff, path, {**data, "seen": seen, "stops": mine, "title": "Jour (revu)"})
    assert again.status_code == 303
    walk = _walks(project)[0]
    assert [s.name for s in walk.stops] == ["Bus", "Maison"] and walk.title == "Jour (revu)"


def test_an_edit_nobody_else_touched_saves_as_before(staff, app, project, open_walk):
    path, data = _edit_page(staff, project, open_walk)
    response = _send(staff, path, {**data, "title": "Jour 2", "stops": "2.2950, 49.9180, Maison"})
    assert response.status_code == 303
    walk = _walks(project)[0]
    assert walk.title == "Jour 2" and [s.name for s in walk.stops] == ["Maison"]
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "quelqu&#39;un d&#39;autre" not in page


def test_the_walk_editors_messages_read_in_english(staff, app, project, open_walk):
    path, data = _edit_page(staff, project, open_walk)
    walks.update_walk(
        open_walk,
        **walks.plan_arguments({**walks.plan_values(open_walk), "title": "Autre", "meeting_point": "Gare"}),
    )
    db.session.flush()
    staff.get(path + "?lang=en")
    refused = _send(staff, path, {**data, "title": "Mine"}).get_data(as_text=True)
    assert "While you were editing this walk, someone else changed the title. Nothing was saved." in refused
    kept = _send(staff, path, {**data, "expected_size": "9"})
    page = staff.get(kept.headers["Location"]).get_data(as_text=True)
    assert "Meanwhile, someone else changed the title, the meeting point." in page
