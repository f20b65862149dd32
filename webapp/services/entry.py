"""Facilitator entry: observations typed in on a computer, one at a time or from a filled-in template.

Facilitators record what the group says (a scribe for people without a smartphone) or type in paper
sheets after the walk. Both ways store ordinary observations through the phones' code path
(:func:`webapp.services.observations.make_submission`, then ``insert_submission`` for one entry and
``insert_submissions`` for a file):
the walk's form checks the answers, the zone is assigned, the point is flagged when far from the
route, and the observation waits for moderation. The location source is ``facilitator``; who typed
it in is an ``entry`` event of the moderation log, not a column.

Decisions (also in the README):

- **Profile.** An entry with no profile has no participant, so group statistics never count the
  facilitator. A profile (age band, gender, status; « non précisé » counts as given) makes an
  anonymous participant of the walk, without a usable token. On the entry form the next entries
  with the same profile reuse that participant (the same paper sheet) until the facilitator asks
  for another person; in a template the ``feuille`` column groups the rows of one person.
- **Capture time.** On the form, blank means now while the walk is open, and the walk's date at its
  start time (noon when it has none) otherwise: paper sheets are typed in later. In an imported
  sheet, blank is always the walk's start. Never a time still ahead. Times people type are French
  local time (Europe/Paris).
- **Templates** have one column per question of the walk's form (codes, not labels), the stop
  number or longitude/latitude, the capture time, the sheet number and the profile. An import is
  all-or-nothing: every problem is reported with its row and column and nothing is stored if any
  row is wrong. Cells are data: a cell that looks like a formula is text, never evaluated.
- **Re-import.** Each row gets a UUID derived from the walk and the row's meaning (its parsed
  values, the stop number rather than its coordinates, and how many identical rows came before it),
  so importing the same file again, the same sheet saved as CSV instead of XLSX, or a file with
  more rows added stores only what is new. A corrected row is a new row: correct stored
  observations in moderation instead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import secrets
import unicodedata
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from mobile_forms import AnswerErrors, FormDefinition, NormalisedAnswers, validate_answers
from mobile_forms.fields import (
    LocationField,
    MultipleChoiceField,
    PhotoField,
    RatingField,
    SingleChoiceField,
)
from webapp.errors import Bilingual, Conflict, DomainError, ImportFailed, ValidationError
from webapp.extensions import db
from webapp.local_time import LOCAL_TZ
from webapp.models import ModerationEvent, Observation, Participant, Photo, Stop, User, Walk
from webapp.models.base import utcnow
from webapp.models.enums import AgeBand, Gender, LocationSource, ParticipantStatus, WalkStatus
from webapp.services import forms, observations, participants, photo_store, photos

#: Times people type are French local time.
#: The moderation-log action that records who typed an observation in.
ENTRY_ACTION = "entry"
#: How an entry arrived, in the ``via`` change of its log event.
VIA_FORM, VIA_IMPORT = "form", "import"
#: Namespace of the UUIDs derived from imported rows (fixed forever: re-imports depend on it).
IMPORT_NAMESPACE = uuid.UUID("0b6d2f53-8c4e-4f3b-9a1e-5d7c2b8e4a10")
#: Largest template file accepted.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
#: Most observation rows in one file.
MAX_IMPORT_ROWS = 2000
#: Rows of a sheet looked at, empty ones included (a sheet formatted far down is not read forever).
MAX_SCANNED_ROWS = 50_000
#: Columns read from a file (anything beyond is ignored).
MAX_COLUMNS = 100
#: Problems listed for one refused file (the count says how many there were in all).
MAX_PROBLEMS = 200

#: Column names of fields stored in their own observation columns: the same as in the exports.
FIELD_HEADERS = {"polarity": "polarite", "feeling": "ressenti", "note": "note", "proposal": "proposition"}
#: Profile attribute -> (column name, vocabulary).
PROFILE_COLUMNS: dict[str, tuple[str, type[AgeBand] | type[Gender] | type[ParticipantStatus]]] = {
    "age_band": ("tranche_age", AgeBand),
    "gender": ("genre", Gender),
    "status": ("situation", ParticipantStatus),
}
#: Fixed columns of a template, before and after the form's questions.
SHEET, STOP, LON, LAT, CAPTURED_AT, THEME, SUBTHEME = (
    "feuille",
    "arret",
    "longitude",
    "latitude",
    "saisie_le",
    "theme",
    "sous_theme",
)


def _problem(code: str, fr: str, en: str, **params: Any) -> list[dict[str, Any]]:
    # Same shape as the API's problems: {"code", "message": {"fr", "en"}, "params"}.
    return [{"code": code, "message": {"fr": fr, "en": en}, "params": params}]


# --- people and places ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """An optional participant profile, as codes of the vocabularies (empty string: not given)."""

    age_band: str = ""
    gender: str = ""
    status: str = ""

    @property
    def given(self) -> bool:
        """Whether any answer was given (« non précisé » counts: it is a person)."""
        return bool(self.age_band or self.gender or self.status)

    def codes(self) -> tuple[str, str, str]:
        """The three codes, « undisclosed » for those left blank."""
        return (
            self.age_band or AgeBand.UNDISCLOSED.value,
            self.gender or Gender.UNDISCLOSED.value,
            self.status or ParticipantStatus.UNDISCLOSED.value,
        )


def profile_problems(profile: Profile) -> dict[str, list[dict[str, Any]]]:
    """Profile codes outside their vocabulary, by attribute."""
    problems = {}
    for name, (_column, enum) in PROFILE_COLUMNS.items():
        value = getattr(profile, name)
        if value and value not in {member.value for member in enum}:
            problems[name] = _problem(
                "unknown_choice",
                f"Valeur inconnue : {value[:40]}.",
                f"Unknown value: {value[:40]}.",
                choices=[member.value for member in enum],
            )
    return problems


def _new_participant(walk: Walk, profile: Profile, *, flush: bool = True) -> Participant:
    age_band, gender, status = profile.codes()
    now = utcnow()
    participant = Participant(
        walk=walk,
        # A token nobody holds, already expired: this person never signs in anywhere.
        token_hash=participants.hash_token(secrets.token_urlsafe(24)),
        age_band=age_band,
        gender=gender,
        status=status,
        created_at=now,
        expires_at=now,
    )
    db.session.add(participant)
    if flush:
        db.session.flush()
    return participant


def entry_participant(walk: Walk, profile: Profile, *, same_as: int | None = None) -> Participant | None:
    """The participant an entry counts for: none without a profile; ``same_as`` when it still fits.

    ``same_as`` is a participant an earlier entry of this facilitator made (the same paper sheet):
    it is reused when it belongs to this walk and has exactly this profile; otherwise a new
    anonymous participant is made.
    """
    if not profile.given:
        return None
    if same_as is not None:
        earlier = db.session.get(Participant, same_as)
        if (
            earlier is not None
            and earlier.walk_id == walk.id
            and (earlier.age_band, earlier.gender, earlier.status) == profile.codes()
        ):
            return earlier
    return _new_participant(walk, profile)


def stop_lonlat(stop: Stop) -> tuple[float, float]:
    """A stop's position as (lon, lat)."""
    point = to_shape(stop.location)
    return point.x, point.y


def get_stop(walk: Walk, stop_id: int) -> Stop | None:
    """One of the walk's stops by id, or None."""
    return next((stop for stop in walk.stops if stop.id == stop_id), None)


def walk_start(walk: Walk, *, now: datetime | None = None) -> datetime:
    """The walk's date at its start time (noon without one), Paris time; now if that is still ahead."""
    now = now or utcnow()
    start = datetime.combine(walk.walk_date, walk.starts_at or time(12, 0), tzinfo=LOCAL_TZ).astimezone(UTC)
    return start if start <= now else now


def default_captured_at(walk: Walk, *, now: datetime | None = None) -> datetime:
    """The capture time of a typed-in entry left blank: now while the walk is open, else its start."""
    now = now or utcnow()
    return now if walk.status == WalkStatus.OPEN else walk_start(walk, now=now)


def local_to_utc(value: datetime) -> datetime:
    """A time typed by a person (French local time unless it says otherwise), in UTC.

    ``ValueError`` when the conversion leaves the calendar (1 January of year 1 in Paris time is
    still in year 0 in UTC; the same beyond 9999 with a negative offset).
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(f"{value.isoformat()} is outside the calendar in UTC") from error


# --- one entry --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryResult:
    """What recording an entry did."""

    observation: Observation
    #: None when no profile was given
    participant: Participant | None
    #: False when the same form was sent twice (the first one is kept)
    new: bool


def _check(
    definition: FormDefinition,
    answers: Mapping[str, Any],
    *,
    lon: float | None,
    lat: float | None,
    captured_at: datetime | None,
) -> tuple[NormalisedAnswers | None, dict[str, list[dict[str, Any]]]]:
    problems: dict[str, list[dict[str, Any]]] = {}
    normalised = None
    try:
        normalised = validate_answers(definition, answers)
    except AnswerErrors as error:
        problems.update(error.to_dict())
    if lon is not None or lat is not None:
        problem = observations.location_problem(lon, lat)
        if problem is not None:
            problems["location"] = problem
    if captured_at is not None:
        problem = observations.captured_at_problem(captured_at)
        if problem is not None:
            problems["captured_at"] = problem
    return normalised, problems


def check_entry(
    walk: Walk,
    answers: Mapping[str, Any],
    *,
    lon: float | None = None,
    lat: float | None = None,
    captured_at: datetime | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Every problem of an entry, by answer key (``location`` and ``captured_at`` too); empty if none.

    Position and time are only checked when given: the form reports their absence itself.
    """
    return _check(forms.walk_definition(walk), answers, lon=lon, lat=lat, captured_at=captured_at)[1]


def _log_entry(
    observation_id: int, actor: User | None, via: str, *, reason: str = "", row: int | None = None
) -> None:
    changes: dict[str, Any] = {
        "location_source": [None, LocationSource.FACILITATOR.value],
        "via": [None, via],
    }
    if row is not None:
        changes["row"] = [None, row]
    db.session.add(
        ModerationEvent(
            observation_id=observation_id,
            actor_id=actor.id if actor else None,
            action=ENTRY_ACTION,
            reason=reason,
            changes=changes,
        )
    )


def record_entry(
    walk: Walk,
    actor: User | None,
    *,
    client_uuid: uuid.UUID,
    answers: Mapping[str, Any],
    lon: float,
    lat: float,
    captured_at: datetime | None = None,
    profile: Profile | None = None,
    same_person: int | None = None,
    photo_uploads: Mapping[str, Sequence[bytes]] | None = None,
) -> EntryResult:
    """Store one observation typed in by a facilitator (any walk status); nothing is committed.

    The form's hidden UUID makes a second send of the same form harmless: the stored observation is
    returned with ``new=False``. Photos (by photo question) are checked and re-encoded before
    anything is stored; their bytes go to the photo store in the same transaction.
    """
    definition = forms.walk_definition(walk)
    profile = profile or Profile()
    when = captured_at or default_captured_at(walk)
    normalised, problems = _check(definition, answers, lon=lon, lat=lat, captured_at=when)
    problems.update(profile_problems(profile))
    encoded: list[tuple[str, photos.EncodedPhoto, str]] = []
    for key, uploads in (photo_uploads or {}).items():
        question = definition.field(key) if key in {f.key for f in definition.fields} else None
        if question is None or not isinstance(question.kind, PhotoField):
            problems[key] = _problem("unknown_field", "Question inconnue.", "Unknown question.")
            continue
        if len(uploads) > question.kind.max_count:
            problems[key] = _problem(
                "too_many",
                f"{question.kind.max_count} photos au plus.",
                f"At most {question.kind.max_count} photos.",
                max=question.kind.max_count,
            )
            continue
        for data in uploads:
            try:
                encoded.append((key, photos.reencode(data), hashlib.sha256(data).hexdigest()))
            except DomainError as error:
                problems[key] = _problem("invalid_photo", error.message, "Invalid photo.")
    if problems or normalised is None:
        raise ValidationError(_l("Certaines réponses sont à corriger."), details=problems)

    existing = observations.get_by_client_uuid(client_uuid)
    if existing is not None:
        if existing.walk_id != walk.id:
            raise Conflict(
                _l("Une autre observation porte déjà cet identifiant."), details={"client_uuid": "conflict"}
            )
        return EntryResult(existing, existing.participant, False)

    participant = entry_participant(walk, profile, same_as=same_person)
    submission = observations.make_submission(
        definition,
        normalised,
        client_uuid=client_uuid,
        lon=lon,
        lat=lat,
        accuracy_m=None,
        location_source=LocationSource.FACILITATOR.value,
        captured_at=when,
    )
    new_id = observations.insert_submission(
        walk, submission, participant_id=participant.id if participant else None
    )
    observation = observations.get_by_client_uuid(client_uuid)
    if observation is None or (new_id is None and observation.walk_id != walk.id):
        raise Conflict(
            _l("Une autre observation porte déjà cet identifiant."), details={"client_uuid": "conflict"}
        )
    if new_id is None:  # sent twice at the same moment: the other request stored it
        return EntryResult(observation, observation.participant, False)
    _log_entry(observation.id, actor, VIA_FORM)
    if encoded:
        _attach_photos(observation, encoded)
    return EntryResult(observation, participant, True)


def _attach_photos(observation: Observation, encoded: Sequence[tuple[str, photos.EncodedPhoto, str]]) -> None:
    store = photo_store.current()
    for _key, photo, digest in encoded:
        photo_uuid = uuid.uuid4()
        row = Photo(
            client_uuid=photo_uuid,
            observation_id=observation.id,
            stored_name=f"{photo_uuid}-{digest[:12]}.jpg",
            content_type="image/jpeg",
            width=photo.width,
            height=photo.height,
            size_bytes=len(photo.data),
            upload_sha256=digest,
        )
        db.session.add(row)
        db.session.flush()
        # In the same transaction: a refused request leaves neither bytes nor file behind.
        store.save(row, photo.data)


@dataclass(frozen=True)
class EntryItem:
    """One observation a facilitator typed in, for the list under the entry form."""

    observation: Observation
    #: theme label with its emoji, in the asked language
    theme: str
    #: None for entries without a profile
    participant: Participant | None
    zone_name: str
    #: the stop at exactly this place, if any
    stop: Stop | None


def list_entries(walk: Walk, actor: User | None, *, lang: str = "fr", limit: int = 20) -> list[EntryItem]:
    """The latest observations this person typed in for this walk, newest first."""
    stmt = (
        select(Observation)
        .join(ModerationEvent, ModerationEvent.observation_id == Observation.id)
        .where(Observation.walk_id == walk.id, ModerationEvent.action == ENTRY_ACTION)
        .order_by(ModerationEvent.id.desc())
        .limit(limit)
    )
    if actor is not None:
        stmt = stmt.where(ModerationEvent.actor_id == actor.id)
    definition = forms.walk_definition(walk)
    stops = {tuple(round(v, 7) for v in stop_lonlat(stop)): stop for stop in walk.stops}
    items = []
    for observation in db.session.scalars(stmt):
        point = to_shape(observation.location)
        try:
            theme = definition.theme(observation.theme)
            label = f"{theme.icon.emoji} {theme.label.get(lang)}"
        except KeyError:
            label = observation.theme
        items.append(
            EntryItem(
                observation=observation,
                theme=label,
                participant=observation.participant,
                zone_name=observation.zone.name if observation.zone else "",
                stop=stops.get((round(point.x, 7), round(point.y, 7))),
            )
        )
    return items


# --- templates ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the entry template."""

    #: the header people see and the importer reads
    header: str
    #: sheet, stop, lon, lat, captured_at, theme, subtheme, field, profile
    kind: str
    #: the answer key (field columns), or the profile attribute (profile columns)
    key: str = ""
    #: the field type of field columns
    field_type: str = ""
    required: bool = False
    #: (code, label) of every accepted value, for closed lists
    codes: tuple[tuple[str, str], ...] = ()
    #: bounds of numeric columns (ratings, stop numbers)
    minimum: int | None = None
    maximum: int | None = None
    #: the question, for field columns
    label: str = ""


def template_columns(
    walk: Walk, *, lang: str = "fr", profile_labels: Mapping[str, Mapping[str, str]] | None = None
) -> list[TemplateColumn]:
    """The columns of the walk's entry template, in order, generated from the walk's form.

    ``profile_labels`` gives, per profile attribute, the label of each code (the residents' pages
    own those texts); codes without a label are shown as they are.
    """
    definition = forms.walk_definition(walk)
    profile_labels = profile_labels or {}
    positions = [stop.position for stop in walk.stops]
    columns = [
        TemplateColumn(SHEET, "sheet"),
        TemplateColumn(
            STOP,
            "stop",
            codes=tuple((str(stop.position), stop.name) for stop in walk.stops),
            minimum=min(positions) if positions else None,
            maximum=max(positions) if positions else None,
        ),
        TemplateColumn(LON, "lon"),
        TemplateColumn(LAT, "lat"),
        TemplateColumn(CAPTURED_AT, "captured_at"),
        TemplateColumn(
            THEME,
            "theme",
            key="theme",
            required=True,
            codes=tuple((t.key, t.label.get(lang)) for t in definition.themes),
        ),
        TemplateColumn(
            SUBTHEME,
            "subtheme",
            key="subtheme",
            codes=tuple(
                (s.key, f"{t.label.get(lang)} › {s.label.get(lang)}")
                for t in definition.themes
                for s in t.subthemes
            ),
        ),
    ]
    used = {c.header for c in columns} | {header for header, _ in PROFILE_COLUMNS.values()}
    for question in definition.fields:
        if isinstance(question.kind, PhotoField | LocationField):
            continue
        header = FIELD_HEADERS.get(question.key, question.key)
        while header in used:  # a question named like a fixed column
            header = f"{header}_question"
        used.add(header)
        codes: tuple[tuple[str, str], ...] = ()
        minimum = maximum = None
        if isinstance(question.kind, SingleChoiceField | MultipleChoiceField):
            codes = tuple((c.key, c.label.get(lang)) for c in question.kind.choices)
        elif isinstance(question.kind, RatingField):
            minimum, maximum = question.kind.min, question.kind.max
        columns.append(
            TemplateColumn(
                header,
                "field",
                key=question.key,
                field_type=question.type,
                required=question.required,
                codes=codes,
                minimum=minimum,
                maximum=maximum,
                label=question.label.get(lang),
            )
        )
    for name, (header, enum) in PROFILE_COLUMNS.items():
        labels = profile_labels.get(name, {})
        columns.append(
            TemplateColumn(
                header,
                "profile",
                key=name,
                codes=tuple((m.value, str(labels.get(m.value, m.value))) for m in enum),
            )
        )
    return columns


def template_csv(columns: Sequence[TemplateColumn]) -> str:
    """The CSV template: UTF-8 BOM, ``;`` separators, the header row only (codes are on the page)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([c.header for c in columns])
    return buffer.getvalue()


def template_xlsx(
    columns: Sequence[TemplateColumn],
    target: str | Path | BinaryIO,
    *,
    texts: Mapping[str, str],
    help_by_header: Mapping[str, str],
    rows: int = 500,
) -> None:
    """The XLSX template: a sheet to fill in, a sheet describing the columns and a sheet of codes.

    Closed lists get an in-cell drop-down (data validation) fed from the codes sheet, ratings and stop
    numbers a whole-number check; cells hold text, never formulas (``strings_to_formulas=False``).
    ``texts`` holds the words of the workbook (sheet and column titles), ``help_by_header`` a sentence
    per column: the pages own those texts.
    """
    import xlsxwriter

    options: dict[str, Any] = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    if not isinstance(target, (str, Path)):
        options["in_memory"] = True
    workbook = xlsxwriter.Workbook(target, options)
    try:
        bold = workbook.add_format({"bold": True, "bg_color": "#E3EEFA", "border": 1})
        text = workbook.add_format({"num_format": "@"})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        sheet = workbook.add_worksheet(texts["sheet"])
        describe = workbook.add_worksheet(texts["columns_sheet"])
        codes_sheet = workbook.add_worksheet(texts["codes_sheet"])

        codes_sheet.write_row(0, 0, [texts["column"], texts["code"], texts["label"]], bold)
        ranges: dict[str, str] = {}
        line = 1
        for column in columns:
            if not column.codes:
                continue
            first = line
            for code, label in column.codes:
                codes_sheet.write_string(line, 0, column.header)
                codes_sheet.write_string(line, 1, code)
                codes_sheet.write_string(line, 2, label)
                line += 1
            ranges[column.header] = f"='{texts['codes_sheet']}'!$B${first + 1}:$B${line}"
        codes_sheet.set_column(0, 0, 16)
        codes_sheet.set_column(1, 1, 28)
        codes_sheet.set_column(2, 2, 60)
        codes_sheet.freeze_panes(1, 0)

        describe.write_row(0, 0, [texts["column"], texts["required"], texts["what"]], bold)
        for index, column in enumerate(columns, start=1):
            describe.write_string(index, 0, column.header)
            describe.write_string(index, 1, texts["yes"] if column.required else "")
            describe.write_string(index, 2, help_by_header.get(column.header, ""), wrap)
        describe.set_column(0, 0, 16)
        describe.set_column(1, 1, 12)
        describe.set_column(2, 2, 90)

        for index, column in enumerate(columns):
            numeric = column.kind in ("stop", "lon", "lat") or column.field_type == "rating"
            sheet.set_column(index, index, max(12, len(column.header) + 4), None if numeric else text)
            sheet.write_string(0, index, column.header, bold)
            comment = help_by_header.get(column.header, "")
            if comment:
                sheet.write_comment(0, index, comment, {"x_scale": 2.5, "y_scale": 2})
            if column.header in ranges and column.field_type != "multiple_choice":
                sheet.data_validation(
                    1,
                    index,
                    rows,
                    index,
                    {"validate": "list", "source": ranges[column.header], "error_type": "warning"},
                )
            elif column.minimum is not None and column.maximum is not None:
                sheet.data_validation(
                    1,
                    index,
                    rows,
                    index,
                    {
                        "validate": "integer",
                        "criteria": "between",
                        "minimum": column.minimum,
                        "maximum": column.maximum,
                        "error_type": "warning",
                    },
                )
        sheet.freeze_panes(1, 0)
        sheet.activate()
    finally:
        workbook.close()


# --- reading a filled-in template -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One problem of a refused file: where (row 1 is the header row) and what."""

    row: int
    #: the column's header as written in the file, or "" for the whole row or file
    column: str
    code: str
    message_fr: str
    message_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": {"fr": self.message_fr, "en": self.message_en},
        }


def _refuse(code: str, fr: str, en: str) -> ImportFailed:
    return ImportFailed(Bilingual(fr, en), details=[ImportProblem(0, "", code, fr, en).to_dict()])


def _normalise_header(raw: object) -> str:
    text = unicodedata.normalize("NFKD", str(raw or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def read_table(data: bytes) -> list[list[Any]]:
    """The rows of an uploaded XLSX or CSV file (the first is the header row), or ImportFailed.

    XLSX is read with openpyxl in read-only mode without computed values: a formula is read as its
    text. CSV may be UTF-8 (with or without BOM) or Windows-1252, separated by ``;``, ``,`` or tabs.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise _refuse(
            "too_big",
            f"Fichier trop volumineux : {MAX_IMPORT_BYTES // 2**20} Mo au plus.",
            f"File too large: {MAX_IMPORT_BYTES // 2**20} MB at most.",
        )
    if not data.strip():
        raise _refuse("empty", "Le fichier est vide.", "The file is empty.")
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise _refuse(
            "xls",
            "Ancien format Excel (.xls) : enregistrez le fichier au format .xlsx ou .csv.",
            "Old Excel format (.xls): save the file as .xlsx or .csv.",
        )
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if b"\x00" in data[:4096]:
        raise _refuse(
            "wrong_kind",
            "Ce fichier n'est ni un classeur .xlsx ni un fichier .csv.",
            "This file is neither an .xlsx workbook nor a .csv file.",
        )
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[list[Any]]:
    import openpyxl

    unreadable = _refuse(
        "wrong_kind",
        "Ce fichier n'est pas un classeur .xlsx lisible (un fichier .ods ? enregistrez-le en .xlsx ou .csv).",
        "This file is not a readable .xlsx workbook (an .ods file? save it as .xlsx or .csv).",
    )
    rows: list[list[Any]] = []
    try:
        with warnings.catch_warnings():
            # Spreadsheet programs write extensions openpyxl does not know (it says so): only values matter.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                filled = 0
                for cells in workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
                    row = list(cells)
                    if any(_cell_text(v) for v in row):
                        filled += 1
                    if filled > MAX_IMPORT_ROWS + 1 or len(rows) > MAX_SCANNED_ROWS:
                        raise _too_many_rows()
                    rows.append(row)
            finally:
                workbook.close()
    except ImportFailed:
        raise
    except Exception as error:  # noqa: BLE001 - any way a damaged or foreign zip fails to parse
        raise unreadable from error
    return rows


def _too_many_rows() -> ImportFailed:
    return _refuse(
        "too_many_rows",
        f"Trop de lignes : {MAX_IMPORT_ROWS} observations au plus par fichier.",
        f"Too many rows: {MAX_IMPORT_ROWS} observations at most per file.",
    )


def _read_csv(data: bytes) -> list[list[Any]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row[:MAX_COLUMNS])
            if len(rows) > MAX_IMPORT_ROWS + 1 and any(c.strip() for c in row):
                raise _too_many_rows()
    except csv.Error as error:
        raise _refuse(
            "wrong_kind",
            f"Ce fichier CSV est illisible : {error}.",
            f"This CSV file cannot be read: {error}.",
        ) from error
    return rows


def _cell_text(value: Any) -> str:
    """A cell as text: numbers without a useless ``.0``, dates as typed in France."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return unicodedata.normalize("NFC", str(value)).strip()


_DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %Hh%M",
    "%d/%m/%y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
)
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d")
_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%Hh%M", "%Hh")


def parse_local_datetime(raw: Any, walk: Walk) -> datetime | None:
    """A capture time from a cell, in UTC: a date and time, a date (the walk's start time), a time
    (on the walk's date) or an ISO time with its offset; None when it is none of these."""
    start = walk.starts_at or time(12, 0)
    try:
        if isinstance(raw, datetime):
            return local_to_utc(raw)
        if isinstance(raw, date):
            return local_to_utc(datetime.combine(raw, start))
        if isinstance(raw, time):
            return local_to_utc(datetime.combine(walk.walk_date, raw))
    except ValueError:
        return None
    text = _cell_text(raw)
    for fmt in _DATETIME_FORMATS:
        try:
            return local_to_utc(datetime.strptime(text, fmt))
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return local_to_utc(datetime.combine(datetime.strptime(text, fmt).date(), start))
        except ValueError:
            pass
    for fmt in _TIME_FORMATS:
        try:
            return local_to_utc(datetime.combine(walk.walk_date, datetime.strptime(text, fmt).time()))
        except ValueError:
            pass
    try:
        # RFC 3339 allows "t" and "z" in lower case; fromisoformat takes neither
        return local_to_utc(datetime.fromisoformat(text.upper().replace("Z", "+00:00")))
    except ValueError:
        return None


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass
class _Row:
    number: int
    sheet: str
    profile: Profile
    lon: float
    lat: float
    captured_at: datetime
    normalised: NormalisedAnswers
    #: what the row means, for its derived UUID
    meaning: dict[str, Any] = field(default_factory=dict)
    client_uuid: uuid.UUID | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an accepted import did."""

    #: observations stored now
    stored: int
    #: rows already stored by an earlier import of the same rows
    skipped: int
    #: anonymous participants made for the sheets and profiles of the file
    participants: int
    #: the stored observations' ids
    observation_ids: tuple[int, ...] = ()


def _answer_column(key: str, columns: Sequence[TemplateColumn]) -> str:
    if key == "theme":
        return THEME
    if key == "subtheme":
        return SUBTHEME
    for column in columns:
        if column.kind == "field" and column.key == key:
            return column.header
    return ""


@dataclass(frozen=True)
class _Header:
    """Where each known column is in the file, and how the file spells it."""

    #: column header -> index in the row
    positions: dict[str, int]
    #: column header -> the header as written in the file
    shown: dict[str, str]


def _read_header(
    header_row: Sequence[Any], columns: Sequence[TemplateColumn]
) -> tuple[_Header, list[ImportProblem]]:
    """Match the file's headers to the template's, without accents or case; field keys are accepted."""
    by_header = {c.header: c for c in columns}
    aliases = {c.key: c.header for c in columns if c.kind == "field" and c.key not in by_header}
    problems: list[ImportProblem] = []
    positions: dict[str, int] = {}
    shown: dict[str, str] = {}
    for index, raw in enumerate(header_row):
        written = _cell_text(raw)
        name = aliases.get(_normalise_header(written), _normalise_header(written))
        if not name:
            continue
        if name not in by_header:
            problems.append(
                ImportProblem(
                    1,
                    written,
                    "unknown_column",
                    f"colonne inconnue : ce modèle n'a pas de colonne « {written[:40]} ».",
                    f"unknown column: this template has no column “{written[:40]}”.",
                )
            )
        elif name in positions:
            problems.append(
                ImportProblem(1, written, "duplicate_column", "colonne en double.", "duplicate column.")
            )
        else:
            positions[name] = index
            shown[name] = written
    if THEME not in positions:
        problems.append(
            ImportProblem(
                1, THEME, "missing_column", "colonne obligatoire absente.", "required column missing."
            )
        )
    if STOP not in positions and not (LON in positions and LAT in positions):
        problems.append(
            ImportProblem(
                1,
                STOP,
                "missing_column",
                "indiquez où : une colonne « arret », ou les colonnes « longitude » et « latitude ».",
                "say where: an “arret” column, or “longitude” and “latitude” columns.",
            )
        )
    return _Header(positions, shown), problems


class _RowProblems:
    """The problems of one row, each placed in its column as the file spells it."""

    def __init__(self, number: int, header: _Header) -> None:
        self.number, self.header = number, header
        self.found: list[ImportProblem] = []

    def add(self, column: str, code: str, fr: str, en: str) -> None:
        self.found.append(ImportProblem(self.number, self.header.shown.get(column, column), code, fr, en))

    def add_problem(self, column: str, problem: list[dict[str, Any]]) -> None:
        """Add a problem in the API's shape (``{"code", "message": {"fr", "en"}}``)."""
        first = problem[0]
        self.add(
            column, first["code"], _lower_first(first["message"]["fr"]), _lower_first(first["message"]["en"])
        )


def _row_place(
    text: Mapping[str, str], stops: Mapping[int, Stop], problems: _RowProblems
) -> tuple[float | None, float | None]:
    """The row's position: its stop's, or its coordinates."""
    stop_text = text.get(STOP, "")
    if stop_text and (text.get(LON) or text.get(LAT)):
        problems.add(
            STOP,
            "ambiguous_place",
            "indiquez soit l'arrêt, soit longitude et latitude, pas les deux.",
            "give either the stop or longitude and latitude, not both.",
        )
        return None, None
    if stop_text:
        number = _number(stop_text)
        stop = stops.get(int(number)) if number is not None and number == int(number) else None
        if stop is not None:
            return stop_lonlat(stop)
        known = ", ".join(str(p) for p in sorted(stops)) or "aucun"
        problems.add(
            STOP,
            "unknown_stop",
            f"arrêt inconnu : {stop_text[:20]} (arrêts de la marche : {known}).",
            f"unknown stop: {stop_text[:20]} (stops of the walk: {known}).",
        )
        return None, None
    if not (text.get(LON) or text.get(LAT)):
        problems.add(
            STOP if STOP in problems.header.positions else LON,
            "required",
            "indiquez l'arrêt ou longitude et latitude.",
            "give the stop or longitude and latitude.",
        )
        return None, None
    lon, lat = _number(text.get(LON, "")), _number(text.get(LAT, ""))
    for name, value in ((LON, lon), (LAT, lat)):
        if value is None:
            problems.add(
                name,
                "wrong_type",
                "nombre attendu (degrés décimaux, par exemple 2,2955).",
                "a number is expected (decimal degrees, e.g. 2.2955).",
            )
    issue = observations.location_problem(lon, lat) if lon is not None and lat is not None else None
    if issue is not None:
        problems.add_problem(LON, issue)
        return None, None
    return lon, lat


def _row_time(raw: Any, walk: Walk, problems: _RowProblems) -> datetime | None:
    """The row's capture time, None when blank or wrong (then reported)."""
    if not _cell_text(raw):
        return None
    captured_at = parse_local_datetime(raw, walk)
    if captured_at is None:
        problems.add(
            CAPTURED_AT,
            "wrong_type",
            "date et heure attendues, par exemple 12/03/2026 18:30.",
            "a date and time are expected, e.g. 12/03/2026 18:30.",
        )
        return None
    issue = observations.captured_at_problem(captured_at)
    if issue is not None:
        problems.add_problem(CAPTURED_AT, issue)
        return None
    return captured_at


def _row_answers(
    definition: FormDefinition,
    text: Mapping[str, str],
    columns: Sequence[TemplateColumn],
    problems: _RowProblems,
) -> NormalisedAnswers | None:
    """The row's answers checked by the walk's form (the same check as the phones')."""
    answers: dict[str, Any] = {}
    for column in columns:
        if column.kind not in ("theme", "subtheme", "field") or column.header not in text:
            continue
        value = text[column.header]
        if column.field_type == "multiple_choice":
            answers[column.key] = [part for part in re.split(r"[\s,;|]+", value) if part]
        else:
            answers[column.key] = value
    try:
        return validate_answers(definition, answers)
    except AnswerErrors as error:
        for key, errors in error.errors.items():
            for answer_error in errors:
                problems.add(
                    _answer_column(key, columns) or key,
                    answer_error.code,
                    _lower_first(answer_error.message_fr),
                    _lower_first(answer_error.message_en),
                )
        return None


def _parse_rows(
    walk: Walk, table: list[list[Any]], columns: Sequence[TemplateColumn]
) -> tuple[list[_Row], list[ImportProblem]]:
    """Every row checked; the good ones, and every problem in reading order."""
    header, problems = _read_header(table[0] if table else [], columns)
    if problems:
        return [], problems
    definition = forms.walk_definition(walk)
    stops = {stop.position: stop for stop in walk.stops}
    blank_time = walk_start(walk)
    rows: list[_Row] = []
    for number, cells in enumerate(table[1:], start=2):
        raw = {name: (cells[i] if i < len(cells) else None) for name, i in header.positions.items()}
        text = {name: _cell_text(value) for name, value in raw.items()}
        if not any(text.values()):
            continue
        found = _RowProblems(number, header)
        lon, lat = _row_place(text, stops, found)
        captured_at = _row_time(raw.get(CAPTURED_AT), walk, found)
        profile = Profile(**{name: text.get(column, "") for name, (column, _e) in PROFILE_COLUMNS.items()})
        for name, issue in profile_problems(profile).items():
            found.add_problem(PROFILE_COLUMNS[name][0], issue)
        normalised = _row_answers(definition, text, columns, found)
        problems.extend(found.found)
        if found.found or normalised is None or lon is None or lat is None:
            continue
        stop_text = text.get(STOP, "")
        rows.append(
            _Row(
                number=number,
                sheet=text.get(SHEET, ""),
                profile=profile,
                lon=lon,
                lat=lat,
                captured_at=captured_at or blank_time,
                normalised=normalised,
                meaning={
                    "sheet": text.get(SHEET, ""),
                    # the stop's number, not its place: moving a stop later does not make rows new
                    "place": f"stop:{int(_number(stop_text) or 0)}"
                    if stop_text
                    else [round(lon, 7), round(lat, 7)],
                    # as written (blank stays blank): a changed start time does not make rows new
                    "captured_at": captured_at.isoformat() if captured_at else "",
                    "theme": normalised.theme,
                    "subtheme": normalised.subtheme,
                    "answers": dict(normalised.values),
                    "profile": [profile.age_band, profile.gender, profile.status],
                },
            )
        )
    _check_sheets(rows, problems, header.shown)
    # In reading order: by row, then by column as the file has them.
    order = {header.shown[name]: index for name, index in header.positions.items()}
    problems.sort(key=lambda p: (p.row, order.get(p.column, MAX_COLUMNS)))
    return rows, problems


def _lower_first(message: str) -> str:
    return message[:1].lower() + message[1:] if message else message


def _check_sheets(rows: Sequence[_Row], problems: list[ImportProblem], shown: Mapping[str, str]) -> None:
    """Rows of one sheet are one person: their profiles may leave blanks but must not disagree."""
    seen: dict[str, tuple[list[str], int]] = {}
    for row in rows:
        if not row.sheet:
            continue
        values = [row.profile.age_band, row.profile.gender, row.profile.status]
        if row.sheet not in seen:
            seen[row.sheet] = (values, row.number)
            continue
        known, first = seen[row.sheet]
        for index, (header, _enum) in enumerate(PROFILE_COLUMNS.values()):
            if values[index] and known[index] and values[index] != known[index]:
                problems.append(
                    ImportProblem(
                        row.number,
                        shown.get(header, header),
                        "profile_mismatch",
                        f"la feuille {row.sheet[:20]} a un autre profil à la ligne {first}.",
                        f"sheet {row.sheet[:20]} has another profile on row {first}.",
                    )
                )
            elif values[index] and not known[index]:
                known[index] = values[index]


def import_template(walk: Walk, actor: User | None, *, filename: str, data: bytes) -> ImportResult:
    """Import a filled-in template: every row stored, or none (ImportFailed lists every problem).

    Rows already stored by an earlier import (same derived UUID) are skipped. Nothing is committed.
    """
    table = read_table(data)
    columns = template_columns(walk)
    rows, problems = _parse_rows(walk, table, columns)
    if not problems and not rows:
        problems.append(
            ImportProblem(
                0, "", "no_rows", "aucune observation dans ce fichier.", "no observation in this file."
            )
        )
    if problems:
        ordered = sorted(problems, key=lambda p: p.row)
        raise ImportFailed(
            ngettext(
                "Fichier refusé : %(num)s problème, rien n'a été enregistré.",
                "Fichier refusé : %(num)s problèmes, rien n'a été enregistré.",
                len(ordered),
            ),
            details=[p.to_dict() for p in ordered[:MAX_PROBLEMS]]
            + (
                [
                    {
                        "row": 0,
                        "column": "",
                        "code": "more",
                        "count": len(ordered) - MAX_PROBLEMS,
                        "message": {
                            "fr": f"… et {len(ordered) - MAX_PROBLEMS} autres.",
                            "en": f"… and {len(ordered) - MAX_PROBLEMS} more.",
                        },
                    }
                ]
                if len(ordered) > MAX_PROBLEMS
                else []
            ),
        )
    definition = forms.walk_definition(walk)
    occurrences: dict[str, int] = {}
    for row in rows:
        meaning = json.dumps(row.meaning, sort_keys=True, ensure_ascii=False, default=str)
        occurrences[meaning] = occurrences.get(meaning, 0) + 1
        row.client_uuid = uuid.uuid5(IMPORT_NAMESPACE, f"{walk.id}\x1f{meaning}\x1f{occurrences[meaning]}")
    existing = {
        o.client_uuid: o
        for o in db.session.scalars(
            select(Observation).where(Observation.client_uuid.in_([r.client_uuid for r in rows]))
        )
    }
    new_rows = [row for row in rows if row.client_uuid not in existing]
    people, made = _import_participants(walk, rows, new_rows, existing)
    batch = [
        (
            observations.make_submission(
                definition,
                row.normalised,
                client_uuid=row.client_uuid,  # type: ignore[arg-type]
                lon=row.lon,
                lat=row.lat,
                accuracy_m=None,
                location_source=LocationSource.FACILITATOR.value,
                captured_at=row.captured_at,
            ),
            person.id if person is not None else None,
        )
        for row, person in zip(new_rows, people, strict=True)
    ]
    # Rows stored meanwhile by a parallel import of the same file are not in ``new_ids``.
    new_ids = observations.insert_submissions(walk, batch)
    reason = Path(filename).name[:200]
    for row in new_rows:
        if row.client_uuid in new_ids:
            _log_entry(new_ids[row.client_uuid], actor, VIA_IMPORT, reason=reason, row=row.number)  # type: ignore[index]
    db.session.flush()
    stored_ids = tuple(new_ids[r.client_uuid] for r in new_rows if r.client_uuid in new_ids)  # type: ignore[index]
    return ImportResult(
        stored=len(stored_ids),
        skipped=len(rows) - len(stored_ids),
        participants=made,
        observation_ids=stored_ids,
    )


def _import_participants(
    walk: Walk,
    rows: Sequence[_Row],
    new_rows: Sequence[_Row],
    existing: Mapping[uuid.UUID | None, Observation],
) -> tuple[list[Participant | None], int]:
    """The participant of each new row, and how many are new: one per sheet (kept from its rows
    already stored), one per row with a profile but no sheet, none otherwise (ids in one flush)."""
    sheet_people: dict[str, Participant] = {}
    for row in rows:
        stored = existing.get(row.client_uuid)
        if stored is not None and row.sheet and stored.participant is not None:
            sheet_people.setdefault(row.sheet, stored.participant)
    people: list[Participant | None] = []
    made = 0
    for row in new_rows:
        if row.sheet:
            if row.sheet not in sheet_people:
                sheet_people[row.sheet] = _new_participant(walk, _sheet_profile(rows, row.sheet), flush=False)
                made += 1
            people.append(sheet_people[row.sheet])
        elif row.profile.given:
            people.append(_new_participant(walk, row.profile, flush=False))
            made += 1
        else:
            people.append(None)
    db.session.flush()
    return people, made


def _sheet_profile(rows: Sequence[_Row], sheet: str) -> Profile:
    values = {"age_band": "", "gender": "", "status": ""}
    for row in rows:
        if row.sheet == sheet:
            for name in values:
                values[name] = values[name] or getattr(row.profile, name)
    return Profile(**values)


__all__ = [
    "ENTRY_ACTION",
    "EntryItem",
    "EntryResult",
    "ImportProblem",
    "ImportResult",
    "Profile",
    "TemplateColumn",
    "check_entry",
    "default_captured_at",
    "entry_participant",
    "import_template",
    "list_entries",
    "read_table",
    "record_entry",
    "template_columns",
    "template_csv",
    "template_xlsx",
]
