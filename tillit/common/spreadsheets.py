"""Writing values that a spreadsheet will open: text stays text, never a formula."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Stop a spreadsheet from running a text as a formula (formula injection, CWE-1236)."""
    return "'" + value if value[:1] in FORMULA_STARTS else value
