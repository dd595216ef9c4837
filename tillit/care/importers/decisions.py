"""The decisions file: one row per granted intervention; rows with the same id form a decision."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.care.importers.interventions import CATEGORY_WORDS
from tillit.care.importers.lookups import RowReferences
from tillit.care.models import Decision, DecisionIntervention, Intervention, Period
from tillit.common.tabular import Column
from tillit.deliveries import fields
from tillit.deliveries.importers import Importer, ParsedRow, RowIssue, RowRejected, WriteSummary

PERIOD_WORDS = {
    "day": Period.DAY, "dag": Period.DAY,
    "week": Period.WEEK, "vecka": Period.WEEK,
    "month": Period.MONTH, "månad": Period.MONTH, "manad": Period.MONTH,
}
_LINE_FIELD = DecisionIntervention._meta.get_field
# What every row of one decision must agree on.
_DECISION_FIELDS = ("recipient_id", "provider_id", "start_date", "end_date")
_COLUMN_OF = {
    "recipient_id": "recipient_id", "provider_id": "provider_org_number", "start_date": "start_date", "end_date": "end_date",
}


class DecisionImporter(Importer):
    kind = "decisions"
    label = gettext_lazy("Decisions")
    columns = (
        Column("decision_id", "beslutsnummer"),
        Column("recipient_id", "personnummer"),
        Column("provider_org_number", "utförare orgnr"),
        Column("start_date", "startdatum"),
        Column("end_date", "slutdatum", required=False),
        Column("intervention_code", "insatskod"),
        Column("category", "kategori", required=False),
        Column("frequency", "frekvens"),
        Column("period", "period"),
        Column("minutes", "minuter", required=False),
        Column("double_staffing", "dubbelbemanning", required=False),
    )

    def prepare(self) -> None:
        self.rejected_decisions: dict[str, int] = {}
        self.references = RowReferences()
        self.catalogue: dict[str, list[Intervention]] = defaultdict(list)
        for intervention in Intervention.objects.all():
            self.catalogue[intervention.code].append(intervention)

    def _intervention(self, values: dict[str, str], start: Any) -> Intervention:
        code = fields.required(values, "intervention_code")
        versions = self.catalogue.get(code)
        if not versions:
            raise RowRejected("intervention_code", code, _("%(code)s is not in the intervention catalogue.") % {"code": code})
        for version in versions:
            if version.is_valid_on(start):
                return version
        raise RowRejected(
            "intervention_code", code,
            _("%(code)s is not valid in the catalogue on the decision's start date %(date)s.") % {"code": code, "date": start},
        )

    def parse(self, row: int, values: dict[str, str]) -> ParsedRow:
        try:
            return self._parse(row, values)
        except RowRejected:
            # Remember the decision: its other rows must not load without this one.
            self.rejected_decisions.setdefault(values.get("decision_id", "").strip(), row)
            raise

    def _parse(self, row: int, values: dict[str, str]) -> ParsedRow:
        key, recipient_id = self.references.recipient(values)
        provider = self.references.provider(values)
        start = fields.date(values, "start_date")
        end = fields.date(values, "end_date", needed=False)
        if end is not None and end < start:
            raise RowRejected("end_date", values["end_date"], _("The end date is before the start date %(start)s.") % {"start": start})
        intervention = self._intervention(values, start)
        frequency = fields.number(values, "frequency", stored_as=_LINE_FIELD("frequency"))
        if frequency <= 0:
            raise RowRejected("frequency", values["frequency"], _("The frequency must be greater than zero."))
        minutes = fields.number(values, "minutes", needed=False, stored_as=_LINE_FIELD("minutes"))
        if minutes is None:
            minutes = intervention.standard_minutes
        elif minutes < 0:
            raise RowRejected("minutes", values["minutes"], _("Minutes cannot be negative."))
        category = fields.choice(values, "category", CATEGORY_WORDS, default=intervention.category)
        return ParsedRow(
            row,
            {
                "decision_id": fields.required(values, "decision_id", max_length=fields.length_of(Decision, "external_id")),
                "key": key,
                "recipient_id": recipient_id,
                "provider_id": provider.pk,
                "provider_org_number": provider.org_number,
                "start_date": start,
                "end_date": end,
                "intervention": intervention,
                "category": category,
                "frequency": frequency,
                "period": fields.choice(values, "period", PERIOD_WORDS),
                "minutes": minutes,
                "double_staffing": fields.boolean(values, "double_staffing"),
            },
        )

    def check_rows(self, rows: list[ParsedRow]) -> list[RowIssue]:
        issues = fields.duplicate_keys(rows, lambda d: (d["decision_id"], d["intervention"].code), "intervention_code")
        issues += self._disagreements(rows)
        return issues + self._whole_decisions(rows, issues)

    def _disagreements(self, rows: list[ParsedRow]) -> list[RowIssue]:
        """Every row of one decision must name the same recipient, provider and dates."""
        issues = []
        first: dict[str, ParsedRow] = {}
        for row in rows:
            head = first.setdefault(row.data["decision_id"], row)
            for name in _DECISION_FIELDS:
                if name == "recipient_id":
                    same = head.data["key"].canonical == row.data["key"].canonical
                else:
                    same = head.data[name] == row.data[name]
                if not same:
                    if name == "recipient_id":
                        shown = row.data["key"].masked
                    elif name == "provider_id":  # what the file says, not the database id
                        shown = row.data["provider_org_number"]
                    else:
                        shown = str(row.data[name] or "")
                    issues.append(
                        RowIssue(
                            row.row, _COLUMN_OF[name], shown,
                            _("Differs from row %(row)s of the same decision %(id)s; every row of a decision must agree.")
                            % {"row": head.row, "id": row.data["decision_id"]},
                        )
                    )
                    break
        return issues

    def _whole_decisions(self, rows: list[ParsedRow], issues: list[RowIssue]) -> list[RowIssue]:
        """A decision loads whole or not at all: its delivered rows replace its interventions,
        so loading only some of them would silently delete the others."""
        decision_of = {row.row: row.data["decision_id"] for row in rows}
        failed = dict(self.rejected_decisions)
        for issue in issues:
            failed.setdefault(decision_of[issue.row], issue.row)
        already = {issue.row for issue in issues}
        return [
            RowIssue(
                row.row, "decision_id", row.data["decision_id"],
                _("Row %(row)s of the same decision was rejected; a decision is loaded whole or not at all.")
                % {"row": failed[row.data["decision_id"]]},
            )
            for row in rows
            if row.data["decision_id"] in failed and row.row not in already
        ]

    def write(self, rows: list[ParsedRow], *, delivery: Any) -> WriteSummary:
        summary = WriteSummary()
        created_ids = self.references.create_missing(
            [row.data["key"] for row in rows if row.data["recipient_id"] is None], delivery
        )
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            data = dict(row.data)
            if data["recipient_id"] is None:
                data["recipient_id"] = created_ids[data["key"].canonical]
            grouped[data["decision_id"]].append(data)
        existing = {
            d.external_id: d
            for d in Decision.objects.filter(external_id__in=list(grouped)).prefetch_related("interventions")
        }
        for external_id, items in grouped.items():
            head = items[0]
            wanted = {name: head[name] for name in _DECISION_FIELDS}
            lines = sorted(_line(item) for item in items)
            decision = existing.get(external_id)
            if decision is None:
                decision = Decision.objects.create(external_id=external_id, source_delivery=delivery, **wanted)
                _replace_lines(decision, items)
                summary.created += 1
                continue
            header_changed = any(getattr(decision, name) != value for name, value in wanted.items())
            lines_changed = sorted(_line_of(item) for item in decision.interventions.all()) != lines
            if not header_changed and not lines_changed:
                summary.unchanged += 1
                continue
            for name, value in wanted.items():
                setattr(decision, name, value)
            decision.source_delivery = delivery
            decision.save()
            if lines_changed:
                _replace_lines(decision, items)
            summary.updated += 1
        return summary


def _line(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item["intervention"].pk, item["category"], item["frequency"], item["period"], item["minutes"], item["double_staffing"])


def _line_of(line: DecisionIntervention) -> tuple[Any, ...]:
    return (line.intervention_id, line.category, line.frequency, line.period, line.minutes, line.double_staffing)


def _replace_lines(decision: Decision, items: list[dict[str, Any]]) -> None:
    """The delivered rows are the decision's whole set of interventions: the latest delivery wins."""
    decision.interventions.all().delete()
    DecisionIntervention.objects.bulk_create(
        DecisionIntervention(
            decision=decision,
            intervention=item["intervention"],
            category=item["category"],
            frequency=item["frequency"],
            period=item["period"],
            minutes=item["minutes"],
            double_staffing=item["double_staffing"],
        )
        for item in items
    )
