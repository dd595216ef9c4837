"""The model simulator (konsekvensanalys): the same month or year priced with several models.

Every provider with a home-care contract in force is priced with each model over the same
visits and decisions; the result per provider and model is the amount, the hours performed
and granted, and the effective price per performed hour. Nothing is stored as a statement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record
from tillit.common.errors import ValidationFailed
from tillit.common.periods import Month
from tillit.compensation.models import CompensationModel, Simulation
from tillit.compensation.registers import Registers
from tillit.compensation.statements import compute_month
from tillit.registry.models import Contract, Provider


@dataclass(frozen=True)
class Cell:
    """One provider priced with one model over the period."""

    amount: Decimal
    performed_hours: Decimal
    granted_hours: Decimal

    @property
    def per_performed_hour(self) -> Decimal | None:
        if not self.performed_hours:
            return None
        return (self.amount / self.performed_hours).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _providers(month: Month) -> list[int]:
    """Providers with a home-care contract in force in the month."""
    contracts = Contract.objects.filter(start_date__lte=month.last_day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=month.first_day))
    return sorted({c.provider_id for c in contracts if "home_care" in c.service_types})


def _hours(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def simulate(months: list[Month], models: list[CompensationModel]) -> dict[int, dict[int, Cell]]:
    """provider id → model id → the provider's period priced with the model."""
    if len(models) < 2:
        raise ValidationFailed(_("Pick two or more models to compare."), field="models")
    totals: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [Decimal("0.00"), Fraction(0), Fraction(0)])
    registers = Registers()  # the same decisions and recipients for every month and model
    for month in months:
        providers = _providers(month)
        for model in models:
            hours: dict[int, tuple[Fraction, Fraction]] = {}
            computed, _ledger = compute_month(month, models={pid: model for pid in providers}, hours=hours,
                                              registers=registers)
            for pid, (_model, lines) in computed.items():
                cell = totals[(pid, model.pk)]
                cell[0] += lines.total
                cell[1] += hours[pid][0]
                cell[2] += hours[pid][1]
    result: dict[int, dict[int, Cell]] = defaultdict(dict)
    for (pid, model_id), (amount, performed, granted) in totals.items():
        result[pid][model_id] = Cell(amount, _hours(performed), _hours(granted))
    return dict(result)


def period_months(first: Month, last: Month) -> list[Month]:
    months, month = [], first
    while (month.year, month.month) <= (last.year, last.month):
        months.append(month)
        month = month.shift(1)
    if not months or len(months) > 12:
        raise ValidationFailed(_("Choose a month or up to twelve months."), field="period")
    return months


def as_data(result: dict[int, dict[int, Cell]]) -> dict[str, Any]:
    """JSON-ready (amounts as text) for storing a saved simulation."""
    return {str(pid): {str(mid): {"amount": str(c.amount), "performed_hours": str(c.performed_hours),
                                  "granted_hours": str(c.granted_hours)} for mid, c in cells.items()}
            for pid, cells in result.items()}


def from_data(data: dict[str, Any]) -> dict[int, dict[int, Cell]]:
    return {int(pid): {int(mid): Cell(Decimal(c["amount"]), Decimal(c["performed_hours"]), Decimal(c["granted_hours"]))
                       for mid, c in cells.items()} for pid, cells in data.items()}


@transaction.atomic
def simulation_save(*, actor: Any, name: str, first: Month, last: Month, models: list[CompensationModel]) -> Simulation:
    """Run and keep a simulation (for the board: its figures do not change when data does)."""
    if not name.strip():
        raise ValidationFailed(_("Give the simulation a name."), field="name")
    result = simulate(period_months(first, last), models)
    simulation = Simulation.objects.create(name=name.strip(), first_month=str(first), last_month=str(last),
                                           results=as_data(result),
                                           created_by=actor if getattr(actor, "pk", None) else None)
    simulation.compared.set(models)
    audit_record(actor=actor, event_type="simulation.saved", target=simulation, target_label=simulation.name,
                 new={"period": f"{first}–{last}", "models": [m.name for m in models]})
    return simulation


def provider_names(result: dict[int, dict[int, Cell]]) -> dict[int, str]:
    return dict(Provider.objects.filter(pk__in=list(result)).values_list("pk", "name"))


