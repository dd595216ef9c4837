"""Our value beside a group's: median, range and rank, year by year (pure functions).

Definitions (docs/benchmarks.md says the same for readers):

* The group is its members *other than us*: Kolada's "Liknande kommuner äldreomsorg, X"
  does not contain X, SKR's kommungrupp does; either way we compare with the others.
* Median: the middle value of the members that have a value that year (the mean of the two
  middle ones when their number is even). Members without a value are left out, and the
  number with a value is shown beside the median.
* Range: the lowest and the highest member value.
* Rank: our place among us and the members with a value, 1 = the highest value; equal values
  share a place (1, 2, 2, 4). "High" is not "good": for a cost a low rank number is expensive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Point:
    """One municipality's value for one year (None: Kolada has the row but no number)."""

    municipality: str
    value: Decimal | None
    status: str = ""

    @property
    def uncertain(self) -> bool:
        return bool(self.status)


@dataclass
class YearRow:
    year: int
    ours: Point | None
    median: Decimal | None
    low: Decimal | None
    high: Decimal | None
    low_name: str
    high_name: str
    with_value: int  # members with a value this year
    members: int  # members in the group
    rank: int | None
    ranked: int  # how many were ranked (us included)
    group_uncertain: bool  # a member's value is marked uncertain by Kolada


@dataclass
class KpiComparison:
    kpi: str
    title: str
    description: str
    years: list[YearRow] = field(default_factory=list)

    @property
    def latest(self) -> YearRow | None:
        """The latest year with our value, else the latest year with any value."""
        for row in reversed(self.years):
            if row.ours is not None and row.ours.value is not None:
                return row
        return self.years[-1] if self.years else None

    @property
    def has_values(self) -> bool:
        return any((row.ours and row.ours.value is not None) or row.with_value for row in self.years)


def median(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def rank(ours: Decimal, others: list[Decimal]) -> int:
    """1 + how many others are higher (competition ranking: ties share the better place)."""
    return 1 + sum(1 for value in others if value > ours)


def year_row(year: int, ours: Point | None, members: list[Point], member_count: int, names: dict[str, str]) -> YearRow:
    valued = [p for p in members if p.value is not None]
    values = [p.value for p in valued if p.value is not None]
    low = min(valued, key=lambda p: p.value) if valued else None  # type: ignore[arg-type,return-value]
    high = max(valued, key=lambda p: p.value) if valued else None  # type: ignore[arg-type,return-value]
    our_value = ours.value if ours is not None else None
    return YearRow(
        year=year,
        ours=ours,
        median=median(values),
        low=low.value if low else None,
        high=high.value if high else None,
        low_name=names.get(low.municipality, low.municipality) if low else "",
        high_name=names.get(high.municipality, high.municipality) if high else "",
        with_value=len(values),
        members=member_count,
        rank=rank(our_value, values) if our_value is not None else None,
        ranked=len(values) + (1 if our_value is not None else 0),
        group_uncertain=any(p.uncertain for p in members),
    )
