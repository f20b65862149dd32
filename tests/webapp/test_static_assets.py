"""Static files a browser keeps: versioned URLs on staff and public pages, plain ones where the
service worker keeps them (``webapp.static_assets``)."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.webapp.capture_support import make_walk
from tests.webapp.support import url
from tests.webapp.test_residents_pages import _join
from webapp.static_assets import KEPT_SECONDS, current_version, folder_version

_STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _static_urls(html: str) -> list[str]:
    return _STATIC.findall(html)


def _get(client, path: str, **headers: str):  # type: ignore[no-untyped-def]
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()  # a file served directly stays open until closed
    return response


def _kept(response) -> bool:  # type: ignore[no-untyped-def]
    control = response.cache_control
    return bool(control.immutable and control.public and control.max_age == KEPT_SECONDS)


def test_a_staff_page_names_its_files_under_the_current_version_and_they_are_kept(app, client):
    html = client.get(url("auth.login")).get_data(as_text=True)
    urls = _static_urls(html)
    version = current_version(app)
    assert {"css/app.css", "css/staff.css"} <= {u.rsplit(f"/static/v/{version}/", 1)[-1] for u in urls}
    assert all(u.startswith(f"/static/v/{version}/") for u in urls), urls
    for path in urls:
        response = _get(client, path)
        assert response.status_code == 200 and _kept(response), (path, response.headers)
        assert response.headers["ETag"]


def test_plain_and_older_urls_still_answer_but_are_checked_again_each_time(app, client):
    current = url("static", filename="css/staff.css")
    first = _get(client, current)
    for path in ("/static/css/staff.css", "/static/v/0123456789ab/css/staff.css"):
        response = _get(client, path)
        assert response.status_code == 200 and response.get_data() == first.get_data(), path
        assert response.cache_control.no_cache and not _kept(response), (path, response.headers)
    # a versioned URL answers « not modified » to a browser that asks, like the plain one
    again = _get(client, current, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and _kept(again)


@pytest.mark.parametrize(
    "path",
    ["/static/v/{v}/../__init__.py", "/static/v/{v}/css/nope.css", "/static/v/{v}/", "/static/v/{v}"],
)
def test_nothing_outside_the_static_folder_or_missing_is_served(app, client, path):
    response = _get(client, path.format(v=current_version(app)))
    assert response.status_code == 404
    assert not _kept(response)


def test_the_capture_page_keeps_the_plain_urls_its_service_worker_holds(app, client, db_session):
    """The phone's service worker keeps the residents' files by their plain URL: the capture page must
    name exactly those, whatever the static folder's version."""
    import json

    make_walk()
    _join(client)
    html = client.get(url("residents.capture", code="K7PM3Q")).get_data(as_text=True)
    urls = _static_urls(html)
    assert urls and not any("/static/v/" in u for u in urls), urls
    source = client.get(url("residents.service_worker")).get_data(as_text=True)
    first = source.partition("\n")[0]
    kept = set(json.loads(first.removeprefix("const MANIFEST = ").removesuffix(";"))["assets"])
    assert {u for u in urls if not u.endswith(".webmanifest")} <= kept


def test_the_version_follows_the_files_contents_not_where_they_lie(tmp_path):
    first = tmp_path / "first"
    (first / "css").mkdir(parents=True)
    (first / "css" / "a.css").write_text("body { color: black }")
    (first / "b.js").write_text("export const b = 1;")
    copy = tmp_path / "copy"
    shutil.copytree(first, copy)
    assert folder_version(first) == folder_version(copy)  # another server with the same release
    (copy / "b.js").write_text("export const b = 2;")
    assert folder_version(first) != folder_version(copy)
    (copy / "b.js").write_text("export const b = 1;")
    assert folder_version(first) == folder_version(copy)
    (copy / "css" / "c.css").write_text("")
    assert folder_version(first) != folder_version(copy)


def test_in_debug_mode_an_edited_file_gets_a_new_version_at_the_next_request(app, tmp_path, monkeypatch):
    """The development server serves files as they are edited: their URLs follow at once."""
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "a.css").write_text("body { color: black }")
    monkeypatch.setattr(app, "static_folder", str(static))
    monkeypatch.setattr(app, "debug", True)
    with app.app_context():  # each request has an app context of its own
        before = url("static", filename="css/a.css", app=app)
    (static / "css" / "a.css").write_text("body { color: navy }")
    with app.app_context():
        after = url("static", filename="css/a.css", app=app)
    assert before != after and before.endswith("/css/a.css") and after.endswith("/css/a.css")
