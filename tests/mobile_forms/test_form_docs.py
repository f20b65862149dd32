"""The README documents every field type and every answer error code (a test fails when one is missing)."""

from __future__ import annotations

import re
from pathlib import Path

import mobile_forms
from mobile_forms.answers import ERROR_MESSAGES
from mobile_forms.fields import FIELD_TYPES

README = Path(mobile_forms.__file__).resolve().parent / "README.md"


def _documented_field_types() -> set[str]:
    return set(re.findall(r"^### `([a-z_]+)`$", README.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_every_registered_field_type_is_documented() -> None:
    missing = set(FIELD_TYPES) - _documented_field_types()
    assert not missing, f"document these field types in {README} under '### `name`': {sorted(missing)}"


def test_every_documented_field_type_exists() -> None:
    stale = _documented_field_types() - set(FIELD_TYPES)
    assert not stale, f"{README} documents field types that do not exist: {sorted(stale)}"


def test_every_answer_error_code_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [code for code in ERROR_MESSAGES if f"`{code}`" not in text]
    assert not missing, f"document these answer error codes in {README}: {missing}"
