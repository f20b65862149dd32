"""INSEE commune codes: what makes a code plausible, and the département it belongs to.

A commune code (code officiel géographique) has five characters: the département, then the
commune's number in it. Metropolitan départements are 01 to 95 on two characters, Corsica is
2A or 2B (never 20 since 1976), overseas ones take three digits (971 Guadeloupe … 976 Mayotte;
975, 977 and 978 are Saint-Pierre-et-Miquelon, Saint-Barthélemy and Saint-Martin) and leave two
digits for the commune. Number 000 (or 00 overseas) is no commune.

Functions return reason keys, never sentences: callers word the message for people.
"""

from __future__ import annotations

import re

__all__ = ["INSEE_REASONS", "departement_of", "insee_issue", "normalise_insee", "split_insee"]

#: Reason keys :func:`insee_issue` returns.
INSEE_REASONS = ("length", "characters", "corsica", "departement", "number")

_SPLIT = re.compile(r"[\s,;]+")
_OVERSEAS = frozenset({"971", "972", "973", "974", "975", "976", "977", "978"})


def normalise_insee(code: str) -> str:
    """The code as stored: stripped, upper case (``2a004`` → ``2A004``)."""
    return str(code).strip().upper()


def split_insee(text: str) -> list[str]:
    """The codes typed in one field (spaces, commas or semicolons between them), normalised, once each."""
    codes: list[str] = []
    for token in _SPLIT.split(str(text)):
        code = normalise_insee(token)
        if code and code not in codes:
            codes.append(code)
    return codes


def departement_of(code: str) -> str:
    """The département part of a (valid) commune code: ``80``, ``2A``, ``974``."""
    code = normalise_insee(code)
    return code[:3] if code.startswith("97") else code[:2]


def insee_issue(code: str) -> str | None:
    """Why ``code`` cannot be an INSEE commune code (a key of :data:`INSEE_REASONS`), or None."""
    code = normalise_insee(code)
    if len(code) != 5:
        return "length"
    if code[:2] in ("2A", "2B"):
        if not code[2:].isdigit():
            return "characters"
        return "number" if code[2:] == "000" else None
    if not code.isdigit():
        return "characters"
    if code.startswith("20"):
        return "corsica"
    if code.startswith("97"):
        if code[:3] not in _OVERSEAS:
            return "departement"
        return "number" if code[3:] == "00" else None
    if not 1 <= int(code[:2]) <= 95:
        return "departement"
    return "number" if code[2:] == "000" else None
