"""Delivered files hold identity numbers in clear: `tillit deliveries purge-uploads` removes them
after TILLIT_UPLOAD_RETENTION_DAYS, except while a decision or a newer delivery needs them."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests.ledger.helpers import load, visit
from tillit.audit.models import AuditEvent
from tillit.deliveries.models import Delivery


def _age(delivery: Delivery, days: int) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))


def _file(delivery: Delivery) -> Path:
    return Path(settings.UPLOAD_DIR) / Delivery.objects.get(pk=delivery.pk).stored_path


def test_old_files_go_recent_and_waiting_ones_stay(ledger) -> None:
    old = load(ledger.world, [visit("V1")], "gammal.csv")
    waiting = load(ledger.world, [visit("V2", status="fel")], "vantar.csv")  # a rejected row: waits
    recent = load(ledger.world, [visit("V3", "2024-05-07 08:00", "2024-05-07 08:30")], "ny.csv")
    assert waiting.status == Delivery.Status.PENDING
    old_file = _file(old)
    _age(old, 120)
    _age(waiting, 120)
    _age(recent, 10)
    out = io.StringIO()
    call_command("deliveries", "purge-uploads", stdout=out)
    assert "Removed 1 delivered files older than 90 days" in out.getvalue()
    assert not old_file.exists() and Delivery.objects.get(pk=old.pk).stored_path == ""
    assert _file(waiting).is_file() and _file(recent).is_file()
    assert Delivery.objects.get(pk=old.pk).rows_accepted == 1  # what Tillit made of it stays
    event = AuditEvent.objects.get(event_type="deliveries.uploads_purged")
    assert event.new_values["files"] == 1 and event.new_values["older_than_days"] == 90


def test_a_file_delivered_again_stays_while_the_newer_delivery_is_recent(ledger) -> None:
    rows = [visit("V1")]
    first = load(ledger.world, rows, "a.csv")
    first_file = _file(first)
    _age(first, 200)
    Delivery.objects.create(kind=first.kind, file_name="a-igen.csv", checksum=first.checksum, size=first.size,
                            stored_path=first.stored_path, status=Delivery.Status.LOADED,
                            organisation=first.organisation)
    call_command("deliveries", "purge-uploads", "--days", "30", stdout=io.StringIO())
    assert first_file.is_file() and Delivery.objects.get(pk=first.pk).stored_path != ""
    call_command("deliveries", "purge-uploads", "--days", "0", stdout=io.StringIO())
    assert not first_file.exists()
    assert not Delivery.objects.exclude(stored_path="").filter(checksum=first.checksum).exists()
