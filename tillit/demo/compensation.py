"""The demo's compensation: one model for its home-care contracts, and statements for the last
two full months (the older approved by finance, the newer a draft), as a controller would find
them. The model borrows Stockholm's and Solna's real rules (docs/compensation-models/) with an
indexation on 1 April, so that the demo shows bands, fees, schablons, declined visits, absences,
new customers and a month split by a new version."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from tillit.accounts.models import Role, User
from tillit.common.periods import Month
from tillit.compensation.models import Statement
from tillit.compensation.services import compensation_model_import
from tillit.compensation.statements import statement_approve, statement_run
from tillit.registry.models import Contract

_VERSION = """
[[versions]]
valid_from = {valid_from}
basis = "performed"
time_bands.day = {{ from = "07:00", to = "22:00" }}
time_bands.night = {{ from = "22:00", to = "07:00" }}
hourly = [
  {{ band = "day", regi = "private", rate = "{day}" }},
  {{ band = "day", regi = "nonprofit", rate = "{day}" }},
  {{ band = "day", regi = "municipal", rate = "{day_municipal}" }},
]
per_visit = [
  {{ band = "night", regi = "private", amount = "{night}" }},
  {{ band = "night", regi = "nonprofit", amount = "{night}" }},
  {{ band = "night", regi = "municipal", amount = "{night_municipal}" }},
]
per_month = [
  {{ alarm_customer = true, regi = "private", amount = "197" }},
  {{ alarm_customer = true, regi = "nonprofit", amount = "197" }},
  {{ alarm_customer = true, regi = "municipal", amount = "185" }},
]
schablon = [
  {{ intervention = "STAD", minutes = "96" }},
  {{ intervention = "TVATT", minutes = "86" }},
  {{ intervention = "INK", minutes = "60" }},
]
per_delivery = [{{ intervention = "MAT", amount = "50.25" }}]
declined = [
  {{ intervention = "STAD", percent = "75" }},
  {{ category = "service", percent = "55" }},
  {{ category = "omvardnad", percent = "50" }},
]
absence = [
  {{ first_day = 1, last_day = 1, category = "omvardnad", percent = "75" }},
  {{ first_day = 2, last_day = 5, category = "omvardnad", percent = "25" }},
]
new_customer = {{ minutes = "240", category = "omvardnad" }}
"""


def demo_model(first: datetime.date) -> str:
    """The model text: in force from the demo's first month, indexed by 3.2 % on the next 1 April."""
    indexation = datetime.date(first.year + (first.month > 4), 4, 1)
    text = 'name = "Tillby hemtjänst (LOV)"\n'
    text += 'description = "Utförd tid 07–22, nattbesök per besök, larmkunder per månad, schabloner för service."\n'
    text += _VERSION.format(valid_from=first, day="516", day_municipal="485", night="260", night_municipal="245")
    text += _VERSION.format(valid_from=indexation, day="532.50", day_municipal="500.50", night="268.30",
                            night_municipal="252.80")
    return text


EXAMPLES = Path(settings.BASE_DIR) / "docs" / "compensation-models"


def build_compensation(first_month: Month, last_month: Month, progress: Callable[[str], None]) -> None:
    # Real municipalities' models beside the demo's own, for the simulator to compare with.
    for name in ("stockholm-2024.toml", "solna-2024.toml"):
        if (EXAMPLES / name).exists():
            compensation_model_import(actor=None, text=(EXAMPLES / name).read_text(encoding="utf-8"), file_name=name)
    text = demo_model(first_month.first_day)
    for contract in Contract.objects.filter(compensation_models__isnull=True):
        if "home_care" in contract.service_types:
            compensation_model_import(actor=None, text=text, file_name="tillby-hemtjanst.toml", contract=contract)
    finance = User.objects.filter(memberships__role=Role.FINANCE).first()
    for month in (last_month.shift(-1), last_month):
        if Statement.objects.filter(month=str(month)).exists():
            continue
        outcomes = statement_run(actor=None, month=month)
        progress(f"  statements {month}: {len(outcomes)} providers, "
                 f"{sum(o.statement.total for o in outcomes):,.2f} kr")
        if month != last_month:
            for outcome in outcomes:
                statement_approve(actor=finance, statement=outcome.statement)
