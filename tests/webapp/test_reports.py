"""Restitution report: HTML and PDF, escaped text, credits, nothing fetched from outside."""

from __future__ import annotations

import subprocess

import pytest

from geodata.assets import find_external_urls
from tests.webapp.factories_debrief import build_world
from tests.webapp.support import login, url


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def test_report_page_has_every_part_and_escapes_text(world, client):
    from webapp.services import debriefs

    debriefs.create_recommendation(
        world.project,
        None,
        observation_ids=[world.observations[3].id],
        title="Agir <contre> le harcèlement",
        priority="high",
        organisation_id=world.partner.id,
    )
    body = client.get(url("facilitators.report", slug=world.project.slug)).get_data(as_text=True)
    for part in (
        "Contexte et périmètre",
        "Le groupe",
        "Carte des observations",
        "Ce que le groupe a observé",
        "Préconisations",
        "Sources et crédits",
        "Comparaisons",
    ):
        assert part in body, part
    assert "<script>alert(1)</script>" not in body
    assert "Agir &lt;contre&gt; le harcèlement" in body
    assert world.partner.name in body
    assert find_external_urls(body) == []
    assert "Nom d&#39;un voisin" not in body  # hidden observations stay out


def test_the_group_is_counted_in_words_that_agree_with_its_number(world, client):
    from datetime import date

    from webapp.extensions import db
    from webapp.services import participants, walks

    body = client.get(url("facilitators.report", slug=world.project.slug)).get_data(as_text=True)
    assert "participant·es (effectifs seulement" in body
    assert " 1 participant·es" not in body
    alone = walks.create_walk(
        world.project, title="Marche à une", walk_date=date(2026, 4, 2), time_slot="day"
    )
    participants.add_participant(alone)
    db.session.commit()
    report = url("facilitators.report", slug=world.project.slug, walk_id=alone.id)
    assert "1 participant·e (effectifs seulement" in client.get(report).get_data(as_text=True)
    english = client.get(
        url("facilitators.report", slug=world.project.slug, walk_id=alone.id, lang="en")
    ).get_data(as_text=True)
    assert "1 participant (numbers only" in english


def test_pdf_is_made_and_readable(world, client, tmp_path):
    response = client.get(url("facilitators.report_pdf", slug=world.project.slug, walk_id=world.day.id))
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Restitution" in text and "Marche de jour" in text
    assert '=HYPERLINK("http://x")' in text  # participants' text is shown as text, never run
    assert "<script>alert(1)</script>" not in text  # a sensitive report is never quoted in the report


def test_pdf_renderer_refuses_outside_urls(app, tmp_path):
    from webapp.services import reports

    html = '<p>x</p><img src="https://example.org/a.png"><img src="file:///etc/hostname">'
    pdf = reports.render_pdf(html, base_dir=tmp_path, allowed_dirs=[tmp_path])
    assert pdf.startswith(b"%PDF")


def test_walk_report_goes_stop_by_stop_with_photos_in_the_pdf(world, client, app, tmp_path):
    import io
    import uuid

    from PIL import Image

    from tests.webapp.support import store_photo
    from webapp.extensions import db
    from webapp.models import Photo

    name = f"{uuid.uuid4().hex}.jpg"
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, "JPEG")
    photo = Photo(
        client_uuid=uuid.uuid4(),
        observation_id=world.observations[0].id,
        stored_name=name,
        width=64,
        height=48,
        size_bytes=len(jpeg.getvalue()),
    )
    db.session.add(photo)
    store_photo(photo, jpeg.getvalue())
    db.session.commit()
    body = client.get(url("facilitators.report", slug=world.project.slug, walk_id=world.day.id)).get_data(
        as_text=True
    )
    assert "Arrêt par arrêt" in body and "Arrêt 1 · Départ" in body and name in body
    pdf = tmp_path / "walk.pdf"
    pdf.write_bytes(
        client.get(url("facilitators.report_pdf", slug=world.project.slug, walk_id=world.day.id)).data
    )
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert any(line.split()[2:5] == ["image", "64", "48"] for line in listing.splitlines()[2:])


def test_the_pdf_carries_print_copies_of_photos_not_the_stored_ones(world, client, app, tmp_path):
    """A walk report of photos as phones send them (1,600 px) embeds each at most 1,000 px on its
    longest side, portrait or landscape, for well under the stored bytes; a small photo as it is."""
    import uuid

    from tests.webapp.support import photo_like, store_photo
    from webapp.extensions import db
    from webapp.models import Photo

    sizes = [(1600, 1200), (1200, 1600), (1600, 1200), (1200, 1600), (1600, 900), (320, 240)]
    stored = 0
    for index, (width, height) in enumerate(sizes):
        data = photo_like((width, height), seed=index)
        stored += len(data)
        photo = Photo(
            client_uuid=uuid.uuid4(),
            observation_id=world.observations[index % 3].id,  # validated observations of the day walk
            stored_name=f"{uuid.uuid4().hex}.jpg",
            width=width,
            height=height,
            size_bytes=len(data),
        )
        db.session.add(photo)
        store_photo(photo, data)
    db.session.commit()
    response = client.get(url("facilitators.report_pdf", slug=world.project.slug, walk_id=world.day.id))
    assert response.status_code == 200
    pdf = tmp_path / "walk.pdf"
    pdf.write_bytes(response.data)
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    images = sorted(
        (int(line.split()[3]), int(line.split()[4]))
        for line in listing.splitlines()[2:]
        if line.split()[2] == "image"
    )
    # two photos at most per observation: the three observations show all six
    assert images == sorted([(1000, 750), (750, 1000), (1000, 750), (750, 1000), (1000, 563), (320, 240)])
    assert len(response.data) * 2 < stored, (len(response.data), stored)


def test_the_report_page_offers_each_photo_as_a_thumbnail_too(world, client):
    """On screen a photo is about 400 px wide: the page offers its thumbnail beside the stored photo
    (``srcset``), and a photo already small only as it is."""
    import uuid

    from tests.webapp.support import store_photo
    from webapp.extensions import db
    from webapp.models import Photo

    names = {}
    for label, (width, height) in {"big": (1200, 1600), "small": (320, 240)}.items():
        names[label] = f"{uuid.uuid4().hex}.jpg"
        photo = Photo(
            client_uuid=uuid.uuid4(),
            observation_id=world.observations[0].id,
            stored_name=names[label],
            width=width,
            height=height,
            size_bytes=10,
        )
        db.session.add(photo)
        store_photo(photo, b"\xff\xd8\xff")
    db.session.commit()
    body = client.get(url("facilitators.report", slug=world.project.slug, walk_id=world.day.id)).get_data(
        as_text=True
    )
    full = url("facilitators.photo", name=names["big"])
    small = url("facilitators.photo", name=names["big"], taille="vignette")
    assert f'<img src="{full}" srcset="{small.replace("&", "&amp;")} 480w, {full} 1200w" sizes=' in body
    assert f'<img src="{url("facilitators.photo", name=names["small"])}" alt=' in body


def test_the_pdf_keeps_the_words_of_its_map_and_charts_and_the_page_their_outlines(world, client, tmp_path):
    """In the PDF, the charts' and the map's words are text (searchable, drawn in half the time); the
    page's images draw each letter as its outline, the same whatever fonts the reader's machine has."""
    import base64
    import re

    page = client.get(url("facilitators.report", slug=world.project.slug)).get_data(as_text=True)
    images = [
        base64.b64decode(data).decode()
        for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    ]
    assert len(images) >= 2  # the map and the theme chart at least
    assert all("<text" not in svg for svg in images)
    pdf = tmp_path / "project.pdf"
    pdf.write_bytes(client.get(url("facilitators.report_pdf", slug=world.project.slug)).data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = re.sub(r"\s+", " ", text)
    assert "Nombre d'observations" in squeezed  # the theme chart's axis
    assert "Part de problèmes (%)" in squeezed  # a comparison's axis
    assert re.search(r"\bAtout\b", squeezed) and re.search(r"\bProblème\b", squeezed)  # the map's legend
    english = tmp_path / "project-en.pdf"
    english.write_bytes(client.get(url("facilitators.report_pdf", slug=world.project.slug, lang="en")).data)
    text = subprocess.run(["pdftotext", str(english), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = re.sub(r"\s+", " ", text)
    assert "Number of observations" in squeezed, squeezed
    assert re.search(r"\bAsset\b", squeezed) and re.search(r"\bProblem\b", squeezed)  # the legend too
    assert not re.search(r"\b(Atout|Problème|Neutre)\b", squeezed)


def test_a_report_opened_again_is_not_drawn_again_until_its_data_change(world, client, monkeypatch):
    from geodata import static_map
    from webapp.extensions import db
    from webapp.models.enums import ModerationStatus

    drawn = []
    draw = static_map._draw
    monkeypatch.setattr(static_map, "_draw", lambda **kw: drawn.append(kw) or draw(**kw))
    monkeypatch.setattr(static_map, "_drawn", type(static_map._drawn)())
    page = url("facilitators.report", slug=world.project.slug)
    first = client.get(page).get_data(as_text=True)
    assert client.get(page).get_data(as_text=True) == first and len(drawn) == 1
    # a pending observation validated: one more point on the map, drawn anew
    pending = next(o for o in world.observations if o.moderation_status == ModerationStatus.PENDING)
    shown = len(drawn[0]["observations"]["features"])
    pending.moderation_status = ModerationStatus.VALIDATED
    db.session.commit()
    client.get(page)
    assert len(drawn) == 2 and len(drawn[1]["observations"]["features"]) == shown + 1
    # the PDF draws its own (text kept as text), once
    client.get(url("facilitators.report_pdf", slug=world.project.slug))
    client.get(url("facilitators.report_pdf", slug=world.project.slug))
    assert len(drawn) == 3 and drawn[2]["for_pdf"]


def test_a_report_seen_again_reads_no_point_of_its_map(world, client, monkeypatch):
    """Its drawing is kept under the project's data stamp: seen again, the report read every validated
    point and serialised them all to key the drawing (2.2 s of its 2.3 s at 100,000 observations);
    now it reads none until the data change."""
    from geodata import static_map
    from tests.webapp.support import statements
    from webapp.extensions import db
    from webapp.models.enums import ModerationStatus

    monkeypatch.setattr(static_map, "_drawn", type(static_map._drawn)())
    page = url("facilitators.report", slug=world.project.slug)
    first = client.get(page).get_data(as_text=True)
    with statements() as seen:
        again = client.get(page).get_data(as_text=True)
    assert again == first
    assert not [s for s in seen if "ST_X" in s.upper()], seen
    # a pending observation validated: the points are read again, and the new one is on the map
    pending = next(o for o in world.observations if o.moderation_status == ModerationStatus.PENDING)
    pending.moderation_status = ModerationStatus.VALIDATED
    db.session.commit()
    with statements() as seen:
        changed = client.get(page).get_data(as_text=True)
    assert [s for s in seen if "ST_X" in s.upper()]
    assert changed != first


def test_a_report_of_many_points_prints_their_markers_as_one_picture(world, client, tmp_path, monkeypatch):
    """Beyond ``RASTER_ABOVE`` points, the PDF's map carries its markers as one picture (WeasyPrint
    drew 15,000 vector markers in 16 s); its words stay text."""
    import re

    from geodata import static_map

    def images_and_text(name: str) -> tuple[int, str]:
        monkeypatch.setattr(static_map, "_drawn", type(static_map._drawn)())
        pdf = tmp_path / name
        pdf.write_bytes(client.get(url("facilitators.report_pdf", slug=world.project.slug)).data)
        listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
        kinds = [line.split()[2] for line in listed.stdout.splitlines()[2:]]  # page num type …
        return kinds.count("image"), re.sub(r"\s+", " ", text.stdout)

    vector, vector_text = images_and_text("vector.pdf")
    monkeypatch.setattr(static_map, "RASTER_ABOVE", 1)
    raster, raster_text = images_and_text("raster.pdf")
    assert raster == vector + 1
    assert re.search(r"\bAtout\b", raster_text) and re.search(r"\bProblème\b", raster_text)
    assert raster_text == vector_text


def _recommendation_section(body: str) -> str:
    return body[body.index("<h2>Préconisations</h2>") : body.index("<h2>Sources et crédits</h2>")]


def test_a_recommendation_cites_only_its_validated_evidence(world, client):
    """Made while the team prepared the debrief (pending observations shown), or before a moderator hid
    one of its observations: the report neither counts nor quotes what was never validated."""
    from webapp.extensions import db
    from webapp.services import debriefs, moderation

    validated, pending, hidden = world.observations[0], world.observations[4], world.observations[8]
    debriefs.create_recommendation(
        world.project,
        None,
        observation_ids=[validated.id, pending.id, hidden.id],
        title="Éclairer le square",
    )
    db.session.commit()
    section = _recommendation_section(
        client.get(url("facilitators.report", slug=world.project.slug)).get_data(as_text=True)
    )
    assert "Sur la base de 1 observation(s) :" in section
    assert "Lampadaire en panne" in section
    assert "Jardin partagé" not in section and "Nom d&#39;un voisin" not in section
    # hidden afterwards (it named someone): it leaves the report too
    moderation.hide(validated, None, "nomme une personne")
    db.session.commit()
    section = _recommendation_section(
        client.get(url("facilitators.report", slug=world.project.slug)).get_data(as_text=True)
    )
    assert "Éclairer le square" in section
    assert "Lampadaire en panne" not in section and "Sur la base de" not in section
