"""The effect premium (effektpremie): criteria per contract and period, the provider's application
pre-filled with its measured values, the controller's decision, notifications both ways, and the
approved amount as its own line on the statement of the scheme's pay month.

The measured values are handed in by the caller (the web adapter reads them from the quality
app's `provider_indicator_values`): compensation and quality are siblings and do not import
each other.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.accounts.models import Membership, Role
from tillit.audit.services import audit_record
from tillit.common.errors import ValidationFailed
from tillit.common.periods import Month
from tillit.compensation.models import PremiumApplication, PremiumCriterion, PremiumScheme
from tillit.registry.models import Contract, Provider


def _amount(raw: Any, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise ValidationFailed(_("%(value)s is not an amount; write it like 25000 or 25 000,50.") % {"value": raw},
                               field=field) from None
    if not value.is_finite() or value <= 0:
        raise ValidationFailed(_("The amount must be more than zero."), field=field)
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def premium_scheme_create(*, actor: Any, contract: Contract, name: str, first: Month, last: Month, pay: Month,
                          max_amount: Any, criteria: list[dict[str, Any]]) -> PremiumScheme:
    """Offer a premium under a contract: criteria measured over first..last, paid with `pay`'s statement."""
    if not name.strip():
        raise ValidationFailed(_("Give the effect premium a name."), field="name")
    if (last.year, last.month) < (first.year, first.month) or (pay.year, pay.month) <= (last.year, last.month):
        raise ValidationFailed(_("The period must end before the month it is paid in."), field="pay_month")
    if not criteria:
        raise ValidationFailed(_("Give at least one criterion."), field="criteria")
    scheme = PremiumScheme.objects.create(contract=contract, name=name.strip(), first_month=str(first),
                                          last_month=str(last), pay_month=str(pay),
                                          max_amount=_amount(max_amount, "max_amount"))
    for item in criteria:
        if item.get("operator") not in ("gte", "lte"):
            raise ValidationFailed(_("Choose whether the value must be at least or at most the threshold."),
                                   field="criteria")
        if not item.get("indicator") and not item.get("source", "").strip():
            raise ValidationFailed(_("A criterion that Tillit does not measure needs its source."), field="criteria")
        PremiumCriterion.objects.create(scheme=scheme, indicator=item.get("indicator", ""), label=item["label"],
                                        operator=item["operator"], source=item.get("source", ""),
                                        threshold=Decimal(str(item["threshold"]).replace(",", ".")))
    audit_record(actor=actor, event_type="premium_scheme.created", target=scheme, target_label=scheme.name,
                 organisation=contract.provider.organisation,
                 new={"period": f"{first}–{last}", "pay_month": str(pay), "max_amount": scheme.max_amount,
                      "criteria": [c["label"] for c in criteria]})
    return scheme


def _emails(organisation_id: int | None = None, roles: tuple[str, ...] = (Role.CONTROLLER,)) -> list[str]:
    memberships = Membership.objects.filter(role__in=roles, user__is_active=True)
    if organisation_id is not None:
        memberships = memberships.filter(organisation_id=organisation_id)
    return sorted(set(memberships.values_list("user__email", flat=True)))


@transaction.atomic
def premium_application_submit(*, actor: Any, scheme: PremiumScheme, provider: Provider,
                               measured: list[dict[str, Any]], comment: str = "", attachment: Any = None
                               ) -> PremiumApplication:
    """The provider applies; the controllers are told. One application per provider and scheme."""
    if scheme.contract.provider_id != provider.pk:
        raise ValidationFailed(_("This effect premium is offered under another provider's contract."))
    if PremiumApplication.objects.filter(scheme=scheme, provider=provider).exists():
        raise ValidationFailed(_("The provider has already applied for this effect premium."))
    application = PremiumApplication.objects.create(
        scheme=scheme, provider=provider, comment=comment.strip(), measured=measured,
        submitted_by=actor if getattr(actor, "pk", None) else None)
    if attachment is not None:
        application.attachment.save(attachment.name, attachment, save=True)
    audit_record(actor=actor, event_type="premium_application.submitted", target=application,
                 target_label=f"{scheme.name}: {provider.name}", organisation=provider.organisation,
                 new={"measured": measured, "comment": application.comment})
    subject = _("Effect premium: %(provider)s has applied for %(scheme)s") % {"provider": provider.name,
                                                                               "scheme": scheme.name}
    transaction.on_commit(lambda: send_mail(subject, subject, settings.DEFAULT_FROM_EMAIL, _emails(), fail_silently=True))
    return application


@transaction.atomic
def premium_application_decide(*, actor: Any, application: PremiumApplication, approve: bool,
                               amount: Any = None, reason: str = "") -> PremiumApplication:
    """The controller approves with an amount (at most the scheme's) or rejects with a reason;
    the provider's users are told. A decision is final."""
    application = PremiumApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != PremiumApplication.Status.SUBMITTED:
        raise ValidationFailed(_("The application has already been decided."))
    if approve:
        value = _amount(amount, "amount")
        if value > application.scheme.max_amount:
            raise ValidationFailed(_("The amount is more than the effect premium's %(max)s kr.")
                                   % {"max": application.scheme.max_amount}, field="amount")
        application.status, application.amount = PremiumApplication.Status.APPROVED, value
    else:
        if not reason.strip():
            raise ValidationFailed(_("Say why the application is rejected."), field="reason")
        application.status = PremiumApplication.Status.REJECTED
    application.reason = reason.strip()
    application.decided_at = timezone.now()
    application.decided_by = actor if getattr(actor, "pk", None) else None
    application.save()
    audit_record(actor=actor, event_type=f"premium_application.{application.status}", target=application,
                 target_label=f"{application.scheme.name}: {application.provider.name}",
                 organisation=application.provider.organisation,
                 new={"amount": application.amount, "reason": application.reason})
    subject = _("Effect premium %(scheme)s: %(status)s") % {"scheme": application.scheme.name,
                                                            "status": application.get_status_display()}
    recipients = _emails(application.provider.organisation_id, (Role.PROVIDER_USER,))
    transaction.on_commit(lambda: send_mail(subject, subject, settings.DEFAULT_FROM_EMAIL, recipients,
                                            fail_silently=True))
    return application


def approved_premiums(provider_id: int, month: Month) -> list[PremiumApplication]:
    """The approved applications paid with this month's statement of the provider."""
    return list(PremiumApplication.objects.filter(provider_id=provider_id, status=PremiumApplication.Status.APPROVED,
                                                  scheme__pay_month=str(month)).select_related("scheme"))
