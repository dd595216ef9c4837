"""Recipients, the intervention catalogue, decisions and care events."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.common.crypto import protector
from tillit.common.personal_ids import RecipientKey


class Category(models.TextChoices):
    OMVARDNAD = "omvardnad", _("Personal care (omvårdnad)")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other")


class Period(models.TextChoices):
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


class Intervention(models.Model):
    """An entry of the municipality's intervention catalogue (insats) for a validity period."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        SAFETY_ALARM = "safety_alarm", _("Safety alarm")
        MEAL_DELIVERY = "meal_delivery", _("Meal delivery")
        HSL = "hsl", _("Health care (HSL)")
        # A place in a nursing home: decisions with it are nursing-home care, not home care.
        NURSING_HOME = "nursing_home", _("Nursing-home place")

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    # Quality indicators leave safety alarms, meal deliveries and HSL out of staff continuity.
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    standard_minutes = models.DecimalField(_("standard minutes (schablon)"), max_digits=7, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["code", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="intervention_code_from")]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Recipient(models.Model):
    """A person who receives care. The identity number is stored encrypted, found by keyed hash.

    The primary key is the surrogate id that the visit ledger uses instead of the number.
    """

    class IdKind(models.TextChoices):
        PERSONNUMMER = "personnummer", _("Personal identity number")
        COORDINATION = "coordination", _("Coordination number")
        PSEUDONYM = "pseudonym", _("Pseudonymous id")

    id_kind = models.CharField(_("kind of id"), max_length=16, choices=IdKind.choices)
    id_hash = models.CharField(max_length=64, unique=True)
    id_encrypted = models.TextField()
    birth_date = models.DateField(_("birth date"))
    name_encrypted = models.TextField(blank=True)
    area = models.ForeignKey("registry.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    alarm_customer = models.BooleanField(_("safety-alarm customer"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    source_delivery = models.ForeignKey(
        "deliveries.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["birth_date", "id"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return self.key.masked

    @property
    def key(self) -> RecipientKey:
        canonical = protector(settings.PERSONAL_DATA_KEY).decrypt(self.id_encrypted)
        return RecipientKey(kind=self.id_kind, canonical=canonical, birth_date=self.birth_date)

    @property
    def name(self) -> str:
        return protector(settings.PERSONAL_DATA_KEY).decrypt(self.name_encrypted)


class Decision(models.Model):
    """A decision (biståndsbeslut/uppdrag): interventions granted to a recipient, carried out by a provider."""

    external_id = models.CharField(_("decision number"), max_length=64, unique=True)
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="decisions")
    provider = models.ForeignKey("registry.Provider", on_delete=models.PROTECT, related_name="decisions")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    source_delivery = models.ForeignKey(
        "deliveries.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "external_id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.external_id


class DecisionIntervention(models.Model):
    """One granted intervention of a decision: how often and how long."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="interventions")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    frequency = models.DecimalField(_("frequency"), max_digits=9, decimal_places=4)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    minutes = models.DecimalField(_("minutes per occasion"), max_digits=7, decimal_places=2)
    double_staffing = models.BooleanField(_("double staffing"), default=False)

    class Meta:
        ordering = ["decision", "intervention__code"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "intervention"], name="decision_intervention_once")
        ]
        verbose_name = _("granted intervention")
        verbose_name_plural = _("granted interventions")


class CareEvent(models.Model):
    """Something that happened in a recipient's care that the quality declaration promises."""

    class Type(models.TextChoices):
        CARE_CONTACT_ASSIGNED = "care_contact_assigned", _("Care contact assigned")
        WELCOME_CALL = "welcome_call", _("Welcome call")
        PLAN_ESTABLISHED = "plan_established", _("Implementation plan established")
        PLAN_FOLLOWED_UP = "plan_followed_up", _("Implementation plan followed up")
        COMPLAINT_RECEIVED = "complaint_received", _("Complaint received")
        COMPLAINT_ANSWERED = "complaint_answered", _("Complaint answered")
        ABSENCE_STARTED = "absence_started", _("Absence started")
        ABSENCE_ENDED = "absence_ended", _("Absence ended")

    event_type = models.CharField(_("event"), max_length=32, choices=Type.choices)
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="care_events")
    provider = models.ForeignKey("registry.Provider", on_delete=models.PROTECT, related_name="care_events")
    date = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    detail = models.CharField(_("description"), max_length=500, blank=True)
    source_delivery = models.ForeignKey(
        "deliveries.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Events that pair up by reference: the first opens, the second closes.
    PAIRED = {
        Type.COMPLAINT_RECEIVED: Type.COMPLAINT_ANSWERED,
        Type.ABSENCE_STARTED: Type.ABSENCE_ENDED,
    }
    NEEDS_REFERENCE = frozenset({Type.COMPLAINT_RECEIVED, Type.COMPLAINT_ANSWERED, Type.ABSENCE_STARTED, Type.ABSENCE_ENDED})

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_type", "recipient", "provider", "date", "reference"], name="care_event_once"
            )
        ]
        indexes = [models.Index(fields=["provider", "event_type", "date"])]
        verbose_name = _("care event")
        verbose_name_plural = _("care events")
