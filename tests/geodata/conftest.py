"""Fixtures for the geodata tests: the reference files in ``tests/data/geodata``, writers of test inputs."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import pytest
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geodata.convert import geojson_to_shape
from geodata.crs import reproject

WriteJson = Callable[..., Path]
WriteOgr = Callable[..., Path]


@pytest.fixture(scope="session")
def reference_geodata(data_dir: Path) -> Path:
    """The folder of reference GeoJSON files (ANCT perimeters, Géo2France places)."""
    return data_dir / "geodata"


@pytest.fixture(scope="session")
def amiens_path(reference_geodata: Path) -> Path:
    return reference_geodata / "qpv2024_amiens.geojson"


@pytest.fixture(scope="session")
def somme_path(reference_geodata: Path) -> Path:
    return reference_geodata / "qpv2024_somme.geojson"


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="session")
def amiens_doc(amiens_path: Path) -> dict[str, Any]:
    """Return the parsed Amiens QPV FeatureCollection (do not mutate: copy first)."""
    return _load(amiens_path)


@pytest.fixture(scope="session")
def inside_points(reference_geodata: Path) -> list[tuple[str, float, float]]:
    """Return (code_qp, lon, lat) of one point inside each Amiens QPV."""
    doc = _load(reference_geodata / "qpv2024_amiens_inside_points.geojson")
    return [(f["properties"]["code_qp"], *f["geometry"]["coordinates"]) for f in doc["features"]]


@pytest.fixture(scope="session")
def pois(reference_geodata: Path) -> list[tuple[str, float, float]]:
    """Return (name, lon, lat) of the 13 Amiens places outside every QPV."""
    doc = _load(reference_geodata / "amiens_pois_geo2france.geojson")
    return [(f["properties"]["name"], *f["geometry"]["coordinates"]) for f in doc["features"]]


@pytest.fixture
def write_json(tmp_path: Path) -> WriteJson:
    """Return a writer: write_json(obj_or_text, name="in.geojson") -> path in tmp_path."""

    def write(content: Any, name: str = "in.geojson") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_ogr(tmp_path: Path) -> WriteOgr:
    """Return a writer of shapefiles/GeoPackages with pyogrio.raw (no geopandas needed).

    write_ogr(geometries, {field: values}, name="qp.shp", srid=2154 or None for no .prj,
              driver=None, wkb_override={index: raw WKB})
    """

    def write(
        geometries: Sequence[BaseGeometry],
        fields: dict[str, Sequence[Any]],
        name: str = "qp.shp",
        srid: int | None = 2154,
        driver: str | None = None,
        wkb_override: dict[int, bytes] | None = None,
    ) -> Path:
        path = tmp_path / name
        wkb = np.array(shapely.to_wkb(np.array(geometries, dtype=object)), dtype=object)
        for i, raw in (wkb_override or {}).items():
            wkb[i] = raw  # hand-made WKB, e.g. with NaN vertices Shapely would warn about
        data = [np.array(list(values), dtype=object) for values in fields.values()]

        def run() -> None:
            pyogrio.raw.write(
                str(path),
                wkb,
                data,
                list(fields),
                geometry_type="MultiPolygon",
                crs=CRS.from_epsg(srid).to_wkt() if srid is not None else None,
                encoding="UTF-8" if path.suffix == ".shp" else None,
                driver=driver,
            )

        if srid is None:
            # Writing without a .prj is the point of the fixture; pyogrio warns about it.
            with pytest.warns(UserWarning, match="'crs' was not provided"):
                run()
        else:
            run()
        return path

    return write


@pytest.fixture
def zip_shapefile(tmp_path: Path) -> Callable[..., Path]:
    """Return a zipper: zip_shapefile(shp_path, folder="QP/") -> zip holding every part of it."""

    def zip_it(
        shp: Path, folder: str = "", name: str = "qp.zip", extra: dict[str, bytes] | None = None
    ) -> Path:
        target = tmp_path / name
        parts = sorted(p for p in shp.parent.iterdir() if p.stem == shp.stem and p.suffix != ".zip")
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for part in parts:
                archive.write(part, f"{folder}{part.name}")
            for member, data in (extra or {}).items():
                archive.writestr(member, data)
        return target

    return zip_it


@pytest.fixture(scope="session")
def amiens_geoms(amiens_doc: dict[str, Any]) -> list[BaseGeometry]:
    """Return the 7 Amiens QPV geometries (EPSG:4326), in file order."""
    return [geojson_to_shape(f["geometry"]) for f in amiens_doc["features"]]


@pytest.fixture(scope="session")
def amiens_l93(amiens_geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    """Return the 7 Amiens QPV geometries reprojected to Lambert-93 (EPSG:2154)."""
    return [reproject(g, 4326, 2154) for g in amiens_geoms]
