"""Our own indicators beside Kolada's on the benchmark page, from the quality app's stored results.

They are shown in their own section, "Egna nyckeltal", never under "Källa: Kolada": they are
pooled over every provider and measured month of the year, while Kolada's come from national
surveys and measurement periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from tillit.quality.selectors import municipality_year_figures


@dataclass(frozen=True)
class OwnIndicatorRow:
    """One own indicator over the years: what it is, its unit, and a value per year."""

    title: str
    unit: str
    values: dict[int, Decimal | None] = field(default_factory=dict)
    definition: str = ""  # one sentence, or where the definition is (docs/…)
    kolada_kpi: str = ""  # the Kolada KPI it corresponds to, if any


def own_indicators(municipality: object, years: list[int]) -> list[OwnIndicatorRow]:
    """Staff continuity (mean, share over 20) and punctuality per year, for our municipality
    (whichever municipality the page compares: these are always the installation's own)."""
    rows = [
        ("continuity_mean", _("Staff continuity, mean number of staff in 14 days"), _("number"), "U21401"),
        ("continuity_over_20", _("Share meeting more than 20 staff in 14 days"), "%", "U21436"),
        ("punctuality", _("Visits begun within the margin of the planned time"), "%", ""),
    ]
    figures = municipality_year_figures(indicators=[code for code, *_rest in rows], years=years)
    if not any(value is not None for value in figures.values()):
        return []
    return [
        OwnIndicatorRow(
            title=title, unit=unit, values={year: figures[(code, year)] for year in years},
            definition=_("Pooled over every provider and measured month of the year; see the indicator definitions."),
            kolada_kpi=kpi,
        )
        for code, title, unit, kpi in rows
    ]
