"""Domain exceptions raised by services, and how the app turns them into HTTP responses.

Each error carries a stable ``code`` for the API and a French message for the UI; ``details`` names
the fields or features at fault.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy.exc
from flask import Flask, Response, g, has_request_context, jsonify, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.security import safe_local_path

log = logging.getLogger(__name__)

#: Seconds a client should wait before retrying while the database cannot be reached.
DATABASE_RETRY_AFTER = 5
#: While the database is away, one log line per this many seconds (with the count of refused requests).
OUTAGE_LOG_SECONDS = 10.0


class _OutageLog:
    """Logs a database outage once, then once per :data:`OUTAGE_LOG_SECONDS` with a count.

    Fifty phones retrying every few seconds would otherwise write a line (or a traceback: 14 MB for a
    10-second outage before) per request.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = 0.0
        self.refused = 0

    def note(self, error: sqlalchemy.exc.DBAPIError) -> None:
        with self.lock:
            self.refused += 1
            now = time.monotonic()
            if now - self.last < OUTAGE_LOG_SECONDS:
                return
            refused, self.refused, self.last = self.refused, 0, now
        log.warning(
            "database unavailable, %d request(s) answered 503 (%s: %s)",
            refused,
            type(error.orig).__name__,
            str(error.orig).strip().splitlines()[0][:200] if str(error.orig).strip() else "",
        )


_outage_log = _OutageLog()


class Bilingual:
    """A message written out in both languages where it is raised (as the API's details are); it reads
    in the language of the request that shows it, French outside a request."""

    __slots__ = ("en", "fr")

    def __init__(self, fr: str, en: str) -> None:
        self.fr, self.en = fr, en

    def __str__(self) -> str:
        return self.en if has_request_context() and g.get("lang") == "en" else self.fr


class DomainError(Exception):
    """Base class: something the user asked for cannot be done, for a reason we can state."""

    status = 400
    code = "invalid"

    def __init__(
        self, message: str | LazyString | Bilingual, *, details: dict[str, Any] | list[Any] | None = None
    ) -> None:
        super().__init__(message)
        self._message = message
        self.details = details

    @property
    def message(self) -> str:
        """The message in the language of the request that shows it, when it was given as a catalogue
        entry (``lazy_gettext``: a resident joining in English reads why in English); as written
        otherwise."""
        return str(self._message)

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationError(DomainError):
    status = 422
    code = "validation_error"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    """No valid credentials (a participant token, for the API)."""

    status = 401
    code = "unauthorized"


class Gone(DomainError):
    """A link that existed but no longer works (expired, already used, withdrawn)."""

    status = 410
    code = "gone"


class TooManyRequests(DomainError):
    """Too many attempts; ``details["retry_after"]`` says in how many seconds to try again.

    The wait is also kept for this request (``g.retry_after``), so every 429 carries ``Retry-After``,
    including pages that catch the error to show it in their own form.
    """

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, details: dict[str, Any] | list[Any] | None = None) -> None:
        super().__init__(message, details=details)
        if isinstance(details, dict) and "retry_after" in details and has_request_context():
            g.retry_after = details["retry_after"]


class ImportFailed(DomainError):
    """An import was refused as a whole; nothing was written."""

    status = 422
    code = "import_failed"


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


#: Fields never shown back on a refused form: tokens, passwords, sign-in codes.
_NEVER_SHOWN = frozenset({"csrf_token", "password", "current_password", "confirm", "code"})


def _from_this_site() -> bool:
    """The post came from a page of this site: the browser's ``Origin`` (else ``Referer``) is ours."""
    source = urlsplit(request.headers.get("Origin") or request.referrer or "")
    here = urlsplit(request.host_url)
    return bool(source.netloc) and (source.scheme, source.netloc) == (here.scheme, here.netloc)


def _path_of(url: str | None) -> str:
    parts = urlsplit(url or "")
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _typed_texts() -> list[str]:
    """What a person wrote in the refused form (words, not codes or ids), in the form's order."""
    if request.blueprint == "auth":
        return []
    texts = []
    for name, value in request.form.items(multi=True):
        text = value.strip()
        if name not in _NEVER_SHOWN and any(c.isspace() for c in text) and any(c.isalpha() for c in text):
            texts.append(text)
    return texts


def _database_unreachable(error: Exception) -> bool:
    if isinstance(error, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError):
        return True
    return isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated


def init_app(app: Flask) -> None:
    """Register handlers: JSON for the API, French pages for people."""

    @app.errorhandler(sqlalchemy.exc.DBAPIError)
    def _database(error: sqlalchemy.exc.DBAPIError):  # type: ignore[no-untyped-def]
        # A database that is restarting, unreachable or busy is a passing fault: 503 with
        # Retry-After (phones keep the observation and retry), logged in one line, not a traceback
        # per request. Any other database error is a bug: re-raised, so it is a logged 500.
        if not _database_unreachable(error):
            raise error
        _outage_log.note(error)
        g.retry_after = DATABASE_RETRY_AFTER
        message = str(_l("Le service est momentanément indisponible : réessayez dans quelques secondes."))
        if _wants_json():
            return jsonify({"error": "service_unavailable", "message": message}), 503
        return render_template("error.html", status=503, message=message), 503

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):  # type: ignore[no-untyped-def]
        if _wants_json():
            return jsonify(error.to_dict()), error.status
        return render_template("error.html", status=error.status, message=error.message), error.status

    @app.errorhandler(CSRFError)
    def _stale_form(error: CSRFError):  # type: ignore[no-untyped-def]
        # A form whose token no longer matches its session: signed out (or the session ended) while
        # the page was open, or a post from another site. Say so, and give a person back what they
        # typed when the post came from this site's own page.
        message = str(_l("Ce formulaire n'est plus valable : rien n'a été enregistré."))
        if _wants_json():
            return jsonify({"error": "stale_form", "message": message}), 400
        ours = _from_this_site()
        back = safe_local_path(_path_of(request.referrer), request.path) if ours else None
        typed = _typed_texts() if ours else []
        return render_template("stale_form.html", message=message, back=back, typed=typed), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        messages = {
            400: _l("La requête est mal formée."),
            404: _l("Cette page n'existe pas."),
            405: _l("Cette action n'est pas possible ici."),
            413: _l("Le fichier envoyé est trop volumineux."),
            429: _l("Trop de tentatives : réessayez dans une minute."),
        }
        message = str(messages.get(error.code or 500, _l("Une erreur est survenue.")))
        if _wants_json():
            response = jsonify(
                {"error": (error.name or "error").lower().replace(" ", "_"), "message": message}
            )
        else:
            response = app.make_response(render_template("error.html", status=error.code, message=message))
        response.status_code = error.code or 500
        # Keep what the exception says about the request: Allow on a 405, Retry-After on a 429.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.after_request
    def _retry_after(response: Response) -> Response:
        # Every "try again later" says when, whichever page or API answered it.
        if response.status_code in (429, 503) and "retry_after" in g:
            response.headers.setdefault("Retry-After", str(int(g.retry_after)))
        return response
