"""factory_boy factories for the common models; they flush on create so ids exist."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import factory
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from webapp.extensions import db
from webapp.models import Observation, Participant, Project, Walk


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class ProjectFactory(_Base):
    class Meta:
        model = Project

    slug = factory.Sequence(lambda n: f"projet-{n}")
    name = factory.Sequence(lambda n: f"Projet {n}")
    territory = factory.LazyFunction(lambda: ["80021"])
    qpv_year = 2024


class WalkFactory(_Base):
    class Meta:
        model = Walk

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Marche {n}")
    walk_date = date(2026, 3, 12)
    time_slot = "day"
    status = "open"
    join_code = factory.Sequence(lambda n: f"WALK{n:02d}".replace("0", "A").replace("1", "B")[:8])

    class Params:
        night = factory.Trait(time_slot="night")
        closed = factory.Trait(status="closed")


class ParticipantFactory(_Base):
    class Meta:
        model = Participant

    walk = factory.SubFactory(WalkFactory)
    token_hash = factory.LazyFunction(lambda: uuid.uuid4().hex * 2)


class ObservationFactory(_Base):
    class Meta:
        model = Observation

    class Params:
        lon = 2.2956
        lat = 49.8941

    walk = factory.SubFactory(WalkFactory)
    client_uuid = factory.LazyFunction(uuid.uuid4)
    location = factory.LazyAttribute(lambda o: from_shape(Point(o.lon, o.lat), srid=4326))
    theme = "eclairage"
    polarity = "negative"
    feeling = 2
    form_key = "marche_exploratoire"
    form_version = 1
    captured_at = factory.LazyFunction(lambda: datetime(2026, 3, 12, 14, 0, tzinfo=UTC))
