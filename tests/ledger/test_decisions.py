"""A file with bad rows waits for a person: accept loads its valid rows, reject discards it;
accept_valid loads at once. A failure in the middle of activation leaves the ledger as it was."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from tests.ledger.helpers import (
    batch_of, by_id, current, current_ids, errors, load, load_result, month_state, visit, visits_csv,
)
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import DeliveryStateError, delivery_accept, delivery_reject
from tillit.ledger import services, store
from tillit.ledger.models import LedgerMonth, VisitBatch, VisitFile
from tillit.ledger.services import collect_garbage


def mixed() -> list[dict[str, str]]:
    return [
        visit("V1"),
        visit("V2", "2024-05-07 08:00", "2024-05-07 08:30", status="fel"),
        visit("V3", "2024-06-03 08:00", "2024-06-03 08:30"),
        visit("V4", "2024-06-04 08:00", "2024-06-04 08:30", recipient_id="P:okand"),
    ]


def staged_paths(delivery: Delivery) -> list[Path]:
    return [Path(settings.LEDGER_DIR) / p for p in batch_of(delivery).files.values_list("path", flat=True)]


def test_bad_rows_make_the_delivery_wait_and_nothing_reaches_the_ledger(ledger) -> None:
    delivery = load(ledger.world, mixed())

    assert delivery.status == Delivery.Status.PENDING
    assert (delivery.rows_read, delivery.rows_rejected, delivery.rows_accepted) == (4, 2, 0)
    assert [row for row, _c, _v in errors(delivery)] == [3, 5]
    assert LedgerMonth.objects.count() == 0 and current() == []
    batch = batch_of(delivery)
    assert (batch.state, batch.rows) == (VisitBatch.State.STAGED, 2)
    assert all(path.exists() for path in staged_paths(delivery))


def test_accepting_loads_only_the_valid_rows(ledger) -> None:
    delivery = load(ledger.world, mixed())
    delivery_accept(actor=ledger.world.controller, delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.LOADED
    assert (delivery.rows_accepted, delivery.decided_by) == (2, ledger.world.controller)
    assert sorted(by_id()) == ["V1", "V3"]
    assert batch_of(delivery).state == VisitBatch.State.ACTIVE
    assert dict(LedgerMonth.objects.values_list("month", "rows")) == {"2024-05": 1, "2024-06": 1}
    with pytest.raises(DeliveryStateError):
        delivery_accept(actor=ledger.world.controller, delivery=delivery)
    with pytest.raises(DeliveryStateError):
        delivery_reject(actor=ledger.world.controller, delivery=delivery)


def test_rejecting_discards_the_batch_and_its_files(ledger) -> None:
    load(ledger.world, [visit("V9", "2024-05-20 08:00", "2024-05-20 08:30")], "tidigare.csv")
    before = month_state()
    delivery = load(ledger.world, mixed())
    paths = staged_paths(delivery)
    assert paths and all(p.exists() for p in paths)

    delivery_reject(actor=ledger.world.controller, delivery=delivery, reason="Fel fil")

    delivery.refresh_from_db()
    assert (delivery.status, delivery.message) == (Delivery.Status.REJECTED, "Fel fil")
    assert batch_of(delivery).state == VisitBatch.State.DISCARDED
    assert not VisitFile.objects.filter(batch__delivery=delivery).exists()
    assert not any(p.exists() for p in paths)
    assert month_state() == before
    assert sorted(by_id()) == ["V9"]
    assert delivery.issues.count() == 2  # the report stays for lineage
    with pytest.raises(DeliveryStateError):
        delivery_accept(actor=ledger.world.controller, delivery=delivery)


def test_accept_valid_loads_at_once(ledger) -> None:
    delivery = load(ledger.world, mixed(), accept_valid=True)
    assert delivery.status == Delivery.Status.LOADED
    assert (delivery.rows_rejected, delivery.rows_accepted) == (2, 2)
    assert sorted(by_id()) == ["V1", "V3"]


def test_a_file_where_every_row_is_bad_waits_and_loads_nothing_when_accepted(ledger) -> None:
    delivery = load(ledger.world, [visit("V1", status="fel"), visit("V2", recipient_id="P:x")])
    assert delivery.status == Delivery.Status.PENDING
    delivery_accept(actor=ledger.world.controller, delivery=delivery)
    assert delivery.status == Delivery.Status.LOADED and current() == []


def test_accepting_an_older_waiting_delivery_does_not_undo_a_later_one(ledger) -> None:
    older = load(ledger.world, [visit("V1", registered_end="2024-05-06 08:20"), visit("V2", status="fel")], "mandag.csv")
    load(ledger.world, [visit("V1", registered_end="2024-05-06 08:40")], "tisdag.csv")
    delivery_accept(actor=ledger.world.controller, delivery=older)
    assert by_id()["V1"]["batch_id"] != batch_of(older).pk  # Tuesday's correction stands
    assert str(by_id()["V1"]["registered_end"]).endswith("06:40:00")  # 08:40 local, summer time


# --- a failure in the middle of activation ----------------------------------------------------


def _fail_on_call(monkeypatch, number: int) -> list[int]:
    """Make store.write_parquet fail on its `number`-th call from now on."""
    calls = [0]
    real = store.write_parquet

    def failing(*args, **kwargs):
        calls[0] += 1
        if calls[0] == number:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "write_parquet", failing)
    return calls


@pytest.mark.parametrize("failing_call", [1, 2])
def test_a_write_failing_midway_through_activation_changes_nothing(ledger, monkeypatch, failing_call: int) -> None:
    load(ledger.world, [visit("V0", "2024-05-20 08:00", "2024-05-20 08:30"),
                        visit("J0", "2024-06-20 08:00", "2024-06-20 08:30")], "forsta.csv")
    before, rows_before = month_state(), current()
    delivery = load(ledger.world, mixed())  # touches May and June
    _fail_on_call(monkeypatch, failing_call)

    with pytest.raises(OSError):
        delivery_accept(actor=ledger.world.controller, delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert batch_of(delivery).state == VisitBatch.State.STAGED
    assert all(p.exists() for p in staged_paths(delivery))
    assert month_state() == before
    assert current() == rows_before
    # The half-done work is garbage; the manifest's files survive collection.
    collect_garbage(older_than=datetime.timedelta(0))
    assert current() == rows_before and all(p.exists() for p in staged_paths(delivery))

    monkeypatch.undo()
    delivery_accept(actor=ledger.world.controller, delivery=delivery)
    assert sorted(by_id()) == ["J0", "V0", "V1", "V3"]


def test_a_failure_after_the_months_are_written_rolls_the_manifest_back(ledger, monkeypatch) -> None:
    load(ledger.world, [visit("V0", "2024-05-20 08:00", "2024-05-20 08:30")], "forsta.csv")
    before, rows_before = month_state(), current()
    real = services._activate

    def activate_then_crash(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("power cut")

    monkeypatch.setattr(services, "_activate", activate_then_crash)
    result = None
    with pytest.raises(RuntimeError):
        result = load_result(ledger.world, visits_csv([visit("V1"), visit("V5", "2024-07-01 08:00", "2024-07-01 08:30")]))
    assert result is None

    delivery = Delivery.objects.get(file_name="besok.csv")
    assert delivery.status == Delivery.Status.PENDING  # staged, waiting; nothing activated
    assert batch_of(delivery).state == VisitBatch.State.STAGED
    assert month_state() == before and current() == rows_before
    assert all(Path(settings.LEDGER_DIR, path).exists() for path, _v, _r in before.values())
    removed = collect_garbage(older_than=datetime.timedelta(0))
    assert any("current-" in path for path in removed)  # the new month files nobody names
    assert current() == rows_before

    monkeypatch.undo()
    delivery_accept(actor=ledger.world.controller, delivery=delivery)
    assert sorted(by_id()) == ["V0", "V1", "V5"]


def test_an_older_complete_delivery_accepted_late_retires_nothing_delivered_after_it(ledger) -> None:
    """A complete file that waited for a decision speaks for its own time, not for later files."""
    older = load(ledger.world, [visit("V1"), visit("V2", status="fel")], "maj-komplett.csv", complete=True)
    load(ledger.world, [visit("V3", "2024-05-07 08:00", "2024-05-07 08:30")], "dagfil.csv")
    delivery_accept(actor=ledger.world.controller, delivery=older)
    assert sorted(current_ids()) == ["V1", "V3"]  # V3 came later: the older complete file does not retire it
