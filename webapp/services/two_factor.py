"""Two-factor sign-in (TOTP, RFC 6238): set-up through a signed form, codes checked once, turning it off."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime

import pyotp
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature
from werkzeug.security import check_password_hash

from webapp.errors import Conflict, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import User
from webapp.models.base import utcnow
from webapp.services import ratelimit
from webapp.services.accounts import get_user_by_email, normalise_email, signer

#: Name shown by authenticator apps next to the account.
TOTP_ISSUER = "Arpenteur"
#: A two-factor set-up (secret shown as a QR code) must be confirmed within this time.
TOTP_SETUP_SECONDS = 1800
#: A code is accepted one time step (30 s) early or late, for clocks that drift.
TOTP_DRIFT_STEPS = 1


def new_totp_secret() -> str:
    """A fresh random Base32 secret (160 bits)."""
    return pyotp.random_base32()


def totp_uri(email: str, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_setup_token(user: User, secret: str) -> str:
    """The secret being set up, signed for this user, to carry through the confirmation form."""
    return str(signer("arpenteur.totp-setup").dumps({"u": user.id, "s": secret}))


def secret_from_setup_token(user: User, token: str) -> str:
    """The secret a set-up form carries; ValidationError if tampered with, for someone else, or stale."""
    try:
        payload = signer("arpenteur.totp-setup").loads(token, max_age=TOTP_SETUP_SECONDS)
    except BadSignature as error:
        raise ValidationError(
            _l("La mise en place a expiré : recommencez avec le nouveau code QR."),
            details={"setup": "expired"},
        ) from error
    if not isinstance(payload, dict) or payload.get("u") != user.id:
        raise ValidationError(_l("Mise en place invalide : recommencez."), details={"setup": "invalid"})
    return str(payload.get("s", ""))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_totp(user_id: int, secret: str, code: str, *, now: datetime | None = None) -> bool:
    """Whether ``code`` is valid now for ``secret`` and was not used before by this user.

    A code that worked once is refused for the rest of its window (a counter row per user and time
    step in the shared rate-limit table, so it holds across workers). The use is recorded in a
    transaction of its own (``ratelimit.hit_separately``): it holds even if the request then fails.
    """
    now = now or utcnow()
    step = _matching_step(secret, code, now)
    if step is None:
        return False
    step_start = datetime.fromtimestamp(step * pyotp.TOTP(secret).interval, UTC)
    verdict = ratelimit.hit_separately(
        f"totp-used:{user_id}:{step}", ratelimit.Limit(1, 3600), now=step_start
    )
    return verdict.allowed


def _check_password(user: User, password: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, password or ""):
        raise ValidationError(_l("Mot de passe incorrect."), details={"password": "wrong"})


def enable_totp(user: User, *, secret: str, code: str, password: str) -> None:
    """Turn on two-factor login once the user proved their app shows the right codes."""
    if user.totp_secret:
        raise Conflict(_l("La connexion en deux étapes est déjà activée."))
    if not re.fullmatch(r"[A-Z2-7]{32}", secret or ""):
        raise ValidationError(_l("Mise en place invalide : recommencez."), details={"setup": "invalid"})
    _check_password(user, password)
    if not check_totp(user.id, secret, code):
        raise ValidationError(
            _l("Code incorrect : vérifiez l'heure du téléphone et saisissez le code affiché."),
            details={"code": "wrong"},
        )
    user.totp_secret = secret
    db.session.flush()


def disable_totp(user: User, *, password: str, code: str) -> None:
    """Turn off two-factor login; needs the password and a current code."""
    if not user.totp_secret:
        raise Conflict(_l("La connexion en deux étapes n'est pas activée."))
    _check_password(user, password)
    if not check_totp(user.id, user.totp_secret, code):
        raise ValidationError(_l("Code incorrect ou déjà utilisé."), details={"code": "wrong"})
    user.totp_secret = None
    db.session.flush()


def remove_totp(email: str) -> User:
    """Turn off two-factor login without a code (an administrator helping someone who lost their phone)."""
    user = get_user_by_email(email)
    if user is None:
        raise NotFound(_l("Aucun compte avec cette adresse."), details={"email": normalise_email(email)})
    user.totp_secret = None
    db.session.flush()
    return user
