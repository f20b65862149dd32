"""The data model. Importing this package registers every table on ``db.metadata``."""

from webapp.models.data_version import DataVersion
from webapp.models.debrief import ModerationEvent, Vote
from webapp.models.form import FormVersion
from webapp.models.observation import Observation, ObservationFacts, Photo, PhotoBlob
from webapp.models.observation_cell import ObservationCell
from webapp.models.person import Invitation, Membership, Organisation, Participant, StaffSession, User
from webapp.models.project import Project, ProjectPartner
from webapp.models.ratelimit import RateCounter
from webapp.models.recommendation import Recommendation, RecommendationEvent, recommendation_observations
from webapp.models.walk import Rewalk, Stop, Walk, WalkConsent
from webapp.models.zone import Zone

__all__ = [
    "DataVersion",
    "FormVersion",
    "Invitation",
    "Membership",
    "ModerationEvent",
    "Observation",
    "ObservationCell",
    "ObservationFacts",
    "Organisation",
    "Participant",
    "Photo",
    "PhotoBlob",
    "Project",
    "ProjectPartner",
    "RateCounter",
    "Recommendation",
    "RecommendationEvent",
    "Rewalk",
    "StaffSession",
    "Stop",
    "User",
    "Vote",
    "Walk",
    "WalkConsent",
    "Zone",
    "recommendation_observations",
]
