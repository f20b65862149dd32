"""The data model. Importing this package registers every table on ``db.metadata``."""

from webapp.models.observation import Observation, Photo
from webapp.models.person import Membership, Organisation, Participant, User
from webapp.models.project import Project, ProjectPartner
from webapp.models.recommendation import Recommendation, RecommendationEvent, recommendation_observations
from webapp.models.walk import Stop, Walk
from webapp.models.zone import Zone

__all__ = [
    "Membership",
    "Observation",
    "Organisation",
    "Participant",
    "Photo",
    "Project",
    "ProjectPartner",
    "Recommendation",
    "RecommendationEvent",
    "Stop",
    "User",
    "Walk",
    "Zone",
    "recommendation_observations",
]
