"""Template helpers for what templates cannot say themselves."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import timezone

register = template.Library()


@register.filter
def contract_status(contract: object, lead_months: int | None = None) -> str:
    """The contract's status today: not_started, ended, ending or active."""
    lead = lead_months or settings.TILLIT_CONTRACT_LEAD_MONTHS
    return contract.status_on(timezone.localdate(), int(lead))  # type: ignore[attr-defined]


@register.filter
def label_of(key: str, labels: dict[str, str]) -> str:
    """Look a key up in a dict of labels (templates cannot index by a variable)."""
    return labels.get(key, key) if isinstance(labels, dict) else key


@register.filter
def lookup(mapping: object, key: object) -> object:
    """mapping[key] or None (templates cannot index by a variable)."""
    try:
        return mapping[key]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return None


@register.simple_tag
def figure(value: object, unit: str) -> str:
    """An indicator's value as the unit reads: "66,7 %", "4,3", "10,0", "4 dagar"; "–" when none.

    Rounded half up here: Django's number_format cuts decimals off rather than rounding them.
    """
    from decimal import ROUND_HALF_UP, Decimal

    from django.utils.formats import number_format
    from django.utils.translation import ngettext

    if value is None or value == "":  # "" is what a template gives for a missing attribute
        return "–"
    number = Decimal(str(value))
    places = 0 if unit == "days" and number == number.to_integral_value() else 1
    text = number_format(number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), places)
    if unit == "percent":
        return f"{text} %"
    if unit == "days":
        return ngettext("%(days)s day", "%(days)s days", 1 if number == 1 else 2) % {"days": text}
    return text


@register.filter
def line_basis(line: object) -> str:
    """What produced a statement line, in words: visits, decisions, days of a stay, schablon."""
    from django.utils.translation import gettext, ngettext

    detail = getattr(line, "detail", None) or {}
    parts = []
    if detail.get("visits"):
        parts.append(ngettext("%(n)s visit", "%(n)s visits", detail["visits"]) % {"n": detail["visits"]})
    if detail.get("occasions"):
        parts.append(gettext("%(minutes)s min × %(n)s") % {"minutes": detail["minutes"], "n": detail["occasions"]})
    if detail.get("days"):
        parts.append(gettext("days %(days)s of the stay") % {"days": detail["days"].replace("-", "–")})
    if detail.get("paid_share"):
        parts.append(gettext("%(share)s percent of the performed time paid (the cap)") % {"share": detail["paid_share"]})
    if detail.get("decisions"):
        parts.append(gettext("decision %(numbers)s") % {"numbers": ", ".join(detail["decisions"])})
    return " · ".join(parts)
