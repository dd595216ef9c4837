"""The intervention catalogue file (an extension format, docs/delivery-files.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit.care.models import Category, Intervention
from tillit.common.tabular import Column
from tillit.deliveries import fields
from tillit.deliveries.importers import Importer, ParsedRow, RowIssue, RowRejected, WriteSummary

CATEGORY_WORDS = {
    "omvardnad": Category.OMVARDNAD, "omvårdnad": Category.OMVARDNAD,
    "service": Category.SERVICE, "other": Category.OTHER, "övrigt": Category.OTHER, "ovrigt": Category.OTHER,
}
KIND_WORDS = {
    "regular": Intervention.Kind.REGULAR, "vanlig": Intervention.Kind.REGULAR,
    "safety_alarm": Intervention.Kind.SAFETY_ALARM, "trygghetslarm": Intervention.Kind.SAFETY_ALARM,
    "meal_delivery": Intervention.Kind.MEAL_DELIVERY, "matdistribution": Intervention.Kind.MEAL_DELIVERY,
    "hsl": Intervention.Kind.HSL,
    "nursing_home": Intervention.Kind.NURSING_HOME, "särskilt boende": Intervention.Kind.NURSING_HOME,
    "sarskilt boende": Intervention.Kind.NURSING_HOME, "boende": Intervention.Kind.NURSING_HOME,
}
_FIELDS = ("name", "category", "kind", "standard_minutes", "valid_to")


class InterventionImporter(Importer):
    kind = "interventions"
    label = gettext_lazy("Intervention catalogue")
    columns = (
        Column("code", "insatskod"),
        Column("name", "namn"),
        Column("category", "kategori"),
        Column("minutes", "minuter"),
        Column("kind", "typ", required=False),
        Column("valid_from", "giltig från"),
        Column("valid_to", "giltig till", required=False),
    )

    def parse(self, row: int, values: dict[str, str]) -> ParsedRow:
        minutes = fields.number(values, "minutes", stored_as=Intervention._meta.get_field("standard_minutes"))
        if minutes is not None and minutes < 0:
            raise RowRejected("minutes", values["minutes"], _("Minutes cannot be negative."))
        valid_from = fields.date(values, "valid_from")
        valid_to = fields.date(values, "valid_to", needed=False)
        if valid_to is not None and valid_from is not None and valid_to < valid_from:
            raise RowRejected("valid_to", values["valid_to"], _("The end of validity is before its start."))
        return ParsedRow(
            row,
            {
                "code": fields.required(values, "code", max_length=fields.length_of(Intervention, "code")),
                "name": fields.required(values, "name", max_length=fields.length_of(Intervention, "name")),
                "category": fields.choice(values, "category", CATEGORY_WORDS),
                "kind": fields.choice(values, "kind", KIND_WORDS, default=Intervention.Kind.REGULAR),
                "standard_minutes": minutes,
                "valid_from": valid_from,
                "valid_to": valid_to,
            },
        )

    def check_rows(self, rows: list[ParsedRow]) -> list[RowIssue]:
        return fields.duplicate_keys(rows, lambda data: (data["code"], data["valid_from"]), "code")

    def write(self, rows: list[ParsedRow], *, delivery: Any) -> WriteSummary:
        summary = WriteSummary()
        existing = {(i.code, i.valid_from): i for i in Intervention.objects.all()}
        for row in rows:
            data = row.data
            current = existing.get((data["code"], data["valid_from"]))
            if current is None:
                Intervention.objects.create(**data)
                summary.created += 1
            elif any(getattr(current, name) != data[name] for name in _FIELDS):
                for name in _FIELDS:
                    setattr(current, name, data[name])
                current.save()
                summary.updated += 1
            else:
                summary.unchanged += 1
        return summary
