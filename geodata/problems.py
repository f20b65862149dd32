"""What is wrong with a perimeter file: one ``Problem`` per fault, ``PerimeterError`` listing them all.

``Problem.reason`` keys are stable for callers and tests; ``geodata.perimeters`` lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PerimeterError", "Problem", "fail", "problem"]

_PROBLEMS_IN_MESSAGE = 20


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or, in PerimeterSet.warnings, worth knowing) about an input file."""

    reason: str  #: stable key, e.g. "duplicate_code", "swapped_axes" (listed in the module docstring)
    message_fr: str  #: what is wrong, in French, for facilitators
    message_en: str  #: the same in English, for logs
    index: int | None = None  #: 0-based position of the feature in the file; None = whole file
    code: str | None = None  #: code of the feature when known
    field: str | None = None  #: name of the field at fault, as written in the file

    def describe(self, lang: str = "en") -> str:
        """Return 'where: what' in French ("fr") or English."""
        fr = lang == "fr"
        if self.index is None:
            where = "fichier" if fr else "file"
        else:
            where = f"élément n° {self.index + 1}" if fr else f"feature #{self.index + 1}"
            if self.code:
                where += f" ({self.code})"
        if self.field:
            where += f", champ « {self.field} »" if fr else f", field '{self.field}'"
        return f"{where} : {self.message_fr}" if fr else f"{where}: {self.message_en}"

    def __str__(self) -> str:
        return self.describe("en")


class PerimeterError(ValueError):
    """A perimeter file cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.report("en"))

    def report(self, lang: str = "en", limit: int = _PROBLEMS_IN_MESSAGE) -> str:
        """Return a readable multi-line summary in French ("fr") or English."""
        n = len(self.problems)
        head = (
            f"{n} problème(s) : import refusé, rien n'a été importé"
            if lang == "fr"
            else f"{n} problem(s): import refused, nothing was imported"
        )
        lines = [head, *(f"- {p.describe(lang)}" for p in self.problems[:limit])]
        if n > limit:
            lines.append(f"- … et {n - limit} autre(s)" if lang == "fr" else f"- … and {n - limit} more")
        return "\n".join(lines)

    @property
    def reasons(self) -> list[str]:
        """Return the reason key of every problem, in order."""
        return [p.reason for p in self.problems]


def problem(
    reason: str,
    fr: str,
    en: str,
    *,
    index: int | None = None,
    code: str | None = None,
    field: str | None = None,
) -> Problem:
    """Return a Problem; ``where`` is index, code and field."""
    return Problem(reason=reason, message_fr=fr, message_en=en, index=index, code=code, field=field)


def fail(reason: str, fr: str, en: str, **where: Any) -> PerimeterError:
    """Return (for ``raise``) a PerimeterError of a single problem."""
    return PerimeterError([problem(reason, fr, en, **where)])
