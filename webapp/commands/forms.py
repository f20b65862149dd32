"""`arpenteur forms …`: check observation form definitions and import XLSForm workbooks."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("forms")
def forms_group() -> None:
    """Observation forms (mobile_forms/definitions)."""


@forms_group.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Validate definition files (all shipped ones when no file is given)."""
    from mobile_forms import DefinitionError, load_definition
    from mobile_forms.schema import DEFINITIONS_DIR

    paths = list(files) or sorted(DEFINITIONS_DIR.glob("*.yaml"))
    failed = False
    for path in paths:
        try:
            definition = load_definition(path)
        except DefinitionError as error:
            failed = True
            click.echo(f"{path} : invalide", err=True)
            for message in error.messages:
                click.echo(f"  - {message}", err=True)
        else:
            click.echo(
                f"{path} : valide ({definition.key} v{definition.version}, "
                f"{len(definition.themes)} thèmes, {len(definition.fields)} champs)"
            )
    if failed:
        raise SystemExit(1)


@forms_group.command("import-xlsform")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", help="Key of the new definition (default: the workbook's form_id).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the YAML here.")
@click.option(
    "--install",
    is_flag=True,
    help="Store it in the database as a new version of its form and print KEY:VERSION.",
)
@click.option(
    "--skip-unsupported",
    is_flag=True,
    help="With --install: leave out questions the capture page cannot show instead of refusing.",
)
def import_xlsform_command(
    workbook: Path, key: str | None, output: Path | None, install: bool, skip_unsupported: bool
) -> None:
    """Convert a KoboToolbox/ODK XLSForm into a definition (the supported subset of field types).

    With --install the form is stored as a new version (the same content again gives the version
    that has it); any problem is printed with its sheet and row, and nothing is stored.
    """
    from mobile_forms.xlsform import XLSFormError, import_xlsform, to_yaml

    if install:
        _install(workbook, key=key, skip_unsupported=skip_unsupported)
        if output is None:
            return
    try:
        definition, report = import_xlsform(workbook, key=key)
    except XLSFormError as error:
        raise click.ClickException(str(error)) from error
    except ValueError as error:
        raise click.ClickException(f"Clé invalide : {key!r}.") from error
    text = to_yaml(definition)
    if output is None:
        click.echo(text)
    else:
        if output.exists():
            raise click.ClickException(f"{output} existe déjà : une version publiée ne se modifie pas.")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"Écrit : {output}", err=install)
    if install:
        return  # the report was printed once already
    for skipped in report.skipped:
        click.echo(f"Ignoré : {skipped.name} ({skipped.type}) — {skipped.reason}", err=True)
    for note in (*report.notes, *report.warnings):
        click.echo(f"À vérifier : {note}", err=True)
    for path in report.untranslated:
        click.echo(f"Non traduit : {path}", err=True)


def _install(workbook: Path, *, key: str | None, skip_unsupported: bool) -> None:
    """Store the workbook as a form version in one transaction; print ``KEY:VERSION``."""
    from flask import current_app
    from flask.cli import ScriptInfo

    if current_app:
        _install_in_app(workbook, key=key, skip_unsupported=skip_unsupported)
        return
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    with app.app_context():
        _install_in_app(workbook, key=key, skip_unsupported=skip_unsupported)


def _install_in_app(workbook: Path, *, key: str | None, skip_unsupported: bool) -> None:
    from webapp import transaction
    from webapp.errors import DomainError
    from webapp.services import forms

    try:
        with transaction.unit_of_work():
            outcome = forms.install_xlsform(workbook, key=key, skip_unsupported=skip_unsupported)
            form_key, version = outcome.form.key, outcome.form.version
    except DomainError as error:
        click.echo(error.message, err=True)
        raise SystemExit(1) from error
    for warning in outcome.warnings:
        click.echo(f"À vérifier : {warning}", err=True)
    if not outcome.created:
        click.echo(f"Contenu identique à la version {version} déjà enregistrée : rien de nouveau.", err=True)
    click.echo(f"{form_key}:{version}")
