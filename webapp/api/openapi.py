"""The OpenAPI 3.1 description of ``/api/v1``; a test checks it lists every route of the blueprint."""

from __future__ import annotations

from typing import Any

from geodata.shapes import FRANCE_BOXES
from webapp.ids import CANONICAL_UUID
from webapp.models.enums import AgeBand, Gender, ParticipantStatus

_ERROR = {"$ref": "#/components/schemas/Error"}
#: Every answer may also be one of these: a malformed body (400), a body too large (413), the
#: database briefly away (503, with Retry-After).
_ALWAYS = (400, 503)
#: A capture time as the API reads it: RFC 3339, years 2000 to 2099.
CAPTURED_AT_PATTERN = (
    r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_UUID = {"type": "string", "format": "uuid", "pattern": CANONICAL_UUID.pattern}


def _box(lon: tuple[float, float], lat: tuple[float, float]) -> dict[str, Any]:
    return {
        "properties": {
            "lon": {"minimum": lon[0], "maximum": lon[1]},
            "lat": {"minimum": lat[0], "maximum": lat[1]},
        }
    }


def _swapped_positions() -> dict[str, Any]:
    """Positions outside France whose axes read the other way fall in France: refused as swapped."""
    in_france = [_box((w, e), (s, n)) for w, s, e, n in FRANCE_BOXES.values()]
    swapped = [_box((s, n), (w, e)) for w, s, e, n in FRANCE_BOXES.values()]
    return {"allOf": [{"anyOf": swapped}, {"not": {"anyOf": in_france}}]}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    codes = tuple(sorted({*codes, *_ALWAYS}))
    text = {
        400: "The body is not readable JSON (nested too deep, numbers out of range…)",
        503: "The database cannot be reached for a moment: retry after Retry-After seconds",
        401: "Missing, unknown or expired participant token (WWW-Authenticate: Bearer)",
        403: "The walk is closed (capture only; one's own data stays reachable until the token expires)",
        404: "Unknown resource (or another participant's)",
        409: "The UUID is already used with other content",
        413: "File or request too large",
        422: "Validation errors, per field: {field: [{code, message: {fr, en}, params}]}",
        429: "Too many attempts (see Retry-After)",
    }
    return {str(code): _json(_ERROR, text[code]) for code in codes}


_UUID_PARAM = {
    "name": "client_uuid",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}
_PHOTO_PARAM = {
    "name": "photo_uuid",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}
_OBS = {"$ref": "#/components/schemas/Observation"}
_ERASURE = {
    "type": "object",
    "properties": {
        "deleted": {
            "type": "object",
            "properties": {
                "observations": {"type": "integer"},
                "photos": {"type": "integer"},
                "profile": {"type": "boolean"},
            },
        }
    },
}
#: From a stored observation to the operations on it (fuzzers follow these to reach real rows).
_OBSERVATION_LINKS = {
    name: {"operationId": operation, "parameters": {"client_uuid": "$response.body#/client_uuid"}}
    for name, operation in (
        ("GetObservation", "getObservation"),
        ("UpdateObservation", "updateObservation"),
        ("DeleteObservation", "deleteObservation"),
    )
}
_SUBMISSION = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Submission"}}},
}


def document(*, answers: dict[str, Any] | None = None, form: tuple[str, int] | None = None) -> dict[str, Any]:
    """The OpenAPI document.

    With ``answers`` and ``form`` (a participant's token came with the request), ``Submission``
    describes that walk's form exactly: which themes and sub-themes exist, each question's type and
    which are required. Without them, answers are described generically.
    """
    form_reference = {
        "type": "object",
        "required": ["key"],
        "additionalProperties": False,
        "properties": {
            "key": {"type": "string"} if form is None else {"const": form[0]},
            "version": {"type": "integer"} if form is None else {"const": form[1]},
            "url": {"type": "string"},
        },
    }
    answers_schema = answers or {
        "type": "object",
        "description": "theme, subtheme and one entry per field of the form (see /forms)",
        "required": ["theme"],
    }
    profile = {
        "age_band": [m.value for m in AgeBand],
        "gender": [m.value for m in Gender],
        "status": [m.value for m in ParticipantStatus],
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Arpenteur — API de relevé",
            "version": "1",
            "description": (
                "Used by the capture page. Writes are idempotent on UUIDs made by the phone: "
                "201 for a new resource, 200 for a resend with the same content, 409 for other content. "
                "A participant may export (/me/export) and erase (/me, /me/observations, one observation) "
                "their own data for as long as their token is valid, even once the walk is closed."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"participant": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {
                        "error": {"type": "string"},
                        "message": {"type": "string", "description": "In French"},
                        "details": {"type": ["object", "array"]},
                    },
                },
                "Location": {
                    "type": "object",
                    "required": ["lon", "lat"],
                    "additionalProperties": False,
                    "description": (
                        "WGS84 degrees. A position outside France whose axes read the other way round "
                        "fall in France is refused as swapped (details.location[0].code = swapped)."
                    ),
                    "properties": {
                        "lon": {"type": "number", "minimum": -180, "maximum": 180},
                        "lat": {"type": "number", "minimum": -90, "maximum": 90},
                        "accuracy_m": {"type": ["number", "null"], "minimum": 0, "maximum": 100000},
                        "source": {"enum": ["gps", "pin"]},
                    },
                    "not": _swapped_positions(),
                },
                "FormReference": {
                    "type": "object",
                    "required": ["key", "version"],
                    "properties": {
                        "key": {"type": "string"},
                        "version": {"type": "integer"},
                        "url": {
                            "type": "string",
                            "description": "where to fetch it (GET /forms/{key}/{version})",
                        },
                    },
                },
                "Walk": {
                    "type": "object",
                    "required": ["form"],
                    "properties": {
                        "form": {
                            "$ref": "#/components/schemas/FormReference",
                            "description": "The form the walk uses: answer its questions, and only them",
                        },
                    },
                },
                "Submission": {
                    "type": "object",
                    "required": ["client_uuid", "location", "answers"],
                    "additionalProperties": False,
                    "properties": {
                        "client_uuid": _UUID,
                        "form": {
                            **form_reference,
                            "description": (
                                "The walk's form (GET /walk says which); optional. Another form is "
                                "refused with 422 and details.form[0].code = wrong_form (params: "
                                "expected, got)."
                            ),
                        },
                        "captured_at": {
                            "type": "string",
                            "format": "date-time",
                            "pattern": CAPTURED_AT_PATTERN,
                            "description": (
                                "When the phone recorded it. Optional: the receipt time otherwise. A "
                                "time in the future (a phone clock ahead) is stored as the receipt time."
                            ),
                        },
                        "location": {"$ref": "#/components/schemas/Location"},
                        "answers": answers_schema,
                    },
                },
                "Photo": {
                    "type": "object",
                    "properties": {
                        "client_uuid": {"type": "string", "format": "uuid"},
                        "width": {"type": "integer"},
                        "height": {"type": "integer"},
                        "size_bytes": {"type": "integer"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "url": {"type": "string", "description": "In exports: where to download it"},
                    },
                },
                "Export": {
                    "type": "object",
                    "required": ["walk", "participant", "observations", "observations_geojson"],
                    "properties": {
                        "exported_at": {"type": "string", "format": "date-time"},
                        "walk": {"type": "object"},
                        "participant": {
                            "type": "object",
                            "description": "Join time, token expiry and the optional profile",
                        },
                        "observations": {
                            "type": "array",
                            "items": {
                                "allOf": [
                                    _OBS,
                                    {
                                        "type": "object",
                                        "properties": {
                                            "purged_at": {"type": ["string", "null"], "format": "date-time"},
                                            "moderation_history": {
                                                "type": "array",
                                                "items": {"type": "object"},
                                            },
                                        },
                                    },
                                ]
                            },
                        },
                        "observations_geojson": {
                            "type": "object",
                            "description": "GeoJSON FeatureCollection",
                        },
                    },
                },
                "Observation": {
                    "type": "object",
                    "properties": {
                        "client_uuid": {"type": "string", "format": "uuid"},
                        "walk_id": {"type": "integer"},
                        "form": {"type": "object"},
                        "theme": {"type": "string"},
                        "subtheme": {"type": ["string", "null"]},
                        "polarity": {"enum": ["positive", "negative", "neutral"]},
                        "feeling": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                        "note": {"type": "string"},
                        "proposal": {"type": "string"},
                        "answers": {"type": "object"},
                        "location": {
                            "type": "object",
                            "properties": {
                                "lon": {"type": "number"},
                                "lat": {"type": "number"},
                                "accuracy_m": {"type": ["number", "null"]},
                                "source": {"enum": ["gps", "pin", "facilitator"]},
                            },
                        },
                        "zone": {"type": ["object", "null"]},
                        "zone_name": {"type": "string"},
                        "out_of_area": {"type": "boolean"},
                        "moderation_status": {"enum": ["pending", "validated", "hidden"]},
                        "captured_at": {"type": "string", "format": "date-time"},
                        "received_at": {"type": "string", "format": "date-time"},
                        "updated_at": {"type": "string", "format": "date-time"},
                        "photos": {"type": "array", "items": {"$ref": "#/components/schemas/Photo"}},
                    },
                },
            },
        },
        "paths": {
            "/join": {
                "post": {
                    "summary": "Join an open walk with its code (rate-limited per address)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["code"],
                                    "properties": {
                                        "code": {
                                            "type": "string",
                                            "pattern": "[A-Za-z0-9]",
                                            "description": "Spaces and dashes are ignored",
                                        },
                                        "join_id": {
                                            **_UUID,
                                            "description": (
                                                "Made by the phone: the same join sent again after a "
                                                "lost answer finds the same participant (200)"
                                            ),
                                        },
                                        **{
                                            name: {
                                                "enum": [*values, ""],
                                                "description": "Optional; empty means not said",
                                            }
                                            for name, values in profile.items()
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json({"type": "object"}, "The participant token (shown once) and the walk"),
                        "200": _json({"type": "object"}, "The same join again: same participant, new token"),
                        **_errors(403, 404, 409, 413, 422, 429),
                    },
                }
            },
            "/walk": {
                "get": {
                    "summary": "The walk of the token: title, route, stops, and which form it uses",
                    "security": [{"participant": []}],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Walk"}, "The walk"),
                        **_errors(401, 403),
                    },
                }
            },
            "/forms/{key}": {
                "get": {
                    "summary": "Newest stored version of a form, as the capture page renders it",
                    "parameters": [
                        {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": _json({"type": "object"}, "The form"), **_errors(404)},
                }
            },
            "/forms/{key}/{version}": {
                "get": {
                    "summary": "One stored version of a form (never changes once stored)",
                    "parameters": [
                        {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "version", "in": "path", "required": True, "schema": {"type": "integer"}},
                    ],
                    "responses": {"200": _json({"type": "object"}, "The form"), **_errors(404)},
                }
            },
            "/observations": {
                "post": {
                    "operationId": "createObservation",
                    "summary": "Create an observation (idempotent on client_uuid)",
                    "security": [{"participant": []}],
                    "requestBody": _SUBMISSION,
                    "responses": {
                        "201": {**_json(_OBS, "Stored"), "links": _OBSERVATION_LINKS},
                        "200": {
                            **_json(_OBS, "Already stored with the same content"),
                            "links": _OBSERVATION_LINKS,
                        },
                        **_errors(401, 403, 409, 413, 422),
                    },
                },
                "get": {
                    "summary": "The participant's own observations",
                    "security": [{"participant": []}],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"observations": {"type": "array", "items": _OBS}},
                            },
                            "Newest first",
                        ),
                        **_errors(401, 403),
                    },
                },
            },
            "/observations/{client_uuid}": {
                "parameters": [_UUID_PARAM],
                "get": {
                    "operationId": "getObservation",
                    "summary": "One of the participant's observations",
                    "security": [{"participant": []}],
                    "responses": {"200": _json(_OBS, "The observation"), **_errors(401, 403, 404)},
                },
                "put": {
                    "operationId": "updateObservation",
                    "summary": "Replace the content of one's observation (idempotent)",
                    "security": [{"participant": []}],
                    "requestBody": _SUBMISSION,
                    "responses": {"200": _json(_OBS, "Updated"), **_errors(401, 403, 404, 409, 413, 422)},
                },
                "delete": {
                    "operationId": "deleteObservation",
                    "summary": "Delete one's observation and its photos (also after the walk closed)",
                    "security": [{"participant": []}],
                    "responses": {"204": {"description": "Deleted"}, **_errors(401, 404)},
                },
            },
            "/observations/{client_uuid}/photos/{photo_uuid}": {
                "parameters": [_UUID_PARAM, _PHOTO_PARAM],
                "put": {
                    "operationId": "putPhoto",
                    "summary": "Upload a photo; the body is the image (JPEG, PNG or WebP). EXIF is removed.",
                    "security": [{"participant": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "responses": {
                        "201": _json({"$ref": "#/components/schemas/Photo"}, "Stored"),
                        "200": _json({"$ref": "#/components/schemas/Photo"}, "Already stored"),
                        **_errors(401, 403, 404, 409, 413, 422),
                    },
                },
                "get": {
                    "summary": "One of the participant's own photos (also after the walk closed)",
                    "security": [{"participant": []}],
                    "responses": {
                        "200": {
                            "description": "The stored JPEG, without metadata",
                            "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
                        },
                        **_errors(401, 404),
                    },
                },
            },
            "/me/export": {
                "get": {
                    "summary": "Everything stored about the participant (RGPD access), token permitting",
                    "security": [{"participant": []}],
                    "parameters": [
                        {
                            "name": "format",
                            "in": "query",
                            "required": False,
                            "schema": {"enum": ["json", "geojson"]},
                            "description": "geojson: only the observations, as a FeatureCollection",
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The export (sent as an attachment)",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Export"}},
                                "application/geo+json": {"schema": {"type": "object"}},
                            },
                        },
                        **_errors(401, 422),
                    },
                }
            },
            "/me": {
                "delete": {
                    "operationId": "eraseMe",
                    "summary": (
                        "Erase the participant: observations, photos and profile. The token stops working, "
                        "so a repeated request gets 401 and changes nothing."
                    ),
                    "security": [{"participant": []}],
                    "responses": {"200": _json(_ERASURE, "What was erased"), **_errors(401)},
                }
            },
            "/me/observations": {
                "delete": {
                    "summary": "Erase all one's observations and photos; the token stays (idempotent)",
                    "security": [{"participant": []}],
                    "responses": {"200": _json(_ERASURE, "What was erased"), **_errors(401)},
                }
            },
            "/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}
            },
        },
    }
