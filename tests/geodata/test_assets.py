"""Maps load every script, stylesheet, font and image from our vendor folder, never from a CDN."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import branca.colormap
import folium
import pytest
from folium import plugins

from geodata.assets import (
    CDN_TO_VENDOR,
    MapParts,
    add_nonce,
    find_external_urls,
    local_url,
    localise,
    render_map_parts,
)

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "webapp" / "static" / "vendor"
NODE_MODULES = ROOT / "node_modules"
SCRIPT = ROOT / "scripts" / "vendor_assets.py"
BASE_URL = "/static/vendor/"
NONCE = "n0nce+/="

#: The plugins we use or plausibly will; CDN_TO_VENDOR must cover all of them.
PLUGINS = (
    plugins.MarkerCluster,
    plugins.FastMarkerCluster,
    plugins.Fullscreen,
    plugins.HeatMap,
    plugins.FeatureGroupSubGroup,
    plugins.GroupedLayerControl,
    plugins.LocateControl,
    plugins.MeasureControl,
    plugins.MousePosition,
    plugins.MiniMap,
    plugins.Draw,
)


def _require_built(path: Path, what: str) -> Path:
    """Skip when the set-up has not run here; in CI a missing build is a failure."""
    if not path.is_dir():
        reason = f"{what} is not built: run scripts/setup.sh (npm ci, then scripts/vendor_assets.py)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def vendor() -> Path:
    return _require_built(VENDOR, "webapp/static/vendor")


@pytest.fixture
def node_modules() -> Path:
    return _require_built(NODE_MODULES, "node_modules")


def build_map() -> folium.Map:
    """A map with every plugin in PLUGINS, a GeoJson layer and a colormap legend."""
    m = folium.Map(location=[49.894, 2.295], zoom_start=15, max_zoom=19)
    observations = folium.FeatureGroup(name="Observations").add_to(m)
    cluster = plugins.MarkerCluster().add_to(observations)
    folium.Marker(
        [49.894, 2.295],
        popup="Trottoir étroit",
        icon=folium.Icon(icon="person-walking", prefix="fa", angle=45),
    ).add_to(cluster)
    plugins.FastMarkerCluster([[49.895, 2.296], [49.896, 2.297]]).add_to(m)
    safety = plugins.FeatureGroupSubGroup(observations, name="Sécurité").add_to(m)
    folium.Marker([49.893, 2.294], icon=folium.Icon(icon="glyphicon-alert")).add_to(safety)
    plugins.GroupedLayerControl({"Thèmes": [safety]}, exclusive_groups=False).add_to(m)
    plugins.HeatMap([[49.894, 2.295, 1.0], [49.895, 2.296, 0.5]]).add_to(m)
    plugins.Fullscreen().add_to(m)
    plugins.LocateControl().add_to(m)
    plugins.MeasureControl().add_to(m)
    plugins.MousePosition().add_to(m)
    plugins.MiniMap().add_to(m)
    plugins.Draw().add_to(m)
    route = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"rating": 3},
                "geometry": {"type": "LineString", "coordinates": [[2.295, 49.894], [2.297, 49.896]]},
            }
        ],
    }
    folium.GeoJson(route, name="Parcours", tooltip=folium.GeoJsonTooltip(["rating"])).add_to(m)
    branca.colormap.LinearColormap(["#2c7bb6", "#d7191c"], vmin=0, vmax=5, caption="Note").add_to(m)
    return m


@pytest.fixture(scope="module")
def raw_html() -> str:
    return build_map().get_root().render()


@pytest.fixture(scope="module")
def parts() -> MapParts:
    return render_map_parts(build_map(), BASE_URL, nonce=NONCE)


def test_rendered_map_loads_nothing_from_outside(parts: MapParts) -> None:
    assert find_external_urls(parts.header + parts.html + parts.script) == []


def test_tile_templates_are_left_in_the_map_script(parts: MapParts) -> None:
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in parts.script


def test_every_cdn_url_folium_emits_is_mapped(raw_html: str) -> None:
    emitted = find_external_urls(raw_html)
    assert emitted, "the unlocalised map should reference CDNs"
    assert [url for url in emitted if url not in CDN_TO_VENDOR] == []


def test_every_plugin_we_use_asks_only_for_mapped_urls() -> None:
    # Catches a folium upgrade changing a URL of a plugin the test map does not exercise fully.
    for cls in (folium.Map, *PLUGINS):
        for _, url in [*cls.default_js, *cls.default_css]:
            assert url in CDN_TO_VENDOR, f"{cls.__name__} asks for {url}"


def test_every_mapped_url_is_still_emitted_by_folium_or_branca() -> None:
    # A mapping entry no source mentions any more is stale: the upgrade changed that URL.
    sources = "".join(
        path.read_text(encoding="utf-8")
        for package in (folium, branca)
        for path in Path(package.__file__).parent.rglob("*.py")
    )
    assert [url for url in CDN_TO_VENDOR if url not in sources] == []


def test_localised_map_points_at_the_vendor_folder(raw_html: str, parts: MapParts) -> None:
    for url in find_external_urls(raw_html):
        assert local_url(url, BASE_URL) in parts.header
    assert f'src="{BASE_URL}leaflet/dist/leaflet.js"' in parts.header
    assert f'src="{BASE_URL}d3/d3.min.js"' in parts.header


def test_every_script_tag_carries_the_nonce(parts: MapParts) -> None:
    tags = re.findall(r"<script\b[^>]*>", parts.header + parts.html, re.IGNORECASE)
    assert len(tags) > 10
    assert [tag for tag in tags if 'nonce="n0nce+/="' not in tag] == []
    assert "<script" not in parts.script


def test_map_parts_without_nonce_are_left_unmarked() -> None:
    parts = render_map_parts(folium.Map(tiles=None, max_zoom=18), BASE_URL)
    assert "nonce=" not in parts.header
    assert find_external_urls(parts.header) == []


def test_add_nonce_keeps_an_existing_nonce_and_escapes_the_value() -> None:
    html = '<script src="/a.js"></script><SCRIPT nonce="kept">x()</SCRIPT><scripts>'
    assert add_nonce(html, 'a"b') == (
        '<script nonce="a&quot;b" src="/a.js"></script><SCRIPT nonce="kept">x()</SCRIPT><scripts>'
    )


def test_localise_replaces_whole_quoted_urls_only() -> None:
    jquery = "https://code.jquery.com/jquery-3.7.1.min.js"
    html = f"<script src='{jquery}'></script><script src='{jquery}.map'></script>"
    local = "/static/vendor/jquery/dist/jquery.min.js"
    assert (
        localise(html, "/static/vendor")
        == f"<script src='{local}'></script><script src='{jquery}.map'></script>"
    )


def test_find_external_urls_reports_page_load_requests_only() -> None:
    html = """
        <link rel="stylesheet" href="//cdn.example.org/a.css">
        <a href="https://www.openstreetmap.org/copyright">OSM</a>
        <img srcset="https://img.example.org/1.png 1x, /static/img/2.png 2x" src="/static/img/1.png">
        <div style="background: url('https://img.example.org/bg.png')"></div>
        <style>@import "https://fonts.example.org/f.css"; .x { background: url(data:,x) }</style>
        <style>.t { background: url(https://tiles.example.org/{z}/{x}/{y}.png) }</style>
        <script src="/static/vendor/leaflet/dist/leaflet.js"></script>
        <link rel="stylesheet" href="//cdn.example.org/a.css">
    """
    assert find_external_urls(html) == [
        "//cdn.example.org/a.css",
        "https://img.example.org/1.png",
        "https://img.example.org/bg.png",
        "https://fonts.example.org/f.css",
    ]


def test_every_vendor_path_exists(vendor: Path) -> None:
    assert sorted(path for path in set(CDN_TO_VENDOR.values()) if not (vendor / path).is_file()) == []


def test_every_local_file_the_page_links_to_exists(vendor: Path, raw_html: str, parts: MapParts) -> None:
    linked = re.findall(r'(?:src|href)="' + re.escape(BASE_URL) + r'([^"]+)"', parts.header)
    assert sorted(linked) == sorted(CDN_TO_VENDOR[url] for url in find_external_urls(raw_html))
    assert [path for path in linked if not (vendor / path).is_file()] == []


def test_vendored_stylesheets_find_their_fonts_and_images(vendor: Path) -> None:
    missing = []
    for css in vendor.rglob("*.css"):
        for ref in re.findall(r"""url\(\s*["']?([^"')]+?)["']?\s*\)""", css.read_text(encoding="utf-8")):
            local = not ref.startswith(("data:", "#", "/", "http:", "https:"))
            if local and not (css.parent / re.split(r"[?#]", ref)[0]).is_file():
                missing.append(f"{css.relative_to(vendor)} -> {ref}")
    assert missing == []


def test_leaflet_default_marker_icons_are_vendored(vendor: Path) -> None:
    # Leaflet's JavaScript, not its CSS, asks for the retina icon and the shadow.
    for name in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"):
        assert (vendor / "leaflet" / "dist" / "images" / name).is_file()


def _run_script(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False, cwd=ROOT
    )


def _tree_digest(folder: Path) -> list[tuple[str, str]]:
    return sorted(
        (path.relative_to(folder).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest())
        for path in folder.rglob("*")
        if path.is_file()
    )


def test_vendor_script_is_idempotent_and_matches_the_built_folder(
    tmp_path: Path, node_modules: Path, vendor: Path
) -> None:
    dest = tmp_path / "vendor"
    first = _run_script("--dest", dest)
    assert first.returncode == 0, first.stderr
    digest = _tree_digest(dest)
    (dest / "stale.js").write_text("left over from an older version")
    second = _run_script("--dest", dest)
    assert second.returncode == 0, second.stderr
    assert _tree_digest(dest) == digest
    assert _tree_digest(vendor) == digest, "webapp/static/vendor is out of date: run scripts/vendor_assets.py"


def test_vendor_script_names_a_missing_file(tmp_path: Path, node_modules: Path) -> None:
    fake = tmp_path / "node_modules"
    fake.mkdir()
    for entry in node_modules.iterdir():
        if entry.name != "leaflet":
            (fake / entry.name).symlink_to(entry)
    leaflet = fake / "leaflet"
    (leaflet / "dist" / "images").mkdir(parents=True)
    (leaflet / "package.json").write_text((node_modules / "leaflet" / "package.json").read_text())
    for image in (node_modules / "leaflet" / "dist" / "images").iterdir():
        (leaflet / "dist" / "images" / image.name).write_bytes(image.read_bytes())
    (leaflet / "dist" / "leaflet.css").write_text((node_modules / "leaflet/dist/leaflet.css").read_text())

    result = _run_script("--node-modules", fake, "--dest", tmp_path / "vendor")

    assert result.returncode == 1
    assert "leaflet/dist/leaflet.js" in result.stderr
    assert not (tmp_path / "vendor").exists()


def test_vendor_script_refuses_another_version_than_the_pinned_one(
    tmp_path: Path, node_modules: Path
) -> None:
    package_json = tmp_path / "package.json"
    package_json.write_text(
        (ROOT / "package.json").read_text().replace('"leaflet": "1.9.3"', '"leaflet": "1.9.4"')
    )
    result = _run_script("--package-json", package_json, "--dest", tmp_path / "vendor")
    assert result.returncode == 1
    assert "pins 1.9.4" in result.stderr
