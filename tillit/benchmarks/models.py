"""What Kolada told us: the KPI catalogue, municipalities, their groups, values and revisions.

Kolada's ids are kept as Kolada writes them ("0180", "N21006", "G176683"): they are stable,
public and what people search for, so they are the primary keys of the reference tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kpi(models.Model):
    """One key indicator of Kolada's catalogue (/v3/kpi)."""

    id = models.CharField(max_length=16, primary_key=True)
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    operating_area = models.CharField(max_length=300, blank=True)
    perspective = models.CharField(max_length=100, blank=True)
    municipality_type = models.CharField(max_length=8, blank=True)
    is_divided_by_gender = models.BooleanField(default=False)
    has_ou_data = models.BooleanField(default=False)
    publication_date = models.CharField(max_length=20, blank=True)
    publ_period = models.CharField(max_length=20, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.title}"


class Municipality(models.Model):
    """A municipality (K), a region (L) or the whole country ("0000", Riket)."""

    id = models.CharField(max_length=8, primary_key=True)
    title = models.CharField(max_length=200)
    type = models.CharField(max_length=8, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class MunicipalityGroup(models.Model):
    """One of Kolada's municipality groups: "Liknande kommuner äldreomsorg, …", SKR's kommungrupper, …"""

    id = models.CharField(max_length=16, primary_key=True)
    title = models.CharField(max_length=300)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class GroupMember(models.Model):
    """A member of a Kolada group, by Kolada id (no foreign key: groups may name ids we lack)."""

    group = models.ForeignKey(MunicipalityGroup, on_delete=models.CASCADE, related_name="members")
    municipality_id = models.CharField(max_length=8, db_index=True)
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "municipality_id"], name="group_member_unique")]


class CustomGroup(models.Model):
    """A comparison group a user puts together; only its owner sees it."""

    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    member_ids = models.JSONField(default=list)  # Kolada municipality ids, a short list
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class KoladaSync(models.Model):
    """One fetch from Kolada or load from files: the job the page follows, and the revisions' origin."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        API = "api", _("Kolada's API")
        FILES = "files", _("Files")

    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    options = models.JSONField(default=dict, blank=True)  # municipality, kpis, groups, years, directory
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    values_new = models.PositiveIntegerField(default=0)
    values_changed = models.PositiveIntegerField(default=0)
    values_unchanged = models.PositiveIntegerField(default=0)
    values_withdrawn = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class KoladaValue(models.Model):
    """A value as Kolada last gave it; `status` non-empty means Kolada marks it uncertain.

    `value` is None when Kolada gives a row without a number (e.g. confidential).
    """

    kpi_id = models.CharField(max_length=16)
    municipality_id = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    gender = models.CharField(max_length=1, default="T")  # T total, K women, M men
    value = models.DecimalField(max_digits=28, decimal_places=8, null=True, blank=True)
    count = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=40, blank=True)
    first_fetched_at = models.DateTimeField()
    fetched_at = models.DateTimeField()  # the last fetch that confirmed this value
    changed_at = models.DateTimeField()  # when the value or status last changed (= first fetch if never)
    sync = models.ForeignKey(KoladaSync, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kpi_id", "municipality_id", "year", "gender"], name="kolada_value_unique")
        ]
        indexes = [models.Index(fields=["municipality_id", "kpi_id"])]


class ValueRevision(models.Model):
    """A value Kolada changed (or withdrew) between two fetches: Kolada does not announce them."""

    kpi_id = models.CharField(max_length=16)
    municipality_id = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    gender = models.CharField(max_length=1, default="T")
    old_value = models.DecimalField(max_digits=28, decimal_places=8, null=True, blank=True)
    new_value = models.DecimalField(max_digits=28, decimal_places=8, null=True, blank=True)
    old_status = models.CharField(max_length=40, blank=True)
    new_status = models.CharField(max_length=40, blank=True)
    withdrawn = models.BooleanField(default=False)  # Kolada marked the row deleted
    detected_at = models.DateTimeField()
    sync = models.ForeignKey(KoladaSync, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions")

    class Meta:
        ordering = ["-detected_at", "kpi_id", "municipality_id", "-year"]
        indexes = [models.Index(fields=["municipality_id", "kpi_id"])]
