"""The OpenAPI 3.1 description of ``/api/v1``; a test checks it lists every route of the blueprint."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
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
_SUBMISSION = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Submission"}}}}


def document() -> dict[str, Any]:
    """The OpenAPI document."""
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
                    "properties": {
                        "lon": {"type": "number", "minimum": -180, "maximum": 180},
                        "lat": {"type": "number", "minimum": -90, "maximum": 90},
                        "accuracy_m": {"type": ["number", "null"], "minimum": 0},
                        "source": {"enum": ["gps", "pin"]},
                    },
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
                        "client_uuid": {"type": "string", "format": "uuid"},
                        "form": {
                            "$ref": "#/components/schemas/FormReference",
                            "description": (
                                "The walk's form (GET /walk says which); optional. Another form is "
                                "refused with 422 and details.form[0].code = wrong_form (params: "
                                "expected, got)."
                            ),
                        },
                        "captured_at": {"type": "string", "format": "date-time"},
                        "location": {"$ref": "#/components/schemas/Location"},
                        "answers": {
                            "type": "object",
                            "description": "theme, subtheme and one entry per field of the form (see /forms)",
                            "required": ["theme"],
                        },
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
                        "location": {"$ref": "#/components/schemas/Location"},
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
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["code"],
                                    "properties": {
                                        "code": {"type": "string"},
                                        "age_band": {"type": "string"},
                                        "gender": {"type": "string"},
                                        "status": {"type": "string"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "201": _json({"type": "object"}, "The participant token (shown once) and the walk"),
                        **_errors(403, 404, 422, 429),
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
                    "summary": "Create an observation (idempotent on client_uuid)",
                    "security": [{"participant": []}],
                    "requestBody": _SUBMISSION,
                    "responses": {
                        "201": _json(_OBS, "Stored"),
                        "200": _json(_OBS, "Already stored with the same content"),
                        **_errors(401, 403, 409, 422),
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
                    "summary": "One of the participant's observations",
                    "security": [{"participant": []}],
                    "responses": {"200": _json(_OBS, "The observation"), **_errors(401, 403, 404)},
                },
                "put": {
                    "summary": "Replace the content of one's observation (idempotent)",
                    "security": [{"participant": []}],
                    "requestBody": _SUBMISSION,
                    "responses": {"200": _json(_OBS, "Updated"), **_errors(401, 403, 404, 422)},
                },
                "delete": {
                    "summary": "Delete one's observation and its photos (also after the walk closed)",
                    "security": [{"participant": []}],
                    "responses": {"204": {"description": "Deleted"}, **_errors(401, 404)},
                },
            },
            "/observations/{client_uuid}/photos/{photo_uuid}": {
                "parameters": [_UUID_PARAM, _PHOTO_PARAM],
                "put": {
                    "summary": "Upload a photo; the body is the image (JPEG, PNG or WebP). EXIF is removed.",
                    "security": [{"participant": []}],
                    "requestBody": {
                        "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}}
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
                        **_errors(401),
                    },
                }
            },
            "/me": {
                "delete": {
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
