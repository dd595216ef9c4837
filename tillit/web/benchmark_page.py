"""What the benchmark page, its Excel export and its PDF show: one view model from the request.

The page, the workbook and the board's PDF read the same choices (municipality, group, KPIs,
years) from the same GET parameters, so an export is exactly what the person was looking at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _

from tillit.accounts.access import Viewer
from tillit.benchmarks import selectors
from tillit.benchmarks.compare import KpiComparison, YearRow
from tillit.benchmarks.models import Kpi, Municipality
from tillit.common.numbers import decimals_for, format_sv
from tillit.web.charts import Chart, trend_chart
from tillit.web.own_indicators import OwnIndicatorRow, own_indicators

MAX_KPIS = 20
MAX_YEARS = 15


@dataclass
class Cell:
    """A formatted number, with Kolada's status when the value is uncertain."""

    value: Decimal | None
    text: str
    status: str = ""


@dataclass
class TableRow:
    year: int
    ours: Cell
    median: Cell
    low: Cell
    high: Cell
    low_name: str
    high_name: str
    rank: int | None
    ranked: int
    with_value: int
    members: int
    group_uncertain: bool


@dataclass
class KpiBlock:
    kpi: str
    title: str
    description: str
    rows: list[TableRow]
    latest: TableRow | None
    chart: Chart
    has_values: bool


@dataclass
class OwnBlock:
    title: str
    unit: str
    definition: str
    kolada_kpi: str
    cells: list[tuple[int, str]]


@dataclass
class BenchmarkView:
    municipality: Municipality | None
    configured: bool
    group: selectors.Group | None
    group_sections: list[tuple[str, list[selectors.Group]]]
    group_members: list[str]
    kpis: list[Kpi]
    curated: list[tuple[str, list[Kpi]]]
    curated_fallback: bool  # none of the curated KPIs has values: showing those that do
    search: str
    search_results: list[Kpi]
    years: list[int]
    available_years: list[int]
    blocks: list[KpiBlock] = field(default_factory=list)
    own: list[OwnBlock] = field(default_factory=list)
    query: str = ""
    has_uncertain: bool = False

    @property
    def chosen_ids(self) -> set[str]:
        return {kpi.pk for kpi in self.kpis}

    @property
    def extra_kpis(self) -> list[Kpi]:
        """Chosen KPIs that are not on the curated list (they keep their checkbox)."""
        curated = {kpi.pk for _label, kpis in self.curated for kpi in kpis}
        return [kpi for kpi in self.kpis if kpi.pk not in curated]


def _cell(value: Decimal | None, decimals: int, status: str = "") -> Cell:
    return Cell(value=value, text=format_sv(value, decimals), status=status)


def _block(comparison: KpiComparison) -> KpiBlock:
    numbers = [v for row in comparison.years for v in (row.ours.value if row.ours else None, row.median, row.low, row.high)]
    decimals = decimals_for(numbers)
    rows = [_row(row, decimals) for row in comparison.years]
    chart = trend_chart(
        [row.year for row in comparison.years],
        [((row.ours.value, row.ours.uncertain) if row.ours else (None, False)) for row in comparison.years],
        [row.median for row in comparison.years],
        [row.low for row in comparison.years],
        [row.high for row in comparison.years],
    )
    latest = comparison.latest
    return KpiBlock(
        kpi=comparison.kpi, title=comparison.title, description=comparison.description, rows=rows,
        latest=next((r for r in rows if latest and r.year == latest.year), None), chart=chart,
        has_values=comparison.has_values,
    )


def _row(row: YearRow, decimals: int) -> TableRow:
    ours = row.ours
    return TableRow(
        year=row.year,
        ours=_cell(ours.value if ours else None, decimals, ours.status if ours else ""),
        median=_cell(row.median, decimals), low=_cell(row.low, decimals), high=_cell(row.high, decimals),
        low_name=row.low_name, high_name=row.high_name, rank=row.rank, ranked=row.ranked,
        with_value=row.with_value, members=row.members, group_uncertain=row.group_uncertain,
    )


def _own(rows: list[OwnIndicatorRow], years: list[int]) -> list[OwnBlock]:
    blocks = []
    for row in rows:
        decimals = decimals_for(list(row.values.values()))
        blocks.append(OwnBlock(
            title=row.title, unit=row.unit, definition=row.definition, kolada_kpi=row.kolada_kpi,
            cells=[(year, format_sv(row.values.get(year), decimals)) for year in years],
        ))
    return blocks


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) == 4 else None


def build(viewer: Viewer, params: QueryDict) -> BenchmarkView:
    """Read the choices from GET parameters, fill in defaults, and compute the comparison."""
    chosen = params.get("m", "").strip()
    if chosen:
        municipality: Municipality | None = selectors.municipality_get(viewer=viewer, municipality_id=chosen)
        configured = True
    else:
        municipality, configured = selectors.default_municipality(viewer=viewer)
    view = BenchmarkView(
        municipality=municipality, configured=configured, group=None, group_sections=[], group_members=[], kpis=[],
        curated=selectors.curated_kpis(viewer=viewer), curated_fallback=False,
        search=params.get("q", "").strip()[:100], search_results=[], years=[], available_years=[],
    )
    if view.search:
        view.search_results = selectors.kpi_search(viewer=viewer, query=view.search)
    if municipality is None:
        return view
    view.group_sections = selectors.group_choices(viewer=viewer, municipality=municipality)
    key = params.get("g", "")
    if key:
        view.group = selectors.group_get(viewer=viewer, key=key)
    elif view.group_sections:
        view.group = view.group_sections[0][1][0]
    members = list(view.group.member_ids) if view.group else []
    # The members we are compared with: ourselves left out (SKR's groups include us).
    members = [m for m in members if m != municipality.pk]
    view.group_members = (
        selectors.group_member_titles(viewer=viewer, member_ids=members) if view.group else []
    )
    everyone = [municipality.pk, *members]
    wanted = [kpi for kpi in params.getlist("kpi") if kpi][:MAX_KPIS]
    if wanted:
        view.kpis = selectors.kpis_get(viewer=viewer, ids=wanted)
    else:
        ids, curated = selectors.default_kpi_ids(viewer=viewer, municipality_ids=everyone)
        view.kpis = selectors.kpis_get(viewer=viewer, ids=ids)
        view.curated_fallback = not curated and bool(ids)
    view.available_years = selectors.value_years(viewer=viewer, kpis=[k.pk for k in view.kpis], municipality_ids=everyone)
    first, last = _int(params.get("from")), _int(params.get("to"))
    years = [y for y in view.available_years if (first is None or y >= first) and (last is None or y <= last)]
    view.years = years[-MAX_YEARS:] if first is None else years[:MAX_YEARS]
    comparisons = selectors.comparison(
        viewer=viewer, municipality=municipality, group=view.group or selectors.Group("", "", ()),
        kpis=view.kpis, years=view.years,
    )
    view.blocks = [_block(c) for c in comparisons]
    view.has_uncertain = any(
        row.ours.status or row.group_uncertain for block in view.blocks for row in block.rows
    )
    view.own = _own(own_indicators(municipality, view.years), view.years)
    query = [("m", municipality.pk)]
    if view.group:
        query.append(("g", view.group.key))
    query += [("kpi", kpi.pk) for kpi in view.kpis]
    if view.years:
        query += [("from", str(view.years[0])), ("to", str(view.years[-1]))]
    view.query = urlencode(query)
    return view


def describe_group(view: BenchmarkView) -> str:
    if view.group is None:
        return _("no comparison group")
    return view.group.title

