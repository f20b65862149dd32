"""Photos shown small come as thumbnails (``?taille=vignette``): the moderation list, map popups,
debrief cards, partners' recommendations and before/after, for staff, partners and the public alike,
behind the same checks as the photo itself (``webapp.photo_responses``)."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import update

from tests.webapp.support import photo_like, photos_on_disk, store_photo, url
from tests.webapp.test_partners import PartnerWorld, build_partner_world, fresh_client, sign_in
from webapp.extensions import db
from webapp.models import Photo, PhotoBlob
from webapp.photo_responses import thumbnail


@pytest.fixture
def pw(app) -> PartnerWorld:  # type: ignore[no-untyped-def]
    world = build_partner_world()
    photo = db.session.query(Photo).filter_by(stored_name=world.photos["validated"]).one()
    # the world's photos are a few fake bytes: this one becomes a photo as phones send them
    if photos_on_disk():
        store_photo(photo, photo_like())
    else:
        db.session.execute(update(PhotoBlob).where(PhotoBlob.photo_id == photo.id).values(data=photo_like()))
    db.session.commit()
    return world


def _get(client, path: str, **headers: str):  # type: ignore[no-untyped-def]
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def _size_of(data: bytes) -> tuple[int, int]:
    with Image.open(BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


def test_a_thumbnail_is_the_photo_at_most_640_px_for_a_tenth_of_its_bytes():
    photo = photo_like()
    small = thumbnail(photo)
    assert _size_of(small) == (640, 480)
    assert len(small) * 8 < len(photo), (len(small), len(photo))
    # already small, or not an image we can read: the bytes as they are
    little = photo_like((400, 300))
    assert thumbnail(little) is little
    assert thumbnail(b"\xff\xd8\xff\xe0fake-jpeg") == b"\xff\xd8\xff\xe0fake-jpeg"


def test_the_moderation_list_shows_thumbnails_and_opens_the_photo_itself(client, pw):
    sign_in(client, "anim@example.org")
    name = pw.photos["validated"]
    page = client.get(
        url("facilitators.moderation_queue", slug=pw.slug, walk_id=pw.world.day.id, status="validated")
    ).get_data(as_text=True)
    full = url("facilitators.photo", name=name)
    small = url("facilitators.photo", name=name, taille="vignette")
    assert f'<summary><img src="{small.replace("&", "&amp;")}"' in page
    assert f'<img class="large" src="{full}"' in page
    photo, thumb = _get(client, full), _get(client, small)
    assert photo.status_code == 200 and thumb.status_code == 200
    assert _size_of(photo.get_data()) == (1600, 1200) and _size_of(thumb.get_data()) == (640, 480)
    assert len(thumb.get_data()) * 8 < len(photo.get_data())
    # kept by the browser like the photo, under an ETag of its own, answered « not modified »
    assert thumb.headers["Cache-Control"] == photo.headers["Cache-Control"]
    assert thumb.get_etag()[0] != photo.get_etag()[0]
    again = _get(client, small, **{"If-None-Match": thumb.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_popups_and_cards_ask_for_thumbnails(client, pw):
    sign_in(client, "anim@example.org")
    small = url("facilitators.photo", name=pw.photos["validated"], taille="vignette")
    popup = client.get(
        url("facilitators.map_popup", slug=pw.slug, observation_id=pw.world.observations[0].id)
    ).get_json()
    assert small in popup["d"]
    debrief = client.get(url("facilitators.debrief", slug=pw.slug, walk_id=pw.world.day.id))
    assert small.replace("&", "&amp;") in debrief.get_data(as_text=True)


def test_partners_and_the_public_get_thumbnails_behind_the_same_checks(client, pw):
    sign_in(client, "partenaire-a@example.org")
    small = url("partners.photo", slug=pw.slug, name=pw.photos["validated"], taille="vignette")
    page = client.get(url("partners.recommendation", slug=pw.slug, recommendation_id=pw.rec_a.id))
    assert small.replace("&", "&amp;") in page.get_data(as_text=True)
    assert _size_of(_get(client, small).get_data()) == (640, 480)
    for key in ("harassment", "pending"):  # a sensitive theme, a photo not validated: in no size
        hidden = url("partners.photo", slug=pw.slug, name=pw.photos[key], taille="vignette")
        assert _get(client, hidden).status_code == 404
    pw.world.project.public_map = True
    db.session.commit()
    public = fresh_client(client.application)
    map_page = public.get(url("public.project_map", slug=pw.slug)).get_data(as_text=True)
    public_small = url("public.photo", slug=pw.slug, name=pw.photos["validated"], taille="vignette")
    assert public_small.replace("&", "&amp;") in map_page or public_small in map_page
    thumb = _get(public, public_small)
    assert thumb.status_code == 200 and _size_of(thumb.get_data()) == (640, 480)
    assert thumb.cache_control.no_cache  # revalidated, so a photo hidden later disappears at once
    pw.world.observations[0].moderation_status = "hidden"
    db.session.commit()
    assert _get(public, public_small, **{"If-None-Match": thumb.headers["ETag"]}).status_code == 404


def test_another_size_or_another_project_gets_nothing(client, pw):
    sign_in(client, "anim@example.org")
    name = pw.photos["validated"]
    response = _get(client, url("facilitators.photo", name=name, taille="immense"))
    assert response.status_code == 404
    sign_in(client, "ailleurs@example.org")  # a partner of another project only
    assert _get(client, url("facilitators.photo", name=name, taille="vignette")).status_code == 403
    assert _get(client, url("partners.photo", slug=pw.slug, name=name, taille="vignette")).status_code in (
        403,
        404,
    )
