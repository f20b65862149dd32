"""What the service worker keeps on a phone: the residents' static files and a version, both derived.

Nothing here is a list kept by hand. The files are the ``url_for('static', filename=...)`` references of
the pages that must work offline (the capture page, its layout and the offline page), followed through
the ES-module imports of each script and the ``url()`` of each style sheet. The version is a hash of
those files and of the service worker itself: a deploy that changes any of them changes ``/sw.js``, so
phones install the new worker, which fills a new cache and drops the old one.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: The app's folders of static files and templates.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
#: Pages whose static files the service worker keeps (with what they extend).
OFFLINE_TEMPLATES = ("base.html", "residents/capture.html", "residents/offline.html")
#: The worker's source; served by ``residents.service_worker`` with the manifest in front.
SERVICE_WORKER = STATIC_DIR / "js" / "sw.js"

_STATIC_REF = re.compile(r"""url_for\(\s*['"]static['"]\s*,\s*filename\s*=\s*['"]([^'"]+)['"]""")
_IMPORT = re.compile(
    r"""(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]"""
)
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
    refs = [a or b for a, b in _IMPORT.findall(text)] if path.suffix == ".js" else _CSS_URL.findall(text)
    for ref in refs:
        if ref.startswith(("data:", "http:", "https:", "//", "#")):
            continue
        target = ref.removeprefix("/static/") if ref.startswith("/static/") else None
        if target is None and not ref.startswith("/"):
            target = (Path(name).parent / ref.split("?")[0]).as_posix()
        if target is not None:
            _follow(str(Path(target)).replace("\\", "/"), seen)


def _stamp() -> tuple[tuple[str, int, int], ...]:
    """Size and modification time of every file the manifest may read (cheap to compare)."""
    paths = [SERVICE_WORKER, *(TEMPLATES_DIR / t for t in OFFLINE_TEMPLATES)]
    paths += [p for p in STATIC_DIR.glob("**/*") if "vendor" not in p.relative_to(STATIC_DIR).parts]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(paths) if p.is_file())


@lru_cache(maxsize=4)
def _build(stamp: tuple[tuple[str, int, int], ...]) -> Manifest:
    seen: set[str] = set()
    for template in OFFLINE_TEMPLATES:
        for name in _STATIC_REF.findall((TEMPLATES_DIR / template).read_text(encoding="utf-8")):
            _follow(name, seen)
    files = tuple(sorted(seen))
    digest = hashlib.sha256()
    for name in (*files, None):
        digest.update((name or "sw.js").encode())
        digest.update((STATIC_DIR / name).read_bytes() if name else SERVICE_WORKER.read_bytes())
    return Manifest(version=digest.hexdigest()[:16], files=files)


def manifest() -> Manifest:
    """The current manifest (rebuilt only when a file it depends on changed)."""
    return _build(_stamp())


def service_worker_source(static_url: str, offline_url: str) -> bytes:
    """``sw.js`` with its manifest in front: version, the files' URLs and the offline page's URL."""
    current = manifest()
    header = {
        "version": current.version,
        "assets": [f"{static_url.rstrip('/')}/{name}" for name in current.files],
        "offline": offline_url,
    }
    prelude = f"const MANIFEST = {json.dumps(header, ensure_ascii=False)};\n"
    return prelude.encode() + SERVICE_WORKER.read_bytes()
