"""Read official QPV perimeters and custom zone files into plain dataclasses, all or nothing.

``read_perimeters`` accepts GeoJSON (``.geojson``/``.json``), a ``.zip`` holding a shapefile,
a GeoJSON or a GeoPackage, a bare ``.shp`` (with its ``.dbf``/``.shx``/``.prj``) and ``.gpkg``.
It returns a PerimeterSet of PerimeterFeature (MultiPolygon in EPSG:4326), or raises
PerimeterError listing every Problem found, each named by feature, code and field, in
French and in English. Nothing is half-read: the caller imports all features or none.

Official QPV lists (ANCT, Licence Ouverte 2.0):

* 2024 list: fields ``code_qp``, ``lib_qp``, ``insee_com``; codes ``QN`` + département on
  three characters + two digits + a letter (``QN08003M``: M modified, N new, I unchanged,
  C Mayotte); WGS84. ``insee_com`` may list several communes ("02571, 02691").
* 2015 list: fields ``CODE_QP``, ``NOM_QP``, ``COMMUNE_QP``; codes ``QP`` + département on
  three characters + three digits (``QP080001``); Lambert-93 or WGS84. ``COMMUNE_QP``
  usually holds commune *names*, so the département filter then uses the QPV code.

Field names are matched without regard to case. Problems are checked on the features kept
by the filters; file-wide checks (format, fields, CRS, duplicate codes) cover the whole file.

``Problem.reason`` keys, stable for callers and tests:

* file: not_found, unsupported_format, too_large, empty_file, not_utf8, malformed_json,
  not_geojson, no_features, archive_invalid, archive_empty, archive_ambiguous,
  archive_member_missing, ambiguous_layer, missing_dbf, unreadable, unknown_crs, missing_crs,
  missing_fields, list_year_mismatch, no_match;
* feature: duplicate_code, missing_code, bad_code, missing_name, bad_name, bad_insee,
  no_geometry, malformed_geometry, not_polygon, empty_geometry, nan_coordinates,
  looks_lambert93, swapped_axes, out_of_range, outside_france, invalid_geometry;
* warnings (PerimeterSet.warnings, the import goes on): repaired, assumed_crs,
  list_year_from_codes, generated_codes, reader_warning.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyogrio
import pyogrio.errors
import pyogrio.raw
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geodata.convert import GeometryError, feature, feature_collection, geojson_to_shape
from geodata.crs import STORAGE_SRID, crs_key, looks_like_lambert93, reproject
from geodata.shapes import CoordinateIssue, lonlat_issue, repair_polygon

__all__ = [
    "DEFAULT_MAX_BYTES",
    "LIST_YEARS",
    "PerimeterError",
    "PerimeterFeature",
    "PerimeterSet",
    "Problem",
    "read_perimeters",
    "slugify",
]

Kind = Literal["qpv", "custom"]
ProgressCallback = Callable[[int, int], None]

#: Largest file (or sum of uncompressed archive members) read by default: 500 MB.
DEFAULT_MAX_BYTES = 500 * 1024 * 1024
#: Official QPV lists Arpenteur knows.
LIST_YEARS = (2015, 2024)
#: Field names of each official list: (code, name, commune).
QPV_FIELDS: dict[int, tuple[str, str, str]] = {
    2024: ("code_qp", "lib_qp", "insee_com"),
    2015: ("CODE_QP", "NOM_QP", "COMMUNE_QP"),
}
#: QPV code pattern of each list; the département part is 3 characters (080, 02A, 971).
QPV_CODE_PATTERNS: dict[int, re.Pattern[str]] = {
    2024: re.compile(r"^Q[NP](?:\d{3}|02[AB])\d{2}[A-Z]$"),
    2015: re.compile(r"^QP(?:\d{3}|02[AB])\d{3}$"),
}
#: Accepted field names of custom zone files, in order of preference (case-insensitive).
CUSTOM_CODE_FIELDS = ("code", "id")
CUSTOM_NAME_FIELDS = ("name", "nom")
CUSTOM_COMMUNE_FIELDS = ("insee_com",)
MAX_CODE_LENGTH = 64
MAX_NAME_LENGTH = 200

_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_DEPARTEMENT = re.compile(r"^(?:\d{2}|2[AB]|97[1-8]|98\d)$")
_SPLIT = re.compile(r"[\s,;/|]+")
_SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".shp": "shapefile", ".gpkg": "gpkg"}
#: Which dataset of a zip to read when it holds several files: a stray .json is often metadata.
_ZIP_PREFERENCE = (".geojson", ".gpkg", ".shp", ".json")
_PROBLEMS_IN_MESSAGE = 20


# --------------------------------------------------------------------------- public shapes


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or, in PerimeterSet.warnings, worth knowing) about an input file."""

    reason: str  #: stable key, e.g. "duplicate_code", "swapped_axes" (listed in the module docstring)
    message_fr: str  #: what is wrong, in French, for facilitators
    message_en: str  #: the same in English, for logs
    index: int | None = None  #: 0-based position of the feature in the file; None = whole file
    code: str | None = None  #: code of the feature when known
    field: str | None = None  #: name of the field at fault, as written in the file

    def describe(self, lang: str = "en") -> str:
        """Return 'where: what' in French ("fr") or English."""
        fr = lang == "fr"
        if self.index is None:
            where = "fichier" if fr else "file"
        else:
            where = f"élément n° {self.index + 1}" if fr else f"feature #{self.index + 1}"
            if self.code:
                where += f" ({self.code})"
        if self.field:
            where += f", champ « {self.field} »" if fr else f", field '{self.field}'"
        return f"{where} : {self.message_fr}" if fr else f"{where}: {self.message_en}"

    def __str__(self) -> str:
        return self.describe("en")


class PerimeterError(ValueError):
    """A perimeter file cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.report("en"))

    def report(self, lang: str = "en", limit: int = _PROBLEMS_IN_MESSAGE) -> str:
        """Return a readable multi-line summary in French ("fr") or English."""
        n = len(self.problems)
        head = (
            f"{n} problème(s) : import refusé, rien n'a été importé"
            if lang == "fr"
            else f"{n} problem(s): import refused, nothing was imported"
        )
        lines = [head, *(f"- {p.describe(lang)}" for p in self.problems[:limit])]
        if n > limit:
            lines.append(f"- … et {n - limit} autre(s)" if lang == "fr" else f"- … and {n - limit} more")
        return "\n".join(lines)

    @property
    def reasons(self) -> list[str]:
        """Return the reason key of every problem, in order."""
        return [p.reason for p in self.problems]


@dataclass(frozen=True, slots=True, eq=False)
class PerimeterFeature:
    """One perimeter (a QPV or a custom zone) ready to store."""

    code: str  #: QPV code (QN08003M) or custom zone code (given, or a slug of the name)
    name: str  #: lib_qp / NOM_QP / name
    insee_com: str | None  #: first INSEE commune code given for the feature, if any
    list_year: int | None  #: 2015 or 2024 for QPV; None for custom zones
    geometry: MultiPolygon  #: valid, non-empty, EPSG:4326 lon/lat
    source_index: int  #: 0-based position of the feature in the file
    repaired_note: str | None = None  #: what make_valid repaired, None if the geometry was valid
    communes: tuple[str, ...] = ()  #: every INSEE commune code given (a QPV may straddle communes)
    departement: str | None = None  #: département code (80, 2A, 971) from the commune or the QPV code
    commune_label: str | None = None  #: commune text when it is not INSEE codes (2015 COMMUNE_QP)


@dataclass(frozen=True, slots=True, eq=False)
class PerimeterSet:
    """The features read from one file, with what was detected about the file."""

    features: tuple[PerimeterFeature, ...]
    kind: Kind  #: "qpv" or "custom"
    list_year: int | None  #: QPV list year, given or detected; None for custom zones
    source_crs: str  #: CRS of the file, e.g. "EPSG:2154"
    source_format: str  #: "geojson", "shapefile" or "gpkg"
    crs_assumed: bool  #: True when the file had no CRS and Lambert-93 was assumed
    total_in_file: int  #: number of features in the file, before filters
    warnings: tuple[Problem, ...] = ()  #: repairs, assumptions, generated codes: import anyway, but tell

    def __len__(self) -> int:
        return len(self.features)

    def __iter__(self) -> Iterator[PerimeterFeature]:
        return iter(self.features)

    @property
    def codes(self) -> list[str]:
        """Return the codes of the features, in file order."""
        return [f.code for f in self.features]

    def to_geojson(self, *, precision: int | None = 6) -> dict[str, Any]:
        """Return the set as an RFC 7946 FeatureCollection (for previews and exports)."""
        return feature_collection(
            feature(
                f.geometry,
                {"code": f.code, "name": f.name, "insee_com": f.insee_com, "list_year": f.list_year},
                precision=precision,
            )
            for f in self.features
        )


# --------------------------------------------------------------------------- helpers


def slugify(text: str, max_length: int = 40) -> str:
    """Return a lowercase ASCII slug of a name ("Cœur de ville" -> "coeur-de-ville")."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-")


#: French and English of ``geodata.shapes.lonlat_issue`` reasons, for this module's problem pairs
#: (the app's own pages label them with ``webapp.models.enums.CoordinateProblem``).
_COORDINATE_TEXT = {
    "not_finite": ("coordonnées non numériques (NaN ou infini)", "coordinates are not finite numbers"),
    "swapped": ("longitude et latitude semblent inversées", "longitude and latitude look swapped"),
    "projected": (
        "valeurs en mètres (Lambert-93 ?) et non en degrés WGS84",
        "values look like metres (Lambert-93?), not WGS84 degrees",
    ),
    "out_of_range": (
        "longitude hors de [-180, 180] ou latitude hors de [-90, 90]",
        "longitude outside [-180, 180] or latitude outside [-90, 90]",
    ),
    "outside_france": (
        "position hors de France métropolitaine et d'outre-mer",
        "position outside metropolitan and overseas France",
    ),
}


def _coordinate_text(issue: CoordinateIssue) -> tuple[str, str]:
    fr, en = _COORDINATE_TEXT[issue.reason]
    return f"{fr} : {issue.pair}", f"{en}: {issue.pair}"


def _problem(
    reason: str,
    fr: str,
    en: str,
    *,
    index: int | None = None,
    code: str | None = None,
    field: str | None = None,
) -> Problem:
    return Problem(reason=reason, message_fr=fr, message_en=en, index=index, code=code, field=field)


def _fail(reason: str, fr: str, en: str, **where: Any) -> PerimeterError:
    return PerimeterError([_problem(reason, fr, en, **where)])


def _text(value: Any) -> str | None:
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


def _parse_insee(text: str | None) -> tuple[str, ...] | None:
    """Return the INSEE codes listed in a field, () when empty, None when it is not codes."""
    if text is None:
        return ()
    codes: list[str] = []
    for token in _SPLIT.split(text.upper()):
        if not token:
            continue
        if token.isdigit() and len(token) == 4:
            token = token.zfill(5)  # a numeric column dropped the leading zero (01004 -> 1004)
        if not _INSEE.match(token):
            return None
        if token not in codes:
            codes.append(token)
    return tuple(codes)


def _departement_of_insee(insee: str) -> str:
    return insee[:3] if insee.startswith(("97", "98")) else insee[:2]


def _departement_of_code(code: str) -> str | None:
    for pattern in QPV_CODE_PATTERNS.values():
        if pattern.match(code):
            dep = code[2:5]
            return dep[1:] if dep.startswith("0") else dep
    return None


def _normalise_departements(values: Iterable[str]) -> set[str]:
    result: set[str] = set()
    for raw in values:
        dep = str(raw).strip().upper()
        if dep.isdigit() and len(dep) == 1:
            dep = dep.zfill(2)
        if len(dep) == 3 and dep.startswith("0"):
            dep = dep[1:]
        if dep == "20":  # pre-1976 Corsica: both of today's départements
            result.update(("2A", "2B"))
            continue
        if not _DEPARTEMENT.match(dep):
            raise ValueError(f"not a département code: {raw!r} (expected e.g. 80, 2A, 971)")
        result.add(dep)
    return result


def _normalise_communes(values: Iterable[str]) -> set[str]:
    result: set[str] = set()
    for raw in values:
        parsed = _parse_insee(str(raw).strip())
        if not parsed or len(parsed) != 1:
            raise ValueError(f"not an INSEE commune code: {raw!r} (expected 5 characters, e.g. 80021, 2A004)")
        result.add(parsed[0])
    return result


# --------------------------------------------------------------------------- reading sources


@dataclass
class _Source:
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


def _crs_from_name(name: str) -> CRS:
    if "CRS84" in name.upper():
        return CRS.from_epsg(STORAGE_SRID)  # OGC CRS84 is WGS84 with lon/lat order, as we read it
    crs = CRS.from_user_input(name)
    if not (crs.is_geographic or crs.is_projected):
        raise CRSError(f"{name} is neither geographic nor projected")
    return crs


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
        raise _fail(
            "unknown_crs",
            f"membre « crs » illisible : {shown} ; attendu p. ex. "
            '{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}',
            f"unreadable 'crs' member: {shown}; expected e.g. "
            '{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}',
            field="crs",
        )
    try:
        return _crs_from_name(name)
    except CRSError as exc:
        raise _fail(
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


def _read_geojson_bytes(data: bytes) -> _Source:
    if not data.strip():
        raise _fail("empty_file", "le fichier est vide", "the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(
            "not_utf8",
            f"le fichier n'est pas en UTF-8 (octet {exc.start}) ; GeoJSON doit être en UTF-8",
            f"the file is not UTF-8 (byte {exc.start}); GeoJSON must be UTF-8",
        ) from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(
            "malformed_json",
            f"JSON mal formé ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}",
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        ) from exc
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    elif kind != "FeatureCollection":
        found = kind if isinstance(kind, str) else type(doc).__name__
        raise _fail(
            "not_geojson",
            f"attendu une FeatureCollection GeoJSON, trouvé « {found} »",
            f"expected a GeoJSON FeatureCollection, found '{found}'",
            field="type",
        )
    features = doc.get("features")
    if not isinstance(features, list):
        raise _fail(
            "not_geojson",
            "le membre « features » manque ou n'est pas une liste",
            "the 'features' member is missing or not a list",
            field="features",
        )
    if not features:
        raise _fail("no_features", "le fichier ne contient aucun élément", "the file holds no features")
    crs = _geojson_crs(doc.get("crs"))

    source = _Source(fmt="geojson", fields=[], properties=[], geometries=[], crs=crs)
    seen_fields: dict[str, None] = {}
    for i, item in enumerate(features):
        props: dict[str, Any] = {}
        geom: BaseGeometry | None = None
        fid: Any = None
        if not isinstance(item, dict) or item.get("type") != "Feature":
            source.feature_errors.append(
                _problem(
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


def _read_ogr(path: str, fmt: str, layer: str | None) -> _Source:
    """Read a shapefile or GeoPackage layer with pyogrio (WKB + fields, no geopandas)."""
    with warnings.catch_warnings(record=True) as caught:
        # GDAL's own warnings (odd encodings, truncated fields) become import warnings.
        warnings.simplefilter("always")
        try:
            if layer is None and fmt == "gpkg":
                layer = _pick_layer(path)
            meta, _fids, wkbs, columns = pyogrio.raw.read(path, layer=layer, force_2d=True)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise _fail(
                "unreadable",
                f"fichier illisible ({exc})",
                f"unreadable file ({exc})",
            ) from exc
    crs: CRS | None = None
    if meta.get("crs"):
        try:
            crs = CRS.from_user_input(meta["crs"])
        except CRSError as exc:
            raise _fail(
                "unknown_crs",
                f"système de coordonnées inconnu : {str(meta['crs'])[:120]}",
                f"unknown coordinate reference system: {str(meta['crs'])[:120]}",
            ) from exc
    fields = [str(f) for f in meta["fields"]]
    values = [list(col.tolist()) for col in columns]
    n = 0 if wkbs is None else len(wkbs)
    source = _Source(fmt=fmt, fields=fields, properties=[], geometries=[], crs=crs)
    if n == 0:
        raise _fail("no_features", "le fichier ne contient aucun élément", "the file holds no features")
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
            _problem("reader_warning", f"avertissement de lecture : {text}", f"reader warning: {text}")
        )
    return source


def _pick_layer(path: str) -> str:
    layers = pyogrio.list_layers(path)
    with_geometry = [str(name) for name, geom_type in layers if geom_type is not None]
    if len(with_geometry) == 1:
        return with_geometry[0]
    names = ", ".join(with_geometry) or "-"
    raise _fail(
        "ambiguous_layer",
        f"le GeoPackage contient {len(with_geometry)} couches géométriques ({names}) ; précisez laquelle",
        f"the GeoPackage holds {len(with_geometry)} geometry layers ({names}); say which one (layer=)",
    )


def _too_large(size: int, max_bytes: int, what_fr: str, what_en: str) -> PerimeterError:
    return _fail(
        "too_large",
        f"{what_fr} fait {size / 1e6:.1f} Mo, au-delà de la limite de {max_bytes / 1e6:.1f} Mo",
        f"{what_en} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit",
    )


def _missing_dbf(name: str) -> PerimeterError:
    # Without its .dbf a shapefile has shapes but no codes or names: say so, not "no fields".
    return _fail(
        "missing_dbf",
        f"le fichier .dbf du shapefile « {name} » manque (il porte les codes et les noms)",
        f"the .dbf file of shapefile '{name}' is missing (it holds the codes and names)",
    )


def _read_zip(path: Path, max_bytes: int, member: str | None, layer: str | None) -> _Source:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(
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
            if not chosen or _SUFFIXES.get(Path(member).suffix.lower()) is None:
                raise _fail(
                    "archive_member_missing",
                    f"l'archive ne contient pas de jeu de données « {member} »",
                    f"the archive holds no dataset '{member}'",
                )
        else:
            # One dataset per archive; official zips holding one format are the common case.
            chosen = next((found for found in by_suffix.values() if found), [])
            if not chosen:
                listed = ", ".join(i.filename for i in infos[:10]) or "-"
                raise _fail(
                    "archive_empty",
                    f"l'archive ne contient ni .shp, ni .geojson, ni .gpkg (trouvé : {listed})",
                    f"the archive holds no .shp, .geojson or .gpkg (found: {listed})",
                )
            if len(chosen) > 1:
                names = ", ".join(i.filename for i in chosen)
                raise _fail(
                    "archive_ambiguous",
                    f"l'archive contient plusieurs jeux de données ({names}) ; précisez lequel importer",
                    f"the archive holds several datasets ({names}); say which one to import (member=)",
                )
        info = chosen[0]
        kind = _SUFFIXES[Path(info.filename).suffix.lower()]
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
                raise _fail(
                    "archive_invalid",
                    f"membre « {info.filename} » illisible ({exc})",
                    f"unreadable member '{info.filename}' ({exc})",
                ) from exc
            return _read_geojson_bytes(data)
    return _read_ogr(f"/vsizip/{path.resolve()}/{info.filename}", kind, layer)


def _read_source(path: Path, max_bytes: int, member: str | None, layer: str | None) -> _Source:
    if not path.exists():
        raise _fail("not_found", f"fichier introuvable : {path}", f"file not found: {path}")
    if not path.is_file():
        raise _fail("not_found", f"ce n'est pas un fichier : {path}", f"not a file: {path}")
    suffix = path.suffix.lower()
    if suffix != ".zip" and suffix not in _SUFFIXES:
        raise _fail(
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
        raise _fail("empty_file", "le fichier est vide", "the file is empty")
    if suffix == ".zip":
        return _read_zip(path, max_bytes, member, layer)
    fmt = _SUFFIXES[suffix]
    if fmt == "geojson":
        return _read_geojson_bytes(path.read_bytes())
    return _read_ogr(str(path), fmt, layer)


# --------------------------------------------------------------------------- interpretation


@dataclass
class _Mapping:
    code: str | None  #: actual field name holding the code, None = generate from the name
    name: str | None
    commune: str | None
    field_year: int | None  #: the QPV list whose field names the file uses; None for custom zones
    warnings: list[Problem] = field(default_factory=list)


def _lookup(fields: Sequence[str], wanted: Iterable[str]) -> str | None:
    lowered = {f.lower(): f for f in fields}
    for name in wanted:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _map_fields(source: _Source, kind: Kind, list_year: int | None) -> _Mapping:
    fields = source.fields
    found = ", ".join(fields) or "-"
    if kind == "custom":
        code = _lookup(fields, CUSTOM_CODE_FIELDS)
        name = _lookup(fields, CUSTOM_NAME_FIELDS)
        if code is None and name is None and not any(fid is not None for fid in source.feature_ids):
            raise _fail(
                "missing_fields",
                f"champs attendus : « name » ou « nom » (et « code » ou « id ») ; trouvés : {found}",
                f"expected fields: 'name' or 'nom' (and 'code' or 'id'); found: {found}",
            )
        return _Mapping(code, name, _lookup(fields, CUSTOM_COMMUNE_FIELDS), None)

    # The requested year's field names first; the codes settle the year afterwards.
    years = sorted(QPV_FIELDS, key=lambda y: y != list_year)
    by_year = {year: [_lookup(fields, [f]) for f in QPV_FIELDS[year]] for year in years}
    complete = [year for year, mapped in by_year.items() if all(mapped)]
    if not complete:
        expected_fr = " ou ".join(f"{', '.join(QPV_FIELDS[y])} (liste {y})" for y in by_year)
        expected_en = " or ".join(f"{', '.join(QPV_FIELDS[y])} ({y} list)" for y in by_year)
        raise _fail(
            "missing_fields",
            f"champs attendus : {expected_fr} ; trouvés : {found}",
            f"expected fields: {expected_en}; found: {found}",
        )
    year = complete[0]
    code, name, commune = by_year[year]
    return _Mapping(code, name, commune, year)


def _detect_year(mapping: _Mapping, codes: Sequence[str | None], given: int | None) -> int:
    """Return the QPV list year: given, else the pattern most codes follow, else from the fields."""
    counts = {year: sum(1 for c in codes if c and p.match(c)) for year, p in QPV_CODE_PATTERNS.items()}
    best = max(counts, key=lambda y: counts[y])
    field_year = mapping.field_year or 2024
    if given is not None:
        other = next(y for y in LIST_YEARS if y != given)
        if counts[other] > counts[given]:
            raise _fail(
                "list_year_mismatch",
                f"liste {given} demandée mais les codes suivent le modèle de la liste {other} "
                f"({counts[other]} code(s) sur {len(codes)})",
                f"list {given} was requested but the codes follow the {other} list pattern "
                f"({counts[other]} of {len(codes)} codes)",
            )
        return given
    if counts[best] == 0:
        return field_year
    if best != field_year and counts[best] > counts[field_year]:
        mapping.warnings.append(
            _problem(
                "list_year_from_codes",
                f"les noms de champs sont ceux de la liste {field_year} mais les codes sont ceux de la "
                f"liste {best} : liste {best} retenue",
                f"field names follow the {field_year} list but the codes follow the {best} list: "
                f"using {best}",
            )
        )
    return best


def _wanted(
    communes: tuple[str, ...], departement: str | None, want_communes: set[str], want_departements: set[str]
) -> bool:
    if not want_communes and not want_departements:
        return True
    if want_communes.intersection(communes):
        return True
    deps = {_departement_of_insee(c) for c in communes} or ({departement} if departement else set())
    return bool(want_departements.intersection(deps))


def _nan_problem(where: dict[str, Any]) -> Problem:
    return _problem(
        "nan_coordinates",
        "coordonnées non numériques (NaN ou infini)",
        "coordinates are not finite numbers (NaN or infinity)",
        **where,
    )


def _check_geometry(
    geom: BaseGeometry | None, crs: CRS, kind: Kind, where: dict[str, Any]
) -> tuple[MultiPolygon | None, str | None, list[Problem]]:
    """Return (geometry in EPSG:4326, repair note, problems) for one feature's geometry."""

    def bad(reason: str, fr: str, en: str) -> tuple[None, None, list[Problem]]:
        return None, None, [_problem(reason, fr, en, **where)]

    if geom is None:
        return bad("no_geometry", "pas de géométrie", "no geometry")
    if geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return bad(
            "not_polygon",
            f"géométrie de type {geom.geom_type} : un périmètre doit être un Polygon ou un MultiPolygon",
            f"{geom.geom_type} geometry: a perimeter must be a Polygon or MultiPolygon",
        )
    if geom.geom_type == "GeometryCollection" and any(
        g.geom_type not in ("Polygon", "MultiPolygon")
        for g in geom.geoms  # type: ignore[attr-defined]
    ):
        return bad(
            "not_polygon",
            "GeometryCollection contenant autre chose que des polygones",
            "GeometryCollection holding more than polygons",
        )
    if geom.is_empty:
        return bad("empty_geometry", "géométrie vide", "empty geometry")
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return None, None, [_nan_problem(where)]
    geom = shapely.force_2d(geom)
    minx, miny, maxx, maxy = (float(v) for v in geom.bounds)
    if crs.is_geographic and (minx < -180 or maxx > 180 or miny < -90 or maxy > 90):
        if looks_like_lambert93((minx, miny, maxx, maxy)):
            return bad(
                "looks_lambert93",
                "coordonnées en mètres Lambert-93 (EPSG:2154) alors que le fichier est déclaré en WGS84 "
                "(degrés) ; ajoutez le système de coordonnées ou reprojetez en WGS84",
                "coordinates are Lambert-93 (EPSG:2154) metres but the file is declared WGS84 (degrees); "
                "declare the CRS or reproject to WGS84",
            )
        corner = (maxx, maxy) if (maxx > 180 or maxy > 90) else (minx, miny)
        issue = lonlat_issue(*corner)
        reason = "swapped_axes" if issue is not None and issue.reason == "swapped" else "out_of_range"
        if issue is None:
            return bad(reason, "coordonnées hors limites", "coordinates out of range")
        return bad(reason, *_coordinate_text(issue))
    lonlat = reproject(geom, crs, STORAGE_SRID)
    coords = shapely.get_coordinates(lonlat)
    area = crs.area_of_use
    lminx, lminy, lmaxx, lmaxy = lonlat.bounds
    outside_area = (
        crs.is_projected
        and area is not None
        and (
            lminx < area.west - 1 or lmaxx > area.east + 1 or lminy < area.south - 1 or lmaxy > area.north + 1
        )
    )
    if not np.isfinite(coords).all() or outside_area:
        name = crs.name
        return bad(
            "out_of_range",
            f"coordonnées hors du domaine de {name} : sont-elles dans un autre système (degrés ?)",
            f"coordinates fall outside the area of {name}: are they in another CRS (degrees?)",
        )
    issue = lonlat_issue((lminx + lmaxx) / 2, (lminy + lmaxy) / 2, require_france=kind == "qpv")
    if issue is not None:
        reason = {"swapped": "swapped_axes", "outside_france": "outside_france"}.get(
            issue.reason, "out_of_range"
        )
        return bad(reason, *_coordinate_text(issue))
    try:
        repaired, note = repair_polygon(lonlat)
    except GeometryError as exc:
        return bad(
            "invalid_geometry",
            f"polygone invalide et irréparable ({exc})",
            f"invalid polygon that cannot be repaired ({exc})",
        )
    return repaired, note, []


def _resolve_crs(source: _Source) -> tuple[CRS, bool, list[Problem]]:
    """Return (CRS, assumed?, notes); a file without CRS must look like Lambert-93."""
    if source.crs is not None:
        return source.crs, False, []
    present = [g for g in source.geometries if g is not None and not g.is_empty]
    bounds = shapely.total_bounds(np.array(present, dtype=object)) if present else None
    if bounds is not None and np.isfinite(bounds).all() and looks_like_lambert93(tuple(bounds)):
        note = _problem(
            "assumed_crs",
            "pas de fichier .prj : les coordonnées ressemblent à du Lambert-93, EPSG:2154 est supposé",
            "no .prj file: the coordinates look like Lambert-93, EPSG:2154 is assumed",
        )
        return CRS.from_epsg(2154), True, [note]
    raise _fail(
        "missing_crs",
        "système de coordonnées absent (pas de fichier .prj) et les coordonnées ne ressemblent pas à du "
        "Lambert-93 ; joignez le fichier .prj",
        "no coordinate reference system (no .prj file) and the coordinates do not look like Lambert-93; "
        "include the .prj file",
    )


def read_perimeters(
    path: str | os.PathLike[str],
    *,
    kind: Kind = "qpv",
    list_year: int | None = None,
    communes: Iterable[str] | None = None,
    departements: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    member: str | None = None,
    layer: str | None = None,
) -> PerimeterSet:
    """Read a QPV or custom zone file into a PerimeterSet, or raise PerimeterError listing every problem.

    ``communes`` (INSEE codes) and ``departements`` (80, 2A, 971) keep the features matching
    either filter. ``progress(done, total)`` is called as features are checked. ``member``
    names the dataset inside a zip holding several; ``layer`` the layer of a GeoPackage.
    Invalid arguments raise ValueError, bad files PerimeterError.
    """
    if kind not in ("qpv", "custom"):
        raise ValueError(f"kind must be 'qpv' or 'custom', not {kind!r}")
    if list_year is not None and (kind != "qpv" or list_year not in LIST_YEARS):
        raise ValueError(f"list_year must be one of {LIST_YEARS} and only for kind='qpv', got {list_year!r}")
    want_communes = _normalise_communes(communes or ())
    want_departements = _normalise_departements(departements or ())

    source = _read_source(Path(path), max_bytes, member, layer)
    mapping = _map_fields(source, kind, list_year)
    crs, crs_assumed, crs_notes = _resolve_crs(source)
    total = len(source.properties)

    def value(i: int, name: str | None) -> str | None:
        return _text(source.properties[i].get(name)) if name else None

    raw_codes = [value(i, mapping.code) for i in range(total)]
    if kind == "qpv":
        raw_codes = [c.upper() if c else c for c in raw_codes]
        year: int | None = _detect_year(mapping, raw_codes, list_year)
    else:
        year = None
        # A custom file may carry its codes as GeoJSON Feature ids rather than a property.
        raw_codes = [c if c is not None else _text(source.feature_ids[i]) for i, c in enumerate(raw_codes)]

    problems: list[Problem] = list(source.feature_errors)
    notes: list[Problem] = [*source.notes, *mapping.warnings, *crs_notes]

    # Duplicates are a property of the whole file: a broken export shows up wherever it is.
    first_seen: dict[str, int] = {}
    for i, code in enumerate(raw_codes):
        if code is None:
            continue
        if code in first_seen:
            problems.append(
                _problem(
                    "duplicate_code",
                    f"code {code} en double (déjà utilisé par l'élément n° {first_seen[code] + 1})",
                    f"duplicate code {code} (already used by feature #{first_seen[code] + 1})",
                    index=i,
                    code=code,
                    field=mapping.code,
                )
            )
        else:
            first_seen[code] = i

    kept: list[PerimeterFeature] = []
    used_codes = set(first_seen)
    generated = 0
    without_insee = 0
    step = max(1, total // 100)
    for i in range(total):
        code = raw_codes[i]
        name = value(i, mapping.name) or (code if kind == "custom" else None)
        commune_text = value(i, mapping.commune)
        parsed = _parse_insee(commune_text)
        commune_label: str | None = None
        bad_insee = parsed is None and not (kind == "qpv" and year == 2015)
        if parsed is None:
            # The 2015 COMMUNE_QP field holds commune names; elsewhere it is an error, below.
            commune_label, parsed = commune_text, ()
        departement = (
            _departement_of_insee(parsed[0]) if parsed else (_departement_of_code(code) if code else None)
        )
        without_insee += not parsed
        if not _wanted(parsed, departement, want_communes, want_departements):
            if progress is not None and ((i + 1) % step == 0 or i + 1 == total):
                progress(i + 1, total)
            continue
        where = {"index": i, "code": code}
        if bad_insee:
            problems.append(
                _problem(
                    "bad_insee",
                    f"« {commune_text} » n'est pas un code commune INSEE (5 caractères, p. ex. 80021)",
                    f"'{commune_text}' is not an INSEE commune code (5 characters, e.g. 80021)",
                    field=mapping.commune,
                    **where,
                )
            )
        if kind == "qpv":
            if code is None:
                problems.append(
                    _problem(
                        "missing_code", "code QPV manquant", "missing QPV code", index=i, field=mapping.code
                    )
                )
            elif year is not None and not QPV_CODE_PATTERNS[year].match(code):
                example = "QN08003M" if year == 2024 else "QP080001"
                problems.append(
                    _problem(
                        "bad_code",
                        f"« {code} » n'est pas un code QPV de la liste {year} (p. ex. {example})",
                        f"'{code}' is not a QPV code of the {year} list (e.g. {example})",
                        field=mapping.code,
                        **where,
                    )
                )
        elif code is None and name:
            # Slugs are made unique quietly: a facilitator naming two zones alike meant two zones.
            base = slugify(name) or f"zone-{i + 1}"
            code, n = base, 2
            while code in used_codes:
                code, n = f"{base}-{n}", n + 1
            used_codes.add(code)
            generated += 1
            where["code"] = code
        if code is not None and len(code) > MAX_CODE_LENGTH:
            problems.append(
                _problem(
                    "bad_code",
                    f"code trop long ({len(code)} caractères, maximum {MAX_CODE_LENGTH})",
                    f"code too long ({len(code)} characters, at most {MAX_CODE_LENGTH})",
                    field=mapping.code,
                    **where,
                )
            )
        if not name:
            problems.append(
                _problem("missing_name", "nom manquant", "missing name", field=mapping.name, **where)
            )
        elif len(name) > MAX_NAME_LENGTH:
            problems.append(
                _problem(
                    "bad_name",
                    f"nom trop long ({len(name)} caractères, maximum {MAX_NAME_LENGTH})",
                    f"name too long ({len(name)} characters, at most {MAX_NAME_LENGTH})",
                    field=mapping.name,
                    **where,
                )
            )
        if i in source.geometry_errors:
            detail = source.geometry_errors[i]
            problems.append(
                _problem(
                    "malformed_geometry",
                    f"géométrie mal formée ({detail})",
                    f"malformed geometry ({detail})",
                    **where,
                )
                if detail
                else _nan_problem(where)
            )
            geometry, note = None, None
        else:
            geometry, note, geometry_problems = _check_geometry(source.geometries[i], crs, kind, where)
            problems.extend(geometry_problems)
        if note is not None:
            notes.append(
                _problem(
                    "repaired",
                    f"polygone invalide réparé : {note}",
                    f"invalid polygon repaired: {note}",
                    **where,
                )
            )
        if geometry is not None and code is not None and name:
            kept.append(
                PerimeterFeature(
                    code=code,
                    name=name,
                    insee_com=parsed[0] if parsed else None,
                    list_year=year,
                    geometry=geometry,
                    source_index=i,
                    repaired_note=note,
                    communes=parsed,
                    departement=departement,
                    commune_label=commune_label,
                )
            )
        if progress is not None and ((i + 1) % step == 0 or i + 1 == total):
            progress(i + 1, total)

    selected = {p.index for p in problems if p.index is not None} | {f.source_index for f in kept}
    if not selected and not problems:
        hint_fr = hint_en = ""
        if want_communes and without_insee:
            hint_fr = f" ; {without_insee} élément(s) sans code commune INSEE (filtrez par département)"
            hint_en = f"; {without_insee} feature(s) carry no INSEE commune code (filter by département)"
        wanted = ", ".join(sorted(want_communes | want_departements))
        problems.append(
            _problem(
                "no_match",
                f"aucun élément ne correspond au filtre ({wanted}){hint_fr}",
                f"no feature matches the filter ({wanted}){hint_en}",
            )
        )
    if generated:
        notes.append(
            _problem(
                "generated_codes",
                f"{generated} code(s) de zone créé(s) à partir des noms",
                f"{generated} zone code(s) generated from the names",
            )
        )
    if problems:
        raise PerimeterError(problems)
    return PerimeterSet(
        features=tuple(kept),
        kind=kind,
        list_year=year,
        source_crs=crs_key(crs) if crs.to_epsg() is not None else crs.name,
        source_format=source.fmt,
        crs_assumed=crs_assumed,
        total_in_file=total,
        warnings=tuple(notes),
    )
