"""Synthetic demo municipality "Tillby kommun": writes delivery files (DATA-FORMATS.md), nothing else.

Pure standard library (plus python-stdnum for org numbers) and no Django: another part of the
project loads the files. The same config always gives byte-identical files: every random choice
comes from a `random.Random` seeded from the config's seed and a stream name, so the streams are
independent (turning visits off does not change the other files).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .catalogue import AREA_COLUMNS, INTERVENTION_COLUMNS, area_rows, intervention_rows
from .clock import add_months
from .decisions import DECISION_COLUMNS, Decision, build_decisions, decision_rows
from .events import EVENT_COLUMNS, build_events
from .people import RECIPIENT_COLUMNS, build_recipients, recipient_rows
from .providers import (CONTRACT_COLUMNS, MUNICIPALITY_COLUMNS, MUNICIPALITY_NAME, PROVIDER_COLUMNS,
                        UNIT_COLUMNS, Provider, build_providers, contract_rows, provider_rows,
                        unit_rows)
from .schedule import build_template
from .staffing import Staffing, build_staffing
from .visits import Plan, cell, write_visits
from .writer import write_csv

__all__ = ["GeneratorConfig", "generate"]

NURSING_HOME_SHARE = 0.06  # extra nursing-home residents, relative to home-care recipients
RECIPIENTS_PER_STAFF = 5


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate. `start` defaults to the first day of the month `months` full months
    before `today` (so the data ends with the last full month); `staff` to one per five
    home-care recipients."""

    recipients: int = 2000  # home-care recipients (plus about 6 % nursing-home residents)
    months: int = 12
    start: date | None = None  # first month of data; any day is moved to the 1st
    seed: int = 2024
    today: date = field(default_factory=date.today)  # contract end dates are placed relative to it
    staff: int | None = None
    visits: bool = True

    def __post_init__(self) -> None:
        start = self.start or add_months(self.today, -self.months)
        object.__setattr__(self, "start", start.replace(day=1))
        if self.staff is None:
            object.__setattr__(self, "staff", max(1, round(self.recipients / RECIPIENTS_PER_STAFF)))
        if self.recipients < 1 or self.months < 1:
            raise ValueError("recipients and months must be at least 1")


def _rng(config: GeneratorConfig, stream: str) -> random.Random:
    return random.Random(f"tillit-demo:{config.seed}:{stream}")


def generate(out_dir: Path, config: GeneratorConfig) -> dict[str, int]:
    """Write the demo municipality's files into `out_dir`; return {file name: data rows}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    first = config.start
    last = add_months(first, config.months) - timedelta(days=1)
    days = (last - first).days + 1
    cutoff = min(last, config.today)

    municipality, providers = build_providers(_rng(config, "providers"))
    people = build_recipients(_rng(config, "people"), config.recipients,
                              round(config.recipients * NURSING_HOME_SHARE), config.today)
    decisions = build_decisions(_rng(config, "decisions"), people, providers, first, last)
    events, absences = build_events(_rng(config, "events"), decisions, first, last, cutoff)

    valid_from = date(first.year - 6, 1, 1).isoformat()
    counts = {
        "municipality.csv": write_csv(out_dir / "municipality.csv", MUNICIPALITY_COLUMNS,
                                      [(municipality, MUNICIPALITY_NAME)]),
        "providers.csv": write_csv(out_dir / "providers.csv", PROVIDER_COLUMNS, provider_rows(providers)),
        "interventions.csv": write_csv(out_dir / "interventions.csv", INTERVENTION_COLUMNS,
                                       intervention_rows(valid_from)),
        "areas.csv": write_csv(out_dir / "areas.csv", AREA_COLUMNS, area_rows()),
        "units.csv": write_csv(out_dir / "units.csv", UNIT_COLUMNS, unit_rows(providers)),
        "contracts.csv": write_csv(out_dir / "contracts.csv", CONTRACT_COLUMNS,
                                   contract_rows(providers, config.today)),
        "recipients.csv": write_csv(out_dir / "recipients.csv", RECIPIENT_COLUMNS, recipient_rows(people)),
        "decisions.csv": write_csv(out_dir / "decisions.csv", DECISION_COLUMNS, decision_rows(decisions)),
        "care_events.csv": write_csv(out_dir / "care_events.csv", EVENT_COLUMNS, events),
    }
    if config.visits:
        # visits stop at `today` when the period reaches it: nothing is registered in the future
        visit_days = (cutoff - first).days + 1
        plans, staffing = _plans(config, decisions, providers, absences, first, visit_days)
        counts["visits.csv"] = write_visits(out_dir / "visits.csv", _rng(config, "visits"), first,
                                            visit_days, providers, plans, staffing)
    return counts


def _unit(provider: Provider, area: str) -> str:
    """The provider's home-care unit for an area, else its first home-care unit."""
    units = [u for u in provider.units if u[2] == "home_care"]
    return next((u[0] for u in units if u[3] == area), units[0][0])


def _plans(config: GeneratorConfig, decisions: list[Decision], providers: list[Provider],
           absences: dict[int, list[tuple[int, int]]], first: date,
           days: int) -> tuple[dict[int, list[Plan]], Staffing]:
    """Visit plans per provider and the staffing that serves them."""
    rng = _rng(config, "schedule")
    members: dict[int, list] = {}
    prepared = []
    for d in decisions:
        if not d.home_care:
            continue
        template, load = build_template(rng, d.items)
        lo = max(0, (d.start - first).days)
        hi = min(days, (d.end - first).days + 1) if d.end else days
        if template is None or lo >= hi:
            continue
        share = (hi - lo) / days
        members.setdefault(d.provider.index, []).append(
            (d.key, d.recipient.area, [x * share for x in load]))
        prepared.append((d, template, lo, hi))
    staffing = build_staffing(_rng(config, "staff"), providers, members, config.staff)
    plans: dict[int, list[Plan]] = {}
    for d, template, lo, hi in prepared:
        absent = frozenset(day for a, b in absences.get(d.key, ()) for day in range(max(a, lo), min(b, hi)))
        head = ",".join(cell(v) for v in (d.provider.org_number, _unit(d.provider, d.recipient.area),
                                           d.recipient.recipient_id))
        plans.setdefault(d.provider.index, []).append(Plan(
            lo, hi, absent or None, template, staffing.prefs[d.key], head,
            any(i[0] == "LARM" for i in d.items)))
    return plans, staffing
