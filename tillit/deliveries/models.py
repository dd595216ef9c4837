"""A delivered file, what became of it, and its row-level report."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    """One file delivered by a person or a system, kept for lineage whatever its outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        LOADED = "loaded", _("Loaded")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Could not be read")

    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("size in bytes"))
    stored_path = models.CharField(max_length=500, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    created_at = models.DateTimeField(_("delivered"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    # {"created": n, "updated": n, "unchanged": n} once loaded.
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    encoding = models.CharField(max_length=32, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    unknown_columns = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.file_name}"


class DeliveryIssue(models.Model):
    """One problem on one row: what a person needs to find and fix it."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Rejected")
        WARNING = "warning", _("Warning")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=64, blank=True)
    value = models.CharField(_("value"), max_length=255, blank=True)
    reason = models.TextField(_("reason"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)

    class Meta:
        ordering = ["row", "id"]
        verbose_name = _("row issue")
        verbose_name_plural = _("row issues")


class UploadJob(models.Model):
    """A large file waiting for, or being read by, the worker; the page shows its stage."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being read")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=32)
    file_name = models.CharField(max_length=255)
    path = models.CharField(max_length=500)  # the received file, under DATA_DIR/incoming
    options = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    already_delivered = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
