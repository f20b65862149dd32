"""What the service worker keeps on a phone: the residents' static files and a version, both derived.

Nothing here is a list kept by hand. The files are the ``url_for('static', filename=...)`` references of
the pages that must work offline (the capture page, its layout and the offline page), followed through
the ES-module imports of each script (``import()`` of a module loaded on demand, such as the pin map,
and ``new URL('…', import.meta.url)`` of a file a script adds itself, such as its style sheet, count
too) and the ``url()`` of each style sheet. The version is a hash of those files and of the service
worker itself: a deploy that changes any of them changes the worker's URL (``/sw.js?v=<version>``),
which the page learns from the API's answer (:func:`worker_url`), so phones install the new worker,
which fills new caches and drops the old ones.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for

from webapp.js_comments import without_comments

#: The app's folders of static files and templates.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
#: Pages whose static files the service worker keeps (with what they extend).
OFFLINE_TEMPLATES = ("base.html", "residents/capture.html", "residents/offline.html")
#: Referenced by those pages but not needed to show them offline: the web-app manifest is read by the
#: browser when a person adds the app to the home screen, online.
NOT_KEPT = frozenset({"manifest.webmanifest"})
#: The worker's source; served by ``residents.service_worker`` with the manifest in front.
SERVICE_WORKER = STATIC_DIR / "js" / "sw.js"

_STATIC_REF = re.compile(r"""url_for\(\s*['"]static['"]\s*,\s*filename\s*=\s*['"]([^'"]+)['"]""")
_IMPORT = re.compile(
    r"""(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]"""
)
#: ``new URL('../css/x.css', import.meta.url)``: a file a script loads itself (a style sheet on demand).
_MODULE_URL = re.compile(r"""new\s+URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)""")
#: The worker's import of the outbox, replaced by the module's text when the worker is served.
_WORKER_IMPORT = re.compile(r"""^import\s*\{[^}]*\}\s*from\s*['"]/static/([^'"]+)['"];?\s*$""", re.M)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@dataclass(frozen=True)
class Manifest:
    """The service worker's cache: a version and the static files (paths under ``/static/``)."""

    #: changes whenever one of the files or the worker changes
    version: str
    #: file names relative to the static folder, sorted
    files: tuple[str, ...]


def _follow(name: str, seen: set[str]) -> None:
    """Add ``name`` and what it loads (module imports, style-sheet urls) to ``seen``."""
    path = (STATIC_DIR / name).resolve()
    if name in seen or not path.is_file() or STATIC_DIR.resolve() not in path.parents:
        return
    seen.add(name)
    if path.suffix not in (".js", ".css"):
        return
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".js":
        refs = [a or b for a, b in _IMPORT.findall(text)] + _MODULE_URL.findall(text)
    else:
        refs = _CSS_URL.findall(text)
    for ref in refs:
        if ref.startswith(("data:", "http:", "https:", "//", "#")):
            continue
        target = ref.removeprefix("/static/") if ref.startswith("/static/") else None
        if target is None and not ref.startswith("/"):
            target = posixpath.normpath((Path(name).parent / ref.split("?")[0]).as_posix())
        if target is not None:
            _follow(str(Path(target)).replace("\\", "/"), seen)


def _stamp() -> tuple[tuple[str, int, int], ...]:
    """Size and modification time of every file the manifest may read (cheap to compare)."""
    paths = [SERVICE_WORKER, *(TEMPLATES_DIR / t for t in OFFLINE_TEMPLATES)]
    for top in STATIC_DIR.iterdir():  # never walk vendor/ (thousands of files, none kept)
        if top.name != "vendor":
            paths += [top, *top.glob("**/*")] if top.is_dir() else [top]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(paths) if p.is_file())


@lru_cache(maxsize=4)
def _build(stamp: tuple[tuple[str, int, int], ...]) -> Manifest:
    seen: set[str] = set()
    for template in OFFLINE_TEMPLATES:
        for name in _STATIC_REF.findall((TEMPLATES_DIR / template).read_text(encoding="utf-8")):
            _follow(name, seen)
    files = tuple(sorted(seen - NOT_KEPT))
    digest = hashlib.sha256()
    for name in (*files, None):
        digest.update((name or "sw.js").encode())
        digest.update((STATIC_DIR / name).read_bytes() if name else SERVICE_WORKER.read_bytes())
    return Manifest(version=digest.hexdigest()[:16], files=files)


def manifest() -> Manifest:
    """The current manifest (rebuilt only when a file it depends on changed)."""
    return _build(_stamp())


def worker_url() -> str:
    """The service worker's URL for the current version (what pages register, what the API tells them)."""
    return url_for("residents.service_worker", v=manifest().version)


def service_worker_source(static_url: str, offline_url: str) -> bytes:
    """``sw.js`` with its manifest in front (version, the files' URLs, the offline page's URL) and the
    module it imports put in place of its import: one file, so the browser's update checks (served by
    its HTTP cache, see ``residents.service_worker``) read nothing else. An imported module would be
    checked over the network at each check: static files are served ``no-cache``."""
    current = manifest()
    header = {
        "version": current.version,
        "assets": [f"{static_url.rstrip('/')}/{name}" for name in current.files],
        "offline": offline_url,
    }
    prelude = f"const MANIFEST = {json.dumps(header, ensure_ascii=False)};\n"
    source = _WORKER_IMPORT.sub(
        lambda m: (STATIC_DIR / m.group(1)).read_text(encoding="utf-8"),
        SERVICE_WORKER.read_text(encoding="utf-8"),
    )
    if not current_app.debug:
        source = without_comments(source)  # as its files are served (webapp.static_assets)
    return (prelude + source).encode()
