"""The indicators Tillit measures: code, name, unit and which direction is better.

Definitions in full, as a controller reads them: docs/indicators.md (anchors = codes).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PERCENT = "percent"
PER_100 = "per_100"
STAFF = "staff"
DAYS = "days"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    higher_is_better: bool | None  # None: neither (a control signal or a ratio to read in context)
    source: str  # "visits" (the ledger) or "events" (care events and decisions)
    group: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("continuity_mean", _("Staff continuity, mean staff in 14 days"), STAFF, False, "visits", "continuity"),
    Indicator("continuity_median", _("Staff continuity, median staff in 14 days"), STAFF, False, "visits", "continuity"),
    Indicator("continuity_over_20", _("Share meeting more than 20 staff in 14 days"), PERCENT, False, "visits", "continuity"),
    Indicator("staff_per_recipient", _("Different staff per recipient and month, mean"), STAFF, False, "visits", "continuity"),
    Indicator("punctuality", _("Punctuality: visits begun within the margin"), PERCENT, True, "visits", "visits"),
    Indicator("late", _("Visits begun later than the margin"), PERCENT, False, "visits", "visits"),
    Indicator("early", _("Visits begun earlier than the margin"), PERCENT, False, "visits", "visits"),
    Indicator("performed_granted", _("Performed time of granted time"), PERCENT, None, "visits", "time"),
    Indicator("declined", _("Visits declined by the recipient per 100 planned"), PER_100, None, "visits", "visits"),
    Indicator("cancelled", _("Visits cancelled by the provider per 100 planned"), PER_100, False, "visits", "visits"),
    Indicator("missed", _("Missed visits per 100 planned"), PER_100, False, "visits", "visits"),
    Indicator("no_end", _("Performed visits without a registered end"), PERCENT, False, "visits", "control"),
    Indicator("manual", _("Performed visits registered manually"), PERCENT, False, "visits", "control"),
    Indicator("care_contact", _("Recipients with a care contact"), PERCENT, True, "events", "deadlines"),
    Indicator("care_contact_days", _("Days to a care contact, median"), DAYS, False, "events", "deadlines"),
    Indicator("welcome_call", _("Welcome calls in time"), PERCENT, True, "events", "deadlines"),
    Indicator("plan", _("Implementation plans in time"), PERCENT, True, "events", "deadlines"),
    Indicator("plan_follow_up", _("Implementation plans followed up in time"), PERCENT, True, "events", "deadlines"),
    Indicator("complaint", _("Complaints answered in time"), PERCENT, True, "events", "deadlines"),
)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
# Indicators whose value is a median: they have no numerator, the denominator is the count.
MEDIANS = frozenset({"continuity_median", "care_contact_days"})
