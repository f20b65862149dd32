"""Follow-up of recommendations: status changes with a dated timeline, and scorecards.

Statuses move forward (proposed → accepted → in progress → done), may be declined with a reason at
any open step, and may be reopened: a declined recommendation goes back to "proposed" when the group
insists, and a "done" one goes back to "in progress" when a re-walk shows the problem is still there.
Every change, answer or comment is an event; nothing is overwritten.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.errors import Conflict, ValidationError
from webapp.extensions import db
from webapp.local_time import local_today
from webapp.models import Organisation, Recommendation, RecommendationEvent, User, Zone
from webapp.models.base import utcnow
from webapp.models.enums import OUTSIDE_ZONE
from webapp.models.enums import RecommendationStatus as S

#: Allowed moves: from -> the statuses it may go to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.ACCEPTED, S.IN_PROGRESS, S.DECLINED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.DONE, S.DECLINED}),
    S.IN_PROGRESS: frozenset({S.DONE, S.DECLINED}),
    S.DONE: frozenset({S.IN_PROGRESS}),
    S.DECLINED: frozenset({S.PROPOSED}),
}
#: Statuses that close a recommendation (for delays and overdue counts).
CLOSED = frozenset({S.DONE, S.DECLINED})


def change_status(
    recommendation: Recommendation, new_status: str, *, author: User | None = None, comment: str = ""
) -> RecommendationEvent:
    """Move a recommendation to ``new_status``, recording who, when and why.

    A move the workflow does not allow is refused (409), and so is a refusal without a reason.
    Asking for the status it already has is a no-op that records nothing.
    """
    if new_status not in set(S):
        raise ValidationError(_l("Statut inconnu."), details={"status": new_status})
    current = recommendation.status
    if new_status == current:
        raise Conflict(
            _("La préconisation est déjà « %(status)s ».", status=S.label_of(current)),
            details={"status": current},
        )
    if new_status not in TRANSITIONS[S(current)]:
        raise Conflict(
            _(
                "Passage impossible de « %(before)s » à « %(after)s ».",
                before=S.label_of(current),
                after=S.label_of(new_status),
            ),
            details={"from": current, "to": new_status, "allowed": sorted(TRANSITIONS[S(current)])},
        )
    comment = comment.strip()
    if new_status == S.DECLINED and not comment:
        raise ValidationError(_l("Un refus doit être motivé."), details={"comment": "required"})
    event = RecommendationEvent(
        status_from=current, status_to=new_status, comment=comment, author_id=author.id if author else None
    )
    recommendation.events.append(event)
    recommendation.status = new_status
    recommendation.updated_at = utcnow()
    db.session.flush()
    return event


def add_comment(
    recommendation: Recommendation, comment: str, *, author: User | None = None
) -> RecommendationEvent:
    """Add an answer or a comment to the timeline without changing the status."""
    comment = comment.strip()
    if not comment:
        raise ValidationError(_l("Le commentaire est vide."), details={"comment": "required"})
    event = RecommendationEvent(comment=comment, author_id=author.id if author else None)
    recommendation.events.append(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class Scorecard:
    """How one partner (or zone) is doing with the recommendations addressed to it."""

    name: str
    total: int
    done: int
    declined: int
    overdue: int
    #: Median days from creation to "done", None when nothing is done yet.
    median_days_to_done: float | None

    @property
    def done_share(self) -> float:
        return self.done / self.total if self.total else 0.0


def _done_at(recommendation: Recommendation) -> date | None:
    moments = [e.created_at for e in recommendation.events if e.status_to == S.DONE]
    return moments[-1].date() if moments else None


def _scorecard(name: str, recommendations: list[Recommendation], today: date) -> Scorecard:
    delays = [
        (done - r.created_at.date()).days
        for r in recommendations
        if r.status == S.DONE and (done := _done_at(r)) is not None
    ]
    return Scorecard(
        name=name,
        total=len(recommendations),
        done=sum(r.status == S.DONE for r in recommendations),
        declined=sum(r.status == S.DECLINED for r in recommendations),
        overdue=sum(
            r.deadline is not None and r.deadline < today and r.status not in CLOSED for r in recommendations
        ),
        median_days_to_done=statistics.median(delays) if delays else None,
    )


def scorecards(project_id: int, *, by: str = "partner", today: date | None = None) -> list[Scorecard]:
    """Scorecards of a project's recommendations per partner organisation or per zone, by name."""
    today = today or local_today()
    recommendations = db.session.scalars(
        select(Recommendation).where(Recommendation.project_id == project_id).order_by(Recommendation.id)
    ).all()
    groups: dict[str, list[Recommendation]] = {}
    if by == "partner":
        names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
        for r in recommendations:
            groups.setdefault(names.get(r.organisation_id, _("Sans partenaire")), []).append(r)
    elif by == "zone":
        names = dict(db.session.execute(select(Zone.id, Zone.name)).all())
        for r in recommendations:
            groups.setdefault(names.get(r.zone_id, str(OUTSIDE_ZONE)), []).append(r)
    else:
        raise ValidationError(_l("Regroupement inconnu."), details={"by": by})
    return [_scorecard(name, group, today) for name, group in sorted(groups.items())]


def assign(
    recommendation: Recommendation,
    *,
    organisation_id: int | None,
    deadline: date | None,
    author: User | None = None,
) -> RecommendationEvent | None:
    """Set the responsible partner and the deadline, and say so in the timeline.

    The partner must take part in the recommendation's project. When nothing changes, nothing is
    recorded and None is returned.
    """
    from webapp.models import ProjectPartner

    if organisation_id is not None and (
        db.session.scalar(
            select(ProjectPartner.organisation_id).where(
                ProjectPartner.project_id == recommendation.project_id,
                ProjectPartner.organisation_id == organisation_id,
            )
        )
        is None
    ):
        raise ValidationError(
            _l("Ce partenaire ne participe pas au projet."), details={"organisation_id": organisation_id}
        )
    changes = []
    if organisation_id != recommendation.organisation_id:
        name = db.session.get(Organisation, organisation_id).name if organisation_id is not None else None
        changes.append(f"Partenaire responsable : {name}." if name else "Plus de partenaire responsable.")
        recommendation.organisation_id = organisation_id
    if deadline != recommendation.deadline:
        changes.append(f"Échéance : {deadline:%d/%m/%Y}." if deadline else "Échéance retirée.")
        recommendation.deadline = deadline
    if not changes:
        return None
    event = RecommendationEvent(comment=" ".join(changes), author_id=author.id if author else None)
    recommendation.events.append(event)
    recommendation.updated_at = utcnow()
    db.session.flush()
    return event
