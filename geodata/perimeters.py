"""Read official QPV perimeters and custom zone files into plain dataclasses, all or nothing.

``read_perimeters`` accepts GeoJSON (``.geojson``/``.json``), a ``.zip`` holding a shapefile,
a GeoJSON or a GeoPackage, a bare ``.shp`` (with its ``.dbf``/``.shx``/``.prj``) and ``.gpkg``.
It returns a PerimeterSet of PerimeterFeature (MultiPolygon in EPSG:4326), or raises
PerimeterError listing every Problem found, each named by feature, code and field, in
French and in English. Nothing is half-read: the caller imports all features or none.

The official QPV lists (ANCT, Licence Ouverte 2.0) and their rules are in ``geodata.qpv``; the file
formats in ``geodata.formats``; CRS detection and geometry checks in ``geodata.perimeter_geometry``;
``Problem`` and ``PerimeterError`` in ``geodata.problems``. This module puts them together.

Problems are checked on the features kept by the filters; file-wide checks (format, fields, CRS,
duplicate codes) cover the whole file.

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

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS
from shapely.geometry import MultiPolygon

from geodata.convert import feature, feature_collection
from geodata.crs import crs_key
from geodata.formats import DEFAULT_MAX_BYTES, Source, field_text, read_source
from geodata.perimeter_geometry import check_geometry, nan_problem, resolve_crs
from geodata.problems import PerimeterError, Problem, problem
from geodata.qpv import (
    LIST_YEARS,
    QPV_CODE_PATTERNS,
    FieldMapping,
    Kind,
    departement_of_code,
    departement_of_insee,
    detect_year,
    map_fields,
    normalise_communes,
    normalise_departements,
    parse_insee,
    wanted,
)

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

ProgressCallback = Callable[[int, int], None]

MAX_CODE_LENGTH = 64
MAX_NAME_LENGTH = 200


# --------------------------------------------------------------------------- public shapes


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


@dataclass
class _Row:
    """One feature's fields as read, before the checks: what the filters look at."""

    name: str | None
    commune_text: str | None
    communes: tuple[str, ...]
    commune_label: str | None  #: commune text when it is not INSEE codes (2015 COMMUNE_QP)
    bad_insee: bool
    departement: str | None


@dataclass
class _Reading:
    """One file being read: what is known about it, and what has been found so far."""

    source: Source
    mapping: FieldMapping
    crs: CRS
    kind: Kind
    year: int | None
    codes: list[str | None]  #: each feature's code as given (upper case for QPV), None if absent
    problems: list[Problem]
    notes: list[Problem]
    used_codes: set[str]
    kept: list[PerimeterFeature] = field(default_factory=list)
    generated: int = 0

    def value(self, i: int, name: str | None) -> str | None:
        return field_text(self.source.properties[i].get(name)) if name else None

    def row(self, i: int) -> _Row:
        code = self.codes[i]
        name = self.value(i, self.mapping.name) or (code if self.kind == "custom" else None)
        commune_text = self.value(i, self.mapping.commune)
        parsed = parse_insee(commune_text)
        commune_label: str | None = None
        bad_insee = parsed is None and not (self.kind == "qpv" and self.year == 2015)
        if parsed is None:
            # The 2015 COMMUNE_QP field holds commune names; elsewhere it is an error (bad_insee).
            commune_label, parsed = commune_text, ()
        departement = (
            departement_of_insee(parsed[0]) if parsed else (departement_of_code(code) if code else None)
        )
        return _Row(name, commune_text, parsed, commune_label, bad_insee, departement)

    def generate_code(self, name: str, i: int) -> str:
        """Return a code made from the name, unique in the file."""
        # Slugs are made unique quietly: a facilitator naming two zones alike meant two zones.
        base = slugify(name) or f"zone-{i + 1}"
        code, n = base, 2
        while code in self.used_codes:
            code, n = f"{base}-{n}", n + 1
        self.used_codes.add(code)
        self.generated += 1
        return code


def _read_codes(
    source: Source, mapping: FieldMapping, kind: Kind, list_year: int | None
) -> tuple[list[str | None], int | None]:
    """Return every feature's code as given and the QPV list year (None for custom zones)."""
    codes = [
        field_text(source.properties[i].get(mapping.code)) if mapping.code else None
        for i in range(len(source.properties))
    ]
    if kind == "qpv":
        codes = [c.upper() if c else c for c in codes]
        return codes, detect_year(mapping, codes, list_year)
    # A custom file may carry its codes as GeoJSON Feature ids rather than a property.
    return [c if c is not None else field_text(source.feature_ids[i]) for i, c in enumerate(codes)], None


def _duplicate_codes(codes: list[str | None], code_field: str | None) -> list[Problem]:
    """Return a problem for each code already used by an earlier feature."""
    # Duplicates are a property of the whole file: a broken export shows up wherever it is.
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for i, code in enumerate(codes):
        if code is None:
            continue
        if code in first_seen:
            problems.append(
                problem(
                    "duplicate_code",
                    f"code {code} en double (déjà utilisé par l'élément n° {first_seen[code] + 1})",
                    f"duplicate code {code} (already used by feature #{first_seen[code] + 1})",
                    index=i,
                    code=code,
                    field=code_field,
                )
            )
        else:
            first_seen[code] = i
    return problems


def _qpv_code_problems(code: str | None, year: int | None, i: int, code_field: str | None) -> list[Problem]:
    """Return what is wrong with a QPV code: missing, or not of the list's pattern."""
    if code is None:
        return [problem("missing_code", "code QPV manquant", "missing QPV code", index=i, field=code_field)]
    if year is not None and not QPV_CODE_PATTERNS[year].match(code):
        example = "QN08003M" if year == 2024 else "QP080001"
        return [
            problem(
                "bad_code",
                f"« {code} » n'est pas un code QPV de la liste {year} (p. ex. {example})",
                f"'{code}' is not a QPV code of the {year} list (e.g. {example})",
                field=code_field,
                index=i,
                code=code,
            )
        ]
    return []


def _length_problems(
    code: str | None, name: str | None, mapping: FieldMapping, where: dict[str, Any]
) -> list[Problem]:
    """Return what is wrong with the lengths of a code and a name, and a missing name."""
    problems: list[Problem] = []
    if code is not None and len(code) > MAX_CODE_LENGTH:
        problems.append(
            problem(
                "bad_code",
                f"code trop long ({len(code)} caractères, maximum {MAX_CODE_LENGTH})",
                f"code too long ({len(code)} characters, at most {MAX_CODE_LENGTH})",
                field=mapping.code,
                **where,
            )
        )
    if not name:
        problems.append(problem("missing_name", "nom manquant", "missing name", field=mapping.name, **where))
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(
            problem(
                "bad_name",
                f"nom trop long ({len(name)} caractères, maximum {MAX_NAME_LENGTH})",
                f"name too long ({len(name)} characters, at most {MAX_NAME_LENGTH})",
                field=mapping.name,
                **where,
            )
        )
    return problems


def _geometry(reading: _Reading, i: int, where: dict[str, Any]) -> tuple[MultiPolygon | None, str | None]:
    """Return a feature's geometry in EPSG:4326 and its repair note; problems go to ``reading``."""
    source = reading.source
    if i in source.geometry_errors:
        detail = source.geometry_errors[i]
        reading.problems.append(
            problem(
                "malformed_geometry",
                f"géométrie mal formée ({detail})",
                f"malformed geometry ({detail})",
                **where,
            )
            if detail
            else nan_problem(where)
        )
        return None, None
    geometry, note, geometry_problems = check_geometry(source.geometries[i], reading.crs, reading.kind, where)
    reading.problems.extend(geometry_problems)
    return geometry, note


def _read_feature(reading: _Reading, i: int, row: _Row) -> None:
    """Check one feature kept by the filters; its problems, notes and (if sound) feature go to ``reading``."""
    code = reading.codes[i]
    mapping = reading.mapping
    where: dict[str, Any] = {"index": i, "code": code}
    if row.bad_insee:
        reading.problems.append(
            problem(
                "bad_insee",
                f"« {row.commune_text} » n'est pas un code commune INSEE (5 caractères, p. ex. 80021)",
                f"'{row.commune_text}' is not an INSEE commune code (5 characters, e.g. 80021)",
                field=mapping.commune,
                **where,
            )
        )
    if reading.kind == "qpv":
        reading.problems.extend(_qpv_code_problems(code, reading.year, i, mapping.code))
    elif code is None and row.name:
        code = reading.generate_code(row.name, i)
        where["code"] = code
    reading.problems.extend(_length_problems(code, row.name, mapping, where))
    geometry, note = _geometry(reading, i, where)
    if note is not None:
        reading.notes.append(
            problem(
                "repaired", f"polygone invalide réparé : {note}", f"invalid polygon repaired: {note}", **where
            )
        )
    if geometry is not None and code is not None and row.name:
        reading.kept.append(
            PerimeterFeature(
                code=code,
                name=row.name,
                insee_com=row.communes[0] if row.communes else None,
                list_year=reading.year,
                geometry=geometry,
                source_index=i,
                repaired_note=note,
                communes=row.communes,
                departement=row.departement,
                commune_label=row.commune_label,
            )
        )


def _no_match(want_communes: set[str], want_departements: set[str], without_insee: int) -> Problem:
    hint_fr = hint_en = ""
    if want_communes and without_insee:
        hint_fr = f" ; {without_insee} élément(s) sans code commune INSEE (filtrez par département)"
        hint_en = f"; {without_insee} feature(s) carry no INSEE commune code (filter by département)"
    wanted_codes = ", ".join(sorted(want_communes | want_departements))
    return problem(
        "no_match",
        f"aucun élément ne correspond au filtre ({wanted_codes}){hint_fr}",
        f"no feature matches the filter ({wanted_codes}){hint_en}",
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
    want_communes = normalise_communes(communes or ())
    want_departements = normalise_departements(departements or ())

    source = read_source(Path(path), max_bytes, member, layer)
    mapping = map_fields(source, kind, list_year)
    crs, crs_assumed, crs_notes = resolve_crs(source)
    total = len(source.properties)
    codes, year = _read_codes(source, mapping, kind, list_year)
    reading = _Reading(
        source=source,
        mapping=mapping,
        crs=crs,
        kind=kind,
        year=year,
        codes=codes,
        problems=[*source.feature_errors, *_duplicate_codes(codes, mapping.code)],
        # After the codes: detect_year adds its warning to the mapping.
        notes=[*source.notes, *mapping.warnings, *crs_notes],
        used_codes={c for c in codes if c is not None},
    )

    without_insee = 0
    step = max(1, total // 100)
    for i in range(total):
        row = reading.row(i)
        without_insee += not row.communes
        if wanted(row.communes, row.departement, want_communes, want_departements):
            _read_feature(reading, i, row)
        if progress is not None and ((i + 1) % step == 0 or i + 1 == total):
            progress(i + 1, total)

    problems, notes = reading.problems, reading.notes
    selected = {p.index for p in problems if p.index is not None} | {f.source_index for f in reading.kept}
    if not selected and not problems:
        problems.append(_no_match(want_communes, want_departements, without_insee))
    if reading.generated:
        notes.append(
            problem(
                "generated_codes",
                f"{reading.generated} code(s) de zone créé(s) à partir des noms",
                f"{reading.generated} zone code(s) generated from the names",
            )
        )
    if problems:
        raise PerimeterError(problems)
    return PerimeterSet(
        features=tuple(reading.kept),
        kind=kind,
        list_year=year,
        source_crs=crs_key(crs) if crs.to_epsg() is not None else crs.name,
        source_format=source.fmt,
        crs_assumed=crs_assumed,
        total_in_file=total,
        warnings=tuple(notes),
    )
