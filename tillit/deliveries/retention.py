"""Removing delivered files once they have served: they hold identity numbers in clear.

A delivered file is kept while a decision may still need it (a delivery waiting for one reads
the file again when accepted) and for `TILLIT_UPLOAD_RETENTION_DAYS` after it arrived, so that
a controller can look into a recent delivery. After that only what Tillit made of it remains:
the delivery with its counts and row report, the registers and the ledger (which never holds
an identity number). Files are named by checksum, so one file may serve several deliveries
(the same file delivered again): it goes when the last of them no longer needs it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tillit.audit.services import audit_record
from tillit.deliveries.models import Delivery


@dataclass(frozen=True)
class Purged:
    files: int
    deliveries: int


@transaction.atomic
def uploads_purge(*, actor: Any, days: int, now: datetime.datetime | None = None) -> Purged:
    """Remove the delivered files older than `days` that no waiting or newer delivery needs."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    kept = Delivery.objects.exclude(stored_path="")
    needed = set(kept.filter(Q(status=Delivery.Status.PENDING) | Q(created_at__gte=cutoff))
                 .values_list("stored_path", flat=True))
    expired = kept.filter(created_at__lt=cutoff).exclude(status=Delivery.Status.PENDING).exclude(
        stored_path__in=needed)
    paths = set(expired.values_list("stored_path", flat=True))
    root = Path(settings.UPLOAD_DIR)
    for relative in sorted(paths):
        (root / relative).unlink(missing_ok=True)
    deliveries = expired.update(stored_path="")
    if paths:
        audit_record(actor=actor, event_type="deliveries.uploads_purged", target_label=f"{len(paths)} files",
                     new={"files": len(paths), "deliveries": deliveries, "older_than_days": days})
    return Purged(files=len(paths), deliveries=deliveries)
