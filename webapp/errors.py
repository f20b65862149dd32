"""Domain exceptions raised by services, and how the app turns them into HTTP responses.

Each error carries a stable ``code`` for the API and a French message for the UI; ``details`` names
the fields or features at fault.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """Base class: something the user asked for cannot be done, for a reason we can state."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, details: dict[str, Any] | list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

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
    status = 429
    code = "too_many_requests"


class ImportFailed(DomainError):
    """An import was refused as a whole; nothing was written."""

    status = 422
    code = "import_failed"


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    """Register handlers: JSON for the API, French pages for people."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):  # type: ignore[no-untyped-def]
        if _wants_json():
            return jsonify(error.to_dict()), error.status
        return render_template("error.html", status=error.status, message=error.message), error.status

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        messages = {
            404: "Cette page n'existe pas.",
            405: "Cette action n'est pas possible ici.",
            413: "Le fichier envoyé est trop volumineux.",
            429: "Trop de tentatives : réessayez dans une minute.",
        }
        message = messages.get(error.code or 500, "Une erreur est survenue.")
        if _wants_json():
            return jsonify(
                {"error": (error.name or "error").lower().replace(" ", "_"), "message": message}
            ), error.code
        return render_template("error.html", status=error.code, message=message), error.code
