"""Observation forms as versioned data: definitions, field types, answer checking, XLSForm import.

No Flask and no database here: the web app imports this package, never the reverse. The XLSForm importer
(``mobile_forms.xlsform``) is not imported here, so pyxform is only loaded by code that imports it.
"""

from mobile_forms.answers import (
    AnswerError,
    AnswerErrors,
    NormalisedAnswers,
    ShownAnswer,
    shown_answers,
    validate_answers,
)
from mobile_forms.fields import FIELD_TYPES, FieldDefinition, FieldType, LocalizedText
from mobile_forms.schema import (
    DefinitionError,
    FormDefinition,
    Theme,
    get_definition,
    latest,
    load_definition,
    load_definitions,
    parse_definition,
)

__all__ = [
    "FIELD_TYPES",
    "AnswerError",
    "AnswerErrors",
    "DefinitionError",
    "FieldDefinition",
    "FieldType",
    "FormDefinition",
    "LocalizedText",
    "NormalisedAnswers",
    "ShownAnswer",
    "Theme",
    "get_definition",
    "latest",
    "load_definition",
    "load_definitions",
    "parse_definition",
    "shown_answers",
    "validate_answers",
]
