"""People: pseudonymous walk participants, staff users, their organisations and project roles."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import Model, db
from webapp.models.base import UTCDateTime, utcnow
from webapp.models.enums import AgeBand, Gender, OrganisationKind, ParticipantStatus, Role, one_of

if TYPE_CHECKING:
    from webapp.models.walk import Walk


class Participant(Model):
    """A resident who joined one walk. No name, email or birth date: a token and an optional profile.

    The profile only feeds group-composition statistics (e.g. women vs men, youth vs seniors).
    """

    __tablename__ = "participants"
    __table_args__ = (
        one_of("age_band", AgeBand),
        one_of("gender", Gender),
        one_of("status", ParticipantStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("walks.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the opaque token held by the phone; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    age_band: Mapped[str] = mapped_column(String(16), default=AgeBand.UNDISCLOSED)
    gender: Mapped[str] = mapped_column(String(16), default=Gender.UNDISCLOSED)
    status: Mapped[str] = mapped_column(String(16), default=ParticipantStatus.UNDISCLOSED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The token stops working after this time (the end of the walk's day, or when it closes).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Made by the phone for its join request: a join resent after a lost answer finds this
    #: participant again instead of creating a second one (group counts stay true).
    join_uuid: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True, index=True)

    walk: Mapped[Walk] = relationship(back_populates="participants")


class Organisation(Model):
    """A partner: city service, social landlord, transport operator, association, school…"""

    __tablename__ = "organisations"
    __table_args__ = (one_of("kind", OrganisationKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=OrganisationKind.OTHER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(UserMixin, db.Model):
    """A staff account (admin, facilitator or partner); residents never have one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    #: Site administrator: may create projects and accounts everywhere.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Base32 secret of the authenticator app (TOTP, RFC 6238); None when two-factor login is off.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: Set whenever the password changes: reset links and sessions issued before it stop working.
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")
    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")

    #: A partner in every project they have a role in (not a column): the signed-in user's is read with
    #: the account itself (``staff_sessions.user_for_session_id``), so the header can leave out the
    #: facilitators' pages, which would list nothing for them, without a statement of its own.
    partner_only = False


class Membership(Model):
    """A user's role in one project."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "project_id"), one_of("role", Role))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")


class Invitation(Model):
    """A link that lets one person create a staff account with a given role in a project.

    Only a SHA-256 of the link's token is stored; the link expires and works once.
    """

    __tablename__ = "invitations"
    __table_args__ = (one_of("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Stored lower-cased; the account created from the link gets this address.
    email: Mapped[str] = mapped_column(String(254))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    #: For partners: the organisation the new account belongs to.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Withdrawn by staff before use.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffSession(Model):
    """One staff sign-in, known to the server: signing out ends it for every copy of its cookie.

    The cookie holds a random token; only its SHA-256 is stored.
    """

    __tablename__ = "staff_sessions"

    #: SHA-256 (hex) of the token kept in the session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the person signs out (or an administrator ends it); the session no longer works.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
