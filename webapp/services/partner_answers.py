"""What partners (and the project's staff) write from the partners' pages: answers and assignments.

Kept apart from :mod:`webapp.services.partner_views`, the read-only privacy gate. Each function
checks who may act, then records through :mod:`webapp.services.followup` (flushes; the request
commits).
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from webapp.errors import Conflict, Forbidden
from webapp.models import Recommendation, RecommendationEvent, User
from webapp.models.enums import RecommendationStatus, Role
from webapp.services import followup

#: Roles that may answer any recommendation of the project, assign it and set its deadline.
STAFF_ROLES = frozenset({Role.FACILITATOR, Role.ADMIN})


def may_answer(user: User, role: str | None, recommendation: Recommendation) -> bool:
    """Staff of the project may answer any recommendation; a partner only those of their organisation."""
    if role in STAFF_ROLES:
        return True
    return (
        role == Role.PARTNER
        and user.organisation_id is not None
        and recommendation.organisation_id == user.organisation_id
    )


def answer(
    recommendation: Recommendation,
    user: User,
    role: str | None,
    *,
    status: str,
    comment: str,
    seen_status: str = "",
) -> RecommendationEvent:
    """A partner's (or staff's) answer: a status change with its comment, or a plain comment.

    Forbidden (403) when the recommendation is another organisation's; Conflict (409) for a move
    the workflow does not allow, or asked from a page that showed another status than the current
    one (``seen_status``: a colleague answered meanwhile — « En cours » clicked on a page older than
    their « Réalisée » would take it back); ValidationError (422) for a refusal without a reason.
    """
    if not may_answer(user, role, recommendation):
        raise Forbidden(
            _l("Cette préconisation est confiée à une autre organisation : vous ne pouvez pas y répondre."),
            details={"recommendation": recommendation.id},
        )
    if status and seen_status and seen_status != recommendation.status:
        raise Conflict(
            _l(
                "La préconisation a changé de statut pendant que vous répondiez : elle est maintenant"
                " « %(now)s ». Rien n'a été enregistré : relisez l'historique, puis répondez à nouveau.",
                now=RecommendationStatus.label_of(recommendation.status),
            ),
            details={"seen_status": seen_status, "status": recommendation.status},
        )
    if status:
        return followup.change_status(recommendation, status, author=user, comment=comment)
    return followup.add_comment(recommendation, comment, author=user)


def assign(
    recommendation: Recommendation,
    user: User,
    role: str | None,
    *,
    organisation_id: int | None,
    deadline: date | None,
) -> RecommendationEvent | None:
    """Set the responsible partner and deadline; only the project's staff may (403 otherwise)."""
    if role not in STAFF_ROLES:
        raise Forbidden(_l("Seule l'équipe d'animation attribue les préconisations et fixe les échéances."))
    return followup.assign(recommendation, organisation_id=organisation_id, deadline=deadline, author=user)


__all__ = ["STAFF_ROLES", "answer", "assign", "may_answer"]
