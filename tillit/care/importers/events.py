"""The care-events file: what happened, when, for whom, by which provider."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.care.importers.lookups import RowReferences
from tillit.care.models import CareEvent
from tillit.common.tabular import Column
from tillit.deliveries import fields
from tillit.deliveries.importers import Importer, ParsedRow, RowIssue, RowRejected, WriteSummary

EVENT_WORDS = {value: value for value in CareEvent.Type.values} | {
    "fast omsorgskontakt": CareEvent.Type.CARE_CONTACT_ASSIGNED,
    "välkomstsamtal": CareEvent.Type.WELCOME_CALL,
    "genomförandeplan upprättad": CareEvent.Type.PLAN_ESTABLISHED,
    "genomförandeplan uppföljd": CareEvent.Type.PLAN_FOLLOWED_UP,
    "klagomål mottaget": CareEvent.Type.COMPLAINT_RECEIVED,
    "klagomål besvarat": CareEvent.Type.COMPLAINT_ANSWERED,
    "frånvaro start": CareEvent.Type.ABSENCE_STARTED,
    "frånvaro slut": CareEvent.Type.ABSENCE_ENDED,
}


def _event_key(data: dict[str, Any]) -> tuple[Any, ...]:
    return (data["event_type"], data["key"].canonical, data["provider_id"], data["date"], data["reference"])


class CareEventImporter(Importer):
    kind = "care_events"
    label = gettext_lazy("Care events")
    columns = (
        Column("event_type", "händelse"),
        Column("recipient_id", "personnummer"),
        Column("provider_org_number", "utförare orgnr"),
        Column("date", "datum"),
        Column("reference", "referens", required=False),
        Column("detail", "beskrivning", required=False),
    )

    def prepare(self) -> None:
        self.references = RowReferences()

    def parse(self, row: int, values: dict[str, str]) -> ParsedRow:
        event_type = fields.choice(values, "event_type", EVENT_WORDS)
        key, recipient_id = self.references.recipient(values)
        reference = fields.optional(values, "reference", max_length=fields.length_of(CareEvent, "reference"))
        if event_type in CareEvent.NEEDS_REFERENCE and not reference:
            raise RowRejected(
                "reference", "",
                _("A %(event)s needs a reference that pairs it with its other half.") % {"event": event_type},
            )
        return ParsedRow(
            row,
            {
                "event_type": event_type,
                "key": key,
                "recipient_id": recipient_id,
                "provider_id": self.references.provider(values).pk,
                "date": fields.date(values, "date"),
                "reference": reference,
                "detail": fields.optional(values, "detail", max_length=fields.length_of(CareEvent, "detail")),
            },
        )

    def check_rows(self, rows: list[ParsedRow]) -> list[RowIssue]:
        issues = fields.duplicate_keys(rows, _event_key, "event_type")
        # Show a masked recipient rather than the key tuple in the report.
        return [RowIssue(i.row, i.column, "", i.reason, i.severity) for i in issues]

    def write(self, rows: list[ParsedRow], *, delivery: Any) -> WriteSummary:
        summary = WriteSummary()
        created_ids = self.references.create_missing(
            [row.data["key"] for row in rows if row.data["recipient_id"] is None], delivery
        )
        recipient_ids = {row.data["recipient_id"] or created_ids[row.data["key"].canonical] for row in rows}
        existing = {
            (e.event_type, e.recipient_id, e.provider_id, e.date, e.reference): e
            for e in CareEvent.objects.filter(recipient_id__in=recipient_ids)
        }
        to_create = []
        to_update = []
        for row in rows:
            data = row.data
            recipient_id = data["recipient_id"] or created_ids[data["key"].canonical]
            current = existing.get((data["event_type"], recipient_id, data["provider_id"], data["date"], data["reference"]))
            if current is None:
                to_create.append(
                    CareEvent(
                        event_type=data["event_type"], recipient_id=recipient_id, provider_id=data["provider_id"],
                        date=data["date"], reference=data["reference"], detail=data["detail"], source_delivery=delivery,
                    )
                )
                summary.created += 1
            elif current.detail != data["detail"]:
                current.detail = data["detail"]
                current.source_delivery = delivery
                to_update.append(current)
                summary.updated += 1
            else:
                summary.unchanged += 1
        CareEvent.objects.bulk_create(to_create, batch_size=1000)
        CareEvent.objects.bulk_update(to_update, ["detail", "source_delivery"], batch_size=1000)
        return summary
