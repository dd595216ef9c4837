"""Providers, their units, the municipality's areas and zones, and contracts."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.common.periods import add_months


class ServiceType(models.TextChoices):
    HOME_CARE = "home_care", _("Home care")
    NURSING_HOME = "nursing_home", _("Nursing home")


class Regi(models.TextChoices):
    PRIVATE = "private", _("Private")
    MUNICIPAL = "municipal", _("Municipal")
    NONPROFIT = "nonprofit", _("Non-profit")


class Zone(models.Model):
    """A rate zone (e.g. urban, suburban, rural) that compensation models can price."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A geographic area of the municipality; recipients and units belong to one."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="areas")

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """A provider (utförare): a company, a non-profit or the municipality's own operation."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="provider"
    )
    org_number = models.CharField(_("organisation number"), max_length=11, unique=True)
    name = models.CharField(_("name"), max_length=200)
    regi = models.CharField(_("operator form"), max_length=16, choices=Regi.choices)
    service_types = models.JSONField(_("service types"), default=list)
    ivo_permit = models.CharField(_("IVO permit"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return self.name

    def service_type_labels(self) -> list[str]:
        labels = dict(ServiceType.choices)
        return [str(labels.get(value, value)) for value in self.service_types]


class Unit(models.Model):
    """A provider's unit (enhet): a home-care group or a nursing home."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(_("unit code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    service_type = models.CharField(_("service type"), max_length=16, choices=ServiceType.choices)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="units")
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["provider__name", "code"]
        constraints = [models.UniqueConstraint(fields=["provider", "code"], name="unit_code_per_provider")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Contract(models.Model):
    """An agreement with a provider: LOV, LOU or the municipality's own operation (egen regi)."""

    class Kind(models.TextChoices):
        LOV = "lov", _("LOV (choice system)")
        LOU = "lou", _("LOU (procurement)")
        OWN = "own", _("Own operation (egen regi)")

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(_("reference"), max_length=100, unique=True)
    kind = models.CharField(_("contract type"), max_length=8, choices=Kind.choices)
    service_types = models.JSONField(_("service types"), default=list)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    extension_options = models.CharField(_("extension options"), max_length=200, blank=True)
    latest_end_date = models.DateField(_("latest end date with all extensions"), null=True, blank=True)
    notice_months = models.PositiveSmallIntegerField(_("notice period (months)"), default=0)
    description = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["end_date", "reference"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return self.reference

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def status_on(self, day: datetime.date, lead_months: int) -> str:
        """"not_started", "ended", "ending" (within the procurement lead time) or "active"."""
        if day < self.start_date:
            return "not_started"
        if self.end_date is None:
            return "active"
        if self.end_date < day:
            return "ended"
        return "ending" if self.end_date <= add_months(day, lead_months) else "active"

    def service_type_labels(self) -> list[str]:
        labels = dict(ServiceType.choices)
        return [str(labels.get(value, value)) for value in self.service_types]
