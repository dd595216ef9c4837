"""Compensation models and their effective-dated versions (the rules themselves: rules.py)."""

from __future__ import annotations

import datetime
import json
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.compensation.rules import Rules, parse_rules


class CompensationModel(models.Model):
    """How a contract's provider is paid; a model without a contract is one to simulate with."""

    contract = models.ForeignKey("registry.Contract", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="compensation_models")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["contract", "name"], name="compensation_model_name")]
        verbose_name = _("compensation model")
        verbose_name_plural = _("compensation models")

    def __str__(self) -> str:
        return self.name

    def version_on(self, day: datetime.date) -> ModelVersion | None:
        """The version in force on `day`: the latest that took effect on or before it."""
        return self.versions.filter(valid_from__lte=day).order_by("-valid_from").first()


@lru_cache(maxsize=256)
def _parsed(text: str, where: str) -> Rules:
    """Rules are immutable: a run of many months parses each version once."""
    return parse_rules(json.loads(text), where)


class ModelVersion(models.Model):
    """The rules from `valid_from` until the next version takes effect (e.g. the yearly indexation)."""

    model = models.ForeignKey(CompensationModel, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    rules_data = models.JSONField()  # rules.rules_as_data(): amounts as text, exact

    class Meta:
        ordering = ["model", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["model", "valid_from"], name="model_version_from")]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")

    @property
    def rules(self) -> Rules:
        return _parsed(json.dumps(self.rules_data, sort_keys=True), f"{self.model.name} {self.valid_from}")


class Statement(models.Model):
    """A provider's compensation for a month (ersättningsunderlag): a draft until finance approves
    it, then locked. A re-run makes a new version; earlier versions stay for comparison."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    provider = models.ForeignKey("registry.Provider", on_delete=models.PROTECT, related_name="statements")
    month = models.CharField(_("month"), max_length=7)
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    model = models.ForeignKey(CompensationModel, on_delete=models.PROTECT, related_name="statements")
    model_document = models.TextField()  # the model as it was priced with (TOML), for lineage
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    ledger_path = models.CharField(max_length=300, blank=True)  # the month's ledger file read
    ledger_batches = models.JSONField(default=list)  # the visit deliveries (batch ids) behind it
    # sha256 of the lines as stored (statements.lines_digest): a re-run that changes nothing is
    # recognised without reading the lines back
    lines_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-month", "provider__name", "-number"]
        constraints = [models.UniqueConstraint(fields=["provider", "month", "number"], name="statement_version")]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return f"{self.provider} {self.month} v{self.number}"


class StatementLine(models.Model):
    """One line: a recipient's component at one rate, with the quantities that produced it."""

    class Component(models.TextChoices):
        TIME = "time", _("Time")
        PER_VISIT = "per_visit", _("Per visit")
        PER_DELIVERY = "per_delivery", _("Per delivery")
        PER_MONTH = "per_month", _("Per month")
        SCHABLON = "schablon", _("Standard time per occasion")
        DECLINED = "declined", _("Declined visits")
        ABSENCE = "absence", _("Absence")
        NEW_CUSTOMER = "new_customer", _("New customer")
        REGI_ADJUSTMENT = "regi_adjustment", _("Operator-form adjustment")
        EFFECT_PREMIUM = "effect_premium", _("Effect premium")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    recipient = models.ForeignKey("care.Recipient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    component = models.CharField(max_length=20, choices=Component.choices)
    version_from = models.DateField()
    category = models.CharField(max_length=16, blank=True)
    band = models.CharField(max_length=32, blank=True)
    intervention = models.CharField(max_length=32, blank=True)
    granted_minutes = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    performed_minutes = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    unit = models.CharField(max_length=10)
    rate = models.DecimalField(max_digits=14, decimal_places=2)
    percent = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["recipient_id", "component", "version_from", "band", "id"]
        indexes = [models.Index(fields=["statement", "recipient"])]


class Simulation(models.Model):
    """A saved comparison of models over a period (konsekvensanalys), kept as it was computed."""

    name = models.CharField(_("name"), max_length=200)
    first_month = models.CharField(max_length=7)
    last_month = models.CharField(max_length=7)
    compared = models.ManyToManyField(CompensationModel, related_name="simulations")
    results = models.JSONField()  # provider id → model id → amount, performed and granted hours
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("simulation")
        verbose_name_plural = _("simulations")


class PremiumScheme(models.Model):
    """An effect premium (effektpremie) offered under a contract for a period, with its criteria."""

    contract = models.ForeignKey("registry.Contract", on_delete=models.PROTECT, related_name="premium_schemes")
    name = models.CharField(_("name"), max_length=200)
    first_month = models.CharField(_("from month"), max_length=7)
    last_month = models.CharField(_("to month"), max_length=7)
    pay_month = models.CharField(_("paid with the statement of"), max_length=7)
    max_amount = models.DecimalField(_("at most (SEK)"), max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_month", "name"]
        verbose_name = _("effect premium")
        verbose_name_plural = _("effect premiums")

    def __str__(self) -> str:
        return self.name


class PremiumCriterion(models.Model):
    """One condition: an indicator Tillit measures, or one the controller enters with its source."""

    scheme = models.ForeignKey(PremiumScheme, on_delete=models.CASCADE, related_name="criteria")
    indicator = models.CharField(_("indicator"), max_length=32, blank=True)
    label = models.CharField(_("criterion"), max_length=200)
    operator = models.CharField(_("requirement"), max_length=3, choices=[("gte", _("at least")), ("lte", _("at most"))])
    threshold = models.DecimalField(_("threshold"), max_digits=9, decimal_places=2)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["scheme", "id"]


class PremiumApplication(models.Model):
    """A provider's application for an effect premium, and the controller's decision."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    scheme = models.ForeignKey(PremiumScheme, on_delete=models.PROTECT, related_name="applications")
    provider = models.ForeignKey("registry.Provider", on_delete=models.PROTECT, related_name="premium_applications")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    comment = models.TextField(_("comment"), blank=True)
    measured = models.JSONField(default=list)  # the values as shown when submitted, per criterion
    attachment = models.FileField(_("attachment"), upload_to="premiums/%Y", blank=True)  # under MEDIA_ROOT
    submitted_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    amount = models.DecimalField(_("approved amount (SEK)"), max_digits=12, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["scheme", "provider"], name="one_application_per_scheme")]
