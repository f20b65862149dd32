"""Forms of the partner pages: answering a recommendation, assigning it (typing and French messages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.form_fields import IdField, IsoDateField, StaffForm, TextField, strip


class AnswerForm(StaffForm):
    """A status change (with a comment) or a plain comment; the workflow is the service's."""

    status = TextField(_l("Nouveau statut"), filters=[strip])
    comment = TextField(_l("Commentaire"))
    #: the status the page showed: a change asked from a page older than a colleague's answer is refused
    seen_status = TextField(_l("Statut affiché"), filters=[strip])


class AssignForm(StaffForm):
    """The responsible partner (an organisation of the project) and the deadline."""

    organisation_id = IdField(_l("Partenaire responsable"), message=_l("Partenaire inconnu."))
    deadline = IsoDateField(_l("Échéance"), message=_l("Échéance invalide."))
