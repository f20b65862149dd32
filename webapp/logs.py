"""Logging hygiene: join codes, tokens, cookies and SQL parameters never reach a log line.

Secrets travel in URLs (the join code in ``/m/<code>`` and ``/rejoindre?code=``, invitation and
password-reset links ``/invitation/<token>``, ``/mot-de-passe-oublie/<token>`` (and the old
``/auth/invitation/<token>``, ``/auth/reinitialiser/<token>`` that redirect there), referrers that
repeat them) and in headers (``Authorization: Bearer …``, cookies). :class:`SecretFilter` rewrites
each record it sees with those parts replaced by ``***``; it is installed on the loggers that print
request lines or errors: the app's, werkzeug's (development server), gunicorn's access and error
loggers, and SQLAlchemy's engine logger (whose parameter and row lines would copy observation text).
``arpenteur serve`` also starts gunicorn with :class:`GunicornLogger`, which installs the filter in
the master process before any request.

The app's own modules log counts and ids only, never a note, a proposal, a code or a token.
"""

from __future__ import annotations

import logging
import re
from typing import Any

#: What a secret is replaced with.
MASK = "***"
#: Loggers the filter is installed on (besides the app's own and its children).
LOGGER_NAMES = (
    "werkzeug",
    "gunicorn.access",
    "gunicorn.error",
    "sqlalchemy.engine",
    "sqlalchemy.engine.Engine",
    "flask.app",
)

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_END = r"(?=[/?#&\s\"'<>;,)\]]|$)"
#: (pattern, replacement): each keeps the name of what it hides.
_RULES: list[tuple[re.Pattern[str], str]] = [
    # The capture page of a walk: /m/<join code>[/...]
    (re.compile(r"(/m/)[^/?#\s\"'<>]+"), rf"\1{MASK}"),
    # Invitation and password-reset links carry their token in the path (old /auth/… paths too).
    (
        re.compile(
            r"(/auth/(?:invitations?|reinitialiser|reinitialisation|reset|mot-de-passe|activer)/)[^/?#\s\"'<>]+",
            re.IGNORECASE,
        ),
        rf"\1{MASK}",
    ),
    (re.compile(r"(/(?:invitation|mot-de-passe-oublie)/)[^/?#\s\"'<>]+", re.IGNORECASE), rf"\1{MASK}"),
    # Query strings: ?code=… &token=… (the join page's link, any token parameter).
    (
        re.compile(r"([?&;](?:code|token|jeton|invitation|key|t)=)[^&#\s\"'<>]*", re.IGNORECASE),
        rf"\1{MASK}",
    ),
    # Headers, when a log format includes them.
    (re.compile(r"(\bBearer\s+)[^\s\"',;]+", re.IGNORECASE), rf"\1{MASK}"),
    (re.compile(r"((?:arpenteur_participant|session|remember_token)=)[^;\s\"']+"), rf"\1{MASK}"),
    # SQLAlchemy error messages quote the statement's parameters (observation text, codes).
    (re.compile(r"(\[parameters: )[^\n]*"), rf"\1{MASK}]"),
]
#: A path segment this long and token-like is masked whatever the route (UUIDs excepted).
_LONG_SEGMENT = re.compile(rf"(?<=/)[A-Za-z0-9_\-]{{32,}}{_END}")


def _long_segment(match: re.Match[str]) -> str:
    text = match.group(0)
    return text if _UUID.fullmatch(text) else MASK


#: What every rule above needs somewhere in a line before it can match (a line without any of these
#: is left as it is without running the rules: most access lines, the ingest's among them — the rules
#: cost about 3 % of the ingest's time under load, bench/README.md, eighteenth pass).
_MAYBE = re.compile(
    r"/m/|/auth/|/invitation|/mot-de-passe-oublie/|=|bearer|\[parameters: |/[A-Za-z0-9_\-]{32}", re.IGNORECASE
)


def mask(text: str) -> str:
    """``text`` with join codes, tokens, cookies and SQL parameters replaced by ``***``."""
    if _MAYBE.search(text) is None:
        return text
    return _apply_rules(text)


def _apply_rules(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return _LONG_SEGMENT.sub(_long_segment, text)


class SecretFilter(logging.Filter):
    """Rewrites a record's message (and exception text) with secrets masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("sqlalchemy.engine") and record.args:
            # Parameter and row lines ("[%s] %r", "Row %r"): their values are participants' data.
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(a if isinstance(a, str) else "[valeurs masquées]" for a in args)
            record.msg = str(record.msg).replace("%r", "%s")
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a malformed record is logging's problem, not ours)
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


#: The one instance installed everywhere (so installing twice adds nothing).
SECRET_FILTER = SecretFilter()


def install(*logger_names: str) -> None:
    """Install the filter on these loggers, the usual ones, and every ``webapp.*`` logger; idempotent."""
    names = set(LOGGER_NAMES) | set(logger_names) | {"webapp"}
    names |= {n for n in logging.root.manager.loggerDict if n.startswith("webapp.")}
    for name in sorted(names):
        logger = logging.getLogger(name)
        if SECRET_FILTER not in logger.filters:
            logger.addFilter(SECRET_FILTER)


def init_app(app: Any) -> None:
    """Install the filter for this app (its logger included); safe to call more than once."""
    install(app.logger.name)


try:  # gunicorn is only there on servers (it is a dependency, but keep the module importable alone)
    from gunicorn.glogging import Logger as _GunicornBase
except ImportError:  # pragma: no cover
    _GunicornBase = None  # type: ignore[assignment,misc]


if _GunicornBase is not None:

    class GunicornLogger(_GunicornBase):  # type: ignore[misc,valid-type]
        """gunicorn's logger with secrets masked from its access and error lines (``--logger-class``)."""

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                if SECRET_FILTER not in log.filters:
                    log.addFilter(SECRET_FILTER)
