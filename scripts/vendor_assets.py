"""Copy the front-end files our maps load into webapp/static/vendor, from pinned sources only.

Run by scripts/setup.sh after ``npm ci``. Sources: ``node_modules/`` (versions pinned by
package.json and package-lock.json), the installed folium wheel (its heat-map scripts), and one
small generated stylesheet. What to copy comes from ``geodata.assets.CDN_TO_VENDOR`` plus the
image and font folders below, so the page and the vendor folder cannot drift apart.

The vendor folder is rebuilt from scratch in a sibling temporary folder and swapped in at the
end: a run gives the same tree every time, leaves no stale file behind, and never leaves a
half-built folder. Any missing source, version mismatch or unresolved CSS ``url()`` stops the
run with exit status 1 and names the file.

    .venv/bin/python scripts/vendor_assets.py [--node-modules DIR] [--dest DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The set-up installs the project in editable mode; this also works on a bare checkout.
sys.path.insert(0, str(ROOT))

from geodata.assets import CDN_TO_VENDOR  # noqa: E402

#: Folders copied whole: their files are referenced by the CSS, or by the JavaScript at run time
#: (Leaflet's default marker icons, Leaflet.draw's toolbar sprites).
ASSET_DIRS: tuple[str, ...] = (
    "leaflet/dist/images",
    "@fortawesome/fontawesome-free/webfonts",
    "@neos21/bootstrap3-glyphicons/dist/fonts",
    "drmonty-leaflet-awesome-markers/css/images",
    "leaflet-measure/dist/images",
    "leaflet-minimap/dist/images",
    "leaflet-draw/dist/images",
)
#: Single files referenced by a CSS file that lives outside an asset folder.
EXTRA_FILES: tuple[str, ...] = ("leaflet.fullscreen/icon-fullscreen.svg",)

#: folium links to this stylesheet on its GitHub repository; no npm package or wheel carries it.
#: Upstream (folium/templates/leaflet.awesome.rotate.css) is one rule per whole degree from 1 to
#: 360, used by ``folium.Icon(angle=...)`` through the class ``fa-rotate-<angle>``.
ROTATE_CSS_PATH = "folium/templates/leaflet.awesome.rotate.min.css"

_LICENCE_GLOBS = ("LICENSE*", "LICENCE*", "MIT-LICENCE*")
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+?)\1\s*\)""")


class VendorError(Exception):
    """A source file is missing or does not match what package.json pins."""


def rotate_css() -> str:
    """Return the awesome-markers rotation stylesheet folium expects, minified."""
    rules = "".join(
        f".fa-rotate-{deg}{{-ms-transform:rotate({deg}deg);-webkit-transform:rotate({deg}deg);"
        f"transform:rotate({deg}deg)}}"
        for deg in range(1, 361)
    )
    return f"/* Equivalent of folium/templates/leaflet.awesome.rotate.css (MIT), generated */\n{rules}\n"


def npm_package(vendor_path: str) -> str:
    """Return the npm package name a vendor path belongs to (scoped names keep their scope)."""
    parts = vendor_path.split("/")
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]


def folium_dir() -> Path:
    """Return the installed folium package's folder without importing it."""
    spec = importlib.util.find_spec("folium")
    if spec is None or not spec.submodule_search_locations:
        raise VendorError("folium is not installed in this Python: run scripts/setup.sh")
    return Path(next(iter(spec.submodule_search_locations)))


def check_versions(packages: Iterable[str], node_modules: Path, package_json: Path) -> None:
    """Fail unless each package is pinned in package.json and installed at that version."""
    pinned = json.loads(package_json.read_text(encoding="utf-8")).get("dependencies", {})
    problems = []
    for name in sorted(set(packages)):
        manifest = node_modules / name / "package.json"
        if name not in pinned:
            problems.append(f"{name} is used but not pinned in {package_json.name}")
        elif not manifest.is_file():
            problems.append(f"{manifest} is missing: run npm ci")
        else:
            installed = json.loads(manifest.read_text(encoding="utf-8")).get("version")
            if installed != pinned[name]:
                problems.append(f"{manifest} is {installed}, package.json pins {pinned[name]}: run npm ci")
    if problems:
        raise VendorError("\n".join(problems))


def plan(node_modules: Path, folium: Path) -> dict[str, Path | None]:
    """Map every vendor path to its source file (None for the generated stylesheet)."""
    files: dict[str, Path | None] = {}
    for vendor_path in sorted(set(CDN_TO_VENDOR.values()) | set(EXTRA_FILES)):
        if vendor_path == ROTATE_CSS_PATH:
            files[vendor_path] = None
        elif vendor_path.startswith("folium/"):
            files[vendor_path] = folium / vendor_path.removeprefix("folium/")
        else:
            files[vendor_path] = node_modules / vendor_path
    for folder in ASSET_DIRS:
        source = node_modules / folder
        if not source.is_dir():
            raise VendorError(f"missing folder {source}: run npm ci")
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            files[f"{folder}/{path.relative_to(source).as_posix()}"] = path
    # Licence texts travel with the code they cover.
    for package in sorted({npm_package(p) for p in files if not p.startswith("folium/")}):
        for pattern in _LICENCE_GLOBS:
            for path in sorted((node_modules / package).glob(pattern)):
                files[f"{package}/{path.name}"] = path
    return dict(sorted(files.items()))


def check_css_references(dest: Path) -> None:
    """Fail if a vendored stylesheet points at a relative file that was not vendored."""
    problems = []
    for css in sorted(dest.rglob("*.css")):
        for match in _CSS_URL.finditer(css.read_text(encoding="utf-8")):
            ref = match.group(2).strip()
            if ref.startswith(("data:", "#", "/", "http:", "https:")):
                continue
            target = css.parent / re.split(r"[?#]", ref)[0]
            if not target.is_file():
                problems.append(f"{css.relative_to(dest)} refers to {ref}, which was not vendored")
    if problems:
        raise VendorError("\n".join(sorted(set(problems))))


def build(dest: Path, node_modules: Path, package_json: Path) -> int:
    """Rebuild ``dest`` from the pinned sources and return the number of files written."""
    files = plan(node_modules, folium_dir())
    check_versions((npm_package(p) for p in files if not p.startswith("folium/")), node_modules, package_json)
    missing = [str(source) for source in files.values() if source is not None and not source.is_file()]
    if missing:
        raise VendorError("\n".join(f"missing {path}: run npm ci" for path in missing))

    staging = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for vendor_path, source in files.items():
        target = staging / vendor_path
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.write_text(rotate_css(), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
    try:
        check_css_references(staging)
    except VendorError:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    previous = dest.with_name(dest.name + ".old")
    shutil.rmtree(previous, ignore_errors=True)
    if dest.exists():
        dest.rename(previous)
    staging.rename(dest)
    shutil.rmtree(previous, ignore_errors=True)
    return len(files)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, rebuild the vendor folder, report on stderr and exit 0 or 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    parser.add_argument("--package-json", type=Path, default=ROOT / "package.json")
    parser.add_argument("--dest", type=Path, default=ROOT / "webapp" / "static" / "vendor")
    args = parser.parse_args(argv)
    try:
        count = build(args.dest, args.node_modules, args.package_json)
    except VendorError as error:
        print(f"vendor_assets: {error}", file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in args.dest.rglob("*") if p.is_file())
    print(f"vendor_assets: {count} files, {size / 1e6:.1f} MB in {args.dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
