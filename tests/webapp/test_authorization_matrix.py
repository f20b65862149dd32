"""Every route × every role: the status code each kind of visitor gets.

Roles: anonymous, a resident holding a walk token (cookie for pages, bearer header for the API), a
partner of the project (organisation A), a partner of the project from another organisation (B), a
facilitator of *another* project (outsider), the project's facilitator, and a site administrator.

The world is built once; each request runs inside a savepoint that is rolled back, so a role that
may change something (validate, delete…) never changes what the next role or route sees. A route
missing from ``CASES`` fails ``test_every_route_has_a_row``: a new route cannot ship without saying
who may use it. The README's "Who may do what" table is checked against what the server does.
"""

from __future__ import annotations

import functools
import io
import json
import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.webapp.capture_support import jpeg_with_gps, payload
from tests.webapp.factories_debrief import build_world
from tests.webapp.support import photos_on_disk, url
from tests.xlsform_builder import write_neighbourhood_workbook
from webapp.extensions import db, login_manager
from webapp.models import Organisation, ProjectPartner, User
from webapp.services import (
    accounts,
    debriefs,
    invitations,
    participants,
    projects,
    staff_sessions,
    teams,
    walks,
)

ROLES = ("anon", "participant", "partner", "other_partner", "outsider", "facilitator", "admin")
#: Redirects that mean "not for you": to the staff login, or to the join form.
REFUSING_REDIRECTS = ("auth.login", "residents.join")


@dataclass
class World:
    """What the paths and bodies of the cases refer to."""

    slug: str
    other_slug: str
    day_id: int
    night_id: int
    join_code: str
    obs_id: int
    obs_uuid: str
    photo_name: str
    recommendation_id: int
    other_recommendation_id: int
    partner_org_id: int
    #: role -> user id
    users: dict[str, int] = field(default_factory=dict)
    token: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """One route: how to call it and what each role gets."""

    method: str
    path: Callable[[World], str]
    expect: dict[str, int]
    form: Callable[[World], dict[str, Any]] | None = None
    json: Callable[[World], Any] | None = None
    data: Callable[[World], bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: A redirect to the login page means "refused" (False where it is where one goes next).
    login_redirect_refuses: bool = True


def profile(**codes: int) -> dict[str, int]:
    """Expected codes: ``everyone`` sets the default; each role may override it."""
    default = codes.pop("everyone", 200)
    unknown = set(codes) - set(ROLES)
    assert not unknown, unknown
    return {role: codes.get(role, default) for role in ROLES}


#: Pages for anybody.
PUBLIC = profile(everyone=200)
#: Staff pages of one project: login page for visitors (a resident has no staff session), 403 otherwise.
STAFF = profile(
    anon=302, participant=302, partner=403, other_partner=403, outsider=403, facilitator=200, admin=200
)
#: The resident API: a walk token or 401 (staff sessions are not tokens).
RESIDENT_API = profile(everyone=401, participant=200)


STAFF_ROLES = ("partner", "other_partner", "outsider", "facilitator", "admin")
#: Any staff account, whatever its projects.
LOGGED_IN = profile(anon=302, participant=302)
#: Read-only pages of one project: its partners (any organisation) and staff.
PROJECT = {**STAFF, "partner": 200, "other_partner": 200}


#: The forms pages: the facilitators of any project (the outsider too) and administrators.
FORMS_STAFF = {**STAFF, "outsider": 200}


@functools.cache
def _workbook() -> bytes:
    """A small valid XLSForm workbook, as a facilitator would upload it."""
    with tempfile.TemporaryDirectory() as folder:
        return write_neighbourhood_workbook(Path(folder) / "diagnostic.xlsx").read_bytes()


def _staff(code: int = 200) -> dict[str, int]:
    return {**STAFF, "facilitator": code, "admin": code}


def _resident(code: int = 200) -> dict[str, int]:
    return {**RESIDENT_API, "participant": code}


#: Site administrators only (creating projects, importing the official QPV).
ADMIN_ONLY = {**STAFF, "facilitator": 403}
AMIENS_QPV = Path(__file__).resolve().parents[1] / "data" / "geodata" / "qpv2024_amiens.geojson"
_SQUARE = [[[2.296, 49.891], [2.308, 49.891], [2.308, 49.898], [2.296, 49.898], [2.296, 49.891]]]
#: A project zone file and a drawn zone: the city centre.
ZONE_FILE = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "centre", "nom": "Centre-ville"},
                "geometry": {"type": "Polygon", "coordinates": _SQUARE},
            }
        ],
    }
).encode()
DRAWN_ZONE = json.dumps(
    {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": _SQUARE}}
)

W = World  # short alias for the lambdas below


CASES: dict[tuple[str, str], Case] = {
    # --- public ---------------------------------------------------------------------------------
    ("GET", "public.index"): Case("GET", lambda w: "/", PUBLIC),
    ("GET", "public.healthz"): Case("GET", lambda w: url("public.healthz"), PUBLIC),
    ("GET", "static"): Case("GET", lambda w: "/static/css/debrief.css", PUBLIC),
    # --- residents (no account; the token lives in a cookie) -------------------------------------
    ("GET", "residents.join"): Case("GET", lambda w: url("residents.join"), PUBLIC),
    ("POST", "residents.join_post"): Case(
        "POST",
        lambda w: url("residents.join_post"),
        profile(everyone=303),
        form=lambda w: {"code": w.join_code},
    ),
    # Without the walk's cookie the capture page sends the visitor to the join form.
    ("GET", "residents.capture"): Case(
        "GET", lambda w: url("residents.capture", code=w.join_code), profile(everyone=302, participant=200)
    ),
    ("POST", "residents.capture_post"): Case(
        "POST",
        lambda w: url("residents.capture", code=w.join_code),
        profile(everyone=302, participant=303),
        form=lambda w: {
            "client_uuid": str(uuid.uuid4()),
            "theme": "eclairage",
            "polarity": "negative",
            "stop": "2.295,49.905",
        },
    ),
    ("GET", "residents.service_worker"): Case("GET", lambda w: url("residents.service_worker"), PUBLIC),
    ("GET", "residents.offline_page"): Case("GET", lambda w: url("residents.offline_page"), PUBLIC),
    # --- resident API ----------------------------------------------------------------------------
    ("POST", "api.join"): Case(
        "POST", lambda w: url("api.join"), profile(everyone=201), json=lambda w: {"code": w.join_code}
    ),
    ("GET", "api.my_walk"): Case("GET", lambda w: url("api.my_walk"), RESIDENT_API),
    ("GET", "api.form"): Case("GET", lambda w: url("api.form", key="marche_exploratoire"), PUBLIC),
    ("GET", "api.openapi"): Case("GET", lambda w: url("api.openapi"), PUBLIC),
    ("POST", "api.create_observation"): Case(
        "POST",
        lambda w: url("api.list_observations"),
        _resident(201),
        json=lambda w: payload(location={"lon": 2.2955, "lat": 49.9055}),
    ),
    ("GET", "api.list_observations"): Case("GET", lambda w: url("api.list_observations"), RESIDENT_API),
    ("GET", "api.get_observation"): Case(
        "GET", lambda w: url("api.get_observation", client_uuid=w.obs_uuid), RESIDENT_API
    ),
    ("PUT", "api.update_observation"): Case(
        "PUT",
        lambda w: url("api.get_observation", client_uuid=w.obs_uuid),
        RESIDENT_API,
        json=lambda w: payload(client_uuid=w.obs_uuid, location={"lon": 2.2955, "lat": 49.9055}),
    ),
    ("DELETE", "api.delete_observation"): Case(
        "DELETE", lambda w: url("api.delete_observation", client_uuid=w.obs_uuid), _resident(204)
    ),
    ("PUT", "api.put_photo"): Case(
        "PUT",
        lambda w: url("api.get_photo", client_uuid=w.obs_uuid, photo_uuid=uuid.UUID(int=7)),
        _resident(201),
        data=lambda w: w.extra["jpeg"],
        headers={"Content-Type": "image/jpeg"},
    ),
    # --- staff login -----------------------------------------------------------------------------
    ("GET", "auth.login"): Case("GET", lambda w: url("auth.login"), PUBLIC),
    # A wrong password is the same answer for everybody.
    ("POST", "auth.login"): Case(
        "POST",
        lambda w: url("auth.login"),
        profile(everyone=401),
        form=lambda w: {"email": "personne@example.org", "password": "pas-le-bon-mot"},
    ),
    ("POST", "auth.logout"): Case(
        "POST", lambda w: url("auth.logout"), profile(anon=302, participant=302, everyone=302)
    ),
    # --- facilitators ----------------------------------------------------------------------------
    # The list of one's projects: any staff account; a partner only is sent to the partners' pages.
    ("GET", "facilitators.index"): Case(
        "GET",
        lambda w: url("facilitators.index"),
        profile(anon=302, participant=302, partner=302, other_partner=302),
    ),
    ("GET", "facilitators.project_page"): Case(
        "GET", lambda w: url("facilitators.project_page", slug=w.slug), STAFF
    ),
    # A point's popup on the team's maps (JSON), and a chart of the project page (SVG).
    ("GET", "facilitators.map_popup"): Case(
        "GET", lambda w: url("facilitators.map_popup", slug=w.slug, observation_id=w.obs_id), STAFF
    ),
    ("GET", "facilitators.project_chart"): Case(
        "GET",
        lambda w: url("facilitators.project_chart", slug=w.slug, name="themes", moderation="all"),
        STAFF,
    ),
    ("GET", "facilitators.walk_page"): Case(
        "GET", lambda w: url("facilitators.walk_page", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    ("GET", "facilitators.moderation_queue"): Case(
        "GET", lambda w: url("facilitators.moderation_queue", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    ("POST", "facilitators.moderate"): Case(
        "POST",
        lambda w: url(
            "facilitators.moderate", slug=w.slug, walk_id=w.day_id, observation_id=w.obs_id, action="valider"
        ),
        _staff(302),
    ),
    ("POST", "facilitators.moderate_many"): Case(
        "POST",
        lambda w: url("facilitators.moderate_many", slug=w.slug, walk_id=w.day_id),
        _staff(303),
        form=lambda w: {"action": "validate", "observation_ids": [w.obs_id]},
    ),
    ("GET", "facilitators.debrief"): Case(
        "GET", lambda w: url("facilitators.debrief", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    ("POST", "facilitators.vote"): Case(
        "POST",
        lambda w: url("facilitators.vote", slug=w.slug, walk_id=w.day_id),
        _staff(302),
        form=lambda w: {"theme": "eclairage"},
    ),
    ("POST", "facilitators.create_recommendation"): Case(
        "POST",
        lambda w: url("facilitators.create_recommendation", slug=w.slug),
        _staff(302),
        form=lambda w: {"title": "Réparer l'éclairage", "observation_ids": [str(w.obs_id)]},
    ),
    ("GET", "facilitators.photo"): Case("GET", lambda w: url("facilitators.photo", name=w.photo_name), STAFF),
    ("GET", "facilitators.export"): Case(
        "GET", lambda w: url("facilitators.export", slug=w.slug, what="observations", fmt="csv"), STAFF
    ),
    ("GET", "facilitators.report"): Case("GET", lambda w: url("facilitators.report", slug=w.slug), STAFF),
    ("GET", "facilitators.report_pdf"): Case(
        "GET", lambda w: url("facilitators.report_pdf", slug=w.slug), STAFF
    ),
    ("GET", "facilitators.settings"): Case("GET", lambda w: url("facilitators.settings", slug=w.slug), STAFF),
    ("POST", "facilitators.settings"): Case(
        "POST",
        lambda w: url("facilitators.settings", slug=w.slug),
        _staff(303),
        form=lambda w: {"retention_months": "12", "public_map": "1"},
    ),
    ("POST", "facilitators.record_consent"): Case(
        "POST",
        lambda w: url("facilitators.record_consent", slug=w.slug, walk_id=w.day_id),
        _staff(303),
        form=lambda w: {"minors_count": "4"},
    ),
    # The night walk (later) goes over the day walk's stops again.
    ("POST", "facilitators.link_rewalk"): Case(
        "POST",
        lambda w: url("facilitators.link_rewalk", slug=w.slug, walk_id=w.night_id),
        _staff(303),
        form=lambda w: {"original_walk_id": str(w.day_id)},
    ),
    ("POST", "facilitators.unlink_rewalk"): Case(
        "POST", lambda w: url("facilitators.unlink_rewalk", slug=w.slug, walk_id=w.night_id), _staff(303)
    ),
    # --- project set-up: creating (administrators), editing and zones -----------------------------
    ("GET", "facilitators.new_project"): Case("GET", lambda w: url("facilitators.new_project"), ADMIN_ONLY),
    # --- the national map (site administrators) ----------------------------------------------------
    ("GET", "administration.national_map_page"): Case(
        "GET", lambda w: url("administration.national_map_page"), ADMIN_ONLY
    ),
    ("GET", "administration.national_map_cells"): Case(
        "GET",
        lambda w: url("administration.national_map_cells", bbox="-5.2,41.3,9.6,51.1", zoom=6),
        {**ADMIN_ONLY, "anon": 401, "participant": 401},
    ),
    ("POST", "facilitators.new_project"): Case(
        "POST",
        lambda w: url("facilitators.new_project"),
        {**ADMIN_ONLY, "admin": 303},
        form=lambda w: {
            "name": "Nouveau projet",
            "slug": "nouveau-projet",
            "communes": "80021",
            "qpv_year": "2024",
            "retention_months": "24",
        },
    ),
    ("GET", "facilitators.edit_project"): Case(
        "GET", lambda w: url("facilitators.edit_project", slug=w.slug), STAFF
    ),
    ("POST", "facilitators.edit_project"): Case(
        "POST",
        lambda w: url("facilitators.edit_project", slug=w.slug),
        _staff(303),
        form=lambda w: {
            "name": "Projet renommé",
            "communes": "80021",
            "qpv_year": "2024",
            "retention_months": "12",
        },
    ),
    ("GET", "facilitators.zones_page"): Case(
        "GET", lambda w: url("facilitators.zones_page", slug=w.slug), STAFF
    ),
    ("POST", "facilitators.keep_qpv"): Case(
        "POST", lambda w: url("facilitators.keep_qpv", slug=w.slug), _staff(303), form=lambda w: {"keep": []}
    ),
    # The official perimeters serve every project: only administrators import them.
    ("POST", "facilitators.import_qpv"): Case(
        "POST",
        lambda w: url("facilitators.import_qpv", slug=w.slug),
        {**STAFF, "facilitator": 403, "admin": 303},
        form=lambda w: {"file": (io.BytesIO(AMIENS_QPV.read_bytes()), "qpv2024_amiens.geojson")},
    ),
    ("POST", "facilitators.upload_zones"): Case(
        "POST",
        lambda w: url("facilitators.upload_zones", slug=w.slug),
        _staff(303),
        form=lambda w: {"file": (io.BytesIO(ZONE_FILE), "zones.geojson")},
    ),
    ("POST", "facilitators.draw_zone"): Case(
        "POST",
        lambda w: url("facilitators.draw_zone", slug=w.slug),
        _staff(303),
        form=lambda w: {"name": "Centre-ville", "geojson": DRAWN_ZONE},
    ),
    ("POST", "facilitators.rename_zone"): Case(
        "POST",
        lambda w: url("facilitators.rename_zone", slug=w.slug, zone_id=w.extra["zone_id"]),
        _staff(303),
        form=lambda w: {"name": "Nord — cité"},
    ),
    ("POST", "facilitators.delete_zone"): Case(
        "POST",
        lambda w: url("facilitators.delete_zone", slug=w.slug, zone_id=w.extra["zone_id"]),
        _staff(303),
    ),
    # --- walk planning (the day walk is open, the night walk planned with observations) ----------
    ("GET", "facilitators.new_walk"): Case("GET", lambda w: url("facilitators.new_walk", slug=w.slug), STAFF),
    ("POST", "facilitators.new_walk"): Case(
        "POST",
        lambda w: url("facilitators.new_walk", slug=w.slug),
        _staff(303),
        form=lambda w: {
            "title": "Marche du samedi",
            "walk_date": "2026-04-04",
            "time_slot": "",
            "form_choice": "marche_exploratoire:2",
            "route": "2.292, 49.892\n2.298, 49.908",
            "stops": "2.292, 49.892, Départ",
        },
    ),
    ("GET", "facilitators.edit_walk"): Case(
        "GET", lambda w: url("facilitators.edit_walk", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    ("POST", "facilitators.edit_walk"): Case(
        "POST",
        lambda w: url("facilitators.edit_walk", slug=w.slug, walk_id=w.day_id),
        _staff(303),
        form=lambda w: {
            "title": "Marche de jour",
            "walk_date": "2026-03-12",
            "time_slot": "day",
            "form_choice": "marche_exploratoire:2",
            "route": "2.292, 49.892\n2.298, 49.908",
        },
    ),
    ("GET", "facilitators.duplicate_walk"): Case(
        "GET", lambda w: url("facilitators.duplicate_walk", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    ("POST", "facilitators.duplicate_walk"): Case(
        "POST",
        lambda w: url("facilitators.duplicate_walk", slug=w.slug, walk_id=w.day_id),
        _staff(303),
        form=lambda w: {"title": "Marche de nuit bis", "walk_date": "2026-03-12", "starts_at": "21:30"},
    ),
    ("POST", "facilitators.open_walk"): Case(
        "POST", lambda w: url("facilitators.open_walk", slug=w.slug, walk_id=w.night_id), _staff(303)
    ),
    ("GET", "facilitators.close_walk"): Case(
        "GET", lambda w: url("facilitators.close_walk", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    ("POST", "facilitators.close_walk"): Case(
        "POST",
        lambda w: url("facilitators.close_walk", slug=w.slug, walk_id=w.day_id),
        _staff(303),
        form=lambda w: {"confirm": "y"},
    ),
    ("GET", "facilitators.delete_walk"): Case(
        "GET", lambda w: url("facilitators.delete_walk", slug=w.slug, walk_id=w.night_id), STAFF
    ),
    # The night walk has observations: refused with a message, back to the walk page.
    ("POST", "facilitators.delete_walk"): Case(
        "POST",
        lambda w: url("facilitators.delete_walk", slug=w.slug, walk_id=w.night_id),
        _staff(303),
        form=lambda w: {"confirm": "y"},
    ),
    ("GET", "facilitators.join_screen"): Case(
        "GET", lambda w: url("facilitators.join_screen", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    ("GET", "facilitators.walk_kit"): Case(
        "GET", lambda w: url("facilitators.walk_kit", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    # --- facilitator entry (paper sheets, scribe) ------------------------------------------------
    ("GET", "facilitators.entry_form"): Case(
        "GET", lambda w: url("facilitators.entry_form", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    ("POST", "facilitators.entry_form"): Case(
        "POST",
        lambda w: url("facilitators.entry_form", slug=w.slug, walk_id=w.day_id),
        _staff(303),
        form=lambda w: {
            "client_uuid": str(uuid.uuid4()),
            "where": "pin",
            "lon": "2.2955",
            "lat": "49.9055",
            "theme": "eclairage",
            "a_polarity": "negative",
        },
    ),
    ("GET", "facilitators.entry_template"): Case(
        "GET", lambda w: url("facilitators.entry_template", slug=w.slug, walk_id=w.day_id, fmt="xlsx"), STAFF
    ),
    ("GET", "facilitators.entry_import"): Case(
        "GET", lambda w: url("facilitators.entry_import", slug=w.slug, walk_id=w.day_id), STAFF
    ),
    ("POST", "facilitators.entry_import"): Case(
        "POST",
        lambda w: url("facilitators.entry_import", slug=w.slug, walk_id=w.day_id),
        _staff(303),
        form=lambda w: {"file": (io.BytesIO(b"arret;theme;polarite\r\n1;eclairage;negative\r\n"), "f.csv")},
    ),
    # --- observation forms: any facilitator (of any project) and administrators -----------------
    ("GET", "facilitators.forms_index"): Case("GET", lambda w: url("facilitators.forms_index"), FORMS_STAFF),
    ("GET", "facilitators.import_form"): Case("GET", lambda w: url("facilitators.import_form"), FORMS_STAFF),
    ("POST", "facilitators.import_form"): Case(
        "POST",
        lambda w: url("facilitators.import_form"),
        {**FORMS_STAFF, **dict.fromkeys(("outsider", "facilitator", "admin"), 303)},
        form=lambda w: {"workbook": (io.BytesIO(_workbook()), "diagnostic.xlsx")},
    ),
    ("GET", "facilitators.form_version"): Case(
        "GET", lambda w: url("facilitators.form_version", key="marche_exploratoire", version=2), FORMS_STAFF
    ),
    # --- resident's own data (cookie) ------------------------------------------------------------
    ("GET", "residents.my_data"): Case(
        "GET", lambda w: url("residents.my_data", code=w.join_code), profile(everyone=302, participant=200)
    ),
    ("GET", "residents.my_data_download"): Case(
        "GET",
        lambda w: url("residents.my_data_download", code=w.join_code),
        profile(everyone=302, participant=200),
    ),
    ("POST", "residents.my_data_erase"): Case(
        "POST",
        lambda w: url("residents.my_data_erase", code=w.join_code),
        profile(everyone=302, participant=200),
        form=lambda w: {"confirm": "1"},
    ),
    # --- resident's own data (API) ---------------------------------------------------------------
    ("GET", "api.export_me"): Case("GET", lambda w: url("api.export_me"), RESIDENT_API),
    ("DELETE", "api.delete_me"): Case("DELETE", lambda w: url("api.delete_me"), _resident(200)),
    ("DELETE", "api.delete_my_observations"): Case(
        "DELETE", lambda w: url("api.delete_my_observations"), _resident(200)
    ),
    ("GET", "api.get_photo"): Case(
        "GET",
        lambda w: url("api.get_photo", client_uuid=w.obs_uuid, photo_uuid=uuid.UUID(int=1)),
        RESIDENT_API,
    ),
    # --- staff accounts --------------------------------------------------------------------------
    ("GET", "auth.account"): Case("GET", lambda w: url("auth.account"), LOGGED_IN),
    ("GET", "auth.change_password"): Case("GET", lambda w: url("auth.change_password"), LOGGED_IN),
    # The wrong current password: refused with the form again, for anyone signed in.
    ("POST", "auth.change_password"): Case(
        "POST",
        lambda w: url("auth.change_password"),
        {**LOGGED_IN, **dict.fromkeys(STAFF_ROLES, 422)},
        form=lambda w: {
            "current_password": "pas-le-bon",
            "password": "un-nouveau-mot",
            "confirm": "un-nouveau-mot",
        },
    ),
    ("GET", "auth.two_factor"): Case("GET", lambda w: url("auth.two_factor"), LOGGED_IN),
    ("POST", "auth.enable_two_factor"): Case(
        "POST",
        lambda w: url("auth.enable_two_factor"),
        {**LOGGED_IN, **dict.fromkeys(STAFF_ROLES, 422)},
        form=lambda w: {"setup": "x", "code": "000000", "password": "pas-le-bon"},
    ),
    # Nobody here has two-factor login on: nothing to switch off.
    ("POST", "auth.disable_two_factor"): Case(
        "POST",
        lambda w: url("auth.disable_two_factor"),
        {**LOGGED_IN, **dict.fromkeys(STAFF_ROLES, 409)},
        form=lambda w: {"code": "000000", "password": "pas-le-bon"},
    ),
    # Without a password step first, the code page sends everybody back to the login page.
    ("GET", "auth.login_code"): Case(
        "GET", lambda w: url("auth.login_code"), profile(everyone=303), login_redirect_refuses=False
    ),
    ("POST", "auth.login_code"): Case(
        "POST",
        lambda w: url("auth.login_code"),
        profile(everyone=303),
        form=lambda w: {"code": "000000"},
        login_redirect_refuses=False,
    ),
    ("GET", "auth.forgot_password"): Case("GET", lambda w: url("auth.forgot_password"), PUBLIC),
    # Same answer whether or not the address has an account.
    ("POST", "auth.forgot_password"): Case(
        "POST",
        lambda w: url("auth.forgot_password"),
        PUBLIC,
        form=lambda w: {"email": "partenaire-a@example.org"},
    ),
    ("GET", "auth.reset_password"): Case(
        "GET", lambda w: url("auth.reset_password", token=w.extra["reset"]), PUBLIC
    ),
    # A new password, then the login page.
    ("POST", "auth.reset_password"): Case(
        "POST",
        lambda w: url("auth.reset_password", token=w.extra["reset"]),
        profile(everyone=303),
        login_redirect_refuses=False,
        form=lambda w: {"password": "un-nouveau-mot-de-passe", "confirm": "un-nouveau-mot-de-passe"},
    ),
    # An invitation is for one address: someone signed in under another address is refused.
    ("GET", "auth.invitation"): Case(
        "GET",
        lambda w: url("auth.invitation", token=w.extra["invitation"]),
        profile(everyone=403, anon=200, participant=200),
    ),
    ("POST", "auth.invitation"): Case(
        "POST",
        lambda w: url("auth.invitation", token=w.extra["invitation"]),
        profile(everyone=403, anon=303, participant=303),
        form=lambda w: {
            "display_name": "Nouvelle",
            "password": "un-mot-de-passe-long",
            "confirm": "un-mot-de-passe-long",
        },
    ),
    ("GET", "auth.team"): Case("GET", lambda w: url("auth.team", slug=w.slug), STAFF),
    ("POST", "auth.invite"): Case(
        "POST",
        lambda w: url("auth.invite", slug=w.slug),
        _staff(201),
        form=lambda w: {"email": "nouveau@example.org", "role": "facilitator"},
    ),
    ("POST", "auth.revoke_invitation"): Case(
        "POST",
        lambda w: url("auth.revoke_invitation", slug=w.slug, invitation_id=w.extra["invitation_id"]),
        _staff(303),
    ),
    ("POST", "auth.remove_member"): Case(
        "POST",
        lambda w: url("auth.remove_member", slug=w.slug, user_id=w.users["other_partner"]),
        _staff(303),
    ),
    # --- partners --------------------------------------------------------------------------------
    ("GET", "partners.index"): Case("GET", lambda w: url("partners.index"), LOGGED_IN),
    ("GET", "partners.project_page"): Case(
        "GET", lambda w: url("partners.project_page", slug=w.slug), PROJECT
    ),
    ("GET", "partners.recommendations"): Case(
        "GET", lambda w: url("partners.recommendations", slug=w.slug), PROJECT
    ),
    ("GET", "partners.recommendation"): Case(
        "GET",
        lambda w: url("partners.recommendation", slug=w.slug, recommendation_id=w.recommendation_id),
        PROJECT,
    ),
    # Organisation A's recommendation: its partner, the facilitator and the admin may answer.
    ("POST", "partners.answer"): Case(
        "POST",
        lambda w: url("partners.answer", slug=w.slug, recommendation_id=w.recommendation_id),
        {**PROJECT, "partner": 302, "other_partner": 403, "facilitator": 302, "admin": 302},
        form=lambda w: {"status": "accepted", "comment": "Nous programmons les travaux."},
    ),
    ("POST", "partners.assign"): Case(
        "POST",
        lambda w: url("partners.assign", slug=w.slug, recommendation_id=w.recommendation_id),
        _staff(302),
        form=lambda w: {"organisation_id": str(w.extra["org_b_id"]), "deadline": "2027-09-30"},
    ),
    ("GET", "partners.scorecards"): Case("GET", lambda w: url("partners.scorecards", slug=w.slug), PROJECT),
    ("GET", "partners.photo"): Case(
        "GET", lambda w: url("partners.photo", slug=w.slug, name=w.extra["validated_photo"]), PROJECT
    ),
    # --- public pages (the project opted in) -----------------------------------------------------
    ("GET", "public.project_map"): Case("GET", lambda w: url("public.project_map", slug=w.slug), PUBLIC),
    ("GET", "public.project_map_embed"): Case(
        "GET", lambda w: url("public.project_map_embed", slug=w.slug), PUBLIC
    ),
    ("GET", "public.followup"): Case("GET", lambda w: url("public.followup", slug=w.slug), PUBLIC),
    ("GET", "public.photo"): Case(
        "GET", lambda w: url("public.photo", slug=w.slug, name=w.extra["validated_photo"]), PUBLIC
    ),
}


# --- the world ----------------------------------------------------------------------------------


@functools.cache
def _password_hash() -> str:
    # One real (slow) hash for every account of the matrix: the matrix never checks passwords.
    from werkzeug.security import generate_password_hash

    return generate_password_hash("correct-horse-battery", method="scrypt")


def _user(
    email: str, *, project_id: int | None, role: str | None, organisation_id: int | None = None
) -> User:
    user = User(
        email=email,
        display_name=email.split("@")[0],
        password_hash=_password_hash(),
        organisation_id=organisation_id,
        is_admin=role == "admin",
    )
    db.session.add(user)
    db.session.flush()
    if role not in (None, "admin") and project_id is not None:
        teams.add_membership(user, project_id, role)
    return user


def build_matrix_world(app: Flask) -> World:
    """Two projects; project A has a facilitator, partners of two organisations, an open walk."""
    from webapp.services import photos

    world = build_world(facilitator_email="anim-a@example.org")
    project = world.project
    other = projects.create_project(
        slug=f"autre-{uuid.uuid4().hex[:6]}", name="Autre projet", territory=["80021"]
    )
    db.session.flush()
    org_b = Organisation(name=f"Bailleur {uuid.uuid4().hex[:4]}", kind="landlord")
    db.session.add(org_b)
    db.session.flush()
    db.session.add(ProjectPartner(project_id=project.id, organisation_id=org_b.id))
    users = {
        "partner": _user(
            "partenaire-a@example.org",
            project_id=project.id,
            role="partner",
            organisation_id=world.partner.id,
        ),
        "other_partner": _user(
            "partenaire-b@example.org", project_id=project.id, role="partner", organisation_id=org_b.id
        ),
        "outsider": _user("anim-b@example.org", project_id=other.id, role="facilitator"),
        "facilitator": world.facilitator,
        "admin": _user("admin@example.org", project_id=None, role="admin"),
    }
    walks.open_walk(world.day)
    participant, token = participants.add_participant(world.day)
    db.session.flush()
    # The participant's own observation (pending), so the resident API has something to read.
    from webapp.services import observations

    own = observations.record_observation(
        world.day,
        client_uuid=uuid.uuid4(),
        lon=2.2955,
        lat=49.9055,
        theme="eclairage",
        polarity="negative",
        form_key="marche_exploratoire",
        form_version=1,
        participant=participant,
        note="Trottoir sombre",
    )
    db.session.commit()
    jpeg = jpeg_with_gps((64, 48))
    photo, _ = photos.add_photo(participant, own.client_uuid, uuid.UUID(int=1), jpeg)
    # A photo on a validated, non-sensitive observation: what partners and the public may see.
    validated = world.observations[0]
    validated_photo, _ = photos.add_photo(
        validated.participant,
        validated.client_uuid,
        uuid.UUID(int=2),
        jpeg,
    )
    project.public_map = True
    project.public_followup = True
    invitation, invitation_token = invitations.create_invitation(
        project,
        email="invitee@example.org",
        role="partner",
        invited_by=world.facilitator,
        organisation_id=world.partner.id,
    )
    reset_token = accounts.make_reset_token(users["partner"])
    db.session.commit()
    recommendation = debriefs.create_recommendation(
        project,
        world.facilitator,
        observation_ids=[world.observations[0].id],
        title="Réparer les lampadaires",
        organisation_id=world.partner.id,
        deadline=date(2027, 6, 30),
    )
    other_recommendation = debriefs.create_recommendation(
        project,
        world.facilitator,
        observation_ids=[world.observations[2].id],
        title="Nettoyer le passage",
        organisation_id=org_b.id,
    )
    db.session.commit()  # each row's requests roll back to a savepoint taken after this
    return World(
        slug=project.slug,
        other_slug=other.slug,
        day_id=world.day.id,
        night_id=world.night.id,
        join_code=world.day.join_code,
        obs_id=world.observations[0].id,
        obs_uuid=str(own.client_uuid),
        photo_name=photo.stored_name,
        recommendation_id=recommendation.id,
        other_recommendation_id=other_recommendation.id,
        partner_org_id=world.partner.id,
        users={role: user.id for role, user in users.items()},
        token=token,
        extra={
            "project_id": project.id,
            "zone_id": world.north.id,
            "other_project_id": other.id,
            "org_b_id": org_b.id,
            "jpeg": jpeg,
            "validated_photo": validated_photo.stored_name,
            "invitation": invitation_token,
            "invitation_id": invitation.id,
            "reset": reset_token,
            # Deleting routes remove files after their commit; a rolled-back savepoint does not bring
            # them back, so the loop puts them back (bytes in the database come back with it).
            "files": {
                path: path.read_bytes()
                for path in (Path(app.config["PHOTO_DIR"]) / p.stored_name for p in (photo, validated_photo))
            }
            if photos_on_disk()
            else {},
        },
    )


def _client_as(app: Flask, world: World, role: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    if role == "participant":
        from webapp.residents.blueprint import COOKIE

        client.set_cookie(COOKIE, world.token)
    elif role != "anon":
        user = db.session.get(User, world.users[role])
        with app.test_request_context():
            # What flask-login would store after a login from the test client (same address, agent).
            identifier = login_manager._session_identifier_generator()
        with client.session_transaction() as session:
            session["_user_id"] = staff_sessions.session_id(user)
            session["_sid"] = staff_sessions.open_staff_session(user)
            session["_fresh"] = True
            session["_id"] = identifier
    return client


def _call(app: Flask, world: World, case: Case, role: str) -> tuple[int, bool]:
    """The status code, and whether the role was let in (not refused, not sent to log in or join)."""
    client = _client_as(app, world, role)
    headers = dict(case.headers)
    if role == "participant":
        headers["Authorization"] = f"Bearer {world.token}"
    kwargs: dict[str, Any] = {"headers": headers}
    if case.form is not None:
        kwargs["data"] = case.form(world)
    if case.json is not None:
        kwargs["json"] = case.json(world)
    if case.data is not None:
        kwargs["data"] = case.data(world)
    # A fresh app context, so nothing cached in `g` (such as flask-login's user) leaks between roles.
    with app.app_context():
        response = client.open(case.path(world), method=case.method, **kwargs)
    response.close()
    # A server error is never an acceptable answer, whoever asks.
    assert response.status_code < 500, (role, case.path(world), response.get_data(as_text=True)[:500])
    location = response.headers.get("Location", "")
    refusing = tuple(
        url(e) for e in (REFUSING_REDIRECTS if case.login_redirect_refuses else REFUSING_REDIRECTS[1:])
    )
    refused = response.status_code in (401, 403, 404, 410) or (
        response.status_code in (301, 302, 303) and location.split("?")[0].endswith(refusing)
    )
    return response.status_code, not refused


@pytest.fixture
def matrix_app(app: Flask):  # type: ignore[no-untyped-def]
    """The test app with CSRF off (the matrix checks authorisation; CSRF has its own tests)."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        yield app
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_every_route_answers_each_role_as_documented(matrix_app: Flask) -> None:
    """All rows in one test: the world is built once, each request runs in a savepoint rolled back."""
    world = build_matrix_world(matrix_app)
    connection = db.engines[None]
    documented = _documented()
    wrong_codes, wrong_docs = [], []
    for key, case in sorted(CASES.items()):
        got, let_in = {}, {}
        for role in ROLES:
            # The session must hold no savepoint of its own: rolling that back would drop ours.
            db.session.remove()
            savepoint = connection.begin_nested()
            try:
                got[role], let_in[role] = _call(matrix_app, world, case, role)
            finally:
                db.session.remove()
                savepoint.rollback()
                for path, content in world.extra["files"].items():
                    if not path.exists():
                        path.write_bytes(content)
        if got != case.expect:
            differences = {
                role: f"{got[role]} (expected {case.expect[role]})"
                for role in ROLES
                if got[role] != case.expect[role]
            }
            wrong_codes.append(f"{key[0]} {key[1]}: {differences}")
        if key[1] != "static":
            rule = _rule_path(matrix_app, key)
            actual = tuple(let_in[r] for r in README_ROLES)
            if documented.get((key[0], rule)) != actual:
                marks = " | ".join("✓" if allowed else "✗" for allowed in actual)
                wrong_docs.append(f"| `{key[0]}` | `{rule}` | {marks} |")
    assert wrong_codes == [], "status codes differ from the matrix:\n" + "\n".join(wrong_codes)
    assert wrong_docs == [], "README 'Who may do what' rows should read:\n" + "\n".join(wrong_docs)


def _rules(app: Flask) -> set[tuple[str, str]]:
    # The old paths only redirect to these routes (tests/webapp/test_urls.py requests each of them).
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if not rule.endpoint.startswith("legacy.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_a_row(session_app: Flask) -> None:
    rules = _rules(session_app)
    assert sorted(rules - set(CASES)) == [], "routes without an authorisation row"
    assert sorted(set(CASES) - rules) == [], "rows for routes that do not exist"


# --- the README's table says the same thing ------------------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"
#: README column headings, in the order of the table.
README_ROLES = ("anon", "participant", "partner", "facilitator", "admin")


def _documented() -> dict[tuple[str, str], tuple[bool, ...]]:
    text = README.read_text(encoding="utf-8")
    if "## Who may do what" not in text:
        return {}
    section = text.split("## Who may do what", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`(GET|POST|PUT|DELETE)`\s*\|\s*`([^`]+)`\s*\|(.*)\|\s*$", line)
        if match:
            cells = [c.strip() for c in match.group(3).split("|")][-len(README_ROLES) :]
            rows[(match.group(1), match.group(2))] = tuple(c.startswith("✓") for c in cells)
    return rows


def _rule_path(app: Flask, key: tuple[str, str]) -> str:
    method, endpoint = key
    return next(r.rule for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)


def test_readme_documents_no_route_that_does_not_exist(session_app: Flask) -> None:
    existing = {
        (method, rule.rule)
        for rule in session_app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert _documented(), "README has no 'Who may do what' table"
    assert sorted(set(_documented()) - existing) == []
