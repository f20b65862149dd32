"""Fields and a base class shared by the staff forms (Flask-WTF): typing, bounds and French messages.

Every id read from a form goes through :func:`webapp.ids.parse_id` (ASCII digits, at most
:data:`webapp.ids.MAX_ID`), every whole number through :func:`webapp.ids.parse_int` with its bounds,
and a "next" address through :func:`webapp.security.safe_local_path`. A view reads ``form.<field>.data``,
already typed, and :meth:`StaffForm.check` turns the first problem into the same
``ValidationError`` (and so the same message and status) the page showed before forms existed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, StringField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from webapp.errors import ValidationError
from webapp.ids import MAX_ID, parse_id, parse_int
from webapp.security import safe_local_path

#: Default messages of the fields below.
NOT_AN_ID = _l("Numéro invalide.")
NOT_A_WHOLE_NUMBER = _l("Nombre entier attendu.")
NOT_A_NUMBER = _l("Nombre attendu.")
NOT_A_DATE = _l("Date invalide.")


def strip(value: Any) -> Any:
    """Filter: surrounding spaces off a text value."""
    return value.strip() if isinstance(value, str) else value


class StaffForm(FlaskForm):
    """A staff form whose first problem becomes a :class:`ValidationError` (see :meth:`check`)."""

    def first_error(self) -> tuple[str, str] | None:
        """``(field name, message)`` of the first problem, in field order, or None."""
        for name, field in self._fields.items():
            if field.errors:
                return name, str(field.errors[0])
        return None

    def check(self) -> None:
        """Validate, or raise the first problem as a ``ValidationError`` (422, its French message)."""
        if not self.validate():
            name, message = self.first_error() or ("form", str(_l("Formulaire invalide.")))
            raise ValidationError(message, details={name: "invalid"})


class Required:
    """The field must hold a value (``data`` not None nor empty), else ``message``."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is None or field.data == "" or field.data == []:
            if field.errors:  # the value was given but unreadable: that message says it already
                raise StopValidation()
            raise StopValidation(self.message)


class IdField(Field):
    """A row id (1 to ``MAX_ID``) typed or sent in a form; blank is None, anything else a French message.

    ``lenient``: an unreadable id is None too, without a message (an optional link to another row).
    """

    widget = TextInput()

    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        *,
        message: Any = NOT_AN_ID,
        strip_chars: str = "",
        lenient: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message
        self.strip_chars = strip_chars
        self.lenient = lenient
        self.raw = ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = str(valuelist[0]).strip().lstrip(self.strip_chars) if valuelist else ""
        self.data = None
        if self.raw:
            self.data = parse_id(self.raw)
            if self.data is None and not self.lenient:
                raise ValueError(self.message)

    def _value(self) -> str:
        return str(self.data) if self.data is not None else self.raw


class IdListField(Field):
    """Several ids under one name (checkboxes): the readable ones, in order; others are dropped."""

    def __init__(self, label: Any = None, validators: Sequence[Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [i for i in map(parse_id, valuelist) if i is not None]

    def _value(self) -> str:
        return ",".join(map(str, self.data or []))


class TextListField(Field):
    """Several texts under one name (checkboxes of codes), as sent, blanks left out."""

    def __init__(self, label: Any = None, validators: Sequence[Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(v).strip() for v in valuelist if str(v).strip()]

    def _value(self) -> str:
        return ",".join(self.data or [])


class WholeNumberField(Field):
    """A whole number within ``[minimum, maximum]`` (ASCII digits); outside or unreadable: ``message``.

    Blank is None; add :class:`Required` (with the same message) when a value is needed.
    """

    widget = TextInput()

    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        *,
        minimum: int = 0,
        maximum: int = MAX_ID,
        message: Any = NOT_A_WHOLE_NUMBER,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.message = minimum, maximum, message
        self.raw = ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = str(valuelist[0]).strip()[:20] if valuelist else ""
        self.data = None
        if self.raw:
            self.data = parse_int(self.raw, minimum=self.minimum, maximum=self.maximum)
            if self.data is None:
                raise ValueError(self.message)

    def _value(self) -> str:
        return str(self.data) if self.data is not None else self.raw


class DecimalField(Field):
    """A decimal number typed with a dot or a French comma; unreadable: ``message``."""

    widget = TextInput()
    data: float | None

    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        *,
        message: Any = NOT_A_NUMBER,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]).strip().replace(",", ".") if valuelist else ""
        try:
            self.data = float(raw)
        except ValueError as error:
            self.data = None
            raise ValueError(self.message) from error


class IsoDateField(Field):
    """A date as ``<input type=date>`` sends it (YYYY-MM-DD); blank is None, unreadable: ``message``."""

    widget = TextInput(input_type="date")

    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        *,
        message: Any = NOT_A_DATE,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message
        self.raw = ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = str(valuelist[0]).strip()[:40] if valuelist else ""
        self.data = None
        if self.raw:
            try:
                self.data = date.fromisoformat(self.raw)
            except ValueError as error:
                raise ValueError(self.message) from error

    def _value(self) -> str:
        return self.data.isoformat() if self.data else self.raw


class CheckboxField(BooleanField):
    """A checkbox: ticked when the browser sends ``1``, ``on`` or ``yes``; anything else is unticked."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = bool(valuelist) and valuelist[0] in ("1", "on", "yes")


class TextField(StringField):
    """Free text, kept as typed (the services strip and bound it); absent, it is ``""``."""

    def __init__(self, label: Any = None, validators: Sequence[Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("default", "")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = str(valuelist[0])
        elif self.data is None:
            self.data = ""


class NextField(HiddenField):
    """Where to go back after the form: a path on this site only (``safe_local_path``)."""

    def target(self, fallback: str) -> str:
        """The path sent with the form if it is one of ours, else ``fallback``."""
        return safe_local_path(self.data, fallback)
