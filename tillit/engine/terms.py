"""The numbers of a quality declaration that change how indicators are measured."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Terms:
    """Margins and deadlines (PRODUCT.md, "Punctuality" and "Deadlines"); each contract may change them.

    Deadlines are calendar days; the follow-up of an implementation plan is in months.
    """

    punctuality_margin_minutes: int = 30
    welcome_call_days: int = 7
    plan_days: int = 28
    plan_followup_months: int = 6
    complaint_days: int = 14

    def as_row(self, provider_id: int) -> dict[str, int]:
        return {"provider_id": provider_id, **asdict(self)}


STANDARD_TERMS = Terms()
