"""Observation forms as data in the database: the versions there are, which one a walk uses, imports.

Every form version is a row of ``form_versions`` (the shipped default grid and the forms imported
from XLSForm workbooks); a version never changes once stored: importing a changed workbook makes a
new version, importing the same content again returns the version that has it. Parsed definitions are
cached per ``(key, version, content hash)`` in the process, which is safe precisely because versions
are immutable.

A walk uses one version (``walk.form_key``/``walk.form_version``); it may change only while the walk
has no observation (:func:`set_walk_form`). Everything that shows or checks observations follows the
forms actually used: :func:`project_definitions` gives them for a project (labels and colours of
summaries, exports, maps), :func:`project_sensitive_themes` the theme keys every privacy rule hides.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_forms import DefinitionError, FormDefinition, ShownAnswer, parse_definition, shown_answers
from webapp.errors import Conflict, ImportFailed, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import FormVersion, Membership, Observation, User, Walk
from webapp.models.enums import FormOrigin, ImportSkip, Role
from webapp.services import data_stamps

if TYPE_CHECKING:
    from webapp.services.walks import WalkFacts

#: The shipped default grid.
DEFAULT_FORM_KEY = "marche_exploratoire"
#: Field types the capture page (with and without JavaScript) knows how to show.
RENDERED_FIELD_TYPES = frozenset(
    {"single_choice", "multiple_choice", "rating", "short_text", "long_text", "photo", "location"}
)
#: The capture page has one photo picker: a form may have one photo field.
MAX_PHOTO_FIELDS = 1
#: Workbooks the import page accepts, and the largest it takes.
WORKBOOK_SUFFIXES = (".xlsx", ".xls")
MAX_WORKBOOK_BYTES = 5 * 1024 * 1024

_parsed: dict[tuple[str, int, str], FormDefinition] = {}


# --- reading -----------------------------------------------------------------------------------------


def list_forms() -> list[FormVersion]:
    """Every stored form version, by key then newest version first."""
    return list(db.session.scalars(select(FormVersion).order_by(FormVersion.key, FormVersion.version.desc())))


def get_form(key: str, version: int) -> FormVersion:
    """The stored version ``version`` of form ``key``, or NotFound."""
    form = db.session.scalar(
        select(FormVersion).where(FormVersion.key == key, FormVersion.version == version)
    )
    if form is None:
        raise NotFound(_l("Formulaire introuvable."), details={"form": f"{key}:{version}"})
    return form


def latest_form(key: str = DEFAULT_FORM_KEY) -> FormVersion:
    """The newest stored version of form ``key``, or NotFound."""
    form = db.session.scalar(
        select(FormVersion).where(FormVersion.key == key).order_by(FormVersion.version.desc()).limit(1)
    )
    if form is None:
        raise NotFound(_l("Formulaire introuvable."), details={"form": key})
    return form


def parsed(form: FormVersion) -> FormDefinition:
    """The parsed definition of a stored version (cached: a stored version never changes)."""
    cache_key = (form.key, form.version, form.content_hash)
    cached = _parsed.get(cache_key)
    if cached is None:
        source = f"{form.key} v{form.version}"
        cached = parse_definition(form.definition, source=source, content_hash=form.content_hash)
        _parsed[cache_key] = cached
    return cached


def definition(key: str, version: int) -> FormDefinition:
    """The parsed definition of ``key`` at ``version``, or NotFound."""
    return parsed(get_form(key, version))


def walk_form(walk: Walk | WalkFacts) -> FormVersion:
    """The stored form version the walk uses (the default grid's newest if it names none)."""
    if walk.form_key is None or walk.form_version is None:
        return latest_form()
    return get_form(walk.form_key, walk.form_version)


#: Parsed definitions by (key, version), for walks that name their form: a stored version is never
#: edited (only superseded), so a submission need not fetch it again.
_by_version: dict[tuple[str, int], FormDefinition] = {}


@event.listens_for(Session, "before_flush")
def _forget_versions(session: Session, _context: object, _instances: object) -> None:
    """A version stored in this process may reuse a (key, version) a rolled-back one had (tests do)."""
    if any(isinstance(o, FormVersion) for o in chain(session.new, session.deleted)):
        _by_version.clear()


def has_walk_definition(walk: Walk | WalkFacts) -> bool:
    """Whether :func:`walk_definition` has the walk's form at hand (it then reads nothing)."""
    return walk.form_key is not None and (walk.form_key, walk.form_version) in _by_version


def walk_definition(walk: Walk | WalkFacts) -> FormDefinition:
    """The definition of the form the walk uses (the default grid's newest version if it names none)."""
    if walk.form_key is None or walk.form_version is None:
        return parsed(walk_form(walk))
    pair = (walk.form_key, walk.form_version)
    found = _by_version.get(pair)
    if found is None:
        found = _by_version[pair] = parsed(walk_form(walk))
    return found


def answer_reader(lang: str) -> Callable[[Observation], list[ShownAnswer]]:
    """Reads observations' answers to their form's own questions, labelled (each version looked up once).

    For the team's pages (moderation, debrief): the answers without a column of their own, such as an
    imported form's questions, with the labels of the version each observation was made with.
    """
    found: dict[tuple[str, int], FormDefinition | None] = {}

    def read(observation: Observation) -> list[ShownAnswer]:
        if not observation.answers:
            return []
        pair = (observation.form_key, observation.form_version)
        if pair not in found:
            try:
                found[pair] = definition(*pair)
            except NotFound:
                found[pair] = None
        form = found[pair]
        return shown_answers(form, observation.answers, lang) if form is not None else []

    return read


def sensitive_themes(form_keys: Iterable[str]) -> frozenset[str]:
    """Theme keys marked ``sensitive`` in any stored version of these forms.

    A key marked sensitive in one version is sensitive for all versions of that form, so a flag
    added in a later version also protects the observations made with earlier ones.
    """
    keys = set(form_keys)
    if not keys:
        return frozenset()
    rows = db.session.scalars(select(FormVersion).where(FormVersion.key.in_(sorted(keys)))).all()
    found: set[str] = set()
    for form in rows:
        found |= parsed(form).sensitive_themes
    return frozenset(found)


def _request_cache() -> dict[int, list[tuple[str, int]]] | None:
    """Per-request memo of each project's forms (a page asks several times); none outside a request."""
    from flask import g, has_request_context

    if not has_request_context():
        return None
    if "_project_forms" not in g:
        g._project_forms = {}
    return g._project_forms  # type: ignore[no-any-return]


#: Each project's form pairs by (project, data stamp): they change only with the stamp (walks' forms,
#: observations made with another version, new form versions; ``services.data_stamps``).
_project_pairs = data_stamps.StampedCache(size=256)


def _project_form_pairs(project_id: int) -> list[tuple[str, int]]:
    """(key, version) of the forms of a project's walks and of its observations.

    Read from the walk's index, one lookup per form of each walk (:data:`_OBSERVATION_FORMS`), and
    kept per project data stamp in each process (a call then reads the stamp, one primary-key lookup).
    """
    key = (project_id, data_stamps.current(project_id))
    return list(_project_pairs.get_or_compute(key, lambda: _query_project_form_pairs(project_id)))


#: The distinct forms of a project's observations, read from ``ix_observations_walk_form`` by skipping
#: instead of reading every entry (a walk's observations nearly all share one form): for each walk, its
#: smallest form key, then the next key after it, and so on; then for each key its smallest version,
#: the next, and so on — each step one ``min()`` the index answers with one lookup, on both databases.
_OBSERVATION_FORMS = text(
    """
WITH RECURSIVE
keys(walk_id, k) AS (
    SELECT w.id, (SELECT min(o.form_key) FROM observations o WHERE o.walk_id = w.id)
    FROM walks w WHERE w.project_id = :project_id
    UNION ALL
    SELECT keys.walk_id,
        (SELECT min(o.form_key) FROM observations o WHERE o.walk_id = keys.walk_id AND o.form_key > keys.k)
    FROM keys WHERE keys.k IS NOT NULL
),
versions(walk_id, k, v) AS (
    SELECT keys.walk_id, keys.k,
        (SELECT min(o.form_version) FROM observations o
            WHERE o.walk_id = keys.walk_id AND o.form_key = keys.k)
    FROM keys WHERE keys.k IS NOT NULL
    UNION ALL
    SELECT versions.walk_id, versions.k,
        (SELECT min(o.form_version) FROM observations o
            WHERE o.walk_id = versions.walk_id AND o.form_key = versions.k AND o.form_version > versions.v)
    FROM versions WHERE versions.v IS NOT NULL
)
SELECT DISTINCT k, v FROM versions WHERE v IS NOT NULL
"""
)


def _query_project_form_pairs(project_id: int) -> list[tuple[str, int]]:
    of_walks = select(Walk.form_key, Walk.form_version).where(
        Walk.project_id == project_id, Walk.form_key.is_not(None), Walk.form_version.is_not(None)
    )
    pairs = {(str(k), int(v)) for k, v in db.session.execute(of_walks).all() if k is not None}
    pairs |= {(str(k), int(v)) for k, v in db.session.execute(_OBSERVATION_FORMS, {"project_id": project_id})}
    unnamed = db.session.scalar(
        select(func.count(Walk.id)).where(Walk.project_id == project_id, Walk.form_key.is_(None))
    )
    if unnamed or not pairs:
        default = latest_form()
        pairs.add((default.key, default.version))
    # the default grid first, then by key; newest versions first, so their labels win
    return sorted(pairs, key=lambda pair: (pair[0] != DEFAULT_FORM_KEY, pair[0], -pair[1]))


def project_definitions(project_id: int) -> list[FormDefinition]:
    """The definitions a project's walks and observations use (the default grid when it has none).

    In a stable order: the default grid first, then by key, newest versions first. Versions that are
    no longer stored are left out (their observations show theme keys).
    """
    out = []
    for key, version in _project_form_pairs(project_id):
        form = db.session.scalar(
            select(FormVersion).where(FormVersion.key == key, FormVersion.version == version)
        )
        if form is not None:
            out.append(parsed(form))
    return out


def project_sensitive_themes(project_id: int) -> frozenset[str]:
    """Theme keys to treat as sensitive in a project: marked so in any version of a form it uses."""
    return sensitive_themes({key for key, _version in _project_form_pairs(project_id)})


# --- usage -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormUsage:
    """A stored version with how many walks and observations use it."""

    form: FormVersion
    walks: int
    observations: int
    #: display name of who imported it (None for shipped versions or a deleted account)
    imported_by: str | None


#: Observations per form version over the whole site, by every project's stamp: the forms pages
#: counted every observation at each visit (54–62 ms at 100,000).
_observation_counts = data_stamps.StampedCache(size=8)


def _count_observations_by_form() -> tuple[tuple[tuple[str, int], int], ...]:
    rows = db.session.execute(
        select(Observation.form_key, Observation.form_version, func.count(Observation.id)).group_by(
            Observation.form_key, Observation.form_version
        )
    )
    return tuple(((str(k), int(v)), int(n)) for k, v, n in rows)


def list_form_usage() -> list[FormUsage]:
    """Every stored version with its use, by key then newest version first."""
    walks = {
        (k, v): n
        for k, v, n in db.session.execute(
            select(Walk.form_key, Walk.form_version, func.count(Walk.id)).group_by(
                Walk.form_key, Walk.form_version
            )
        ).all()
    }
    observations = dict(_observation_counts.for_site(_count_observations_by_form))
    names = dict(db.session.execute(select(User.id, User.display_name)).all())
    return [
        FormUsage(
            form=form,
            walks=walks.get((form.key, form.version), 0),
            observations=observations.get((form.key, form.version), 0),
            imported_by=names.get(form.created_by_id) if form.created_by_id is not None else None,
        )
        for form in list_forms()
    ]


def get_form_usage(key: str, version: int) -> FormUsage:
    """One stored version with its use, or NotFound."""
    form = get_form(key, version)
    return FormUsage(
        form=form,
        walks=db.session.scalar(
            select(func.count(Walk.id)).where(Walk.form_key == key, Walk.form_version == version)
        )
        or 0,
        observations=dict(_observation_counts.for_site(_count_observations_by_form)).get((key, version), 0),
        imported_by=db.session.scalar(select(User.display_name).where(User.id == form.created_by_id))
        if form.created_by_id is not None
        else None,
    )


def may_manage_forms(user: User) -> bool:
    """Whether this person may import forms: a site administrator or a facilitator of any project."""
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            select(Membership.id)
            .where(Membership.user_id == user.id, Membership.role == Role.FACILITATOR)
            .limit(1)
        )
        is not None
    )


# --- a walk's form -----------------------------------------------------------------------------------


def set_walk_form(walk: Walk, key: str, version: int) -> Walk:
    """Make the walk use form ``key`` at ``version``; flushes, never commits.

    Refused (Conflict) once the walk has observations: they were made with its current form, whose
    questions they answer. A different form then means a new walk, or a new version for later walks.
    """
    form = get_form(key, version)
    if (walk.form_key, walk.form_version) == (form.key, form.version):
        return walk
    if walk.id is not None:
        used = db.session.scalar(select(func.count(Observation.id)).where(Observation.walk_id == walk.id))
        if used:
            raise Conflict(
                _l(
                    "Cette marche a déjà %(n)s observation(s) faites avec le formulaire "
                    "« %(key)s » version %(version)s : il ne peut plus changer. "
                    "Pour changer les questions, importez une nouvelle version du formulaire "
                    "et utilisez-la pour les prochaines marches.",
                    n=used,
                    key=walk.form_key,
                    version=walk.form_version,
                ),
                details={"form": f"{walk.form_key}:{walk.form_version}", "observations": used},
            )
    walk.form_key, walk.form_version = form.key, form.version
    db.session.flush()
    cache = _request_cache()
    if cache is not None:
        cache.pop(walk.project_id, None)
    return walk


# --- importing a workbook ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One reason an import was refused, located in the workbook."""

    #: ``survey``, ``choices``, ``settings``, or None for the workbook as a whole
    sheet: str | None
    #: row on that sheet (the header is row 1), when known
    row: int | None
    #: what is wrong, in the language in force when the import ran (French by default; pyxform's own
    #: English words are quoted for its checks)
    message: str

    def describe(self) -> str:
        """The problem with its place: « Feuille survey, ligne 12 : … »."""
        if self.sheet and self.row:
            return gettext(
                "Feuille « %(sheet)s », ligne %(row)s : %(message)s",
                sheet=self.sheet,
                row=self.row,
                message=self.message,
            )
        if self.sheet:
            return gettext("Feuille « %(sheet)s » : %(message)s", sheet=self.sheet, message=self.message)
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "message": self.message}


@dataclass(frozen=True)
class FormImport:
    """The outcome of an import: the stored version, and whether it is new."""

    form: FormVersion
    #: False when a stored version of that key already had the same content (nothing was stored)
    created: bool
    #: things a person should know, in French (fields made optional, a very long form...)
    warnings: tuple[str, ...] = ()


def _refuse(problems: list[ImportProblem]) -> ImportFailed:
    lines = "\n".join(f"- {p.describe()}" for p in problems)
    return ImportFailed(
        _l("Import annulé, rien n'a été enregistré :\n%(lines)s", lines=lines),
        details={"problems": [p.to_dict() for p in problems]},
    )


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of a definition's content, its version number left out: same content, same hash."""
    content = {k: v for k, v in data.items() if k != "version"}
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def rendering_problems(data: dict[str, Any]) -> list[ImportProblem]:
    """What the capture page could not show of a definition: unknown field types, several photo fields."""
    problems = []
    photos = []
    for field in data.get("fields") or []:
        kind = str(field.get("type"))
        if kind not in RENDERED_FIELD_TYPES:
            problems.append(
                ImportProblem(
                    "survey",
                    None,
                    gettext(
                        "la question « %(key)s » est de type %(kind)s, "
                        "que la page de saisie ne sait pas afficher.",
                        key=field.get("key"),
                        kind=kind,
                    ),
                )
            )
        elif kind == "photo":
            photos.append(str(field.get("key")))
    if len(photos) > MAX_PHOTO_FIELDS:
        problems.append(
            ImportProblem(
                "survey",
                None,
                gettext(
                    "le formulaire a %(n)s questions photo (%(keys)s) : la page de "
                    "saisie n'en propose qu'une, gardez-en une seule dans le classeur.",
                    n=len(photos),
                    keys=", ".join(photos),
                ),
            )
        )
    return problems


def _warnings(report: Any, data: dict[str, Any]) -> tuple[str, ...]:
    warnings = []
    for optional in report.made_optional:
        where = f" (ligne {optional.row})" if optional.row else ""
        warnings.append(
            f"La question « {optional.name} »{where} n'était obligatoire que si « {optional.relevant} » : "
            "cette condition n'est pas reprise, la question est donc devenue facultative."
        )
    if report.many_fields:
        warnings.append(
            f"Ce formulaire a {report.field_count} questions : c'est beaucoup trop pour une marche, "
            "où l'on répond debout dans la rue. Gardez-en quelques-unes."
        )
    locations = [f["key"] for f in data.get("fields") or [] if f.get("type") == "location"]
    if len(locations) > 1:
        warnings.append(
            f"{len(locations)} questions de position ({', '.join(locations)}) : toutes reçoivent la "
            "position de l'observation, choisie une seule fois sur la page de saisie."
        )
    for skipped in report.skipped_questions:
        where = f" (ligne {skipped.row})" if skipped.row else ""
        reason = ImportSkip.label_of(skipped.code)
        warnings.append(f"Question « {skipped.name} »{where} laissée de côté : {reason}.")
    return tuple(warnings)


def install_xlsform(
    workbook: Path | bytes,
    *,
    source_name: str | None = None,
    key: str | None = None,
    user: User | None = None,
    skip_unsupported: bool = False,
) -> FormImport:
    """Store an XLSForm workbook as a new version of its form; all or nothing, flushes, never commits.

    ``workbook`` is a file (any format pyxform reads) or the bytes of an upload named ``source_name``.
    The key is the workbook's ``form_id`` unless ``key`` is given. The same content as a stored
    version of that key gives that version back, unchanged; other content becomes the next version.
    Refused (ImportFailed, each problem with its sheet and row) when pyxform finds errors, when a
    question has a type the capture page cannot show (unless ``skip_unsupported``: such questions are
    then left out and listed), or when the key is the shipped default grid's.
    """
    if isinstance(workbook, bytes):
        name = Path(source_name or "classeur.xlsx").name
        with tempfile.TemporaryDirectory(prefix="arpenteur-xlsform-") as folder:
            path = Path(folder) / name
            path.write_bytes(workbook)
            return _install(path, name, key=key, user=user, skip_unsupported=skip_unsupported)
    return _install(
        Path(workbook),
        source_name or Path(workbook).name,
        key=key,
        user=user,
        skip_unsupported=skip_unsupported,
    )


def _install(
    path: Path, source_name: str, *, key: str | None, user: User | None, skip_unsupported: bool
) -> FormImport:
    from mobile_forms.xlsform import XLSFormError, import_xlsform

    try:
        result = import_xlsform(path, key=key)
    except ValueError as error:
        raise ValidationError(
            _l(
                "Clé de formulaire invalide : lettres minuscules sans accent, chiffres et _, "
                "en commençant par une lettre."
            ),
            details={"key": key},
        ) from error
    except XLSFormError as error:
        problems = [
            ImportProblem(
                p.sheet,
                p.row,
                {
                    "invalid": gettext("le classeur est invalide (pyxform) : %(message)s", message=p.message),
                    "unreadable": gettext("le fichier n'a pas pu être lu comme un classeur XLSForm."),
                    "missing": gettext("le fichier est introuvable."),
                    "not_a_workbook": gettext("ce n'est pas un classeur XLSForm (.xlsx ou .xls)."),
                }.get(p.code, p.message),
            )
            for p in error.problems
        ] or [ImportProblem(None, None, str(error))]
        raise _refuse(problems) from error
    data, report = result.definition, result.report
    problems: list[ImportProblem] = []
    shipped = db.session.scalar(
        select(FormVersion.id).where(FormVersion.key == data["key"], FormVersion.origin == FormOrigin.SHIPPED)
    )
    if shipped is not None:
        problems.append(
            ImportProblem(
                "settings",
                None,
                gettext(
                    "« %(key)s » est la clé de la grille fournie avec Arpenteur : donnez un autre "
                    "form_id au classeur (ou une autre clé à l'import).",
                    key=data["key"],
                ),
            )
        )
    if not skip_unsupported:
        for skipped in report.skipped_questions:
            problems.append(
                ImportProblem(
                    "survey",
                    skipped.row,
                    gettext(
                        "la question « %(name)s » (%(type)s) ne peut pas être reprise : %(reason)s. "
                        "Retirez-la du classeur, ou importez en laissant de côté les questions que "
                        "l'application ne sait pas afficher.",
                        name=skipped.name,
                        type=skipped.type,
                        reason=ImportSkip.label_of(skipped.code),
                    ),
                )
            )
    problems.extend(rendering_problems(data))
    if problems:
        raise _refuse(problems)

    digest = content_hash(data)
    same = db.session.scalar(
        select(FormVersion).where(FormVersion.key == data["key"], FormVersion.content_hash == digest)
    )
    warnings = _warnings(report, data)
    if same is not None:
        return FormImport(same, created=False, warnings=warnings)
    newest = db.session.scalar(select(func.max(FormVersion.version)).where(FormVersion.key == data["key"]))
    data = {**data, "version": (newest or 0) + 1}
    try:
        parse_definition(data, source=source_name)
    except DefinitionError as error:  # pragma: no cover - the importer checks its own output
        raise _refuse([ImportProblem(None, None, m) for m in error.messages]) from error
    form = FormVersion(
        key=data["key"],
        version=data["version"],
        title=str(data["title"]["fr"])[:200],
        definition=data,
        content_hash=digest,
        origin=FormOrigin.XLSFORM,
        source_name=source_name[:255],
        import_report={**report.to_dict(), "warnings_fr": list(warnings)},
        created_by_id=user.id if user is not None else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(form)
    except IntegrityError as error:
        # another import of the same key took this version number in the meantime
        raise Conflict(
            _l("Une autre version de ce formulaire vient d'être enregistrée : importez de nouveau."),
            details={"form": data["key"]},
        ) from error
    return FormImport(form, created=True, warnings=warnings)


__all__ = [
    "DEFAULT_FORM_KEY",
    "MAX_WORKBOOK_BYTES",
    "RENDERED_FIELD_TYPES",
    "WORKBOOK_SUFFIXES",
    "FormImport",
    "FormUsage",
    "ImportProblem",
    "content_hash",
    "definition",
    "get_form",
    "get_form_usage",
    "install_xlsform",
    "latest_form",
    "list_form_usage",
    "list_forms",
    "may_manage_forms",
    "parsed",
    "project_definitions",
    "project_sensitive_themes",
    "rendering_problems",
    "sensitive_themes",
    "set_walk_form",
    "walk_definition",
    "walk_form",
]
