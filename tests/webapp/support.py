"""What many web tests share: paths built by the app (``url_for``, never written by hand), the CSRF
token of a page and signing in through the login form.

One helper per idea, so a change to a path, to the login form or to how Flask-WTF writes its hidden
field is made here once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, url_for
from sqlalchemy import event
from sqlalchemy.engine import Engine

#: Password of the staff users the test worlds create.
PASSWORD = "correct-horse-battery"

#: Flask-WTF's hidden field (``type="hidden"`` first) or a hand-written one.
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def url(endpoint: str, /, *, app: Flask | None = None, **values: Any) -> str:
    """The path of ``endpoint`` as the app builds it (extra values become the query string).

    Inside a test's app context the current app builds it; a browser test passes its live ``app``.
    """
    with (app or current_app).test_request_context():
        return url_for(endpoint, **values)


def old_url(endpoint: str, **values: Any) -> str:
    """The path ``endpoint`` had before the French paths (it answers a 308 to the new one)."""
    from webapp.legacy_urls import old_path

    with current_app.test_request_context():
        return old_path(endpoint, **values)


def csrf_from(page: Any) -> str:
    """The CSRF token of a page, given as HTML text or as a test response."""
    html = page if isinstance(page, str) else page.get_data(as_text=True)
    found = _CSRF.search(html)
    assert found is not None, f"no CSRF token in the page: {html[:300]}"
    return found.group(1)


def csrf_token(client, url: str) -> str:  # type: ignore[no-untyped-def]
    """The CSRF token found in the forms of the page at ``url``."""
    return csrf_from(client.get(url))


def login_url(client) -> str:  # type: ignore[no-untyped-def]
    with client.application.test_request_context():
        return url_for("auth.login")


def login(client, email: str = "anim@example.org", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Log in through the form, with the CSRF token the page gives; returns the form's answer."""
    url = login_url(client)
    return client.post(
        url, data={"email": email, "password": password, "csrf_token": csrf_token(client, url)}
    )


def stored_photo(name: str) -> bytes | None:
    """The bytes kept for the photo stored as ``name``, from the app's photo store (files in
    ``PHOTO_DIR`` on SQLite, the ``photo_blobs`` table on PostgreSQL by default); None when gone."""
    from pathlib import Path

    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Photo, PhotoBlob
    from webapp.services import photo_store

    if photo_store.configured_kind(current_app) == photo_store.DISK:
        path = Path(current_app.config["PHOTO_DIR"]) / name
        return path.read_bytes() if path.is_file() else None
    data = db.session.scalar(
        select(PhotoBlob.data).join(Photo, Photo.id == PhotoBlob.photo_id).where(Photo.stored_name == name)
    )
    return None if data is None else bytes(data)


def store_photo(photo: Any, data: bytes) -> None:
    """Keep ``data`` as the bytes of ``photo`` (a flushed row) in the app's photo store."""
    from webapp.extensions import db
    from webapp.services import photo_store

    db.session.flush()
    photo_store.current().save(photo, data)


def photos_on_disk() -> bool:
    """Whether the app keeps photo bytes in files (deleted after the commit) rather than in the
    database (deleted within the transaction)."""
    from webapp.services import photo_store

    return photo_store.configured_kind(current_app) == photo_store.DISK


def map_rows(html: str) -> list[list[Any]]:
    """The compact point rows ``[lon, lat, theme index, polarity index, ref]`` of every observation
    layer of a page's maps (``geodata.maps``), as the browser gets them."""
    import json

    decoder = json.JSONDecoder()
    rows: list[list[Any]] = []
    for match in re.finditer(r'"rows": ', html):
        data, _ = decoder.raw_decode(html, match.end())
        rows.extend(data)
    return rows


#: What the test harness itself runs around each test (its savepoints): never counted.
HARNESS = ("SAVEPOINT", "RELEASE", "ROLLBACK TO")


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements any engine runs while the block runs (the harness's savepoints left out):
    for tests that count statements — never times."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(HARNESS):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def photo_like(size: tuple[int, int] = (1600, 1200), seed: int = 3) -> bytes:
    """A JPEG as phones send them after their own resizing (1,600 px, quality 80), with the texture of
    a photo (smooth shapes and fine grain) so that it weighs what one does; another ``seed``, another
    photo."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack(
        [128 + 90 * np.sin(x / (37 + 20 * c) + y / (53 + 9 * c)) for c in range(3)], axis=-1
    ) + rng.normal(0, 18, (h, w, 3))
    out = io.BytesIO()
    Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=80)
    return out.getvalue()


def recommendation_due(deadline: Any, *, status: str = "proposed") -> Any:
    """A new project's recommendation to the city's lighting department, due on ``deadline`` (committed)."""
    from tests.factories import ProjectFactory
    from webapp.extensions import db
    from webapp.models import Organisation, Recommendation

    project = ProjectFactory()
    organisation = Organisation(name="Ville — Éclairage public", kind="city")
    db.session.add(organisation)
    db.session.flush()
    recommendation = Recommendation(
        project_id=project.id,
        title="Réparer l'éclairage",
        organisation=organisation,
        deadline=deadline,
        status=status,
    )
    db.session.add(recommendation)
    db.session.commit()
    return recommendation
