"""Helpers shared by the facilitator-entry tests: a project with a walk and its staff, a non-default form."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import yaml
from flask import Flask

from mobile_forms.schema import DEFINITIONS_DIR
from tests.webapp.factories_debrief import DebriefWorld, build_world
from tests.webapp.support import PASSWORD, csrf_token, login
from webapp.extensions import db
from webapp.models import FormVersion, Observation, Organisation, User, Walk
from webapp.services import accounts, projects, teams

#: A form of our own with questions of every kind an entry renders (besides the default grid's).
CUSTOM_KEY = "grille_saisie_test"


def custom_definition() -> dict[str, Any]:
    """The default grid v2 plus a multiple choice, a short text and a second rating."""
    data = yaml.safe_load((DEFINITIONS_DIR / "marche_exploratoire.v2.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["key"] = CUSTOM_KEY
    data["version"] = 1
    data["fields"].insert(
        3,
        {
            "key": "usagers",
            "type": "multiple_choice",
            "label": {"fr": "Qui passe ici ?", "en": "Who goes by?"},
            "required": False,
            "max": 2,
            "choices": [
                {"key": "pietons", "label": {"fr": "Piétons", "en": "Pedestrians"}},
                {"key": "velos", "label": {"fr": "Vélos", "en": "Bicycles"}},
                {"key": "voitures", "label": {"fr": "Voitures", "en": "Cars"}},
            ],
        },
    )
    data["fields"].insert(
        4,
        {
            "key": "rue",
            "type": "short_text",
            "label": {"fr": "Nom de la rue", "en": "Street name"},
            "required": True,
            "max_length": 80,
        },
    )
    data["fields"].insert(
        5,
        {
            "key": "bruit",
            "type": "rating",
            "label": {"fr": "Bruit", "en": "Noise"},
            "required": False,
            "min": 0,
            "max": 3,
        },
    )
    return data


def install_custom_form(walk: Walk) -> FormVersion:
    """Store the custom form and make the walk use it."""
    import hashlib
    import json

    data = custom_definition()
    form = FormVersion(
        key=CUSTOM_KEY,
        version=1,
        title="Grille de test",
        definition=data,
        content_hash=hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(),
        origin="xlsform",
    )
    db.session.add(form)
    walk.form_key, walk.form_version = CUSTOM_KEY, 1
    db.session.flush()
    return form


@dataclass
class EntryWorld:
    world: DebriefWorld
    partner: User
    outsider: User

    @property
    def walk(self) -> Walk:
        return self.world.day


def build_entry_world() -> EntryWorld:
    """The debrief world (two walks, three stops, two zones, a facilitator) and two staff who may not."""
    world = build_world()
    org = db.session.get(Organisation, world.partner.id)
    partner = accounts.create_user(email="partenaire@example.org", password=PASSWORD, organisation_id=org.id)
    teams.add_membership(partner, world.project.id, "partner")
    other = projects.create_project(slug="autre-projet", name="Autre", territory=["80021"])
    outsider = accounts.create_user(email="autre@example.org", password=PASSWORD)
    teams.add_membership(outsider, other.id, "facilitator")
    db.session.commit()
    return EntryWorld(world, partner, outsider)


def signed_in(app: Flask, email: str = "anim@example.org"):  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = login(client, email)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    return client


def form_token(client, page_url: str) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, page_url)


def count_observations(walk: Walk) -> int:
    from sqlalchemy import func, select

    return db.session.scalar(select(func.count(Observation.id)).where(Observation.walk_id == walk.id)) or 0
