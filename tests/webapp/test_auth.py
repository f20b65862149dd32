"""Minimal staff login, the role check and `arpenteur users create`."""

from __future__ import annotations

from tests.webapp.factories_debrief import PASSWORD, build_world, login


def test_facilitator_pages_need_a_login(app, client):
    world = build_world()
    response = client.get(f"/facilitators/{world.project.slug}/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_wrong_password_is_refused_and_right_one_logs_in(app, client):
    world = build_world()
    assert login(client, password="wrong-password-1").status_code == 401
    response = login(client)
    assert response.status_code == 302
    assert client.get(f"/facilitators/{world.project.slug}/").status_code == 200
    assert world.facilitator.password_hash.startswith("scrypt:")


def test_user_of_another_project_gets_403(app, client):
    world = build_world()
    other = build_world(facilitator_email="autre@example.org")
    login(client, "autre@example.org")
    assert client.get(f"/facilitators/{other.project.slug}/").status_code == 200
    assert client.get(f"/facilitators/{world.project.slug}/").status_code == 403


def test_login_never_redirects_off_site(app, client):
    build_world()
    import re

    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/auth/login?next=//evil.example/x",
        data={"email": "anim@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/facilitators/"


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
