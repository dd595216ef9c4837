"""The manifest of the visit ledger: which Parquet files exist and which are the current state.

The visits themselves live in Parquet files under settings.LEDGER_DIR, one folder per month.
A file that the manifest does not name does not exist: files are written first (to a temporary
name, then renamed) and become part of the ledger only when the manifest row commits.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitBatch(models.Model):
    """The visits of one delivered file: staged until accepted, then part of the ledger.

    Batches are never rewritten; the latest batch that contains a visit id decides that visit,
    and a batch marked complete retires its providers' other visits in its period.
    """

    class State(models.TextChoices):
        STAGED = "staged", _("Waiting for a decision")
        ACTIVE = "active", _("In the ledger")
        DISCARDED = "discarded", _("Rejected")

    delivery = models.OneToOneField("deliveries.Delivery", on_delete=models.PROTECT, related_name="visit_batch")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.STAGED)
    # The provider the file was delivered for (CLI --provider or an API token); None: the file names them.
    provider = models.ForeignKey("registry.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    complete = models.BooleanField(_("complete for its providers and period"), default=False)
    period_start = models.DateField(_("first day"), null=True, blank=True)
    period_end = models.DateField(_("last day"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("visits"), default=0)
    # Provider ids the batch has visits of (a complete batch retires only theirs).
    provider_ids = models.JSONField(default=list, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    # Visits this batch replaced (same visit id) and retired (complete delivery), for lineage.
    superseded = models.PositiveIntegerField(_("visits replaced"), default=0)
    retired = models.PositiveIntegerField(_("visits retired"), default=0)
    # Recipients the file introduced (TILLIT_CREATE_UNKNOWN_RECIPIENTS): encrypted identity and
    # the temporary negative id their visits carry until the batch is accepted.
    new_recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("visit batch")
        verbose_name_plural = _("visit batches")

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.delivery.file_name})"


class VisitFile(models.Model):
    """One Parquet file of a batch: its visits planned in one month."""

    batch = models.ForeignKey(VisitBatch, on_delete=models.CASCADE, related_name="files")
    month = models.CharField(max_length=7)  # YYYY-MM
    path = models.CharField(max_length=300, unique=True)  # relative to LEDGER_DIR
    rows = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64)

    class Meta:
        ordering = ["month"]


class LedgerMonth(models.Model):
    """The current state of a month: every visit id once, as its latest batch says."""

    month = models.CharField(max_length=7, unique=True)  # YYYY-MM
    path = models.CharField(max_length=300)  # relative to LEDGER_DIR
    version = models.PositiveIntegerField(default=1)
    rows = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    batch = models.ForeignKey(VisitBatch, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["month"]


class LedgerLock(models.Model):
    """One row that activations lock, so two loads never rebuild the same month at once."""

    generation = models.PositiveBigIntegerField(default=0)
