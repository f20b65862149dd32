"""The Amiens demonstration project: deterministic (seeded), realistic, built through the services.

Walks in four QPV and the city centre, by day, evening and night, with mixed groups; a few hundred
observations written as residents write them; recommendations addressed to partners. The QPV
perimeters are the official ones (ANCT, 2024) bundled in ``geodata/layers``; everything else is
fictional.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import unary_union
from sqlalchemy import select

from geodata.perimeters import read_perimeters
from geodata.routes import plausible_route, point_near_route
from webapp.demo.content import NOTES, WEIGHTS_DEFAULT, WEIGHTS_NIGHT
from webapp.errors import Conflict
from webapp.extensions import db
from webapp.local_time import LOCAL_TZ as PARIS
from webapp.models import Observation, Organisation, ProjectPartner, Recommendation, RecommendationEvent, Zone
from webapp.models.base import utcnow
from webapp.models.enums import (
    AgeBand,
    Gender,
    LocationSource,
    ModerationStatus,
    OrganisationKind,
    ParticipantStatus,
    Priority,
    RecommendationStatus,
    TimeSlot,
    WalkStatus,
)
from webapp.services import forms, observations, participants, projects, walks, zones

DEMO_SLUG = "amiens"
QPV_FILE = Path(__file__).resolve().parents[2] / "geodata" / "layers" / "qpv2024_amiens.geojson"
#: The form the demo's walks use: the stored default grid, version 2 (which marks harassment sensitive).
FORM_KEY, FORM_VERSION = "marche_exploratoire", 2
#: The open demo walk has a fixed code so the README can name it.
OPEN_WALK_CODE = "MARCHE"

#: Concept of the demo text -> theme key of the default grid (mobile_forms/definitions).
THEME_KEYS = {
    "signage": "signaletique",
    "lighting": "eclairage",
    "visibility": "visibilite",
    "presence": "isolement",
    "help": "aide_surveillance",
    "cleanliness": "proprete",
    "paths": "cheminements",
    "transport": "transports",
    "uses": "usages",
    "harassment": "harcelement",
    "feeling": "sentiment_securite",
    "assets": "lieux_qui_fonctionnent",
}

#: City centre, drawn for the project (not an official perimeter); QPV parts are cut out.
CENTRE_VILLE = Polygon(
    [
        (2.2885, 49.8905),
        (2.2955, 49.8880),
        (2.3075, 49.8885),
        (2.3100, 49.8920),
        (2.3050, 49.8965),
        (2.2980, 49.8975),
        (2.2900, 49.8950),
        (2.2885, 49.8905),
    ]
)


@dataclass(frozen=True)
class WalkPlan:
    zone_code: str
    title: str
    day: date
    slot: TimeSlot
    start: time
    group: str
    observations: int
    status: WalkStatus = WalkStatus.CLOSED


PLANS = [
    WalkPlan(
        "QN08003M",
        "Amiens Nord — marche des femmes",
        date(2026, 3, 12),
        TimeSlot.DAY,
        time(14, 0),
        "women",
        38,
    ),
    WalkPlan(
        "QN08003M",
        "Amiens Nord — marche de nuit",
        date(2026, 3, 26),
        TimeSlot.NIGHT,
        time(21, 0),
        "women",
        36,
    ),
    WalkPlan(
        "QN08001M",
        "Étouvie — collégiennes et collégiens",
        date(2026, 4, 9),
        TimeSlot.DAY,
        time(14, 30),
        "college",
        34,
    ),
    WalkPlan(
        "QN08001M",
        "Étouvie — les aînés en soirée",
        date(2026, 5, 21),
        TimeSlot.EVENING,
        time(18, 30),
        "seniors",
        30,
    ),
    WalkPlan(
        "QN08002M", "Pierre Rollin — jeunes adultes", date(2026, 6, 4), TimeSlot.DAY, time(16, 0), "young", 32
    ),
    WalkPlan(
        "QN08004M",
        "Marcel Paul - Salamandre — habitants",
        date(2026, 9, 17),
        TimeSlot.EVENING,
        time(18, 0),
        "mixed",
        30,
    ),
    WalkPlan(
        "CENTRE",
        "Centre-ville — retour de soirée",
        date(2026, 10, 8),
        TimeSlot.NIGHT,
        time(22, 0),
        "students",
        34,
    ),
    WalkPlan(
        "CENTRE", "Centre-ville — marche mixte", date(2026, 10, 15), TimeSlot.DAY, time(10, 0), "mixed", 30
    ),
    WalkPlan(
        "QN08005M",
        "Condorcet - Philéas Lebesgue — marche en cours",
        date(2026, 11, 25),
        TimeSlot.DAY,
        time(14, 0),
        "mixed",
        10,
        WalkStatus.OPEN,
    ),
    WalkPlan(
        "QN08010N",
        "Elbeuf-Lescouvé — première marche de nuit",
        date(2026, 12, 10),
        TimeSlot.NIGHT,
        time(20, 30),
        "mixed",
        0,
        WalkStatus.PLANNED,
    ),
]

#: Group compositions: (age bands, genders, statuses) drawn from for each participant.
GROUPS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "women": (
        ["26-44", "45-64", "65+", "18-25", "undisclosed"],
        ["woman"],
        ["resident", "resident", "partner_staff"],
    ),
    "college": (["11-14"], ["woman", "man", "man", "woman", "undisclosed"], ["collegien"]),
    "seniors": (["65+", "65+", "45-64"], ["woman", "man", "woman"], ["resident"]),
    "young": (
        ["18-25", "15-17", "26-44"],
        ["woman", "man", "other", "undisclosed"],
        ["resident", "student", "lyceen"],
    ),
    "students": (["18-25"], ["woman", "woman", "man", "other"], ["student"]),
    "mixed": (
        ["15-17", "18-25", "26-44", "45-64", "65+", "undisclosed"],
        ["woman", "man", "undisclosed"],
        ["resident", "resident", "lyceen", "partner_staff", "other"],
    ),
}

STOP_NAMES = [
    "Départ devant la maison de quartier",
    "Parvis de l'école",
    "Arrêt de bus",
    "Passage sous les immeubles",
    "Square",
    "Parking de la résidence",
    "Allée piétonne",
    "Place du marché",
    "City stade",
    "Sortie vers le centre",
]

ORGANISATIONS = [
    ("Ville d'Amiens — Espace public et éclairage", OrganisationKind.CITY),
    ("Amiens Métropole — Voirie", OrganisationKind.CITY),
    ("Bailleur social du quartier", OrganisationKind.LANDLORD),
    ("Réseau de transport urbain", OrganisationKind.TRANSPORT),
    ("Association de médiation sociale", OrganisationKind.ASSOCIATION),
    ("Service de prévention spécialisée", OrganisationKind.ASSOCIATION),
    ("Centre social et culturel", OrganisationKind.ASSOCIATION),
]

#: (zone code, concept, title, partner index, priority, status, reason or comment)
RECOMMENDATIONS = [
    (
        "QN08003M",
        "lighting",
        "Réparer et compléter l'éclairage des passages piétons",
        0,
        Priority.HIGH,
        RecommendationStatus.IN_PROGRESS,
        "Diagnostic de l'éclairage fait, travaux programmés en janvier.",
    ),
    (
        "QN08003M",
        "cleanliness",
        "Enlever les dépôts sauvages et afficher les jours de collecte",
        2,
        Priority.HIGH,
        RecommendationStatus.DONE,
        "Passage hebdomadaire des encombrants mis en place, affiches posées dans les halls.",
    ),
    (
        "QN08001M",
        "transport",
        "Un abri de bus éclairé, avec banc et horaires en temps réel",
        3,
        Priority.MEDIUM,
        RecommendationStatus.ACCEPTED,
        "Inscrit au programme de renouvellement des abris 2027.",
    ),
    (
        "QN08001M",
        "uses",
        "Des bancs à l'ombre sur le chemin des aînés",
        0,
        Priority.LOW,
        RecommendationStatus.PROPOSED,
        "",
    ),
    (
        "QN08002M",
        "paths",
        "Empêcher le stationnement sur les trottoirs",
        1,
        Priority.MEDIUM,
        RecommendationStatus.DECLINED,
        "Rue privée du bailleur : la demande est transmise au bailleur.",
    ),
    (
        "CENTRE",
        "harassment",
        "Des médiateurs présents en soirée aux arrêts du centre",
        4,
        Priority.HIGH,
        RecommendationStatus.PROPOSED,
        "",
    ),
]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _feeling(polarity: str, slot: TimeSlot, rng: random.Random) -> int:
    base = {"positive": 4.2, "neutral": 3.0, "negative": 2.0}[polarity]
    if slot == TimeSlot.NIGHT:
        base -= 0.6
    return max(1, min(5, round(rng.gauss(base, 0.7))))


#: Demo staff accounts (email, display name, role, index in ORGANISATIONS or None), all with DEMO_PASSWORD.
#: For trying the app on one's own machine only: the password is public.
DEMO_ACCOUNTS = (
    ("admin@demo.arpenteur.test", "Admin démo", "admin", None),
    ("animation@demo.arpenteur.test", "Animatrice démo", "facilitator", None),
    ("partenaire@demo.arpenteur.test", "Service éclairage (démo)", "partner", 0),
)
DEMO_PASSWORD = "demo-arpenteur"  # noqa: S105 (published on purpose: demo accounts)


def _demo_accounts(project_id: int, organisations: list[Organisation]) -> None:
    from webapp.services import accounts, teams

    for email, name, role, organisation in DEMO_ACCOUNTS:
        user = accounts.create_user(
            email=email, password=DEMO_PASSWORD, display_name=name, is_admin=role == "admin"
        )
        if organisation is not None:
            user.organisation_id = organisations[organisation].id
        if role != "admin":
            teams.add_membership(user, project_id, role)


def build_demo(seed: int = 2026) -> str:
    """Create the demo project; refuses if it exists already. Returns a one-paragraph summary."""
    if projects.get_project(DEMO_SLUG) is not None:
        raise Conflict("Le projet de démonstration existe déjà.")
    rng = random.Random(seed)
    project = projects.create_project(
        slug=DEMO_SLUG,
        name="Marches exploratoires — Amiens",
        territory=["80021"],
        description=(
            "Dix-huit mois de marches exploratoires dans six quartiers prioritaires et le centre-ville, "
            "avec des groupes mixtes : femmes et hommes, collégiens, étudiants, jeunes adultes et aînés. "
            "Thèmes : vivre ensemble, cadre de vie, harcèlement de rue."
        ),
        starts_on=date(2026, 1, 5),
        ends_on=date(2027, 6, 30),
        qpv_year=2024,
    )
    # The demo shows the public map and follow-up page (both opt-in for real projects).
    project.public_map = True
    project.public_followup = True
    zones.import_zones(read_perimeters(QPV_FILE, kind="qpv"), source="ANCT, 2024")
    qpv_shapes = {
        code: geom
        for code, geom in (
            (z.code, zones.zone_shape(z))
            for z in db.session.scalars(select(Zone).where(Zone.kind == "qpv", Zone.list_year == 2024))
        )
    }
    centre = CENTRE_VILLE.difference(unary_union(list(qpv_shapes.values())))
    if isinstance(centre, Polygon):
        centre = MultiPolygon([centre])
    zones.save_custom_zone(
        project, code="centre-ville", name="Centre-ville", geometry=centre, source="Projet"
    )
    shapes = {**qpv_shapes, "CENTRE": centre}

    organisations = []
    for name, kind in ORGANISATIONS:
        organisation = Organisation(name=name, kind=kind)
        db.session.add(organisation)
        organisations.append(organisation)
    db.session.flush()
    for organisation in organisations:
        db.session.add(ProjectPartner(project_id=project.id, organisation_id=organisation.id))
    _demo_accounts(project.id, organisations)

    total = 0
    by_zone_concept: dict[tuple[str, str], list[Observation]] = {}
    for plan in PLANS:
        zone_shape = shapes[plan.zone_code]
        largest = max(zone_shape.geoms, key=lambda g: g.area) if hasattr(zone_shape, "geoms") else zone_shape
        route, stop_points = plausible_route(largest, stops=rng.randint(5, 7), rng=rng)
        stop_names = rng.sample(STOP_NAMES, len(stop_points))
        stop_names[0] = STOP_NAMES[0]
        walk = walks.create_walk(
            project,
            title=plan.title,
            walk_date=plan.day,
            time_slot=plan.slot,
            starts_at=plan.start,
            ends_at=(datetime.combine(plan.day, plan.start) + timedelta(hours=2)).time(),
            description="Parcours préparé avec le groupe ; arrêts choisis lors de l'atelier de préparation.",
            route=route,
            stops=list(zip(stop_names, stop_points, strict=True)),
            join_code=OPEN_WALK_CODE if plan.status == WalkStatus.OPEN else None,
            form_key=FORM_KEY,
            form_version=FORM_VERSION,
        )
        sensitive = forms.walk_definition(walk).sensitive_themes
        start = datetime.combine(plan.day, plan.start, tzinfo=PARIS).astimezone(UTC)
        if plan.status == WalkStatus.PLANNED:
            continue
        walk.status = WalkStatus.OPEN
        walk.opened_at = start - timedelta(minutes=15)
        ages, genders, statuses = GROUPS[plan.group]
        group = [
            participants.add_participant(
                walk,
                age_band=AgeBand(rng.choice(ages)),
                gender=Gender(rng.choice(genders)),
                status=ParticipantStatus(rng.choice(statuses)),
                joined_at=start - timedelta(minutes=rng.randint(0, 15)),
            )[0]
            for _ in range(rng.randint(6, 12))
        ]
        weights = WEIGHTS_NIGHT if plan.slot == TimeSlot.NIGHT else WEIGHTS_DEFAULT
        hotspot = rng.choice(stop_points)
        concepts, concept_weights = list(weights), list(weights.values())
        for index in range(plan.observations):
            concept = rng.choices(concepts, concept_weights)[0]
            polarity, note, proposal = rng.choice(NOTES[concept])
            if THEME_KEYS[concept] in sensitive:
                # Street harassment is reported again and again at the same few places (a bus
                # shelter, a square): the walk's hot spot, give or take 40 m.
                lon = hotspot[0] + rng.uniform(-0.0005, 0.0005)
                lat = hotspot[1] + rng.uniform(-0.0003, 0.0003)
            else:
                lon, lat = point_near_route(route, rng=rng)
            captured = start + timedelta(
                minutes=5 + index * 110 / max(plan.observations, 1) + rng.uniform(0, 3)
            )
            if plan.status == WalkStatus.OPEN:
                status = ModerationStatus.PENDING
            else:
                status = rng.choices(
                    [ModerationStatus.VALIDATED, ModerationStatus.PENDING, ModerationStatus.HIDDEN],
                    [85, 10, 5],
                )[0]
            gps = rng.random() < 0.85
            observation = observations.record_observation(
                walk,
                client_uuid=_uuid(rng),
                lon=lon,
                lat=lat,
                participant=rng.choice(group),
                theme=THEME_KEYS[concept],
                polarity=polarity,
                feeling=_feeling(polarity, plan.slot, rng),
                note=note,
                proposal=proposal,
                form_key=walk.form_key,
                form_version=walk.form_version,
                accuracy_m=round(rng.uniform(4, 35), 1) if gps else None,
                location_source=LocationSource.GPS if gps else LocationSource.PIN,
                captured_at=captured,
                moderation_status=status,
            )
            # Phones that lost the signal send their outbox later.
            observation.received_at = captured + timedelta(seconds=rng.choice([2, 3, 5, 40, 600]))
            by_zone_concept.setdefault((plan.zone_code, concept), []).append(observation)
            total += 1
        if plan.status == WalkStatus.CLOSED:
            walk.status = WalkStatus.CLOSED
            walk.closed_at = start + timedelta(hours=2, minutes=30)

    for zone_code, concept, title, partner, priority, status, comment in RECOMMENDATIONS:
        evidence = [o for o in by_zone_concept.get((zone_code, concept), []) if o.polarity != "positive"][:4]
        zone_id = evidence[0].zone_id if evidence else None
        # Dated as in real life: drafted at the debrief a week after the walk, answered weeks later.
        drafted = (
            datetime.combine(evidence[0].walk.walk_date, time(18, 0), tzinfo=PARIS).astimezone(UTC)
            + timedelta(days=7)
            if evidence
            else datetime(2026, 4, 1, 16, 0, tzinfo=UTC)
        )
        # Never in the future, whenever the demo is loaded.
        answered = max(
            drafted, min(drafted + timedelta(days=rng.randint(20, 75)), utcnow() - timedelta(days=1))
        )
        recommendation = Recommendation(
            created_at=drafted,
            updated_at=answered if status != RecommendationStatus.PROPOSED else drafted,
            project_id=project.id,
            walk_id=evidence[0].walk_id if evidence else None,
            title=title,
            text=evidence[0].proposal if evidence and evidence[0].proposal else title,
            theme=THEME_KEYS[concept],
            zone_id=zone_id,
            organisation_id=organisations[partner].id,
            priority=priority,
            deadline=date(2027, 3, 31),
            status=status,
            observations=evidence,
        )
        recommendation.events.append(
            RecommendationEvent(
                status_to=RecommendationStatus.PROPOSED, comment="Issue du débriefing.", created_at=drafted
            )
        )
        if status != RecommendationStatus.PROPOSED:
            recommendation.events.append(
                RecommendationEvent(
                    status_from=RecommendationStatus.PROPOSED,
                    status_to=status,
                    comment=comment,
                    created_at=answered,
                )
            )
        db.session.add(recommendation)
    db.session.flush()
    return (
        f"Projet « {project.name} » : {len(PLANS)} marches, {total} observations, "
        f"{len(RECOMMENDATIONS)} préconisations. Marche ouverte : code {OPEN_WALK_CODE}. "
        f"Comptes de démonstration ({', '.join(e for e, *_ in DEMO_ACCOUNTS)}) : "
        f"mot de passe « {DEMO_PASSWORD} »."
    )
