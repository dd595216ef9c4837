"""The recipients file: identity numbers are validated, encrypted and keyed by hash."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.care.models import Recipient
from tillit.care.protection import encrypt, protect, recipient_key_from_row
from tillit.common.tabular import Column
from tillit.deliveries import fields
from tillit.deliveries.importers import Importer, ParsedRow, RowIssue, RowRejected, WriteSummary
from tillit.registry.models import Area

_COMPARED = ("id_kind", "birth_date", "area_id", "alarm_customer")
# Optional columns and the fields they fill; an absent column leaves its field as stored.
_OPTIONAL = {"area": "area_id", "alarm_customer": "alarm_customer"}


class RecipientImporter(Importer):
    kind = "recipients"
    label = gettext_lazy("Recipients")
    columns = (
        Column("recipient_id", "personnummer"),
        Column("birth_date", "födelsedatum", required=False),
        Column("name", "namn", required=False),
        Column("area", "område", required=False),
        Column("alarm_customer", "larmkund", required=False),
    )

    def prepare(self) -> None:
        self.areas = {area.code: area.pk for area in Area.objects.all()}

    def parse(self, row: int, values: dict[str, str]) -> ParsedRow:
        key = recipient_key_from_row(values)
        area_code = fields.optional(values, "area")
        if area_code and area_code not in self.areas:
            raise RowRejected("area", area_code, _("There is no area with the code %(code)s; load the areas first.") % {"code": area_code})
        return ParsedRow(
            row,
            {
                "key": key,
                "name": fields.optional(values, "name"),
                "area_id": self.areas.get(area_code),
                "alarm_customer": fields.boolean(values, "alarm_customer"),
            },
        )

    def check_rows(self, rows: list[ParsedRow]) -> list[RowIssue]:
        issues = fields.duplicate_keys(rows, lambda data: data["key"].canonical, "recipient_id")
        # The report must not repeat a full identity number: show it masked.
        return [
            RowIssue(issue.row, issue.column, next(r.data["key"].masked for r in rows if r.row == issue.row), issue.reason)
            for issue in issues
        ]

    def write(self, rows: list[ParsedRow], *, delivery: Any) -> WriteSummary:
        summary = WriteSummary()
        protected = {row.row: protect(row.data["key"]) for row in rows}
        hashes = [protected[row.row][0] for row in rows]
        existing = {r.id_hash: r for r in Recipient.objects.filter(id_hash__in=hashes)}
        to_create: list[Recipient] = []
        to_update: list[Recipient] = []
        now = timezone.now()
        for row in rows:
            data = row.data
            id_hash, id_encrypted = protected[row.row]
            name_encrypted = encrypt(data["name"])
            current = existing.get(id_hash)
            values = {"id_kind": data["key"].kind, "birth_date": data["key"].birth_date}
            values.update({field: data[field] for column, field in _OPTIONAL.items() if column in self.present_columns})
            if current is None:
                to_create.append(
                    Recipient(id_hash=id_hash, id_encrypted=id_encrypted, name_encrypted=name_encrypted,
                              source_delivery=delivery, **values)
                )
                summary.created += 1
                continue
            name_changed = "name" in self.present_columns and data["name"] != current.name
            if name_changed or any(getattr(current, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(current, name, value)
                if name_changed:
                    current.name_encrypted = name_encrypted
                current.source_delivery = delivery
                current.updated_at = now  # bulk_update skips auto_now
                to_update.append(current)
                summary.updated += 1
            else:
                summary.unchanged += 1
        Recipient.objects.bulk_create(to_create, batch_size=1000)
        Recipient.objects.bulk_update(
            to_update, [*_COMPARED, "name_encrypted", "source_delivery", "updated_at"], batch_size=1000
        )
        return summary

