"""Compensation models and their effective-dated versions (the rules themselves: rules.py)."""

from __future__ import annotations

import datetime

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
        return parse_rules(self.rules_data, f"{self.model.name} {self.valid_from}")
