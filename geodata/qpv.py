"""QPV rules: the official lists' fields and codes, INSEE communes and départements, zone files' fields.

* 2024 list: fields ``code_qp``, ``lib_qp``, ``insee_com``; codes ``QN`` + département on
  three characters + two digits + a letter (``QN08003M``: M modified, N new, I unchanged,
  C Mayotte); WGS84. ``insee_com`` may list several communes ("02571, 02691").
* 2015 list: fields ``CODE_QP``, ``NOM_QP``, ``COMMUNE_QP``; codes ``QP`` + département on
  three characters + three digits (``QP080001``); Lambert-93 or WGS84. ``COMMUNE_QP``
  usually holds commune *names*, so the département filter then uses the QPV code.

Custom zone files name their fields ``code``/``id``, ``name``/``nom`` and ``insee_com``. Field names
are matched without regard to case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from geodata.formats import Source
from geodata.problems import Problem, fail, problem

__all__ = [
    "CUSTOM_CODE_FIELDS",
    "CUSTOM_COMMUNE_FIELDS",
    "CUSTOM_NAME_FIELDS",
    "LIST_YEARS",
    "QPV_CODE_PATTERNS",
    "QPV_FIELDS",
    "FieldMapping",
    "Kind",
    "departement_of_code",
    "departement_of_insee",
    "detect_year",
    "map_fields",
    "normalise_communes",
    "normalise_departements",
    "parse_insee",
    "wanted",
]

Kind = Literal["qpv", "custom"]

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

_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_DEPARTEMENT = re.compile(r"^(?:\d{2}|2[AB]|97[1-8]|98\d)$")
_SPLIT = re.compile(r"[\s,;/|]+")


def parse_insee(text: str | None) -> tuple[str, ...] | None:
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


def departement_of_insee(insee: str) -> str:
    return insee[:3] if insee.startswith(("97", "98")) else insee[:2]


def departement_of_code(code: str) -> str | None:
    for pattern in QPV_CODE_PATTERNS.values():
        if pattern.match(code):
            dep = code[2:5]
            return dep[1:] if dep.startswith("0") else dep
    return None


def normalise_departements(values: Iterable[str]) -> set[str]:
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


def normalise_communes(values: Iterable[str]) -> set[str]:
    result: set[str] = set()
    for raw in values:
        parsed = parse_insee(str(raw).strip())
        if not parsed or len(parsed) != 1:
            raise ValueError(f"not an INSEE commune code: {raw!r} (expected 5 characters, e.g. 80021, 2A004)")
        result.add(parsed[0])
    return result


@dataclass
class FieldMapping:
    """Which field of the file holds the code, the name and the communes."""

    code: str | None  #: actual field name holding the code, None = generate from the name
    name: str | None
    commune: str | None
    field_year: int | None  #: the QPV list whose field names the file uses; None for custom zones
    warnings: list[Problem] = field(default_factory=list)


def _lookup(fields: Sequence[str], names: Iterable[str]) -> str | None:
    lowered = {f.lower(): f for f in fields}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def map_fields(source: Source, kind: Kind, list_year: int | None) -> FieldMapping:
    fields = source.fields
    found = ", ".join(fields) or "-"
    if kind == "custom":
        code = _lookup(fields, CUSTOM_CODE_FIELDS)
        name = _lookup(fields, CUSTOM_NAME_FIELDS)
        if code is None and name is None and not any(fid is not None for fid in source.feature_ids):
            raise fail(
                "missing_fields",
                f"champs attendus : « name » ou « nom » (et « code » ou « id ») ; trouvés : {found}",
                f"expected fields: 'name' or 'nom' (and 'code' or 'id'); found: {found}",
            )
        return FieldMapping(code, name, _lookup(fields, CUSTOM_COMMUNE_FIELDS), None)

    # The requested year's field names first; the codes settle the year afterwards.
    years = sorted(QPV_FIELDS, key=lambda y: y != list_year)
    by_year = {year: [_lookup(fields, [f]) for f in QPV_FIELDS[year]] for year in years}
    complete = [year for year, mapped in by_year.items() if all(mapped)]
    if not complete:
        expected_fr = " ou ".join(f"{', '.join(QPV_FIELDS[y])} (liste {y})" for y in by_year)
        expected_en = " or ".join(f"{', '.join(QPV_FIELDS[y])} ({y} list)" for y in by_year)
        raise fail(
            "missing_fields",
            f"champs attendus : {expected_fr} ; trouvés : {found}",
            f"expected fields: {expected_en}; found: {found}",
        )
    year = complete[0]
    code, name, commune = by_year[year]
    return FieldMapping(code, name, commune, year)


def detect_year(mapping: FieldMapping, codes: Sequence[str | None], given: int | None) -> int:
    """Return the QPV list year: given, else the pattern most codes follow, else from the fields."""
    counts = {year: sum(1 for c in codes if c and p.match(c)) for year, p in QPV_CODE_PATTERNS.items()}
    best = max(counts, key=lambda y: counts[y])
    field_year = mapping.field_year or 2024
    if given is not None:
        other = next(y for y in LIST_YEARS if y != given)
        if counts[other] > counts[given]:
            raise fail(
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
            problem(
                "list_year_from_codes",
                f"les noms de champs sont ceux de la liste {field_year} mais les codes sont ceux de la "
                f"liste {best} : liste {best} retenue",
                f"field names follow the {field_year} list but the codes follow the {best} list: "
                f"using {best}",
            )
        )
    return best


def wanted(
    communes: tuple[str, ...], departement: str | None, want_communes: set[str], want_departements: set[str]
) -> bool:
    if not want_communes and not want_departements:
        return True
    if want_communes.intersection(communes):
        return True
    deps = {departement_of_insee(c) for c in communes} or ({departement} if departement else set())
    return bool(want_departements.intersection(deps))
