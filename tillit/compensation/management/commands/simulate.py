"""tillit simulate 2024-03[:2024-12] --model ID --model ID …: models side by side (konsekvensanalys)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.common.errors import ApplicationError
from tillit.common.periods import Month
from tillit.compensation.models import CompensationModel
from tillit.compensation.simulation import period_months, provider_names, simulate


def _kr(value: Decimal) -> str:
    text = f"{abs(value):,.2f}".replace(",", " ").replace(".", ",")
    return f"−{text}" if value < 0 else text


class Command(BaseCommand):
    help = "Price the same month (or months) with two or more compensation models, side by side."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="YYYY-MM or YYYY-MM:YYYY-MM (at most twelve months)")
        parser.add_argument("--model", action="append", type=int, required=True,
                            help="a model id (tillit compensation list); the first is the one compared with")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first, _, last = options["period"].partition(":")
            months = period_months(Month.parse(first), Month.parse(last or first))
            models = [CompensationModel.objects.get(pk=pk) for pk in options["model"]]
            result = simulate(months, models)
        except CompensationModel.DoesNotExist:
            raise CommandError("There is no such compensation model; see tillit compensation list.") from None
        except ApplicationError as error:
            raise CommandError(error.message) from None
        names = provider_names(result)
        base = models[0]
        for pid in sorted(result, key=lambda p: names[p]):
            self.stdout.write(names[pid])
            for model in models:
                cell = result[pid][model.pk]
                difference = cell.amount - result[pid][base.pk].amount
                per_hour = _kr(cell.per_performed_hour) if cell.per_performed_hour is not None else "–"
                change = "" if model == base else f"  {_kr(difference)} kr"
                self.stdout.write(f"  {model.name:<36} {_kr(cell.amount):>16} kr  {cell.performed_hours:>10} h utförd  "
                                  f"{per_hour:>10} kr/h{change}")
