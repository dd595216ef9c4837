"""What statements read from the database besides the ledger: the decisions (granted time, new
customers, absences), the recipients (zones, safety alarms) and the catalogue's categories.

Read once for a run of one month or many (`tillit run-month` with several months, the
simulator's year), as columns by plain SQL: a large municipality has hundreds of thousands of
decision lines, and the ORM's conversions would cost more than pricing them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa
import pyarrow.compute as pc

from tillit.care.models import CareEvent, Decision, Intervention, Recipient
from tillit.common.granted_time import GrantedIntervention, minutes_per_day
from tillit.common.periods import Month
from tillit.compensation.bands import VersionSpan
from tillit.engine import compensation as engine
from tillit.engine.reference import granted_lines, select
from tillit.registry.models import Area, Zone


def _categories() -> dict[str, str]:
    return dict(Intervention.objects.order_by("code", "valid_from").values_list("code", "category"))


def _day(value: datetime.date | str | None) -> datetime.date | None:
    return value if value is None or isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


_DECISIONS = pa.schema([("provider_id", pa.int64()), ("recipient_id", pa.int64()), ("start_date", pa.date32()),
                        ("end_date", pa.date32())])
_RECIPIENTS = pa.schema([("recipient_id", pa.int64()), ("zone", pa.string()), ("alarm_customer", pa.bool_())])


class Registers:
    """The registers as a statement run needs them (see the module's docstring)."""

    def __init__(self) -> None:
        self.categories = _categories()
        # summed per decision, category and period: what compensation_granted.sql weighs by days
        keys = ["decision", "provider_id", "recipient_id", "number", "active_from", "active_to", "category", "period"]
        summed = granted_lines().group_by(keys, use_threads=False).aggregate([("units", "sum")])
        names = {"start_date": "active_from", "end_date": "active_to", "weight": "units_sum"}
        self.decision_table = pa.table({name: summed[names.get(name, name)] for name in engine.DECISION_LINES.names}
                                       ).cast(engine.DECISION_LINES)
        decision = Decision._meta.db_table
        self.decisions = select(
            f"SELECT provider_id, recipient_id, CAST(start_date AS TEXT), CAST(end_date AS TEXT) FROM {decision}",
            _DECISIONS)
        self._first_starts: pa.Table | None = None
        recipients = select(
            f"SELECT r.id, coalesce(z.code, ''), CASE WHEN r.alarm_customer THEN 1 ELSE 0 END "
            f"FROM {Recipient._meta.db_table} r LEFT JOIN {Area._meta.db_table} a ON a.id = r.area_id "
            f"LEFT JOIN {Zone._meta.db_table} z ON z.id = a.zone_id", _RECIPIENTS)
        ids, zones = recipients["recipient_id"].to_pylist(), recipients["zone"].to_pylist()
        self.alarms = set(recipients.filter(recipients["alarm_customer"])["recipient_id"].to_pylist())
        self.zone_of = dict(zip(ids, zones))
        self.recipient_table = recipients.select(["recipient_id", "zone"])
        self.zones = set(zones)  # the zones a fee may name; '' for recipients in none
        self._absence_events: list[tuple] | None = None

    def alarm_recipients(self, provider_ids: list[int], month: Month) -> pa.Table:
        """(provider_id, recipient_id) of each safety-alarm customer with a decision with the
        provider on some day of the month (engine.ALARM_RECIPIENTS)."""
        d = self.decisions
        mask = pc.and_(pc.and_(pc.is_in(d["provider_id"], pa.array(provider_ids, pa.int64())),
                               pc.is_in(d["recipient_id"], pa.array(sorted(self.alarms), pa.int64()))),
                       pc.and_(pc.less_equal(d["start_date"], month.last_day),
                               pc.or_kleene(pc.is_null(d["end_date"]), pc.greater_equal(d["end_date"], month.first_day))))
        return (d.filter(mask).group_by(["provider_id", "recipient_id"], use_threads=False).aggregate([])
                .cast(engine.ALARM_RECIPIENTS))

    def new_recipients(self, provider_id: int, spans: list[VersionSpan]) -> dict[datetime.date, set[int]]:
        """Recipients whose first decision with the provider starts in a version's days."""
        if self._first_starts is None:
            self._first_starts = self.decisions.group_by(["provider_id", "recipient_id"]).aggregate(
                [("start_date", "min")])
        starts = self._first_starts.filter(pc.equal(self._first_starts["provider_id"], provider_id))
        out = {}
        for span in spans:
            mask = pc.and_(pc.greater_equal(starts["start_date_min"], span.first),
                           pc.less(starts["start_date_min"], span.until))
            out[span.valid_from] = set(starts.filter(mask)["recipient_id"].to_pylist())
        return out

    def absence_events(self) -> list[tuple]:
        """(provider, event, recipient, date, reference) of every hospital stay's start and end,
        in date order; read the first time a model pays absences."""
        if self._absence_events is None:
            self._absence_events = list(
                CareEvent.objects.filter(event_type__in=["absence_started", "absence_ended"]).order_by("date")
                .values_list("provider_id", "event_type", "recipient_id", "date", "reference"))
        return self._absence_events

    def absence_days(self, provider_id: int, spans: list[VersionSpan], month: Month
                     ) -> dict[tuple[int, datetime.date], list[tuple[int, str, Fraction]]]:
        """For each recipient's hospital stays with the provider: every day of the stay in the month
        (numbered from 1 = the day it started, up to the day before it ended) with the granted
        minutes of that day per category."""
        longest = max((rule.last_day for span in spans for rule in span.rules.absence), default=0)
        if not longest:
            return {}
        stays: dict[tuple[int, str], list[datetime.date | None]] = {}
        for p, kind, recipient_id, day, reference in self.absence_events():
            if p != provider_id or day > month.last_day:
                continue
            if kind == "absence_started":
                stays[(recipient_id, reference)] = [day, None]
            elif (recipient_id, reference) in stays:
                stays[(recipient_id, reference)][1] = day
        staying = {r for r, _ref in stays}
        items: dict[int, list[tuple[str, GrantedIntervention]]] = defaultdict(list)
        mine = self.decision_table.filter(pc.and_(
            pc.equal(self.decision_table["provider_id"], provider_id),
            pc.is_in(self.decision_table["recipient_id"], pa.array(sorted(staying), pa.int64()))))
        for p, recipient_id, _number, start, end, category, period, weight in zip(*mine.to_pydict().values()):
            if p == provider_id and recipient_id in staying:
                # a day's minutes are linear in minutes × frequency × staff: the summed weight
                # as one intervention gives the same
                items[recipient_id].append((category, GrantedIntervention(
                    standard_minutes=Decimal(int(weight)) / 10**6, frequency=Decimal(1), period=period,
                    double_staffing=False, active_from=_day(start), active_to=_day(end))))
        out: dict[tuple[int, datetime.date], list[tuple[int, str, Fraction]]] = defaultdict(list)
        for (recipient_id, _reference), (start, end) in stays.items():
            for number in range(1, longest + 1):
                day = start + datetime.timedelta(days=number - 1)  # type: ignore[operator]
                if (end is not None and day >= end) or not month.first_day <= day <= month.last_day:
                    continue
                span = next((s for s in spans if s.first <= day < s.until), None)
                if span is None:
                    continue
                for category, item in items[recipient_id]:
                    minutes = minutes_per_day(item, day)
                    if minutes:
                        out[(recipient_id, span.valid_from)].append((number, category, minutes))
        return dict(out)
