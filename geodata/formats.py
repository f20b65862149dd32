"""Perimeter file formats: read GeoJSON, a shapefile, a GeoPackage or a zip of one into a ``Source``.

``read_source`` accepts GeoJSON (``.geojson``/``.json``), a ``.zip`` holding a shapefile, a GeoJSON
or a GeoPackage, a bare ``.shp`` (with its ``.dbf``/``.shx``/``.prj``) and ``.gpkg``. It returns the
raw fields, properties, geometries and declared CRS, before any interpretation (field mapping, QPV
rules, geometry checks: ``geodata.perimeters``), or raises PerimeterError for a file it cannot read.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pyogrio.errors
import pyogrio.raw
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from geodata.convert import GeometryError, geojson_to_shape
from geodata.crs import STORAGE_SRID, crs_from_name
from geodata.problems import PerimeterError, Problem, fail, problem

__all__ = ["DEFAULT_MAX_BYTES", "SUFFIXES", "Source", "field_text", "read_source"]

#: Largest file (or sum of uncompressed archive members) read by default: 500 MB.
DEFAULT_MAX_BYTES = 500 * 1024 * 1024
#: Formats by file suffix (a ``.zip`` holds one of them).
SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".shp": "shapefile", ".gpkg": "gpkg"}
#: Which dataset of a zip to read when it holds several files: a stray .json is often metadata.
_ZIP_PREFERENCE = (".geojson", ".gpkg", ".shp", ".json")


@dataclass
class Source:
    """What a reader found in a file, before any interpretation."""

    fmt: str
    fields: list[str]
    properties: list[dict[str, Any]]
    geometries: list[BaseGeometry | None]
    crs: CRS | None  #: None when the file says nothing about its CRS
    feature_ids: list[Any] = field(default_factory=list)
    geometry_errors: dict[int, str] = field(default_factory=dict)  #: "" = non-finite coordinates
    feature_errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


def field_text(value: Any) -> str | None:
    """Return a field value as stripped text; None for null, NaN and blank."""
    if value is None:
        return None
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return None
        if float(value).is_integer():
            # Numeric columns (ids, INSEE codes read as numbers) lose nothing as integers.
            return str(int(value))
    text = str(value).strip()
    return text or None


def _geojson_crs(member: Any) -> CRS:
    """Return the CRS named by a legacy GeoJSON ``crs`` member (absent = WGS84, RFC 7946)."""
    if member is None:
        return CRS.from_epsg(STORAGE_SRID)
    name: Any = None
    if isinstance(member, dict):
        props = member.get("properties") or {}
        if member.get("type") == "name" and isinstance(props, dict):
            name = props.get("name")
        elif member.get("type") == "EPSG" and isinstance(props, dict):  # GeoJSON 2008 draft form
            name = f"EPSG:{props.get('code')}"
    shown = json.dumps(member, ensure_ascii=False)[:200]
    if not isinstance(name, str):
        raise fail(
            "unknown_crs",
            f"membre « crs » illisible : {shown} ; attendu p. ex. "
            '{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}',
            f"unreadable 'crs' member: {shown}; expected e.g. "
            '{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}',
            field="crs",
        )
    try:
        return crs_from_name(name)
    except CRSError as exc:
        raise fail(
            "unknown_crs",
            f"système de coordonnées inconnu « {name} » ; utilisez WGS84 (sans membre crs) ou EPSG:2154",
            f"unknown coordinate reference system '{name}'; use WGS84 (no crs member) or EPSG:2154",
            field="crs",
        ) from exc


def _has_non_finite(obj: Any) -> bool:
    """Tell whether a raw GeoJSON geometry holds NaN or infinite numbers."""
    if isinstance(obj, float):
        return not np.isfinite(obj)
    if isinstance(obj, list):
        return any(_has_non_finite(c) for c in obj)
    if isinstance(obj, dict):
        return _has_non_finite(obj.get("coordinates")) or _has_non_finite(obj.get("geometries"))
    return False


def _read_geojson_bytes(data: bytes) -> Source:
    if not data.strip():
        raise fail("empty_file", "le fichier est vide", "the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(
            "not_utf8",
            f"le fichier n'est pas en UTF-8 (octet {exc.start}) ; GeoJSON doit être en UTF-8",
            f"the file is not UTF-8 (byte {exc.start}); GeoJSON must be UTF-8",
        ) from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(
            "malformed_json",
            f"JSON mal formé ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}",
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        ) from exc
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    elif kind != "FeatureCollection":
        found = kind if isinstance(kind, str) else type(doc).__name__
        raise fail(
            "not_geojson",
            f"attendu une FeatureCollection GeoJSON, trouvé « {found} »",
            f"expected a GeoJSON FeatureCollection, found '{found}'",
            field="type",
        )
    features = doc.get("features")
    if not isinstance(features, list):
        raise fail(
            "not_geojson",
            "le membre « features » manque ou n'est pas une liste",
            "the 'features' member is missing or not a list",
            field="features",
        )
    if not features:
        raise fail("no_features", "le fichier ne contient aucun élément", "the file holds no features")
    crs = _geojson_crs(doc.get("crs"))

    source = Source(fmt="geojson", fields=[], properties=[], geometries=[], crs=crs)
    seen_fields: dict[str, None] = {}
    for i, item in enumerate(features):
        props: dict[str, Any] = {}
        geom: BaseGeometry | None = None
        fid: Any = None
        if not isinstance(item, dict) or item.get("type") != "Feature":
            source.feature_errors.append(
                problem(
                    "not_geojson",
                    "ce n'est pas un objet GeoJSON de type Feature",
                    "not a GeoJSON object of type Feature",
                    index=i,
                )
            )
        else:
            raw_props = item.get("properties")
            props = raw_props if isinstance(raw_props, dict) else {}
            fid = item.get("id")
            raw_geom = item.get("geometry")
            if _has_non_finite(raw_geom):
                # Checked before Shapely sees them: a NaN vertex breaks ring closure (NaN != NaN)
                # and makes Shapely warn, hiding the real cause.
                source.geometry_errors[i] = ""
            elif raw_geom is not None:
                try:
                    geom = geojson_to_shape(raw_geom)
                except GeometryError as exc:
                    source.geometry_errors[i] = str(exc)
        for key in props:
            seen_fields.setdefault(key, None)
        source.properties.append(props)
        source.geometries.append(geom)
        source.feature_ids.append(fid)
    source.fields = list(seen_fields)
    return source


def _read_ogr(path: str, fmt: str, layer: str | None) -> Source:
    """Read a shapefile or GeoPackage layer with pyogrio (WKB + fields, no geopandas)."""
    with warnings.catch_warnings(record=True) as caught:
        # GDAL's own warnings (odd encodings, truncated fields) become import warnings.
        warnings.simplefilter("always")
        try:
            if layer is None and fmt == "gpkg":
                layer = _pick_layer(path)
            meta, _fids, wkbs, columns = pyogrio.raw.read(path, layer=layer, force_2d=True)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise fail(
                "unreadable",
                f"fichier illisible ({exc})",
                f"unreadable file ({exc})",
            ) from exc
    crs: CRS | None = None
    if meta.get("crs"):
        try:
            crs = CRS.from_user_input(meta["crs"])
        except CRSError as exc:
            raise fail(
                "unknown_crs",
                f"système de coordonnées inconnu : {str(meta['crs'])[:120]}",
                f"unknown coordinate reference system: {str(meta['crs'])[:120]}",
            ) from exc
    fields = [str(f) for f in meta["fields"]]
    values = [list(col.tolist()) for col in columns]
    n = 0 if wkbs is None else len(wkbs)
    source = Source(fmt=fmt, fields=fields, properties=[], geometries=[], crs=crs)
    if n == 0:
        raise fail("no_features", "le fichier ne contient aucun élément", "the file holds no features")
    for i in range(n):
        source.properties.append({name: values[j][i] for j, name in enumerate(fields)})
        source.feature_ids.append(None)
        wkb = wkbs[i]
        if wkb is None:
            source.geometries.append(None)
            continue
        try:
            # NaN vertices are reported per feature later; Shapely should not warn about them here.
            with np.errstate(invalid="ignore"):
                source.geometries.append(shapely.from_wkb(wkb))
        except shapely.errors.ShapelyError as exc:
            source.geometries.append(None)
            source.geometry_errors[i] = f"malformed WKB: {exc}"
    for w in caught:
        text = str(w.message)
        source.notes.append(
            problem("reader_warning", f"avertissement de lecture : {text}", f"reader warning: {text}")
        )
    return source


def _pick_layer(path: str) -> str:
    layers = pyogrio.list_layers(path)
    with_geometry = [str(name) for name, geom_type in layers if geom_type is not None]
    if len(with_geometry) == 1:
        return with_geometry[0]
    names = ", ".join(with_geometry) or "-"
    raise fail(
        "ambiguous_layer",
        f"le GeoPackage contient {len(with_geometry)} couches géométriques ({names}) ; précisez laquelle",
        f"the GeoPackage holds {len(with_geometry)} geometry layers ({names}); say which one (layer=)",
    )


def _too_large(size: int, max_bytes: int, what_fr: str, what_en: str) -> PerimeterError:
    return fail(
        "too_large",
        f"{what_fr} fait {size / 1e6:.1f} Mo, au-delà de la limite de {max_bytes / 1e6:.1f} Mo",
        f"{what_en} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit",
    )


def _missing_dbf(name: str) -> PerimeterError:
    # Without its .dbf a shapefile has shapes but no codes or names: say so, not "no fields".
    return fail(
        "missing_dbf",
        f"le fichier .dbf du shapefile « {name} » manque (il porte les codes et les noms)",
        f"the .dbf file of shapefile '{name}' is missing (it holds the codes and names)",
    )


def _read_zip(path: Path, max_bytes: int, member: str | None, layer: str | None) -> Source:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise fail(
            "archive_invalid", f"archive zip illisible ({exc})", f"unreadable zip archive ({exc})"
        ) from exc
    with archive:
        infos = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not Path(info.filename).name.startswith(".")
        ]
        by_suffix: dict[str, list[zipfile.ZipInfo]] = {suffix: [] for suffix in _ZIP_PREFERENCE}
        for info in infos:
            by_suffix.get(Path(info.filename).suffix.lower(), []).append(info)
        if member is not None:
            chosen = [i for i in infos if i.filename == member]
            if not chosen or SUFFIXES.get(Path(member).suffix.lower()) is None:
                raise fail(
                    "archive_member_missing",
                    f"l'archive ne contient pas de jeu de données « {member} »",
                    f"the archive holds no dataset '{member}'",
                )
        else:
            # One dataset per archive; official zips holding one format are the common case.
            chosen = next((found for found in by_suffix.values() if found), [])
            if not chosen:
                listed = ", ".join(i.filename for i in infos[:10]) or "-"
                raise fail(
                    "archive_empty",
                    f"l'archive ne contient ni .shp, ni .geojson, ni .gpkg (trouvé : {listed})",
                    f"the archive holds no .shp, .geojson or .gpkg (found: {listed})",
                )
            if len(chosen) > 1:
                names = ", ".join(i.filename for i in chosen)
                raise fail(
                    "archive_ambiguous",
                    f"l'archive contient plusieurs jeux de données ({names}) ; précisez lequel importer",
                    f"the archive holds several datasets ({names}); say which one to import (member=)",
                )
        info = chosen[0]
        kind = SUFFIXES[Path(info.filename).suffix.lower()]
        stem = info.filename[: -len(Path(info.filename).suffix)]
        # A shapefile is several members; a zip bomb is caught by the uncompressed sizes.
        parts = [i for i in infos if i.filename.startswith(stem + ".")] if kind == "shapefile" else [info]
        if kind == "shapefile" and not any(i.filename.lower().endswith(".dbf") for i in parts):
            raise _missing_dbf(info.filename)
        size = sum(i.file_size for i in parts)
        if size > max_bytes:
            raise _too_large(
                size, max_bytes, f"« {info.filename} » décompressé", f"'{info.filename}' uncompressed"
            )
        if kind == "geojson":
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, RuntimeError, OSError) as exc:
                raise fail(
                    "archive_invalid",
                    f"membre « {info.filename} » illisible ({exc})",
                    f"unreadable member '{info.filename}' ({exc})",
                ) from exc
            return _read_geojson_bytes(data)
    return _read_ogr(f"/vsizip/{path.resolve()}/{info.filename}", kind, layer)


def read_source(path: Path, max_bytes: int, member: str | None, layer: str | None) -> Source:
    if not path.exists():
        raise fail("not_found", f"fichier introuvable : {path}", f"file not found: {path}")
    if not path.is_file():
        raise fail("not_found", f"ce n'est pas un fichier : {path}", f"not a file: {path}")
    suffix = path.suffix.lower()
    if suffix != ".zip" and suffix not in SUFFIXES:
        raise fail(
            "unsupported_format",
            f"format « {suffix or path.name} » non pris en charge ; "
            "attendu .geojson, .json, .zip, .shp ou .gpkg",
            f"unsupported format '{suffix or path.name}'; expected .geojson, .json, .zip, .shp or .gpkg",
        )
    size = path.stat().st_size
    if suffix == ".shp":
        dbf = [p for p in path.parent.glob(path.stem + ".*") if p.suffix.lower() == ".dbf"]
        if not dbf:
            raise _missing_dbf(path.name)
        size += sum(p.stat().st_size for p in dbf)
    if size > max_bytes:
        raise _too_large(size, max_bytes, "le fichier", "the file")
    if size == 0:
        raise fail("empty_file", "le fichier est vide", "the file is empty")
    if suffix == ".zip":
        return _read_zip(path, max_bytes, member, layer)
    fmt = SUFFIXES[suffix]
    if fmt == "geojson":
        return _read_geojson_bytes(path.read_bytes())
    return _read_ogr(str(path), fmt, layer)
