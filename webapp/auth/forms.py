"""Forms of staff accounts: sign-in, passwords, two-factor login, invitations (Flask-WTF).

Only typing and the checks a form can make alone live here (the two passwords match); the services
check the rest (the current password, a code, an address), with the throttle first: a form never
answers faster, or differently, depending on whether an account exists.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation

from webapp.form_fields import IdField, StaffForm, TextField
from webapp.models.enums import OrganisationKind

#: The same message wherever a new password is typed twice.
PASSWORDS_DIFFER = _l("Les deux mots de passe ne sont pas identiques.")


def _same_as_password(form: StaffForm, field: TextField) -> None:
    if field.data != form.password.data:
        raise StopValidation(PASSWORDS_DIFFER)


class LoginForm(StaffForm):
    """Email and password."""

    email = TextField(_l("Adresse électronique"))
    password = TextField(_l("Mot de passe"))


class CodeForm(StaffForm):
    """The six-digit code of the authenticator app."""

    code = TextField(_l("Code à six chiffres"))


class NewPasswordForm(StaffForm):
    """A new password, typed twice."""

    password = TextField(_l("Nouveau mot de passe"))
    confirm = TextField(_l("Confirmation"), [_same_as_password])


class ChangePasswordForm(NewPasswordForm):
    """One's own password: the current one, then the new one twice."""

    current_password = TextField(_l("Mot de passe actuel"))


class EnableTwoFactorForm(StaffForm):
    """The set-up being confirmed (signed token), a code from the app and the password."""

    setup = TextField()
    code = TextField(_l("Code à six chiffres"))
    password = TextField(_l("Mot de passe"))


class DisableTwoFactorForm(StaffForm):
    """The password and a current code."""

    password = TextField(_l("Mot de passe"))
    code = TextField(_l("Code à six chiffres"))


class ForgotPasswordForm(StaffForm):
    """The address a reset link goes to (the same answer whether or not it has an account)."""

    email = TextField(_l("Adresse électronique"))


class InviteForm(StaffForm):
    """Invite someone into a project's team as facilitator or partner (of an organisation)."""

    email = TextField(_l("Adresse électronique"))
    role = TextField(_l("Rôle"))
    #: an organisation of the project (an unreadable id is "none": then the name below counts)
    organisation_id = IdField(_l("Organisation"), lenient=True)
    organisation_name = TextField(_l("Nouvelle organisation"))
    organisation_kind = TextField(_l("Type d'organisation"), default=OrganisationKind.OTHER)


class AcceptInvitationForm(NewPasswordForm):
    """A newcomer's name and password, typed twice (someone already signed in only confirms)."""

    display_name = TextField(_l("Votre nom"))
