"""Observation forms as data in the database: the versions there are, which one a walk uses.

Every form version is a row of ``form_versions`` (the shipped default grid and the forms imported
from XLSForm workbooks); a version never changes once stored. Parsed definitions are cached per
``(key, version)`` in the process, which is safe precisely because versions are immutable.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from mobile_forms import FormDefinition, parse_definition
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.models import FormVersion, Walk

#: The shipped default observation grid.
DEFAULT_FORM_KEY = "marche_exploratoire"

_parsed: dict[str, FormDefinition] = {}


def list_forms() -> list[FormVersion]:
    """Every stored form version, by key then newest version first."""
    return list(db.session.scalars(select(FormVersion).order_by(FormVersion.key, FormVersion.version.desc())))


def get_form(key: str, version: int) -> FormVersion:
    """The stored version ``version`` of form ``key``, or NotFound."""
    form = db.session.scalar(
        select(FormVersion).where(FormVersion.key == key, FormVersion.version == version)
    )
    if form is None:
        raise NotFound("Formulaire introuvable.", details={"form": f"{key}:{version}"})
    return form


def latest_form(key: str = DEFAULT_FORM_KEY) -> FormVersion:
    """The newest stored version of form ``key``, or NotFound."""
    form = db.session.scalar(
        select(FormVersion).where(FormVersion.key == key).order_by(FormVersion.version.desc()).limit(1)
    )
    if form is None:
        raise NotFound("Formulaire introuvable.", details={"form": key})
    return form


def parsed(form: FormVersion) -> FormDefinition:
    """The parsed definition of a stored version (cached by content hash)."""
    cached = _parsed.get(form.content_hash)
    if cached is None:
        source = f"{form.key} v{form.version}"
        cached = parse_definition(form.definition, source=source, content_hash=form.content_hash)
        _parsed[form.content_hash] = cached
    return cached


def definition(key: str, version: int) -> FormDefinition:
    """The parsed definition of ``key`` at ``version``, or NotFound."""
    return parsed(get_form(key, version))


def walk_definition(walk: Walk) -> FormDefinition:
    """The definition of the form the walk uses (the default grid's newest version if it names none)."""
    if walk.form_key is None or walk.form_version is None:
        form = latest_form()
        return definition(form.key, form.version)
    return definition(walk.form_key, walk.form_version)


def sensitive_themes(form_keys: Iterable[str]) -> frozenset[str]:
    """Theme keys marked ``sensitive`` in any stored version of these forms.

    A key marked sensitive in one version is sensitive for all versions of that form, so a flag
    added in a later version also protects the observations made with earlier ones.
    """
    keys = set(form_keys)
    if not keys:
        return frozenset()
    rows = db.session.execute(
        select(FormVersion.key, FormVersion.version).where(FormVersion.key.in_(sorted(keys)))
    ).all()
    found: set[str] = set()
    for key, version in rows:
        found |= definition(key, version).sensitive_themes
    return frozenset(found)
