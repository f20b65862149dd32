"""Staff login, throttling, session hardening, the role check and `arpenteur users …`."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import FreshClient
from tests.webapp.factories_debrief import build_world
from tests.webapp.support import PASSWORD, csrf_from, csrf_token, login, url
from webapp.services import accounts, teams


def new_client(app: Flask) -> FreshClient:
    """Another browser."""
    return FreshClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return new_client(app)


def test_facilitator_pages_need_a_login(app, client):
    world = build_world()
    response = client.get(url("facilitators.project_page", slug=world.project.slug))
    assert response.status_code == 302
    assert url("auth.login") in response.headers["Location"]


def test_wrong_password_is_refused_and_right_one_logs_in(app, client):
    world = build_world()
    assert login(client, password="wrong-password-1").status_code == 401
    response = login(client)
    assert response.status_code == 302
    assert client.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 200
    assert world.facilitator.password_hash.startswith("scrypt:")


def _cost(password_hash: str) -> str:
    """``scrypt:N:r:p`` of a stored hash."""
    return password_hash.split("$", 1)[0]


def test_passwords_get_full_cost_scrypt_outside_tests_and_an_unknown_address_the_same_work(
    app, db_session, monkeypatch
):
    # The suite's apps hash at a low cost (tests/conftest.py); it must never reach a real server,
    # even when the setting is present, and old hashes keep working whatever the cost now.
    full, cheap_cost = "scrypt:32768:8:1", "scrypt:1024:8:1"
    assert app.config["TEST_PASSWORD_HASH"] == cheap_cost
    cheap = accounts.create_user(email="test@example.org", password=PASSWORD)
    assert _cost(cheap.password_hash) == cheap_cost
    checked: list[str] = []
    real_check = accounts.check_password_hash
    monkeypatch.setattr(
        accounts,
        "check_password_hash",
        lambda stored, given: bool(checked.append(stored)) or real_check(stored, given),
    )
    monkeypatch.setattr(app, "testing", False)
    user = accounts.create_user(email="reel@example.org", password=PASSWORD)
    assert _cost(user.password_hash) == accounts.PASSWORD_HASH == full
    assert accounts.authenticate("reel@example.org", PASSWORD) == user
    assert accounts.authenticate("test@example.org", PASSWORD) == cheap
    assert accounts.authenticate("personne@example.org", PASSWORD) is None
    assert [_cost(stored) for stored in checked] == [full, cheap_cost, full]
    accounts.set_password(cheap, "another-long-password")
    assert _cost(cheap.password_hash) == full


def test_user_of_another_project_gets_403(app, client):
    world = build_world()
    other = build_world(facilitator_email="autre@example.org")
    login(client, "autre@example.org")
    assert client.get(url("facilitators.project_page", slug=other.project.slug)).status_code == 200
    assert client.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 403


def test_login_never_redirects_off_site(app, client):
    build_world()

    token = csrf_token(client, url("auth.login"))
    response = client.post(
        url("auth.login", next="//evil.example/x"),
        data={"email": "anim@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == url("facilitators.index")


def test_cli_creates_an_admin_and_refuses_a_duplicate(app, runner):
    args = [
        "users",
        "create",
        "--email",
        "Admin@Example.org",
        "--role",
        "admin",
        "--password",
        "long-enough-pass",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    from webapp.services import accounts

    user = accounts.authenticate("admin@example.org", "long-enough-pass")
    assert user is not None and user.is_admin
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "existe déjà" in again.output


def test_cli_facilitator_needs_a_project(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "f@example.org",
            "--role",
            "facilitator",
            "--password",
            "long-enough-pass",
        ]
    )
    assert result.exit_code != 0 and "--project" in result.output


# --- throttling -----------------------------------------------------------------------------------


def _post_login(client, email: str, password: str, **kwargs):  # type: ignore[no-untyped-def]
    token = csrf_token(client, url("auth.login"))
    return client.post(
        url("auth.login"), data={"email": email, "password": password, "csrf_token": token}, **kwargs
    )


def test_login_is_throttled_per_email_whether_or_not_the_account_exists(app, client, monkeypatch):
    build_world()
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3/3600")
    for email in ("anim@example.org", "personne@example.org"):
        codes = [
            _post_login(
                client, email, "wrong-password-1", environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}
            ).status_code
            for i in range(4)
        ]
        assert codes == [401, 401, 401, 429], email
    # Even the right password is refused while the limit holds, with the same page.
    refused = _post_login(client, "anim@example.org", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    unknown = _post_login(client, "personne@example.org", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert refused.status_code == unknown.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    assert refused.get_data(as_text=True).replace("anim@", "X@") == unknown.get_data(as_text=True).replace(
        "personne@", "X@"
    ).replace(*_csrf_pair(refused, unknown))


def _csrf_pair(a, b) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return csrf_from(b), csrf_from(a)


def test_login_is_throttled_per_client_address(app, client, monkeypatch):
    build_world()
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3/3600")
    codes = [_post_login(client, f"p{i}@example.org", "wrong-password-1").status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]
    assert _post_login(client, "anim@example.org", PASSWORD).status_code == 429
    elsewhere = _post_login(client, "anim@example.org", PASSWORD, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert elsewhere.status_code == 302


def test_successful_sign_ins_from_one_address_do_not_use_up_its_limit(app, monkeypatch):
    # A debrief in a community centre: the whole team and the partners sign in on one wifi, one after
    # the other. Only failures count: wrong passwords are still refused past the limit.
    build_world()
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3/3600")
    for _ in range(6):
        assert _post_login(new_client(app), "anim@example.org", PASSWORD).status_code == 302
    client = new_client(app)
    codes = [_post_login(client, f"p{i}@example.org", "wrong-password-1").status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]
    assert _post_login(client, "anim@example.org", PASSWORD).status_code == 429


def test_a_success_between_failures_gives_back_only_its_own_attempt(app, client, monkeypatch):
    build_world()
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3/3600")
    codes = [
        _post_login(new_client(app), "anim@example.org", "wrong-password-1").status_code for _ in range(2)
    ]
    codes.append(_post_login(new_client(app), "anim@example.org", PASSWORD).status_code)
    codes += [
        _post_login(new_client(app), "anim@example.org", "wrong-password-1").status_code for _ in range(2)
    ]
    assert codes == [401, 401, 302, 401, 429]


# --- sessions -------------------------------------------------------------------------------------


def test_session_cookie_is_http_only_lax_and_secure_by_default(app, client):
    build_world()
    response = login(client)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    # A browser-session cookie: it goes when the browser closes.
    assert "Expires=" not in cookie and "Max-Age" not in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600


def test_secure_cookies_can_be_turned_off_for_plain_http(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite'}", tmp_path, SECURE_COOKIES=False, SESSION_HOURS=2)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 2 * 3600


def test_sessions_end_when_the_password_changes_elsewhere(app, client):
    world = build_world()
    page = url("facilitators.project_page", slug=world.project.slug)
    other = new_client(app)
    login(client)
    login(other)
    assert client.get(page).status_code == other.get(page).status_code == 200
    accounts.set_password(world.facilitator, "a-brand-new-password")
    assert client.get(page).status_code == 302
    assert other.get(page).status_code == 302


def test_a_deactivated_user_is_signed_out(app, client):
    world = build_world()
    page = url("facilitators.project_page", slug=world.project.slug)
    login(client)
    assert client.get(page).status_code == 200
    accounts.set_active("anim@example.org", False)
    response = client.get(page)
    assert response.status_code == 302 and url("auth.login") in response.headers["Location"]
    assert login(client).status_code == 401


def test_session_ends_after_session_hours(app, client):
    import time

    world = build_world()
    page = url("facilitators.project_page", slug=world.project.slug)
    login(client)
    with client.session_transaction() as session:
        session["_login_at"] = int(time.time()) - 13 * 3600
    assert client.get(page).status_code == 302


def test_a_session_survives_a_change_of_client_address(app, client):
    # Phones on mobile networks change address often: that alone must not sign staff out.
    world = build_world()
    page = url("facilitators.project_page", slug=world.project.slug)
    login(client)
    assert client.get(page, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def test_a_session_naming_a_user_without_the_stamp_is_refused(app, client):
    world = build_world()
    login(client)
    with client.session_transaction() as session:
        session["_user_id"] = str(world.facilitator.id)
    assert client.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 302


def test_logout_forgets_the_session(app, client):
    world = build_world()
    login(client)
    token = csrf_token(client, url("auth.account"))
    assert client.post(url("auth.logout"), data={"csrf_token": token}).status_code == 302
    assert client.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 302


def test_a_session_cookie_copied_before_logout_stops_working(app, client):
    world = build_world()
    login(client)
    page = url("facilitators.project_page", slug=world.project.slug)
    copy = new_client(app)
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get(page).status_code == 200
    token = csrf_token(client, url("auth.account"))
    assert client.post(url("auth.logout"), data={"csrf_token": token}).status_code == 302
    # The copy still carries the signed cookie from before: the server no longer honours it.
    assert copy.get(page).status_code == 302
    assert copy.get(url("auth.account")).status_code == 302


def test_signing_out_ends_one_sign_in_not_the_others(app, client):
    world = build_world()
    login(client)
    other = new_client(app)
    login(other)
    token = csrf_token(client, url("auth.account"))
    client.post(url("auth.logout"), data={"csrf_token": token})
    assert other.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 200


def test_account_page_lists_projects_and_team_links(app, client):
    world = build_world()
    assert client.get(url("auth.account")).status_code == 302
    login(client)
    page = client.get(url("auth.account")).get_data(as_text=True)
    assert world.project.name.replace("<", "&lt;").replace(">", "&gt;") in page
    assert url("auth.team", slug=world.project.slug) in page


# --- command line ---------------------------------------------------------------------------------


def test_cli_partner_needs_an_organisation_and_gets_it(app, runner):
    world = build_world()
    base = [
        "users",
        "create",
        "--email",
        "p@example.org",
        "--role",
        "partner",
        "--project",
        world.project.slug,
    ]
    base += ["--password", "long-enough-pass"]
    missing = runner.invoke(args=base)
    assert missing.exit_code != 0 and "--organisation" in missing.output
    result = runner.invoke(args=[*base, "--organisation", "Bailleur Nord", "--organisation-kind", "landlord"])
    assert result.exit_code == 0, result.output
    user = accounts.get_user_by_email("p@example.org")
    assert user.organisation.name == "Bailleur Nord" and user.organisation.kind == "landlord"
    assert teams.project_role(user, world.project.id) == "partner"
    assert "Bailleur Nord" in [o.name for o in teams.list_project_organisations(world.project.id)]


def test_cli_deactivates_and_reactivates_an_account(app, runner, client):
    world = build_world()
    assert runner.invoke(args=["users", "deactivate", "--email", "anim@example.org"]).exit_code == 0
    assert login(client).status_code == 401
    assert runner.invoke(args=["users", "reactivate", "--email", "ANIM@example.org"]).exit_code == 0
    assert login(client).status_code == 302
    assert client.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 200
    unknown = runner.invoke(args=["users", "deactivate", "--email", "nobody@example.org"])
    assert unknown.exit_code != 0 and "Aucun compte" in unknown.output


def test_partners_land_on_their_pages_and_staff_on_theirs(app, client):
    world = build_world()
    partner = accounts.create_user(email="part@example.org", password=PASSWORD)
    partner.organisation_id = world.partner.id
    teams.add_membership(partner, world.project.id, "partner")
    response = login(client, "part@example.org")
    assert response.status_code == 302 and response.headers["Location"] == url("partners.index")
    other = new_client(app)
    response = login(other)
    assert response.status_code == 302 and response.headers["Location"] == url("facilitators.index")
