"""Two-factor login (TOTP, RFC 6238): set-up with a server-made QR code, the code step, turning it off."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import PASSWORD, csrf_token, login, url
from tests.webapp.test_auth import new_client
from webapp.extensions import db
from webapp.services import accounts, two_factor


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return new_client(app)


def _setup_form(client) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The signed set-up field and the secret shown on the two-factor page."""
    page = client.get(url("auth.two_factor")).get_data(as_text=True)
    setup = re.search(r'name="setup" value="([^"]+)"', page).group(1)
    secret = re.search(r'class="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    return setup, secret


def _enable(client, setup: str, code: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_token(client, url("auth.two_factor"))
    data = {"setup": setup, "code": code, "password": password, "csrf_token": token}
    return client.post(url("auth.enable_two_factor"), data=data)


def _with_totp(world) -> str:  # type: ignore[no-untyped-def]
    secret = pyotp.random_base32()
    world.facilitator.totp_secret = secret
    db.session.commit()
    return secret


def _code_step(client, code: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, url("auth.login_code"))
    return client.post(url("auth.login_code"), data={"code": code, "csrf_token": token})


def _previous_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(datetime.now(UTC) - timedelta(seconds=30))


def test_set_up_shows_an_inline_qr_code_and_needs_a_right_code_and_password(app, client):
    world = build_world()
    assert client.get(url("auth.two_factor")).status_code == 302
    login(client)
    page = client.get(url("auth.two_factor"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "<svg" in text and "<title>Code QR</title>" in text
    assert "otpauth://" not in text and "https://" not in text.split("<svg", 1)[1].split("</svg>", 1)[0]
    setup, secret = _setup_form(client)
    assert (
        _enable(client, setup, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111").status_code
        == 422
    )
    assert (
        _enable(client, setup, pyotp.TOTP(secret).now(), password="mauvais-mot-de-passe").status_code == 422
    )
    assert _enable(client, setup + "x", pyotp.TOTP(secret).now()).status_code == 422
    db.session.refresh(world.facilitator)
    assert world.facilitator.totp_secret is None
    done = _enable(client, setup, pyotp.TOTP(secret).now())
    assert done.status_code == 303
    db.session.refresh(world.facilitator)
    assert world.facilitator.totp_secret == secret
    # This session stays; the account page says it is on.
    assert "activée" in client.get(url("auth.account")).get_data(as_text=True)


def test_a_setup_made_for_someone_else_is_refused(app, client):
    world = build_world()
    other = build_world(facilitator_email="autre@example.org")
    secret = two_factor.new_totp_secret()
    theirs = two_factor.totp_setup_token(other.facilitator, secret)
    login(client)
    assert _enable(client, theirs, pyotp.TOTP(secret).now()).status_code == 422
    db.session.refresh(world.facilitator)
    assert world.facilitator.totp_secret is None


def test_turning_two_factor_on_ends_other_sessions(app, client):
    world = build_world()
    page = url("facilitators.project_page", slug=world.project.slug)
    other = new_client(app)
    login(client)
    login(other)
    setup, secret = _setup_form(client)
    assert _enable(client, setup, pyotp.TOTP(secret).now()).status_code == 303
    assert client.get(page).status_code == 200
    assert other.get(page).status_code == 302


def test_with_two_factor_the_password_alone_does_not_sign_in(app, client):
    world = build_world()
    secret = _with_totp(world)
    page = url("facilitators.project_page", slug=world.project.slug)
    first = login(client)
    assert first.status_code == 303 and first.headers["Location"].endswith(url("auth.login_code"))
    assert client.get(page).status_code == 302
    assert _code_step(client, "12345").status_code == 401
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    assert _code_step(client, wrong).status_code == 401
    assert client.get(page).status_code == 302
    done = _code_step(client, pyotp.TOTP(secret).now())
    assert done.status_code == 303 and done.headers["Location"] == url("facilitators.index")
    assert client.get(page).status_code == 200


def test_the_code_step_keeps_where_the_person_was_going(app, client):
    world = build_world()
    secret = _with_totp(world)
    target = url("facilitators.project_page", slug=world.project.slug)
    token = csrf_token(client, url("auth.login"))
    client.post(
        url("auth.login", next=target),
        data={"email": "anim@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert _code_step(client, pyotp.TOTP(secret).now()).headers["Location"] == target


def test_a_code_cannot_be_used_twice(app, client, monkeypatch):
    world = build_world()
    secret = _with_totp(world)
    # The middle of a time step, held still so the test never straddles two steps.
    now = datetime.fromtimestamp(int(time.time()) // 30 * 30 + 15, UTC)
    monkeypatch.setattr(two_factor, "utcnow", lambda: now)
    totp = pyotp.TOTP(secret)
    login(client)
    assert _code_step(client, totp.at(now)).status_code == 303
    thief = new_client(app)
    login(thief)
    assert _code_step(thief, totp.at(now)).status_code == 401
    # The previous time step's code is still accepted, once (clocks drift).
    assert _code_step(thief, totp.at(now - timedelta(seconds=30))).status_code == 303
    again = new_client(app)
    login(again)
    assert _code_step(again, totp.at(now - timedelta(seconds=30))).status_code == 401


def test_the_code_step_is_throttled(app, client, monkeypatch):
    world = build_world()
    secret = _with_totp(world)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3/3600")
    login(client)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    codes = [_code_step(client, wrong).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    refused = _code_step(client, pyotp.TOTP(secret).now())
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_a_right_code_gives_its_attempt_back_and_a_wrong_one_keeps_counting(app, client, monkeypatch):
    from webapp.services import ratelimit

    world = build_world()
    secret = _with_totp(world)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3/3600")
    limit = ratelimit.Limit.parse("3/3600")
    login(client)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    assert _code_step(client, wrong).status_code == 401
    assert _code_step(client, pyotp.TOTP(secret).now()).status_code == 303
    from webapp.auth.throttle import _digest

    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        by_account = ratelimit.peek(f"login-code:{_digest(str(world.facilitator.id))}", limit)
        by_address = ratelimit.peek("login-code:ip:127.0.0.1", limit)
        signed_in = ratelimit.peek("login:ip:127.0.0.1", limit)
    assert (by_account.hits, by_address.hits, signed_in.hits) == (1, 1, 0)


def test_the_code_step_expires_and_needs_a_password_first(app, client):
    world = build_world()
    secret = _with_totp(world)
    assert client.get(url("auth.login_code")).status_code == 303
    login(client)
    with client.session_transaction() as session:
        session["_2fa_pending"] = {**session["_2fa_pending"], "t": int(time.time()) - 600}
    response = client.get(url("auth.login_code"))
    assert response.status_code == 303 and response.headers["Location"].endswith(url("auth.login"))
    assert client.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 302
    assert secret


def test_turning_two_factor_off_needs_the_password_and_a_code(app, client, monkeypatch):
    # One instant for the server and the codes: a 30-s step ending mid-test cannot turn the code
    # typed into one already used, or into one outside the accepted window.
    instant = datetime.now(UTC)
    monkeypatch.setattr(accounts, "utcnow", lambda: instant)
    monkeypatch.setattr(two_factor, "utcnow", lambda: instant)
    world = build_world()
    secret = _with_totp(world)
    totp = pyotp.TOTP(secret)
    login(client)
    assert _code_step(client, totp.at(instant - timedelta(seconds=30))).status_code == 303

    def disable(password: str, code: str):  # type: ignore[no-untyped-def]
        token = csrf_token(client, url("auth.two_factor"))
        return client.post(
            url("auth.disable_two_factor"), data={"password": password, "code": code, "csrf_token": token}
        )

    assert disable("mauvais-mot-de-passe", totp.at(instant)).status_code == 422
    assert disable(PASSWORD, "000000" if totp.at(instant) != "000000" else "111111").status_code == 422
    db.session.refresh(world.facilitator)
    assert world.facilitator.totp_secret == secret
    assert disable(PASSWORD, totp.at(instant)).status_code == 303
    db.session.refresh(world.facilitator)
    assert world.facilitator.totp_secret is None
    assert client.get(url("facilitators.project_page", slug=world.project.slug)).status_code == 200


def test_cli_turns_two_factor_off_for_a_lost_phone(app, client, runner):
    world = build_world()
    _with_totp(world)
    result = runner.invoke(args=["users", "disable-2fa", "--email", "anim@example.org"])
    assert result.exit_code == 0, result.output
    assert login(client).status_code == 302


def test_codes_are_checked_within_one_step_of_drift(app):
    world = build_world()
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = datetime(2026, 5, 1, 12, 0, 10, tzinfo=UTC)
    uid = world.facilitator.id
    assert two_factor.check_totp(uid, secret, totp.at(now - timedelta(seconds=30)), now=now)
    assert two_factor.check_totp(uid, secret, totp.at(now + timedelta(seconds=30)), now=now)
    assert not two_factor.check_totp(uid, secret, totp.at(now - timedelta(seconds=90)), now=now)
    assert not two_factor.check_totp(uid, secret, "abcdef", now=now)
    spaced = totp.at(now)
    assert two_factor.check_totp(uid, secret, f"{spaced[:3]} {spaced[3:]}", now=now)
    assert not two_factor.check_totp(uid, secret, spaced, now=now + timedelta(seconds=20))
