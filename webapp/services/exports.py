"""Exports of observations and recommendations: CSV, XLSX, GeoJSON and GeoPackage.

- CSV is UTF-8 with a BOM and ``;`` separators, what French spreadsheets open without a wizard.
  A cell starting with ``= + - @`` (or a tab / carriage return) gets a leading apostrophe, so a
  spreadsheet never runs participants' text as a formula (CSV/formula injection).
- XLSX is written by xlsxwriter with ``strings_to_formulas=False`` (text stays text) in
  ``constant_memory`` mode, so large exports do not hold the sheet in memory.
- Rows are read with ``yield_per`` and written as they come: CSV and GeoJSON stream to the HTTP
  response; the CLI shows progress through the ``progress`` callback.
- Only what the filter selects is exported; participants appear as profile counts only (age
  band, gender, status), never with an identifier.
- Every coded column comes with its French label beside it (``creneau`` = ``night``,
  ``creneau_libelle`` = ``Nuit``; in GeoJSON and GeoPackage ``time_slot`` and ``time_slot_label``),
  whatever the language of the page the export was asked from: codes are for tools, labels for
  people, and a shared file reads the same for everyone. Labels come from the vocabularies
  (``webapp.models.enums``) and the forms, never from a list kept here.
- Columns follow the forms the project's walks use (:func:`observation_columns`): the fixed ones,
  the form and its version, then one column per other question of those forms (``reponse_<key>``,
  choice keys as codes) and, for choice questions, their labels (``reponse_<key>_libelle``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select

from mobile_forms import FormDefinition
from webapp.extensions import db
from webapp.i18n import in_french
from webapp.models import Observation, ObservationFacts, Organisation, Participant, Project, Walk, Zone
from webapp.models.enums import (
    OUTSIDE_ZONE,
    AgeBand,
    Gender,
    LabelledEnum,
    ModerationStatus,
    ParticipantStatus,
    Polarity,
    Priority,
    RecommendationStatus,
    TimeSlot,
)
from webapp.services import forms, observation_filter, themes
from webapp.services.debriefs import list_recommendations
from webapp.services.observation_filter import ObservationFilter

#: Columns of an observation export, in order: (key, header). A ``<key>_label`` column holds the
#: French label of the code in ``<key>`` (see :data:`LABELLED`).
OBSERVATION_COLUMNS: list[tuple[str, str]] = [
    ("id", "id"),
    ("walk", "marche"),
    ("walk_date", "date"),
    ("time_slot", "creneau"),
    ("time_slot_label", "creneau_libelle"),
    ("zone", "zone"),
    ("theme", "theme"),
    ("theme_label", "theme_libelle"),
    ("subtheme", "sous_theme"),
    ("subtheme_label", "sous_theme_libelle"),
    ("polarity", "polarite"),
    ("polarity_label", "polarite_libelle"),
    ("feeling", "ressenti"),
    ("note", "note"),
    ("proposal", "proposition"),
    ("lon", "longitude"),
    ("lat", "latitude"),
    ("out_of_area", "hors_perimetre"),
    ("moderation_status", "moderation"),
    ("moderation_status_label", "moderation_libelle"),
    ("captured_at", "saisie_le"),
    ("age_band", "tranche_age"),
    ("age_band_label", "tranche_age_libelle"),
    ("gender", "genre"),
    ("gender_label", "genre_libelle"),
    ("status", "situation"),
    ("status_label", "situation_libelle"),
    ("form_key", "formulaire"),
    ("form_version", "version_formulaire"),
]
#: Coded columns of an observation export and the vocabulary that labels them.
LABELLED: dict[str, type[LabelledEnum]] = {
    "time_slot": TimeSlot,
    "polarity": Polarity,
    "moderation_status": ModerationStatus,
    "age_band": AgeBand,
    "gender": Gender,
    "status": ParticipantStatus,
}
#: Columns filled after the query (labels), not read from the database.
_COMPUTED = frozenset({"theme_label", "subtheme_label", *(f"{key}_label" for key in LABELLED)})
#: Fields whose answers have their own column above (when the form's question fits it).
_COLUMN_FIELDS = ("polarity", "feeling", "note", "proposal")
#: Prefixes of the columns of a form's other questions: its answer, and a choice's label.
ANSWER, ANSWER_LABEL = "answer:", "answer_label:"
RECOMMENDATION_COLUMNS: list[tuple[str, str]] = [
    ("id", "id"),
    ("priority", "priorite"),
    ("priority_label", "priorite_libelle"),
    ("title", "titre"),
    ("text", "texte"),
    ("theme", "theme"),
    ("theme_label", "theme_libelle"),
    ("zone", "zone"),
    ("partner", "partenaire"),
    ("deadline", "echeance"),
    ("status", "statut"),
    ("status_label", "statut_libelle"),
    ("evidence", "observations"),
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000

Progress = Callable[[int, int], None]


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def count_observations(f: ObservationFilter) -> int:
    return observation_filter.count(f)


def _definitions(f: ObservationFilter) -> list[FormDefinition]:
    if f.project_id is None:
        return [forms.parsed(forms.latest_form())]
    return forms.project_definitions(f.project_id)


def observation_columns(f: ObservationFilter) -> list[tuple[str, str]]:
    """Columns of an observation export of ``f``: (key, header), the forms' own questions last."""
    columns = list(OBSERVATION_COLUMNS)
    seen: set[str] = set()
    for definition in _definitions(f):
        for field in definition.fields:
            if field.kind.external or field.key in _COLUMN_FIELDS or field.key in seen:
                continue
            seen.add(field.key)
            columns.append((ANSWER + field.key, f"reponse_{field.key}"))
            if field.type in ("single_choice", "multiple_choice"):
                columns.append((ANSWER_LABEL + field.key, f"reponse_{field.key}_libelle"))
    return columns


def _answer_cells(
    answers: dict[str, Any], definition: FormDefinition | None, lang: str = "fr"
) -> dict[str, Any]:
    """An observation's other answers as cells: codes, and labels for choices (lists joined)."""
    cells: dict[str, Any] = {}
    for key, value in (answers or {}).items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        cells[ANSWER + key] = shown
        if definition is None:
            continue
        try:
            field = definition.field(key)
        except KeyError:
            continue
        choices = getattr(field.kind, "choices", None)
        if choices:
            labels = {c.key: c.label.get(lang) for c in choices}
            keys = value if isinstance(value, list) else [value]
            cells[ANSWER_LABEL + key] = ", ".join(labels.get(str(k), str(k)) for k in keys)
    return cells


def iter_observation_rows(f: ObservationFilter) -> Iterator[dict[str, Any]]:
    """Matching observations as flat dicts (keys of :func:`observation_columns`), streamed."""
    stmt = (
        observation_filter.apply_filter(
            select(
                Observation.id,
                Walk.title,
                Walk.walk_date,
                Walk.time_slot,
                Zone.name,
                Observation.theme,
                Observation.subtheme,
                Observation.polarity,
                Observation.feeling,
                Observation.note,
                Observation.proposal,
                func.ST_X(Observation.location),
                func.ST_Y(Observation.location),
                Observation.out_of_area,
                Observation.moderation_status,
                Observation.captured_at,
                Participant.age_band,
                Participant.gender,
                Participant.status,
                Observation.form_key,
                Observation.form_version,
                Observation.answers,
            ),
            f,
        )
        .join(ObservationFacts, ObservationFacts.observation_id == Observation.id)
        .outerjoin(Zone, Zone.id == ObservationFacts.zone_id)
        .order_by(Observation.id)
    )
    styles = themes.theme_styles(f.project_id, lang="fr")
    definitions = {(d.key, d.version): d for d in _definitions(f)}
    keys = [k for k, _ in observation_columns(f)]
    fixed = [k for k, _ in OBSERVATION_COLUMNS if k not in _COMPUTED]
    # Labels in French, whatever the language of the page that asked for the export.
    labels = {key: in_french(vocabulary.labels) for key, vocabulary in LABELLED.items()}
    outside = in_french(lambda: OUTSIDE_ZONE)
    for row in db.session.execute(stmt.execution_options(yield_per=BATCH)):
        values = list(row)
        answers = values.pop()
        record = dict(zip(fixed, values, strict=True))
        record["zone"] = record["zone"] or outside
        record["walk_date"] = record["walk_date"].isoformat()
        record["captured_at"] = record["captured_at"].isoformat()
        record["lon"], record["lat"] = round(record["lon"], 7), round(record["lat"], 7)
        record["theme_label"] = (
            styles[record["theme"]].label if record["theme"] in styles else record["theme"]
        )
        definition = definitions.get((record["form_key"], record["form_version"]))
        record["subtheme_label"] = _subtheme_label(definition, record["theme"], record["subtheme"])
        for key, names in labels.items():
            code = record[key]
            record[f"{key}_label"] = names.get(code, code) if code is not None else None
        record.update(_answer_cells(answers, definition))
        yield {k: record.get(k) for k in keys}


def _subtheme_label(definition: FormDefinition | None, theme: str, subtheme: str | None) -> str | None:
    """The French label of a sub-theme in the observation's form (its code when the form lacks it)."""
    if not subtheme:
        return None
    if definition is None:
        return subtheme
    for candidate in definition.themes:
        if candidate.key == theme:
            try:
                return candidate.subtheme(subtheme).label.get("fr")
            except KeyError:
                return subtheme
    return subtheme


def _csv_chunks(
    header: list[str], rows: Iterator[list[Any]], progress: Progress | None, total: int
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    done = 0
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        done += 1
        if done % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(done, total)
    yield buffer.getvalue()
    if progress:
        progress(done, total)


def observations_csv(f: ObservationFilter, progress: Progress | None = None) -> Iterator[str]:
    """CSV text chunks (UTF-8 BOM first, ``;``-separated)."""
    total = count_observations(f) if progress else 0
    columns = observation_columns(f)
    rows = ([r[k] for k, _ in columns] for r in iter_observation_rows(f))
    return _csv_chunks([h for _, h in columns], rows, progress, total)


def observations_geojson(f: ObservationFilter, progress: Progress | None = None) -> Iterator[str]:
    """A GeoJSON FeatureCollection, as text chunks."""
    total = count_observations(f) if progress else 0
    yield '{"type": "FeatureCollection", "features": [\n'
    done = 0
    for record in iter_observation_rows(f):
        props = {k: v for k, v in record.items() if k not in ("lon", "lat")}
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [record["lon"], record["lat"]]},
            "properties": props,
        }
        yield ("," if done else "") + json.dumps(feature, ensure_ascii=False) + "\n"
        done += 1
        if progress and done % BATCH == 0:
            progress(done, total)
    yield "]}\n"
    if progress:
        progress(done, total)


def _write_xlsx(
    target: str | Path | BinaryIO,
    sheet: str,
    header: list[str],
    rows: Iterator[list[Any]],
    progress: Progress | None = None,
    total: int = 0,
) -> None:
    import xlsxwriter

    options = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "constant_memory": True,
    }
    if not isinstance(target, (str, Path)):
        options["in_memory"] = True
    workbook = xlsxwriter.Workbook(target, options)
    try:
        ws = workbook.add_worksheet(sheet)
        bold = workbook.add_format({"bold": True})
        ws.write_row(0, 0, header, bold)
        done = 0
        for done, row in enumerate(rows, start=1):
            ws.write_row(done, 0, ["" if v is None else v for v in row])
            if progress and done % BATCH == 0:
                progress(done, total)
        if progress:
            progress(done, total)
    finally:
        workbook.close()


def observations_xlsx(
    f: ObservationFilter, target: str | Path | BinaryIO, progress: Progress | None = None
) -> None:
    """An XLSX file of the matching observations."""
    columns = observation_columns(f)
    total = count_observations(f) if progress else 0
    rows = ([r[k] for k, _ in columns] for r in iter_observation_rows(f))
    _write_xlsx(target, "observations", [h for _, h in columns], rows, progress, total)


def observations_gpkg(f: ObservationFilter, path: str | Path, progress: Progress | None = None) -> int:
    """A GeoPackage (layer ``observations``, EPSG:4326) of the matching observations; returns the count."""
    import numpy as np
    import pyogrio.raw
    import shapely

    records = list(iter_observation_rows(f))
    if progress:
        progress(len(records), len(records))
    wanted = [(k, h) for k, h in observation_columns(f) if k not in ("lon", "lat")]
    keys = [k for k, _ in wanted]
    # layer fields: the keys of the fixed columns (as before), the headers of the forms' questions
    fields = [h if k.startswith((ANSWER, ANSWER_LABEL)) else k for k, h in wanted]
    geometry = shapely.to_wkb(
        shapely.points([[r["lon"], r["lat"]] for r in records]) if records else np.array([], dtype=object)
    )
    columns = []
    for name in keys:
        values = [r[name] for r in records]
        if name in ("id",):
            columns.append(np.array(values, dtype="int64"))
        elif name == "feeling":
            columns.append(np.array([np.nan if v is None else v for v in values], dtype="float64"))
        elif name == "out_of_area":
            columns.append(np.array(values, dtype=bool))
        else:
            columns.append(np.array(["" if v is None else str(v) for v in values], dtype=object))
    pyogrio.raw.write(
        str(path),
        np.asarray(geometry, dtype=object),
        columns,
        fields,
        layer="observations",
        driver="GPKG",
        geometry_type="Point",
        crs="EPSG:4326",
    )
    return len(records)


def recommendation_rows(project: Project) -> list[list[Any]]:
    """Recommendations ranked by priority, one row each with its evidence ids (codes and French labels)."""
    rows = []
    styles = themes.theme_styles(project, lang="fr")
    priorities = in_french(Priority.labels)
    statuses = in_french(RecommendationStatus.labels)
    for r in list_recommendations(project):
        zone = db.session.get(Zone, r.zone_id).name if r.zone_id else ""
        partner = db.session.get(Organisation, r.organisation_id).name if r.organisation_id else ""
        rows.append(
            [
                r.id,
                r.priority,
                priorities.get(r.priority, r.priority),
                r.title,
                r.text,
                r.theme or "",
                themes.label_of(r.theme, styles) if r.theme else "",
                zone,
                partner,
                r.deadline.isoformat() if r.deadline else "",
                r.status,
                statuses.get(r.status, r.status),
                " ".join(str(o.id) for o in r.observations),
            ]
        )
    return rows


def recommendations_csv(project: Project) -> Iterator[str]:
    return _csv_chunks([h for _, h in RECOMMENDATION_COLUMNS], iter(recommendation_rows(project)), None, 0)


def recommendations_xlsx(project: Project, target: str | Path | BinaryIO) -> None:
    _write_xlsx(
        target, "preconisations", [h for _, h in RECOMMENDATION_COLUMNS], iter(recommendation_rows(project))
    )
