"""A small, fully known project for the debrief tests: two zones, two walks, participants, observations.

Built through the services (zones are assigned as in production). Numbers are chosen so that every
comparison has both sides, and one observation lies outside both zones.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from shapely.geometry import MultiPolygon, box

from tests.webapp.support import PASSWORD
from webapp.extensions import db
from webapp.models import Observation, Organisation, Project, ProjectPartner, User, Walk, Zone
from webapp.services import accounts, observations, participants, projects, teams, walks, zones

#: Two adjacent square zones near Amiens (lon/lat).
NORTH = box(2.290, 49.900, 2.300, 49.910)
SOUTH = box(2.290, 49.890, 2.300, 49.900)
#: (walk, gender, age band, theme, polarity, feeling, lon, lat, moderation, note)
ROWS = [
    ("day", "woman", "15-17", "eclairage", "negative", 2, 2.295, 49.905, "validated", "Lampadaire en panne"),
    ("day", "woman", "15-17", "eclairage", "positive", 4, 2.296, 49.906, "validated", "Bien éclairé"),
    ("day", "man", "65+", "proprete", "negative", 2, 2.295, 49.895, "validated", '=HYPERLINK("http://x")'),
    (
        "day",
        "man",
        "65+",
        "harcelement",
        "negative",
        1,
        2.294,
        49.894,
        "validated",
        "<script>alert(1)</script>",
    ),
    (
        "day",
        "woman",
        "65+",
        "lieux_qui_fonctionnent",
        "positive",
        5,
        2.294,
        49.896,
        "pending",
        "Jardin partagé",
    ),
    ("night", "woman", "18-25", "eclairage", "negative", 1, 2.297, 49.907, "validated", "Tout noir"),
    ("night", "woman", "18-25", "harcelement", "negative", 1, 2.297, 49.904, "validated", "Remarques"),
    ("night", "man", "18-25", "eclairage", "neutral", 3, 2.310, 49.920, "validated", "Hors zone"),
    ("night", "man", "18-25", "proprete", "negative", None, 2.291, 49.891, "hidden", "Nom d'un voisin"),
]


@dataclass
class DebriefWorld:
    project: Project
    day: Walk
    night: Walk
    north: Zone
    south: Zone
    partner: Organisation
    facilitator: User
    observations: list[Observation] = field(default_factory=list)


def build_world(*, facilitator_email: str = "anim@example.org") -> DebriefWorld:
    """Create the project, zones, walks, participants and observations, and commit."""
    project = projects.create_project(
        slug=f"deb-{uuid.uuid4().hex[:6]}",
        name="Projet <débrief>",
        territory=["80021"],
        description="Un projet de test.",
    )
    north = zones.save_custom_zone(project, code="nord", name="Nord", geometry=MultiPolygon([NORTH]))
    south = zones.save_custom_zone(project, code="sud", name="Sud", geometry=MultiPolygon([SOUTH]))
    db.session.flush()
    route = [(2.292, 49.892), (2.295, 49.900), (2.298, 49.908)]
    stops = [("Départ", (2.292, 49.892)), ("Place", (2.295, 49.900)), ("Arrivée", (2.298, 49.908))]
    day = walks.create_walk(
        project,
        title="Marche de jour",
        walk_date=date(2026, 3, 12),
        time_slot="day",
        route=route,
        stops=stops,
    )
    night = walks.create_walk(
        project,
        title="Marche de nuit",
        walk_date=date(2026, 3, 20),
        time_slot="night",
        route=route,
        stops=stops,
    )
    partner = Organisation(name=f"Ville {uuid.uuid4().hex[:4]}", kind="city")
    db.session.add(partner)
    db.session.flush()
    db.session.add(ProjectPartner(project_id=project.id, organisation_id=partner.id))
    world_obs = []
    for i, (slot, gender, age, theme, polarity, feeling, lon, lat, status, note) in enumerate(ROWS):
        walk = day if slot == "day" else night
        participant, _ = participants.add_participant(walk, gender=gender, age_band=age, status="resident")
        world_obs.append(
            observations.record_observation(
                walk,
                client_uuid=uuid.uuid4(),
                lon=lon,
                lat=lat,
                theme=theme,
                polarity=polarity,
                form_key="marche_exploratoire",
                form_version=1,
                participant=participant,
                feeling=feeling,
                note=note,
                proposal=f"Proposition {i}",
                moderation_status=status,
                captured_at=datetime(2026, 3, 12, 18, i, tzinfo=UTC),
            )
        )
    facilitator = accounts.create_user(email=facilitator_email, password=PASSWORD, display_name="Anim")
    teams.add_membership(facilitator, project.id, "facilitator")
    db.session.commit()
    return DebriefWorld(project, day, night, north, south, partner, facilitator, world_obs)
