"""Project teams and invitations by link: who may invite, single use, expiry, withdrawal, acceptance."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import PASSWORD, csrf_token, login, url
from tests.webapp.test_auth import new_client
from webapp.errors import Gone
from webapp.extensions import db
from webapp.models import Invitation, Membership, Organisation, ProjectPartner
from webapp.models.base import utcnow
from webapp.services import accounts, invitations, teams


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return new_client(app)


def _team(world) -> str:  # type: ignore[no-untyped-def]
    return url("auth.team", slug=world.project.slug)


def _post(client, page: str, path: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def _invite(client, world, **data):  # type: ignore[no-untyped-def]
    return _post(client, _team(world), f"{_team(world)}/invitations", data)


def _link(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r'class="one-time-link">([^<]+)<', response.get_data(as_text=True)).group(1)


def _path(link: str) -> str:
    return urlsplit(link).path


def _admin():  # type: ignore[no-untyped-def]
    return accounts.create_user(email="admin@example.org", password=PASSWORD, is_admin=True)


def _member(email: str, project_id: int, role: str, organisation_id: int | None = None):  # type: ignore[no-untyped-def]
    user = accounts.create_user(email=email, password=PASSWORD, organisation_id=organisation_id)
    teams.add_membership(user, project_id, role)
    return user


# --- the team page --------------------------------------------------------------------------------


def test_team_page_lists_members_with_role_and_organisation(app, client):
    world = build_world()
    _member("partenaire@example.org", world.project.id, "partner", world.partner.id)
    login(client)
    page = client.get(_team(world))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "anim@example.org" in text and "animation" in text
    assert "partenaire@example.org" in text and world.partner.name in text
    assert page.headers["Cache-Control"] == "no-store"


def test_team_page_is_for_the_projects_facilitators_and_admins_only(app, client):
    world = build_world()
    other = build_world(facilitator_email="autre@example.org")
    _member("partenaire@example.org", world.project.id, "partner", world.partner.id)
    _admin()
    anonymous = client.get(_team(world))
    assert anonymous.status_code == 302 and url("auth.login") in anonymous.headers["Location"]
    login(client, "autre@example.org")
    assert client.get(_team(other)).status_code == 200
    assert client.get(_team(world)).status_code == 403
    partner = new_client(app)
    login(partner, "partenaire@example.org")
    assert partner.get(_team(world)).status_code == 403
    admin = new_client(app)
    login(admin, "admin@example.org")
    assert admin.get(_team(world)).status_code == 200
    assert admin.get(url("auth.team", slug="inconnu")).status_code == 404


def test_partners_and_other_projects_facilitators_may_not_invite_revoke_or_remove(app, client):
    world = build_world()
    build_world(facilitator_email="autre@example.org")
    _member("partenaire@example.org", world.project.id, "partner", world.partner.id)
    invitation, _ = invitations.create_invitation(
        world.project, email="x@example.org", role="facilitator", invited_by=world.facilitator
    )
    for email in ("partenaire@example.org", "autre@example.org"):
        visitor = new_client(app)
        login(visitor, email)
        token = csrf_token(visitor, url("auth.account"))
        base = _team(world)
        invite = visitor.post(
            f"{base}/invitations", data={"email": "y@example.org", "role": "partner", "csrf_token": token}
        )
        revoke = visitor.post(f"{base}/invitations/{invitation.id}/retirer", data={"csrf_token": token})
        remove = visitor.post(f"{base}/membres/{world.facilitator.id}/retirer", data={"csrf_token": token})
        assert (invite.status_code, revoke.status_code, remove.status_code) == (403, 403, 403), email
    assert db.session.scalar(select(Invitation.id).where(Invitation.email == "y@example.org")) is None
    assert db.session.get(Invitation, invitation.id).revoked_at is None
    assert teams.project_role(world.facilitator, world.project.id) == "facilitator"


def test_invitations_need_the_csrf_token(app, client):
    world = build_world()
    login(client)
    response = client.post(f"{_team(world)}/invitations", data={"email": "y@example.org", "role": "partner"})
    assert response.status_code == 400


# --- creating and accepting an invitation ---------------------------------------------------------


def test_a_new_partner_joins_through_the_link_with_a_new_organisation(app, client):
    world = build_world()
    login(client)
    response = _invite(
        client,
        world,
        email=" Nouvelle@Example.org ",
        role="partner",
        organisation_name="Bailleur  du Nord",
        organisation_kind="landlord",
    )
    assert response.status_code == 201
    link = _link(response)
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(Invitation).where(Invitation.email == "nouvelle@example.org"))
    assert stored.token_hash == accounts.hash_token(token) and token not in stored.token_hash
    assert (stored.expires_at - stored.created_at) == timedelta(days=7)
    # The link is shown once: the team page afterwards lists the invitation but not its link.
    listing = client.get(_team(world)).get_data(as_text=True)
    assert "nouvelle@example.org" in listing and token not in listing

    newcomer = new_client(app)
    page = newcomer.get(_path(link))
    assert page.status_code == 200 and "Bailleur du Nord" in page.get_data(as_text=True)
    joined = _post(
        newcomer,
        _path(link),
        _path(link),
        {"display_name": "Nadia", "password": "une-phrase-longue", "confirm": "une-phrase-longue"},
    )
    assert joined.status_code == 303
    user = accounts.get_user_by_email("nouvelle@example.org")
    assert user.display_name == "Nadia" and user.organisation.name == "Bailleur du Nord"
    assert user.organisation.kind == "landlord"
    assert teams.project_role(user, world.project.id) == "partner"
    assert db.session.get(ProjectPartner, (world.project.id, user.organisation_id)) is not None
    # Signed in straight away.
    assert newcomer.get(url("auth.account")).status_code == 200
    # The link worked once.
    again = new_client(app).get(_path(link))
    assert again.status_code == 410 and "déjà servi" in again.get_data(as_text=True)


def test_partner_invitation_can_use_an_organisation_of_the_project(app, client):
    world = build_world()
    login(client)
    response = _invite(
        client, world, email="p@example.org", role="partner", organisation_id=str(world.partner.id)
    )
    assert response.status_code == 201
    stored = db.session.scalar(select(Invitation).where(Invitation.email == "p@example.org"))
    assert stored.organisation_id == world.partner.id


def test_invitation_form_refuses_bad_input(app, client):
    world = build_world()
    stranger = Organisation(name="Sans rapport", kind="other")
    db.session.add(stranger)
    db.session.commit()
    login(client)
    cases = [
        ({"email": "pas-une-adresse", "role": "facilitator"}, 422),
        ({"email": "a@example.org", "role": "admin"}, 422),
        ({"email": "a@example.org", "role": "partner"}, 422),
        ({"email": "a@example.org", "role": "partner", "organisation_id": str(stranger.id)}, 422),
        ({"email": "a@example.org", "role": "partner", "organisation_id": "abc"}, 422),
        ({"email": "anim@example.org", "role": "facilitator"}, 409),
    ]
    for data, status in cases:
        response = _invite(client, world, **data)
        assert response.status_code == status, data
        assert 'class="one-time-link"' not in response.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.id)) is None


def test_inviting_the_same_address_again_withdraws_the_previous_link(app, client):
    world = build_world()
    login(client)
    first = _link(_invite(client, world, email="f@example.org", role="facilitator"))
    second = _link(_invite(client, world, email="f@example.org", role="facilitator"))
    assert first != second
    visitor = new_client(app)
    assert visitor.get(_path(first)).status_code == 410
    assert visitor.get(_path(second)).status_code == 200


def test_unknown_expired_and_withdrawn_links_get_clear_messages(app, client):
    world = build_world()
    past = utcnow() - timedelta(days=8)
    _, expired = invitations.create_invitation(
        world.project, email="e@example.org", role="facilitator", invited_by=world.facilitator, now=past
    )
    withdrawn, revoked = invitations.create_invitation(
        world.project, email="r@example.org", role="facilitator", invited_by=world.facilitator
    )
    login(client)
    revoke = _post(client, _team(world), f"{_team(world)}/invitations/{withdrawn.id}/retirer", {})
    assert revoke.status_code == 303
    visitor = new_client(app)
    unknown = visitor.get(url("auth.invitation", token="nimporte-quoi"))
    assert unknown.status_code == 404 and "existe pas" in unknown.get_data(as_text=True)
    gone = visitor.get(url("auth.invitation", token=expired))
    assert gone.status_code == 410 and "expiré" in gone.get_data(as_text=True)
    assert world.project.name not in gone.get_data(as_text=True)
    withdrawn_page = visitor.get(url("auth.invitation", token=revoked))
    assert withdrawn_page.status_code == 410 and "retirée" in withdrawn_page.get_data(as_text=True)
    assert visitor.get(url("auth.invitation", token="x" * 500)).status_code == 404
    # Posting to a dead link creates nothing.
    token = csrf_token(visitor, url("auth.login"))
    posted = visitor.post(
        url("auth.invitation", token=expired),
        data={
            "display_name": "E",
            "password": "une-phrase-longue",
            "confirm": "une-phrase-longue",
            "csrf_token": token,
        },
    )
    assert posted.status_code == 410 and accounts.get_user_by_email("e@example.org") is None


def test_revoking_an_invitation_of_another_project_is_not_found(app, client):
    world = build_world()
    other = build_world(facilitator_email="autre@example.org")
    theirs, _ = invitations.create_invitation(
        other.project, email="t@example.org", role="facilitator", invited_by=other.facilitator
    )
    login(client)
    response = _post(client, _team(world), f"{_team(world)}/invitations/{theirs.id}/retirer", {})
    assert response.status_code == 404
    assert db.session.get(Invitation, theirs.id).revoked_at is None


def test_acceptance_checks_the_name_and_password_and_keeps_the_link_usable(app, client):
    world = build_world()
    _, token = invitations.create_invitation(
        world.project, email="n@example.org", role="facilitator", invited_by=world.facilitator
    )
    path = url("auth.invitation", token=token)
    for data in (
        {"display_name": "N", "password": "court", "confirm": "court"},
        {"display_name": "N", "password": "une-phrase-longue", "confirm": "une-autre-phrase"},
        {"display_name": " ", "password": "une-phrase-longue", "confirm": "une-phrase-longue"},
    ):
        assert _post(client, path, path, data).status_code == 422, data
    assert accounts.get_user_by_email("n@example.org") is None
    ok = _post(
        client,
        path,
        path,
        {"display_name": "N", "password": "une-phrase-longue", "confirm": "une-phrase-longue"},
    )
    assert ok.status_code == 303
    assert teams.project_role(accounts.get_user_by_email("n@example.org"), world.project.id) == "facilitator"


def test_an_existing_account_joins_after_signing_in(app, client):
    world = build_world()
    other = build_world(facilitator_email="autre@example.org")
    _, token = invitations.create_invitation(
        world.project, email="autre@example.org", role="facilitator", invited_by=world.facilitator
    )
    path = url("auth.invitation", token=token)
    page = client.get(path).get_data(as_text=True)
    assert "Un compte existe déjà" in page and url("auth.login", next="") in page
    refused = _post(
        client,
        url("auth.login"),
        path,
        {"display_name": "X", "password": "une-phrase-longue", "confirm": "une-phrase-longue"},
    )
    assert refused.status_code == 409
    login(client, "autre@example.org")
    accepted = _post(client, path, path, {})
    assert accepted.status_code == 303
    user = accounts.get_user_by_email("autre@example.org")
    assert teams.project_role(user, world.project.id) == "facilitator"
    assert teams.project_role(user, other.project.id) == "facilitator"


def test_an_invitation_for_someone_else_is_refused_to_a_signed_in_user(app, client):
    world = build_world()
    _, token = invitations.create_invitation(
        world.project, email="destinataire@example.org", role="facilitator", invited_by=world.facilitator
    )
    build_world(facilitator_email="autre@example.org")
    login(client, "autre@example.org")
    assert client.get(url("auth.invitation", token=token)).status_code == 403
    token_form = csrf_token(client, url("auth.account"))
    assert (
        client.post(url("auth.invitation", token=token), data={"csrf_token": token_form}).status_code == 403
    )
    assert accounts.get_user_by_email("destinataire@example.org") is None


def test_accepting_a_partner_invitation_never_lowers_a_role(app, client):
    world = build_world()
    other = build_world(facilitator_email="autre@example.org")
    # Invited as a partner, then made a facilitator by someone else before accepting.
    _, token = invitations.create_invitation(
        world.project,
        email="autre@example.org",
        role="partner",
        invited_by=world.facilitator,
        organisation_name="Asso",
    )
    teams.add_membership(other.facilitator, world.project.id, "facilitator")
    login(client, "autre@example.org")
    path = url("auth.invitation", token=token)
    assert _post(client, path, path, {}).status_code == 303
    assert teams.project_role(other.facilitator, world.project.id) == "facilitator"


def test_two_uses_of_one_link_cannot_both_succeed(app):
    world = build_world()
    _, token = invitations.create_invitation(
        world.project, email="d@example.org", role="facilitator", invited_by=world.facilitator
    )
    # The second use arrives after the first claimed the link (what the conditional UPDATE ensures
    # even when both passed the first check).
    invitations.accept_invitation(token, display_name="D", password="une-phrase-longue")
    with pytest.raises(Gone):
        invitations.accept_invitation(token, display_name="D2", password="une-phrase-longue")
    assert db.session.scalar(select(Membership.id).where(Membership.project_id == world.project.id).limit(1))


# --- removing members -----------------------------------------------------------------------------


def test_a_facilitator_removes_a_partner_but_not_themselves_nor_an_admin(app, client):
    world = build_world()
    partner = _member("partenaire@example.org", world.project.id, "partner", world.partner.id)
    project_admin = _member("chef@example.org", world.project.id, "admin")
    login(client)
    base = _team(world)
    assert _post(client, base, f"{base}/membres/{partner.id}/retirer", {}).status_code == 303
    assert teams.project_role(partner, world.project.id) is None
    assert accounts.get_user_by_email("partenaire@example.org") is not None
    assert _post(client, base, f"{base}/membres/{world.facilitator.id}/retirer", {}).status_code == 409
    assert _post(client, base, f"{base}/membres/{project_admin.id}/retirer", {}).status_code == 403
    assert _post(client, base, f"{base}/membres/999999/retirer", {}).status_code == 404
    # Someone of another project cannot be "removed" through this project's page.
    other = build_world(facilitator_email="autre@example.org")
    assert _post(client, base, f"{base}/membres/{other.facilitator.id}/retirer", {}).status_code == 404
    assert teams.project_role(other.facilitator, other.project.id) == "facilitator"


def test_a_removed_member_loses_access_at_once(app, client):
    world = build_world()
    second = _member("second@example.org", world.project.id, "facilitator")
    theirs = new_client(app)
    login(theirs, "second@example.org")
    assert theirs.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 200
    login(client)
    _post(client, _team(world), f"{_team(world)}/membres/{second.id}/retirer", {})
    assert theirs.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 403


def test_an_admin_manages_any_team(app, client):
    world = build_world()
    _admin()
    project_admin = _member("chef@example.org", world.project.id, "admin")
    login(client, "admin@example.org")
    base = _team(world)
    assert _invite(client, world, email="z@example.org", role="facilitator").status_code == 201
    assert _post(client, base, f"{base}/membres/{project_admin.id}/retirer", {}).status_code == 303
