"""Photo upload: idempotent on the photo UUID, EXIF (GPS included) removed, bad files refused clearly."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

from tests.webapp.capture_support import jpeg_with_gps, make_walk, payload
from tests.webapp.support import stored_photo, url


@pytest.fixture
def observation_url(client, app, db_session):  # type: ignore[no-untyped-def]
    walk = make_walk()
    token = client.post(url("api.join"), json={"code": walk.join_code}).json["token"]
    auth = {"Authorization": f"Bearer {token}"}
    body = payload()
    assert client.post(url("api.create_observation"), json=body, headers=auth).status_code == 201
    return url("api.get_observation", client_uuid=body["client_uuid"]), auth


def _name_of(photo_uuid: str) -> str:
    """The stored name of the photo uploaded with this UUID."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Photo

    return db.session.scalar(select(Photo.stored_name).where(Photo.client_uuid == uuid.UUID(photo_uuid)))


def _put(client, path, auth, data, content_type="image/jpeg"):  # type: ignore[no-untyped-def]
    return client.put(path, data=data, headers={**auth, "Content-Type": content_type})


def test_gps_exif_is_removed_and_the_photo_is_upright_and_bounded(client, app, observation_url):
    path, auth = observation_url
    original = jpeg_with_gps(size=(2400, 1800), orientation=6)
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825)  # the fixture really has GPS tags
    response = _put(client, f"{path}/photos/{uuid.uuid4()}", auth, original)
    assert response.status_code == 201, response.json
    assert (response.json["width"], response.json["height"]) == (1200, 1600)  # turned upright, then bounded

    data = stored_photo(_name_of(response.json["client_uuid"]))
    assert data is not None
    assert b"Exif" not in data and b"TestPhone" not in data
    with Image.open(io.BytesIO(data)) as after:
        assert after.format == "JPEG"
        assert not after.getexif()
        assert "exif" not in after.info and "icc_profile" not in after.info


def test_photo_upload_is_idempotent_on_its_uuid(client, observation_url):
    path, auth = observation_url
    photo_url = f"{path}/photos/{uuid.uuid4()}"
    data = jpeg_with_gps(size=(800, 600))
    assert _put(client, photo_url, auth, data).status_code == 201
    assert _put(client, photo_url, auth, data).status_code == 200
    assert _put(client, photo_url, auth, jpeg_with_gps(size=(640, 480))).status_code == 409
    assert len(client.get(path, headers=auth).json["photos"]) == 1


def test_a_file_that_is_not_an_image_is_refused_in_french(client, observation_url):
    path, auth = observation_url
    response = _put(
        client, f"{path}/photos/{uuid.uuid4()}", auth, b"%PDF-1.4 pas une image", "application/pdf"
    )
    assert response.status_code == 422
    assert response.json["details"]["photo"][0]["code"] == "not_an_image"
    assert "photo" in response.json["message"]
    empty = _put(client, f"{path}/photos/{uuid.uuid4()}", auth, b"")
    assert empty.status_code == 422


def test_a_30_mb_upload_is_refused_before_it_is_read(client, observation_url):
    path, auth = observation_url
    response = _put(client, f"{path}/photos/{uuid.uuid4()}", auth, b"\xff\xd8" + b"0" * (30 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json["message"] == "Le fichier envoyé est trop volumineux."


def test_an_image_with_too_many_pixels_is_refused(client, observation_url):
    path, auth = observation_url
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, format="PNG")  # tiny file, 81 megapixels once decoded
    response = _put(client, f"{path}/photos/{uuid.uuid4()}", auth, out.getvalue(), "image/png")
    assert response.status_code == 422
    assert response.json["details"]["photo"][0]["code"] == "too_many_pixels"


def test_photos_per_observation_are_limited_by_the_form(client, observation_url):
    path, auth = observation_url
    data = jpeg_with_gps(size=(320, 240))
    codes = [_put(client, f"{path}/photos/{uuid.uuid4()}", auth, data).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 422]


def test_a_photo_needs_one_of_ones_own_observations(client, observation_url):
    path, auth = observation_url
    data = jpeg_with_gps(size=(320, 240))
    assert (
        _put(
            client, url("api.get_photo", client_uuid=uuid.uuid4(), photo_uuid=uuid.uuid4()), auth, data
        ).status_code
        == 404
    )
    assert _put(client, f"{path}/photos/{uuid.uuid4()}", {}, data).status_code == 401


def test_deleting_an_observation_removes_its_photo_files(client, app, observation_url):
    path, auth = observation_url
    response = _put(client, f"{path}/photos/{uuid.uuid4()}", auth, jpeg_with_gps(size=(320, 240)))
    name = _name_of(response.json["client_uuid"])
    assert stored_photo(name)
    assert client.delete(path, headers=auth).status_code == 204
    assert stored_photo(name) is None
