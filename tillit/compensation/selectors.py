"""Reading stored statements (ersättningsunderlag) through the viewer's access.

Municipal readers (admin, controller, finance) see every provider's statements line by line;
the board sees totals only; a provider user sees its own provider's statements whole. "Not
found" and "not yours" are the same `NotFound` (a 404).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import pgettext_lazy

from tillit.accounts.access import (
    Viewer, can_read_statement_lines, can_read_statement_totals, get_scoped, scope_by_provider,
)
from tillit.care.models import Recipient
from tillit.common.errors import NotFound
from tillit.common.periods import Month
from tillit.compensation.models import Statement, StatementLine

ZERO = Decimal("0.00")
_PROVIDER_PATH = "provider__organisation_id"
_COMPONENT_ORDER = {value: index for index, value in enumerate(StatementLine.Component.values)}
_COMPONENT_LABELS = dict(StatementLine.Component.choices)
# The units a line's quantity is counted in (pricing.Line.unit), as the pages say them.
UNIT_LABELS = {
    "hour": pgettext_lazy("statement unit", "hours"), "visit": pgettext_lazy("statement unit", "visits"),
    "delivery": pgettext_lazy("statement unit", "deliveries"), "month": pgettext_lazy("statement unit", "months"),
    "day": pgettext_lazy("statement unit", "days"), "sum": pgettext_lazy("statement unit", "sum"),
}


def _ore(amount: Decimal | None) -> Decimal:
    """A database sum as kronor with two decimals (SQLite's sums drop trailing zeros; the lines are whole öre)."""
    return Decimal(amount or 0).quantize(ZERO)


def _statements(viewer: Viewer) -> QuerySet[Statement]:
    if not can_read_statement_totals(viewer):
        raise NotFound("Not found.")
    queryset = Statement.objects.select_related("provider", "model", "created_by", "approved_by")
    return scope_by_provider(viewer, queryset, _PROVIDER_PATH)


def statement_months(*, viewer: Viewer) -> list[str]:
    """Months (YYYY-MM) with a statement the viewer may see, newest first."""
    return sorted(set(_statements(viewer).values_list("month", flat=True)), reverse=True)


def statement_list(*, viewer: Viewer, month: Month, provider_id: int | None = None) -> list[Statement]:
    """The month's latest statement version per provider, by provider name.

    Each statement gets `versions` (how many the provider has for the month) and
    `approved_version` (the number of an approved earlier version, when the latest is not it).
    """
    queryset = _statements(viewer).filter(month=str(month))
    if provider_id is not None:
        queryset = queryset.filter(provider_id=provider_id)
    latest: dict[int, Statement] = {}
    versions: dict[int, int] = defaultdict(int)
    approved: dict[int, int] = {}
    for statement in queryset.order_by("provider__name", "provider_id", "-number"):
        versions[statement.provider_id] += 1
        latest.setdefault(statement.provider_id, statement)
        if statement.status == Statement.Status.APPROVED:
            approved.setdefault(statement.provider_id, statement.number)
    out = []
    for provider_id_, statement in latest.items():
        statement.versions = versions[provider_id_]
        statement.approved_version = approved.get(provider_id_) if statement.status != Statement.Status.APPROVED else None
        out.append(statement)
    return out


def statement_get(*, viewer: Viewer, statement_id: int) -> Statement:
    """One statement the viewer may see (its totals at least), or NotFound."""
    if not can_read_statement_totals(viewer):
        raise NotFound("Not found.")
    return get_scoped(viewer, Statement.objects.select_related("provider", "model", "created_by", "approved_by"),
                      _PROVIDER_PATH, pk=statement_id)


def statement_versions(*, viewer: Viewer, statement: Statement) -> list[Statement]:
    """Every version of the statement's provider and month, newest first."""
    return list(_statements(viewer).filter(provider_id=statement.provider_id, month=statement.month)
                .order_by("-number"))


@dataclass(frozen=True)
class ComponentTotal:
    component: str
    label: str
    amount: Decimal
    lines: int


def _component_totals(rows: list[tuple[str, Decimal, int]]) -> list[ComponentTotal]:
    return sorted(
        (ComponentTotal(component, str(_COMPONENT_LABELS.get(component, component)), amount, lines)
         for component, amount, lines in rows),
        key=lambda total: _COMPONENT_ORDER.get(total.component, len(_COMPONENT_ORDER)),
    )


def statement_component_totals(*, viewer: Viewer, statement: Statement) -> list[ComponentTotal]:
    """The statement's amount per component (time, per visit, ...), in the components' order."""
    statement = statement_get(viewer=viewer, statement_id=statement.pk)
    rows = (StatementLine.objects.filter(statement=statement).order_by().values("component")
            .annotate(amount=Sum("amount"), lines=Count("id")).values_list("component", "amount", "lines"))
    return _component_totals([(component, _ore(amount), lines) for component, amount, lines in rows])


def _require_lines(viewer: Viewer, statement: Statement) -> Statement:
    """The statement again through the viewer's scope, and only for those who read lines."""
    if not can_read_statement_lines(viewer):
        raise NotFound("Not found.")
    return statement_get(viewer=viewer, statement_id=statement.pk)


def _label(recipient: Recipient | None) -> str:
    return str(recipient) if recipient is not None else ""  # masked: a pseudonym or YYYYMMDD-****


@dataclass
class RecipientLines:
    """A recipient's lines on a statement, with the recipient's total per component."""

    recipient_id: int | None
    label: str
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def components(self) -> list[ComponentTotal]:
        sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
        counts: dict[str, int] = defaultdict(int)
        for line in self.lines:
            sums[line.component] += line.amount
            counts[line.component] += 1
        return _component_totals([(c, sums[c], counts[c]) for c in sums])


def _recipients(ids: set[int | None]) -> dict[int, Recipient]:
    return Recipient.objects.in_bulk([pk for pk in ids if pk is not None])


def statement_lines(*, viewer: Viewer, statement: Statement) -> list[RecipientLines]:
    """Every line of the statement grouped per recipient (lines without one last), by label."""
    statement = _require_lines(viewer, statement)
    return _grouped(list(statement.lines.all()))


@dataclass
class LinesPage:
    """One page of a statement's recipients with their lines (a large provider has thousands)."""

    groups: list[RecipientLines]
    page: Page
    query: str


def statement_lines_page(*, viewer: Viewer, statement: Statement, page: int | str | None = 1, query: str = "",
                         recipient_id: int | None = None, per_page: int = 50) -> LinesPage:
    """The recipients of one page, by label, with their lines: those whose label holds `query`,
    or the page that holds `recipient_id` (a link from the difference). Reads only the page's lines."""
    statement = _require_lines(viewer, statement)
    ids = set(statement.lines.values_list("recipient_id", flat=True).distinct())
    recipients = _recipients(ids)
    order = sorted(ids, key=lambda pk: (pk is None, _label(recipients.get(pk)) if pk else "", pk or 0))
    query = query.strip()
    if query:
        order = [pk for pk in order if pk is not None and query.casefold() in _label(recipients.get(pk)).casefold()]
    if recipient_id is not None and recipient_id in order:
        page = order.index(recipient_id) // per_page + 1
    current = Paginator(order, per_page).get_page(page)
    shown = list(current.object_list)
    lines = statement.lines.filter(Q(recipient_id__in=[pk for pk in shown if pk is not None])
                                   | (Q(recipient__isnull=True) if None in shown else Q(pk__in=[])))
    groups = _grouped(list(lines), recipients)
    return LinesPage(groups, current, query)


def _grouped(lines: list[StatementLine], recipients: dict[int, Recipient] | None = None) -> list[RecipientLines]:
    recipients = recipients if recipients is not None else _recipients({line.recipient_id for line in lines})
    groups: dict[int | None, RecipientLines] = {}
    for line in lines:
        group = groups.get(line.recipient_id)
        if group is None:
            group = groups[line.recipient_id] = RecipientLines(line.recipient_id, _label(recipients.get(line.recipient_id)))
        line.unit_label = str(UNIT_LABELS.get(line.unit, line.unit))
        group.lines.append(line)
    for group in groups.values():
        group.lines.sort(key=lambda l: (_COMPONENT_ORDER.get(l.component, 99), l.version_from, l.band, l.category,
                                        l.intervention, l.pk or 0))
    return sorted(groups.values(), key=lambda g: (g.recipient_id is None, g.label, g.recipient_id or 0))


def statement_recipient_ids(*, viewer: Viewer, statement: Statement) -> set[int]:
    """The recipients with a line on the statement (what its drill-downs may open)."""
    statement = _require_lines(viewer, statement)
    return set(statement.lines.exclude(recipient__isnull=True).values_list("recipient_id", flat=True))


@dataclass(frozen=True)
class DifferenceRow:
    recipient_id: int | None
    label: str
    previous: Decimal
    current: Decimal

    @property
    def difference(self) -> Decimal:
        return self.current - self.previous


@dataclass
class StatementDifference:
    """This version against the one before it, per recipient."""

    previous: Statement
    rows: list[DifferenceRow]

    @property
    def changed(self) -> list[DifferenceRow]:
        return [row for row in self.rows if row.difference]

    @property
    def unchanged(self) -> int:
        return len(self.rows) - len(self.changed)

    @property
    def total_difference(self) -> Decimal:
        return sum((row.difference for row in self.rows), ZERO)


def _per_recipient(statement: Statement) -> dict[int | None, Decimal]:
    rows = statement.lines.order_by().values("recipient_id").annotate(amount=Sum("amount")).values_list("recipient_id", "amount")
    return {recipient_id: _ore(amount) for recipient_id, amount in rows}


def statement_difference(*, viewer: Viewer, statement: Statement) -> StatementDifference | None:
    """Per recipient: the previous version's amount, this one's and the difference; None for a first version."""
    statement = _require_lines(viewer, statement)
    previous = (Statement.objects.filter(provider_id=statement.provider_id, month=statement.month,
                                         number__lt=statement.number).order_by("-number").first())
    if previous is None:
        return None
    before, now = _per_recipient(previous), _per_recipient(statement)
    recipients = _recipients(set(before) | set(now))
    rows = [DifferenceRow(pk, _label(recipients.get(pk)) if pk is not None else "", before.get(pk, ZERO),
                          now.get(pk, ZERO)) for pk in set(before) | set(now)]
    rows.sort(key=lambda row: (-abs(row.difference), row.recipient_id is None, row.label))
    return StatementDifference(previous=previous, rows=rows)


def model_versions_used(*, viewer: Viewer, statement: Statement) -> list[str]:
    """The dates (YYYY-MM-DD) of the model versions the statement's lines were priced with."""
    statement = statement_get(viewer=viewer, statement_id=statement.pk)
    days = statement.lines.values_list("version_from", flat=True).distinct()
    return sorted({day.isoformat() for day in days})
