"""A contract's quality declaration (terms and rules) and the stored results of indicator runs.

Pages read these tables only; the engine fills them (a run per month, redone after imports).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.engine.catalogue import INDICATORS
from tillit.engine.terms import STANDARD_TERMS, Terms

INDICATOR_CHOICES = [(indicator.code, indicator.name) for indicator in INDICATORS]


class QualityTerms(models.Model):
    """The margins and deadlines a contract's quality declaration sets (standard when absent)."""

    contract = models.OneToOneField("registry.Contract", on_delete=models.CASCADE, related_name="quality_terms")
    punctuality_margin_minutes = models.PositiveSmallIntegerField(
        _("punctuality margin (minutes)"), default=STANDARD_TERMS.punctuality_margin_minutes)
    welcome_call_days = models.PositiveSmallIntegerField(
        _("welcome call within (days)"), default=STANDARD_TERMS.welcome_call_days)
    plan_days = models.PositiveSmallIntegerField(
        _("implementation plan within (days)"), default=STANDARD_TERMS.plan_days)
    plan_followup_months = models.PositiveSmallIntegerField(
        _("plan followed up within (months)"), default=STANDARD_TERMS.plan_followup_months)
    complaint_days = models.PositiveSmallIntegerField(
        _("complaints answered within (days)"), default=STANDARD_TERMS.complaint_days)

    class Meta:
        verbose_name = _("quality terms")
        verbose_name_plural = _("quality terms")

    def as_terms(self) -> Terms:
        return Terms(
            punctuality_margin_minutes=self.punctuality_margin_minutes, welcome_call_days=self.welcome_call_days,
            plan_days=self.plan_days, plan_followup_months=self.plan_followup_months,
            complaint_days=self.complaint_days,
        )


class QualityRule(models.Model):
    """A promise of the quality declaration as a threshold on an indicator, e.g. punctuality ≥ 90 %."""

    class Operator(models.TextChoices):
        AT_LEAST = "gte", _("at least")
        AT_MOST = "lte", _("at most")

    contract = models.ForeignKey("registry.Contract", on_delete=models.CASCADE, related_name="quality_rules")
    indicator = models.CharField(_("indicator"), max_length=32, choices=INDICATOR_CHOICES)
    operator = models.CharField(_("requirement"), max_length=3, choices=Operator.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["contract", "indicator"]
        constraints = [models.UniqueConstraint(fields=["contract", "indicator"], name="quality_rule_once")]
        verbose_name = _("quality rule")
        verbose_name_plural = _("quality rules")


class IndicatorRun(models.Model):
    """One computation of a month's indicators; only the latest complete run of a month is kept."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    month = models.CharField(_("month"), max_length=7, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    as_of = models.DateField(_("deadlines as of"))
    reason = models.CharField(_("reason"), max_length=20)
    ledger_path = models.CharField(max_length=300, blank=True)  # the month's ledger file the run read
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class IndicatorResult(models.Model):
    """A figure of a provider (unit = None) or of one of its units in a month."""

    run = models.ForeignKey(IndicatorRun, on_delete=models.CASCADE, related_name="results")
    month = models.CharField(max_length=7)
    indicator = models.CharField(max_length=32, choices=INDICATOR_CHOICES)
    provider = models.ForeignKey("registry.Provider", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("registry.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    numerator = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=2)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        indexes = [
            models.Index(fields=["month", "indicator"]),
            models.Index(fields=["provider", "indicator", "month"]),
        ]


class ContinuityObservation(models.Model):
    """A recipient observed in a 14-day period: the evidence behind the continuity figures."""

    run = models.ForeignKey(IndicatorRun, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)
    provider = models.ForeignKey("registry.Provider", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("registry.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey("care.Recipient", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    visits = models.PositiveIntegerField()
    staff = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["provider", "month"])]

    @property
    def period_end(self):
        return self.period_start + datetime.timedelta(days=13)


class RecipientMonth(models.Model):
    """A recipient's month with a provider: staff met, visits, performed and granted minutes."""

    run = models.ForeignKey(IndicatorRun, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)
    provider = models.ForeignKey("registry.Provider", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey("care.Recipient", on_delete=models.CASCADE, related_name="+")
    staff = models.PositiveIntegerField()
    planned_visits = models.PositiveIntegerField()
    performed_visits = models.PositiveIntegerField()
    performed_minutes = models.DecimalField(max_digits=12, decimal_places=2)
    granted_minutes = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["provider", "month"])]


class DeadlineItem(models.Model):
    """Something the declaration promises by a date, measured in the month of its deadline.

    Care-contact items are the episodes going on at the month's end (due = the month's last day).
    """

    class Status(models.TextChoices):
        MET = "met", _("In time")
        LATE = "late", _("Late")
        MISSING = "missing", _("Missing")
        PENDING = "pending", _("Not yet due")

    run = models.ForeignKey(IndicatorRun, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)
    indicator = models.CharField(max_length=32, choices=INDICATOR_CHOICES)
    provider = models.ForeignKey("registry.Provider", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey("care.Recipient", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=64, blank=True)
    start_date = models.DateField()
    due_date = models.DateField()
    end_date = models.DateField(null=True)
    done_date = models.DateField(null=True)
    status = models.CharField(max_length=8, choices=Status.choices)

    class Meta:
        indexes = [models.Index(fields=["provider", "month", "indicator"])]

    @property
    def days(self) -> int | None:
        return None if self.done_date is None else (self.done_date - self.start_date).days


class Compliance(models.Model):
    """A provider against one rule of its quality declaration in a month."""

    class Status(models.TextChoices):
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")
        NOT_MEASURABLE = "not_measurable", _("Not measurable")

    run = models.ForeignKey(IndicatorRun, on_delete=models.CASCADE, related_name="compliance")
    month = models.CharField(max_length=7)
    provider = models.ForeignKey("registry.Provider", on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey("registry.Contract", on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=32, choices=INDICATOR_CHOICES)
    operator = models.CharField(max_length=3, choices=QualityRule.Operator.choices)
    threshold = models.DecimalField(max_digits=9, decimal_places=2)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["provider", "indicator"]
        indexes = [models.Index(fields=["month", "provider"])]
