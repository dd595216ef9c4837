"""Re-deliveries: the same file twice changes nothing; a changed visit replaces the older one
(latest delivery wins, never counted twice); daily files add up; a complete delivery retires
its provider's missing visits in its period; earlier deliveries stay for lineage."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
from django.conf import settings

from tests.files import ORG_B
from tests.ledger.helpers import (
    batch_of,
    by_id,
    current,
    errors,
    ledger_files,
    load,
    load_result,
    month_state,
    utc,
    visit,
    visits_csv,
)
from tillit.common.periods import Month
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import delivery_reject
from tillit.ledger.models import LedgerMonth, VisitBatch, VisitFile


def named_files() -> set[str]:
    return set(VisitFile.objects.values_list("path", flat=True)) | set(LedgerMonth.objects.values_list("path", flat=True))


def on_disk() -> set[str]:
    root = Path(settings.LEDGER_DIR)
    relative = [p.relative_to(root) for p in ledger_files() if p.suffix == ".parquet"]
    return {str(p) for p in relative if p.parts[0] != "tmp"}


def assert_each_visit_once() -> None:
    keys = [(row["provider_id"], row["visit_id"]) for row in current(columns="provider_id, visit_id")]
    assert len(keys) == len(set(keys)), "a visit is counted twice"


def test_the_same_file_twice_changes_nothing_and_says_so(ledger) -> None:
    content = visits_csv([visit("V1"), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30")])
    first = load_result(ledger.world, content, "besok.csv")
    state, files = month_state(), sorted(ledger_files())
    assert first.delivery.status == Delivery.Status.LOADED and not first.already_delivered

    again = load_result(ledger.world, content, "besok-igen.csv")  # same bytes, another name

    assert again.already_delivered is True
    assert again.delivery.pk == first.delivery.pk
    assert Delivery.objects.filter(kind="visits").count() == 1
    assert VisitBatch.objects.count() == 1
    assert month_state() == state
    assert sorted(ledger_files()) == files


def test_a_waiting_file_delivered_again_is_still_the_same_waiting_delivery(ledger) -> None:
    content = visits_csv([visit("V1"), visit("V2", status="fel")])
    first = load_result(ledger.world, content)
    again = load_result(ledger.world, content)
    assert first.delivery.status == Delivery.Status.PENDING
    assert again.already_delivered and again.delivery.pk == first.delivery.pk
    assert VisitBatch.objects.count() == 1 and LedgerMonth.objects.count() == 0


def test_a_rejected_file_may_be_delivered_again(ledger) -> None:
    content = visits_csv([visit("V1"), visit("V2", status="fel")])
    first = load(ledger.world, content)
    delivery_reject(actor=ledger.world.controller, delivery=first)
    again = load_result(ledger.world, content, accept_valid=True)
    assert not again.already_delivered and again.delivery.pk != first.pk
    assert again.delivery.status == Delivery.Status.LOADED
    assert set(by_id()) == {"V1"}


def test_a_redelivery_replaces_changed_visits_and_never_counts_one_twice(ledger) -> None:
    first = load(ledger.world, [
        visit("V1"), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30"), visit("V3", "2024-05-08 08:00", "2024-05-08 08:30"),
    ], "dag-1.csv")
    second = load(ledger.world, [
        visit("V2", "2024-05-07 08:00", "2024-05-07 08:30", registered_end="2024-05-07 08:45"),  # corrected
        visit("V4", "2024-05-09 08:00", "2024-05-09 08:30"),
    ], "dag-1-rattad.csv")

    assert second.status == Delivery.Status.LOADED
    assert second.outcome == {"visits": 2, "replaced": 1, "retired": 0}
    assert batch_of(second).superseded == 1
    rows = by_id()
    assert sorted(rows) == ["V1", "V2", "V3", "V4"]
    assert rows["V2"]["registered_end"] == utc("2024-05-07 06:45")
    assert rows["V2"]["batch_id"] == batch_of(second).pk
    assert rows["V1"]["batch_id"] == batch_of(first).pk
    assert LedgerMonth.objects.get(month="2024-05").rows == 4
    assert_each_visit_once()


def test_the_latest_delivery_wins_each_time(ledger) -> None:
    for minutes in (10, 20, 30, 25):
        load(ledger.world, [visit("V1", registered_end=f"2024-05-06 08:{minutes:02d}")], f"v-{minutes}.csv")
    rows = current()
    assert len(rows) == 1
    assert rows[0]["registered_end"] == utc("2024-05-06 06:25")
    assert LedgerMonth.objects.get().version == 4


def test_daily_deliveries_add_up(ledger) -> None:
    for day in range(1, 8):
        date = f"2024-05-{day:02d}"
        delivery = load(ledger.world, [
            visit(f"D{day}-1", f"{date} 08:00", f"{date} 08:30"),
            visit(f"D{day}-2", f"{date} 09:00", f"{date} 09:30", recipient_id="P:r2"),
        ], f"besok-{date}.csv")
        assert delivery.outcome == {"visits": 2, "replaced": 0, "retired": 0}
    assert len(current()) == 14
    assert LedgerMonth.objects.get(month="2024-05").rows == 14
    assert_each_visit_once()


def test_the_same_visit_id_at_two_providers_is_two_visits(ledger) -> None:
    load(ledger.world, [visit("V1")], "a.csv")
    load(ledger.world, [visit("V1", provider_org_number=ORG_B, staff_id="B1")], "b.csv")
    rows = current()
    assert sorted(row["provider_id"] for row in rows) == sorted([ledger.provider_a.pk, ledger.provider_b.pk])


def _a_and_b_in_may_and_june(ledger) -> None:
    delivery = load(ledger.world, [
        visit("V1", "2024-05-06 08:00", "2024-05-06 08:30"),
        visit("V2", "2024-05-20 08:00", "2024-05-20 08:30"),
        visit("V3", "2024-06-03 08:00", "2024-06-03 08:30"),
        visit("B1", "2024-05-06 08:00", "2024-05-06 08:30", provider_org_number=ORG_B, staff_id="B1"),
        visit("B2", "2024-05-21 08:00", "2024-05-21 08:30", provider_org_number=ORG_B, staff_id="B1"),
    ], "start.csv")
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)


def test_a_complete_delivery_retires_its_providers_missing_visits_in_its_period(ledger) -> None:
    _a_and_b_in_may_and_june(ledger)

    # A's complete May: V1 (changed) and a new V5; V2 is gone. June and B are not touched.
    complete = load(ledger.world, [
        visit("V1", "2024-05-06 08:05", "2024-05-06 08:30"),
        visit("V5", "2024-05-27 08:00", "2024-05-27 08:30"),
    ], "a-maj-komplett.csv", complete=True)

    assert complete.outcome == {"visits": 2, "replaced": 1, "retired": 1}
    batch = batch_of(complete)
    assert (batch.complete, batch.period_start, batch.period_end) == (True, datetime.date(2024, 5, 1), datetime.date(2024, 5, 31))
    assert sorted(by_id()) == ["B1", "B2", "V1", "V3", "V5"]
    assert_each_visit_once()


def test_a_complete_delivery_with_a_period_for_a_provider(ledger) -> None:
    _a_and_b_in_may_and_june(ledger)
    period = (Month.parse("2024-05"), Month.parse("2024-06"))
    complete = load(ledger.world, [visit("V2", "2024-05-20 08:00", "2024-05-20 08:30")], "a-komplett.csv",
                    complete=True, provider=ledger.provider_a, period=period)
    assert complete.outcome == {"visits": 1, "replaced": 1, "retired": 2}  # V1 and V3 (June) go
    assert sorted(by_id()) == ["B1", "B2", "V2"]
    assert dict(LedgerMonth.objects.values_list("month", "rows")) == {"2024-05": 3, "2024-06": 0}


def test_a_complete_delivery_without_visits_retires_the_providers_period(ledger) -> None:
    _a_and_b_in_may_and_june(ledger)
    period = (Month.parse("2024-05"), Month.parse("2024-05"))
    empty = load(ledger.world, visits_csv([]), "a-maj-tom.csv", complete=True, provider=ledger.provider_a, period=period)
    assert empty.status == Delivery.Status.LOADED
    assert empty.outcome == {"visits": 0, "replaced": 0, "retired": 2}
    assert sorted(by_id()) == ["B1", "B2", "V3"]


def test_an_incomplete_delivery_retires_nothing(ledger) -> None:
    _a_and_b_in_may_and_june(ledger)
    partial = load(ledger.world, [visit("V1", "2024-05-06 08:05", "2024-05-06 08:30")], "a-del.csv")
    assert partial.outcome == {"visits": 1, "replaced": 1, "retired": 0}
    assert sorted(by_id()) == ["B1", "B2", "V1", "V2", "V3"]


def test_earlier_deliveries_stay_visible_for_lineage(ledger) -> None:
    first = load(ledger.world, [visit("V1"), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30")], "forsta.csv")
    second = load(ledger.world, [visit("V2", "2024-05-07 08:00", "2024-05-07 08:40")], "andra.csv", complete=True)

    assert list(Delivery.objects.filter(kind="visits").order_by("pk").values_list("file_name", "status")) == [
        ("forsta.csv", "loaded"), ("andra.csv", "loaded"),
    ]
    for delivery, expected in ((first, {"V1", "V2"}), (second, {"V2"})):
        files = list(batch_of(delivery).files.all())
        assert files, "a batch keeps its files"
        paths = [str(Path(settings.LEDGER_DIR) / f.path) for f in files]
        found = {row[0] for row in duckdb.connect().execute("SELECT visit_id FROM read_parquet(?)", [paths]).fetchall()}
        assert found == expected
        assert sum(f.rows for f in files) == len(expected)
    assert sorted(by_id()) == ["V2"]  # V1 retired by the complete delivery, still in its batch
    # Every file on disk is named by the manifest: replaced current files were removed.
    assert on_disk() == named_files()


def test_a_visit_moved_to_another_month_is_not_counted_twice(ledger) -> None:
    load(ledger.world, [visit("V1", "2024-05-31 22:00", "2024-05-31 22:30"), visit("V2")], "maj.csv")
    moved = load(ledger.world, [visit("V1", "2024-06-01 08:00", "2024-06-01 08:30")], "flyttad.csv")

    assert moved.outcome["replaced"] == 1
    rows = current()
    assert [(r["visit_id"], r["month"]) for r in rows] == [("V1", "2024-06"), ("V2", "2024-05")]
    assert dict(LedgerMonth.objects.values_list("month", "rows")) == {"2024-05": 1, "2024-06": 1}
    assert_each_visit_once()


def test_a_month_without_a_current_file_takes_the_batch_file_and_keeps_it_for_lineage(ledger) -> None:
    """The first delivery of a month is not written twice; rebuilding the month later leaves
    the batch's own file in place, because the manifest still names it."""
    first = load(ledger.world, [visit("V1"), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30")], "forsta.csv")
    batch_file = VisitFile.objects.get(batch__delivery=first).path
    assert month_state() == {"2024-05": (batch_file, 1, 2)}
    assert {row["batch_id"] for row in current()} == {batch_of(first).pk}

    second = load(ledger.world, [visit("V2", "2024-05-07 08:00", "2024-05-07 08:40")], "andra.csv")

    path, version, rows = month_state()["2024-05"]
    assert path.startswith("2024-05/current-") and (version, rows) == (2, 2)
    assert {row["visit_id"]: row["batch_id"] for row in current()} == {"V1": batch_of(first).pk, "V2": batch_of(second).pk}
    assert on_disk() == named_files() and batch_file in on_disk()
    assert_each_visit_once()


def test_a_month_with_new_recipients_is_written_with_their_registered_ids(ledger, settings) -> None:
    """Recipients a file introduces have temporary ids in the batch file: that file cannot be
    taken as it is, the month is written with the ids they were registered under."""
    settings.TILLIT_CREATE_UNKNOWN_RECIPIENTS = True
    delivery = load(ledger.world, [visit("V1", recipient_id="19121212-1212")], "ny-brukare.csv")
    assert delivery.status == Delivery.Status.LOADED
    path, _version, _rows = month_state()["2024-05"]
    assert path.startswith("2024-05/current-")
    assert all(row["recipient_id"] > 0 for row in current())
