"""Static files a browser keeps without asking again: one version for the whole static folder.

Flask serves ``/static/<file>`` with ``Cache-Control: no-cache``: a browser that holds a copy still
asks the server whether it changed before every use. A staff page needs seven to ten files (style
sheets, Leaflet and its plug-ins, the page's modules), so each page view waited for that many round
trips before it could run its scripts — on a phone or a venue's Wi-Fi, a few hundred milliseconds
per page.

Pages outside the residents' blueprint now name their static files under a versioned path,
``/static/v/<version>/<file>``, where the version is a hash of every file in the static folder (about
3 MB, hashed once per process: every server process and every instance sharing a release computes
the same one). A response to the current version is ``immutable`` and kept for a year; a deploy that
changes any static file changes every URL, so nobody keeps an old file under a new page. Because
the version is a folder of the path, what a file loads by a relative URL — a module's imports, a
style sheet's images, the map's plug-ins from the vendor folder — lands under the same version and
is kept the same way, with nothing to rewrite.

An older version's URL (a page loaded before a deploy) still gets the current file, ``no-cache``. The
plain ``/static/<file>`` stays as it was, ``no-cache``, and the residents' pages keep it: the
service worker keeps those files by that URL on the phone (``webapp.residents.offline``), and its own
version, not this one, decides when a phone fetches them again.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, has_request_context, request, send_file

from webapp.js_comments import without_comments

#: How long a browser keeps a versioned file (one year, the usual ceiling).
KEPT_SECONDS = 365 * 24 * 3600
#: Blueprints whose pages name static files by their plain URL (what the service worker keeps).
PLAIN_URL_BLUEPRINTS = frozenset({"residents"})


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every file under ``folder`` (cheap to compare)."""
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        status = path.stat()
        out.append((path.relative_to(folder).as_posix(), status.st_size, status.st_mtime_ns))
    return tuple(out)


@lru_cache(maxsize=4)
def _digest(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _size, _mtime in stamp:
        digest.update(name.encode() + b"\0")
        digest.update((Path(folder) / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def folder_version(folder: str | Path) -> str:
    """A hash of the names and contents of every file under ``folder``: the same on every server
    holding the same files, different as soon as one file changes."""
    return _digest(str(folder), _stamp(Path(folder)))


def current_version(app: Flask) -> str:
    """The static folder's version: computed once per process, or once per request in debug mode
    (files edited while the development server runs)."""
    if app.debug:
        if not has_request_context():
            return folder_version(app.static_folder or "")
        if "arpenteur_static_version" not in g:
            g.arpenteur_static_version = folder_version(app.static_folder or "")
        return str(g.arpenteur_static_version)
    kept = app.extensions.get("arpenteur.static_version")
    if kept is None:
        kept = app.extensions["arpenteur.static_version"] = folder_version(app.static_folder or "")
    return str(kept)


#: Our own scripts, served without their comments (``webapp.js_comments``); vendored ones as they are.
OWN_SCRIPTS = "js/"


@lru_cache(maxsize=64)
def _script_without_comments(path: str, _mtime_ns: int, _size: int) -> bytes:
    return without_comments(Path(path).read_text(encoding="utf-8")).encode()


def _own_script(app: Flask, filename: str) -> Response | None:
    """One of our scripts (``static/js/*.js``) without its comments, as a conditional answer (ETag,
    Last-Modified, ranges) of its own; None for any other file, and in debug mode (the files as
    written, for the browser's debugger)."""
    if app.debug or not filename.startswith(OWN_SCRIPTS) or not filename.endswith(".js"):
        return None
    name = filename[len(OWN_SCRIPTS) :]
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    path = Path(app.static_folder or "") / OWN_SCRIPTS / name
    try:
        status = path.stat()
    except OSError:
        return None  # Flask's own 404
    body = _script_without_comments(str(path), status.st_mtime_ns, status.st_size)
    tag = hashlib.sha256(filename.encode()).hexdigest()[:8]
    return send_file(
        io.BytesIO(body),
        mimetype="text/javascript",
        etag=f"{status.st_mtime_ns}-{status.st_size}-{tag}-nc",
        last_modified=status.st_mtime,
        max_age=app.get_send_file_max_age(filename),
        conditional=True,
    )


def init_app(app: Flask) -> None:
    """Serve ``/static/v/<version>/<file>`` and make ``url_for('static', …)`` name it outside the
    residents' pages."""
    app.add_url_rule(f"{app.static_url_path}/v/<version>/<path:filename>", endpoint="static")

    def static_file(filename: str, version: str | None = None) -> Response:
        # our scripts without their comments; anything else as Flask sends it (conditional answers,
        # ETag, 404)
        response = _own_script(app, filename) or app.send_static_file(filename)
        if version is not None and version == current_version(app):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = KEPT_SECONDS
            response.cache_control.immutable = True
        return response

    app.view_functions["static"] = static_file

    @app.url_defaults
    def _versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "version" in values or not has_request_context():
            return
        if request.blueprint in PLAIN_URL_BLUEPRINTS:
            return
        values["version"] = current_version(app)
