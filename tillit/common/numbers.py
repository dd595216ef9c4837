"""Numbers as Swedish readers write them: 12 345,6 (space between thousands, decimal comma)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"  # keeps 12 345 on one line
MINUS = "\u2212"  # the typographic minus sign


def decimals_for(values: list[Decimal | None]) -> int:
    """How many decimals a series needs to be read: none from 100 up, one below, two below 1."""
    present = [abs(v) for v in values if v is not None]
    if not present:
        return 0
    largest = max(present)
    if largest >= 100:
        return 0
    if largest >= 1:
        return 1
    return 2


def format_sv(value: Decimal | float | int | None, decimals: int = 0, *, empty: str = "–") -> str:
    """12345.678 → '12 346' (0 decimals) or '12 345,7' (1 decimal); None → '–'."""
    if value is None:
        return empty
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = MINUS if number < 0 else ""
    whole, _sep, fraction = f"{abs(number):.{decimals}f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = NBSP.join(groups)
    return f"{sign}{text},{fraction}" if decimals else f"{sign}{text}"
