"""The seam where our own computed indicators meet Kolada's on the benchmark page.

The quality app (being built in parallel) computes staff continuity and punctuality from the
visit ledger; when it exists, `own_indicators` returns its stored results here. The page shows
them in their own section, "Egna nyckeltal", never under "Källa: Kolada".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class OwnIndicatorRow:
    """One own indicator over the years: what it is, its unit, and a value per year."""

    title: str  # e.g. "Personalkontinuitet, median antal personal under 14 dagar"
    unit: str  # e.g. "antal", "%"
    values: dict[int, Decimal | None] = field(default_factory=dict)
    definition: str = ""  # one sentence, or where the definition is (docs/…)
    kolada_kpi: str = ""  # the Kolada KPI it corresponds to, if any (U21402 for continuity)


def own_indicators(municipality: object, years: list[int]) -> list[OwnIndicatorRow]:
    """Our own indicators for `municipality` in `years`; empty until the quality app fills it.

    The quality app will return, for each indicator it computes (staff continuity by
    Socialstyrelsen's method, punctuality against the quality declaration's margin, …), one
    row with its value per year, read from its stored results (never computed on a page load).
    """
    return []
