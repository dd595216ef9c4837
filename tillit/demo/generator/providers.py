"""Providers (utförare), their units and contracts, and the municipality itself.

Every provider has a behaviour profile: the knobs that make the demo's indicators differ between
providers the way they do in real follow-ups (one is late with implementation plans, one gets many
complaints, one is less punctual and has poor staff continuity ...).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from stdnum import luhn

MUNICIPALITY_NAME = "Tillby kommun"
MUNICIPALITY_COLUMNS = ("org_number", "name")
PROVIDER_COLUMNS = ("org_number", "name", "regi", "service_types", "ivo_permit")
UNIT_COLUMNS = ("provider_org_number", "code", "name", "service_type", "area")
CONTRACT_COLUMNS = (
    "provider_org_number", "reference", "kind", "service_types", "start_date", "end_date",
    "extension_options", "notice_months",
)


@dataclass
class Provider:
    """A provider with its behaviour profile; `org_number` is filled in by `build_providers`."""

    index: int
    name: str
    regi: str  # private | municipal | nonprofit
    service_types: tuple[str, ...]
    home_share: float = 0.0  # share of home-care customers choosing it
    nursing_share: float = 0.0  # share of nursing-home places
    zones: tuple[str, ...] = ("tatort", "villaomrade", "landsbygd")  # where it takes customers
    units: tuple[tuple[str, str, str, str], ...] = ()  # (code, name, service_type, area)
    # time registration
    performed_ratio: float = 0.72  # performed / planned time
    punctual: float = 0.93  # share of visits registered within 30 min of planned start
    manual: float = 0.02  # share of manual registrations
    app: float = 0.12  # share of registrations in the app
    substitute: float = 0.05  # share of visits made by someone outside the recipient's team
    scatter: float = 0.0  # share of visits given to any team member, not the recipient's usual ones
    team_recipients: int = 55  # recipients per staff team
    teams_across_areas: bool = False  # large teams that drive all over the municipality
    # care events
    contact_never: float = 0.04
    welcome_late: float = 0.12
    plan_days: tuple[int, int] = (29, 50)  # when late: days from start to the plan
    plan_late: float = 0.10
    plan_missing: float = 0.03
    followup_overdue: float = 0.12
    complaints_per_year: float = 0.06  # per recipient
    complaint_late: float = 0.12
    complaint_unanswered: float = 0.02
    org_number: str = field(default="", init=False)

    @property
    def home_care(self) -> bool:
        return "home_care" in self.service_types

    @property
    def nursing_home(self) -> bool:
        return "nursing_home" in self.service_types


def _providers() -> list[Provider]:
    """The eight fictitious providers of Tillby kommun."""
    return [
        Provider(0, "Tillby kommun, vård och omsorg i egen regi", "municipal",
                 ("home_care", "nursing_home"), home_share=0.33, nursing_share=0.5,
                 units=(("HT-CEN", "Solgläntans hemtjänst, egen regi", "home_care", "centrum"),
                        ("HT-BJO", "Björkviks hemtjänst, egen regi", "home_care", "bjorkvik"),
                        ("SB-LIN", "Lindgårdens vård- och omsorgsboende", "nursing_home", "centrum")),
                 performed_ratio=0.68, punctual=0.92, manual=0.03, app=0.08),
        Provider(1, "Omsorgen i Tillby AB", "private", ("home_care",), home_share=0.20,
                 units=(("OMS-1", "Omsorgen i Tillby, hemtjänst centrum", "home_care", "centrum"),
                        ("OMS-2", "Omsorgen i Tillby, hemtjänst norr", "home_care", "norr")),
                 performed_ratio=0.78, punctual=0.94, manual=0.02, app=0.15),
        Provider(2, "Trygga Händer Hemtjänst AB", "private", ("home_care",), home_share=0.14,
                 units=(("TH-NORR", "Trygga Händer Norra Tillby", "home_care", "norr"),),
                 performed_ratio=0.74, punctual=0.91, manual=0.02, app=0.10,
                 complaints_per_year=0.35, complaint_late=0.50, complaint_unanswered=0.10),
        Provider(3, "Björkvikens Omsorg AB", "private", ("home_care",), home_share=0.09,
                 zones=("villaomrade", "landsbygd"),
                 units=(("BJO-HT", "Björkvikens Omsorg, hemtjänst landsbygd", "home_care", "bjorkvik"),),
                 performed_ratio=0.82, punctual=0.93, manual=0.02, app=0.20,
                 plan_days=(45, 70), plan_late=0.9, followup_overdue=0.25),
        Provider(4, "Stiftelsen Vårdviljan", "nonprofit", ("home_care",), home_share=0.10,
                 units=(("VV-SJO", "Vårdviljans hemtjänst Sjöängen", "home_care", "sjoangen"),
                        ("VV-CEN", "Vårdviljans hemtjänst centrum", "home_care", "centrum")),
                 performed_ratio=0.76, punctual=0.96, manual=0.01, app=0.10, substitute=0.03,
                 team_recipients=40, contact_never=0.01, welcome_late=0.05, plan_late=0.04,
                 complaints_per_year=0.03),
        Provider(5, "Hemtjänst Lärkan AB", "private", ("home_care",), home_share=0.14,
                 zones=("tatort", "villaomrade"),
                 units=(("LAR-1", "Hemtjänst Lärkan", "home_care", "ekbacken"),),
                 performed_ratio=0.63, punctual=0.78, manual=0.10, app=0.15, substitute=0.12, scatter=0.5,
                 team_recipients=150, teams_across_areas=True,
                 contact_never=0.12, welcome_late=0.25, plan_missing=0.35,
                 followup_overdue=0.35),
        Provider(6, "Sjöängens Vård och Omsorg AB", "private", ("nursing_home",), nursing_share=0.25,
                 units=(("SJO-VOB", "Sjöängsgårdens vård- och omsorgsboende", "nursing_home", "sjoangen"),
                        ("SJO-DEM", "Strandhagens demensboende", "nursing_home", "sjoangen"))),
        Provider(7, "Ekbackens Seniorboende AB", "private", ("nursing_home",), nursing_share=0.25,
                 units=(("EKB-VOB", "Ekbackens vård- och omsorgsboende", "nursing_home", "ekbacken"),)),
    ]


def org_number(rng: random.Random, prefix: str) -> str:
    """A Luhn-valid organisationsnummer NNNNNN-NNNN starting with `prefix`."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(9 - len(prefix)))
    digits = body + luhn.calc_check_digit(body)
    return f"{digits[:6]}-{digits[6:]}"


def build_providers(rng: random.Random) -> tuple[str, list[Provider]]:
    """The municipality's org number and the providers with deterministic org numbers.

    The municipal provider is the municipality itself (egen regi), so it has the same number.
    """
    municipality = org_number(rng, "212000")
    providers = _providers()
    used = {municipality}
    for p in providers:
        if p.regi == "municipal":
            p.org_number = municipality
            continue
        while True:
            number = org_number(rng, rng.choice(("556", "559")))
            if number not in used:
                break
        used.add(number)
        p.org_number = number
    return municipality, providers


def provider_rows(providers: list[Provider]) -> list[tuple]:
    rows = []
    for p in providers:
        permit = "" if p.regi == "municipal" else f"IVO 3.5.1-{1000 + 137 * p.index}/{2009 + p.index}"
        rows.append((p.org_number, p.name, p.regi, "|".join(p.service_types), permit))
    return rows


def unit_rows(providers: list[Provider]) -> list[tuple]:
    return [(p.org_number, *u) for p in providers for u in p.units]


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def contract_rows(providers: list[Provider], today: date) -> list[tuple]:
    """Contracts placed relative to `today`.

    Exactly one contract ends within six months of today (Sjöängen's nursing-home LOU, options
    used up), one ended within the last two months (Ekbacken's old LOU, replaced by a new one the
    day after), every other contract is open-ended or runs more than twelve months.
    """
    month = _add_months(today, 0)
    rows: list[tuple] = []
    for p in providers:
        org = p.org_number
        if p.regi == "municipal":
            rows.append((org, "ER-2019-01", "own", "|".join(p.service_types), "2019-01-01", "", "", ""))
        elif p.home_care:
            start = date(2019 + p.index % 3, 1 + 3 * (p.index % 4), 1)
            rows.append((org, f"LOV-HT-{start.year}-{p.index:02d}", "lov", "home_care",
                         start.isoformat(), "", "", 3))
    # Sjöängen: ends on the last day of the month four months from now.
    sjo = next(p for p in providers if p.index == 6)
    end = _add_months(month, 5) - timedelta(days=1)
    start = date(end.year - 6, end.month, 1)
    rows.append((sjo.org_number, f"LOU-SÄBO-{start.year}-03", "lou", "nursing_home", start.isoformat(),
                 end.isoformat(), "2 × 12 månader (båda utnyttjade)", 9))
    # Ekbacken: the old contract ended 40 days ago, the re-procured one started the day after.
    ekb = next(p for p in providers if p.index == 7)
    old_end = today - timedelta(days=40)
    old_start = date(old_end.year - 5, old_end.month, 1)
    new_start = old_end + timedelta(days=1)
    new_end = date(new_start.year + 4, new_start.month, 1) - timedelta(days=1)
    rows.append((ekb.org_number, f"LOU-SÄBO-{old_start.year}-07", "lou", "nursing_home",
                 old_start.isoformat(), old_end.isoformat(), "1 × 24 månader (utnyttjad)", 12))
    rows.append((ekb.org_number, f"LOU-SÄBO-{new_start.year}-11", "lou", "nursing_home",
                 new_start.isoformat(), new_end.isoformat(), "2 × 12 månader", 12))
    return rows
