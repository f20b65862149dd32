"""Staff forms of the project, walk, moderation and debrief pages: typing, bounds and French messages.

Each handler of ``facilitators/blueprint.py`` builds one of these and reads typed ``data``; the
services check the domain rules again (for the command line, and for what only the database knows).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from webapp.form_fields import (
    CheckboxField,
    DecimalField,
    IdField,
    IdListField,
    IsoDateField,
    NextField,
    Required,
    StaffForm,
    TextField,
    TextListField,
    WholeNumberField,
    strip,
)
from webapp.models.enums import ModerationAction, Priority
from webapp.services.privacy import MAX_MINORS, MAX_RETENTION_MONTHS, MIN_RETENTION_MONTHS

_RETENTION = _l(
    "La durée de conservation doit être un nombre entier de mois entre %(min)s et %(max)s.",
    min=MIN_RETENTION_MONTHS,
    max=MAX_RETENTION_MONTHS,
)
_MINORS = _l("Indiquez le nombre de mineurs : un nombre entier entre 1 et %(max)s.", max=MAX_MINORS)


class SettingsForm(StaffForm):
    """A project's retention period and its public pages."""

    retention_months = WholeNumberField(
        _l("Durée de conservation (mois)"),
        [Required(_RETENTION)],
        minimum=MIN_RETENTION_MONTHS,
        maximum=MAX_RETENTION_MONTHS,
        message=_RETENTION,
    )
    public_map = CheckboxField(_l("Carte publique"))
    public_followup = CheckboxField(_l("Page publique de suivi"))
    #: the settings as the page showed them, field by field (``concurrent_edits.marks``)
    seen = HiddenField()


class ConsentForm(StaffForm):
    """Minors' parental authorisations, recorded for the group (no child's identity)."""

    minors_count = WholeNumberField(
        _l("Nombre de mineurs"), [Required(_MINORS)], minimum=1, maximum=MAX_MINORS, message=_MINORS
    )
    note = TextField(_l("Note"))


class RewalkForm(StaffForm):
    """Link a walk as the re-walk of an earlier one."""

    original_walk_id = IdField(
        _l("Marche d'origine"),
        [Required(_l("Choisissez la marche d'origine."))],
        message=_l("Choisissez la marche d'origine."),
    )


class ModerationForm(StaffForm):
    """Validate (and the fields every moderation action shares: where to go back, and what the card
    showed — ``id:digest`` marks, see ``moderation.seen_mark``)."""

    next = NextField()
    seen = TextListField(_l("Vu"))


class ReasonForm(ModerationForm):
    """Hide, or flag / unflag outside the area: a reason (the service says when it is required)."""

    reason = TextField(_l("Motif"))


class EditTextForm(ReasonForm):
    """Rewrite the note and the proposal (e.g. to remove a name)."""

    note = TextField(_l("Note"))
    proposal = TextField(_l("Proposition"))


class BulkModerationForm(ReasonForm):
    """Validate or hide the checked observations at once (the service checks the action and the
    reason, and that every observation is of the walk)."""

    action = TextField(_l("Action"))
    observation_ids = IdListField(_l("Observations"))


class MergeForm(ModerationForm):
    """Merge a duplicate into the observation whose number is given (« 12 » or « #12 »)."""

    into = IdField(
        _l("Observation à garder"),
        [Required(_l("Indiquez le numéro de l'observation à garder."))],
        message=_l("Indiquez le numéro de l'observation à garder."),
        strip_chars="#",
    )


class MoveForm(ModerationForm):
    """Move a misplaced point to a typed position."""

    lon = DecimalField(_l("Longitude"), message=_l("Coordonnées invalides."))
    lat = DecimalField(_l("Latitude"), message=_l("Coordonnées invalides."))


#: The form of each moderation action.
MODERATION_FORMS: dict[str, type[ModerationForm]] = {
    ModerationAction.VALIDATE: ModerationForm,
    ModerationAction.HIDE: ReasonForm,
    ModerationAction.EDIT: EditTextForm,
    ModerationAction.MERGE: MergeForm,
    ModerationAction.MOVE: MoveForm,
    ModerationAction.FLAG: ReasonForm,
    ModerationAction.UNFLAG: ReasonForm,
}


class VoteForm(StaffForm):
    """One dot more (or less) for an observation, or for a theme."""

    observation_id = IdField(_l("Observation"), message=_l("Observation invalide."))
    theme = TextField(_l("Thème"), filters=[strip])
    remove = TextField()


class RecommendationForm(StaffForm):
    """A recommendation made from the observations selected in the debrief (or the project page)."""

    #: the debrief's walk (an unreadable one: none, back to the project page)
    walk_id = IdField(lenient=True)
    observation_ids = IdListField()
    title = TextField(_l("Titre"))
    text = TextField(_l("Texte"))
    theme = TextField(_l("Thème"))
    zone_id = IdField(_l("Zone"), lenient=True)
    organisation_id = IdField(_l("Partenaire sollicité"), lenient=True)
    priority = TextField(_l("Priorité"), default=Priority.MEDIUM)
    #: an unreadable deadline is ignored with this warning (the rest is still saved)
    deadline = IsoDateField(_l("Échéance"), message=_l("Échéance invalide : ignorée."))
    #: the debrief's view that sent it (« 1 »: the team's preparation), to show it again as it was
    preparation = CheckboxField(_l("Préparation"))
