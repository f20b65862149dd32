"""Staff pages for observation forms: the stored forms and their versions, one version, importing a workbook.

Any facilitator (of any project) or administrator may see them and import an XLSForm workbook; an
import stores a new version (or finds the one with the same content) and shows its report. Stored
versions are never edited. The routes hang on the facilitators' blueprint.
"""

from __future__ import annotations

import re

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from mobile_forms.fields import KEY_PATTERN
from webapp.errors import Forbidden, ImportFailed
from webapp.facilitators.blueprint import bp
from webapp.models import User
from webapp.models.enums import FieldKind, FormOrigin, ImportSkip
from webapp.services import forms

#: First bytes of the workbook kinds the page takes: .xlsx (a zip) and .xls (an OLE2 compound file).
_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _is_workbook(form: FlaskForm, field: FileField) -> None:
    """Refuse a file whose content is not a spreadsheet, whatever its name says."""
    data = field.data
    if data is None:
        return
    head = data.stream.read(8)
    data.stream.seek(0)
    if not head.startswith(_SIGNATURES):
        raise ValidationError(_("Ce fichier n'est pas un classeur Excel (.xlsx ou .xls)."))


class ImportXLSFormForm(FlaskForm):
    """Upload of an XLSForm workbook (ODK, KoboToolbox) to store as a form version."""

    workbook = FileField(
        _l("Classeur XLSForm"),
        description=_l(
            "Un fichier .xlsx ou .xls de %(size)s Mo au plus.", size=forms.MAX_WORKBOOK_BYTES // 2**20
        ),
        validators=[
            FileRequired(_l("Choisissez le classeur à importer.")),
            FileAllowed(
                [suffix.lstrip(".") for suffix in forms.WORKBOOK_SUFFIXES],
                _l("Seuls les classeurs .xlsx et .xls sont acceptés."),
            ),
            FileSize(
                max_size=forms.MAX_WORKBOOK_BYTES,
                message=_l(
                    "Ce fichier est trop volumineux : %(size)s Mo au plus.",
                    size=forms.MAX_WORKBOOK_BYTES // 2**20,
                ),
            ),
            _is_workbook,
        ],
    )
    key = StringField(
        _l("Clé du formulaire (facultatif)"),
        description=_l(
            "Par défaut, le form_id du classeur. Minuscules sans accent, chiffres et _, "
            "en commençant par une lettre. Une clé déjà connue reçoit une nouvelle version."
        ),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(max=64, message=_l("64 caractères au plus.")),
            Regexp(
                KEY_PATTERN,
                message=_l("Minuscules sans accent, chiffres et _, en commençant par une lettre."),
            ),
        ],
    )
    skip_unsupported = BooleanField(
        _l("Laisser de côté les questions que la page de saisie ne sait pas afficher"),
        description=_l(
            "Sinon, un classeur qui en contient est refusé avec la liste de ces questions (feuille et ligne)."
        ),
    )
    submit = SubmitField(_l("Importer le formulaire"))


def _staff() -> User:
    """The signed-in person, if they may manage forms (facilitator of a project, or administrator)."""
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    if not forms.may_manage_forms(user):
        raise Forbidden(_("Les formulaires sont gérés par les équipes d'animation et les administrateurs."))
    return user


@bp.get("/formulaires")
@login_required
def forms_index() -> str:
    """Every stored form with its versions: who imported them, when, and how much they are used."""
    _staff()
    usage = forms.list_form_usage()
    by_key: dict[str, list[forms.FormUsage]] = {}
    for item in usage:
        by_key.setdefault(item.form.key, []).append(item)
    return render_template(
        "facilitators/forms/index.html",
        by_key=by_key,
        upload=ImportXLSFormForm(),
        origins=FormOrigin,
    )


@bp.route("/formulaires/importer", methods=["GET", "POST"])
@login_required
def import_form() -> Response | str | tuple[str, int]:
    """Upload a workbook; stored as a new version (or the one with the same content), then shown."""
    user = _staff()
    # A file past the app's request limit (MAX_CONTENT_LENGTH) gets the French 413 page before this
    # view runs; below it, the form's own limit (FileSize) answers on this page.
    upload = ImportXLSFormForm()
    submitted = upload.validate_on_submit()
    if not submitted:
        status = 422 if request.method == "POST" else 200
        return render_template("facilitators/forms/import.html", upload=upload, problems=[]), status
    data = upload.workbook.data
    try:
        outcome = forms.install_xlsform(
            data.read(),
            source_name=_safe_name(data.filename or "classeur.xlsx"),
            key=upload.key.data or None,
            user=user,
            skip_unsupported=bool(upload.skip_unsupported.data),
        )
    except ImportFailed as error:
        problems = [forms.ImportProblem(**p) for p in (error.details or {}).get("problems", [])]
        return render_template("facilitators/forms/import.html", upload=upload, problems=problems), 422
    form = outcome.form
    if outcome.created:
        flash(
            _(
                "Formulaire « %(title)s » enregistré : version %(version)s.",
                title=form.title,
                version=form.version,
            ),
            "ok",
        )
    else:
        flash(
            _(
                "Ce classeur a le même contenu que la version %(version)s, déjà enregistrée : "
                "rien n'a changé.",
                version=form.version,
            ),
            "ok",
        )
    return redirect(url_for("facilitators.form_version", key=form.key, version=form.version), 303)


def _safe_name(name: str) -> str:
    """The upload's file name without any folder part, for the record and the report."""
    base = re.split(r"[\\/]", name)[-1].strip() or "classeur.xlsx"
    return base[:255]


@bp.get("/formulaires/<key>/v<int:version>")
@login_required
def form_version(key: str, version: int) -> str:
    """One stored version: its themes (pictograms, sensitive ones), its questions and its import report."""
    _staff()
    usage = forms.get_form_usage(key, version)
    definition = forms.parsed(usage.form)
    return render_template(
        "facilitators/forms/version.html",
        usage=usage,
        form=usage.form,
        definition=definition,
        shown=definition.to_dict(g.get("lang", "fr")),
        report=usage.form.import_report or {},
        versions=[f for f in forms.list_forms() if f.key == key],
        field_kinds=FieldKind,
        skips=ImportSkip,
        origins=FormOrigin,
        axes={a.key: a.label for a in definition.axes},
        principles={p.key: p.label for p in definition.principles},
    )
