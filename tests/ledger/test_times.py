"""Times are stored in UTC, so durations are right across the daylight-saving changes of 2024
and 2025 (PRODUCT.md, "Performed time" and "Local time"); ISO 8601 with offsets is accepted."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
from django.conf import settings

from tests.ledger.helpers import batch_of, by_id, errors, load, utc, visit, warnings
from tillit.deliveries.models import Delivery
from tillit.ledger.models import LedgerMonth

MINUTE = datetime.timedelta(minutes=1)


def parquet(paths: list[str], sql: str) -> list[tuple]:
    """Run `sql` over the named ledger files (table `v`) with a plain DuckDB, as any reader would."""
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        full = [str(Path(settings.LEDGER_DIR) / p) for p in paths]
        connection.execute("CREATE TEMP TABLE v AS SELECT * FROM read_parquet(?)", [full])
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


CHANGES = [
    # (visit, local start, local end, UTC start, UTC end, minutes)
    ("SPRING24", "2024-03-31 01:30", "2024-03-31 03:30", "2024-03-31 00:30", "2024-03-31 01:30", 60),
    ("SPRING25", "2025-03-30 01:30", "2025-03-30 03:30", "2025-03-30 00:30", "2025-03-30 01:30", 60),
    ("AUTUMN24", "2024-10-27 01:30", "2024-10-27 03:30", "2024-10-26 23:30", "2024-10-27 02:30", 180),
    ("AUTUMN25", "2025-10-26 01:30", "2025-10-26 03:30", "2025-10-25 23:30", "2025-10-26 02:30", 180),
    ("WINTER", "2024-01-15 10:00", "2024-01-15 10:45", "2024-01-15 09:00", "2024-01-15 09:45", 45),
    ("SUMMER", "2024-07-01 10:00", "2024-07-01 10:45", "2024-07-01 08:00", "2024-07-01 08:45", 45),
    ("MIDNIGHT", "2024-12-31 23:30", "2025-01-01 00:15", "2024-12-31 22:30", "2024-12-31 23:15", 45),
]


def test_times_are_stored_in_utc_and_durations_are_right_across_dst_changes(ledger) -> None:
    rows = [visit(key, start, end, staff_id=f"S{index}") for index, (key, start, end, *_rest) in enumerate(CHANGES)]
    delivery = load(ledger.world, rows)
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    assert warnings(delivery) == []

    expected = {key: (utc(s), utc(e), minutes) for key, _ls, _le, s, e, minutes in CHANGES}
    sql = """SELECT visit_id, registered_start, registered_end,
                    date_diff('minute', registered_start, registered_end),
                    planned_start, planned_end, typeof(registered_start)
             FROM v ORDER BY visit_id"""
    batch_paths = list(batch_of(delivery).files.values_list("path", flat=True))
    current_paths = list(LedgerMonth.objects.values_list("path", flat=True))
    for paths in (batch_paths, current_paths):
        found = {row[0]: row[1:] for row in parquet(paths, sql)}
        assert set(found) == set(expected)
        for key, (start, end, minutes) in expected.items():
            registered_start, registered_end, duration, planned_start, planned_end, kind = found[key]
            assert (registered_start, registered_end, duration) == (start, end, minutes), key
            assert (planned_start, planned_end) == (start, end), key
            assert kind == "TIMESTAMP"  # naive UTC, no session zone can shift it


def test_months_and_local_dates_follow_local_time_not_utc(ledger) -> None:
    delivery = load(ledger.world, [
        visit("MAY", "2024-05-31 23:30", "2024-05-31 23:50"),               # 21:30 UTC, May
        visit("JUNE", "2024-06-01 00:30", "2024-06-01 00:50", staff_id="S2"),  # 22:30 UTC on 31 May, June
        visit("ISO", "2024-05-31T22:40:00Z", "2024-05-31T23:00:00Z", staff_id="S3"),  # 00:40 local on 1 June
    ])
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    rows = by_id()
    assert (rows["MAY"]["month"], rows["MAY"]["local_date"]) == ("2024-05", datetime.date(2024, 5, 31))
    assert (rows["JUNE"]["month"], rows["JUNE"]["local_date"]) == ("2024-06", datetime.date(2024, 6, 1))
    assert rows["JUNE"]["planned_start"] == utc("2024-05-31 22:30")
    assert (rows["ISO"]["month"], rows["ISO"]["local_date"]) == ("2024-06", datetime.date(2024, 6, 1))
    assert sorted(LedgerMonth.objects.values_list("month", "rows")) == [("2024-05", 1), ("2024-06", 2)]


ISO = [
    ("2024-05-06T08:00:00+02:00", "2024-05-06 06:00"),
    ("2024-05-06T06:00:00Z", "2024-05-06 06:00"),
    ("2024-05-06 08:00+02:00", "2024-05-06 06:00"),
    ("2024-05-06T07:00:00+0100", "2024-05-06 06:00"),
    ("2024-05-06T01:00:00-05:00", "2024-05-06 06:00"),
    ("2024-05-06T08:00", "2024-05-06 06:00"),        # ISO without an offset: local time
    ("2024-05-06 08:00:00", "2024-05-06 06:00"),
    # An offset settles the autumn hour that exists twice: the second 02:30 is winter time.
    ("2024-10-27T02:30:00+01:00", "2024-10-27 01:30"),
    ("2024-10-27T02:30:00+02:00", "2024-10-27 00:30"),
]


def test_iso_8601_with_offsets_is_accepted(ledger) -> None:
    rows = []
    for index, (text, expected) in enumerate(ISO):
        end = (utc(expected) + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(visit(f"I{index}", text, end, staff_id=f"S{index}"))
    delivery = load(ledger.world, rows)
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    assert warnings(delivery) == []
    stored = by_id()
    for index, (text, expected) in enumerate(ISO):
        row = stored[f"I{index}"]
        assert row["registered_start"] == row["planned_start"] == utc(expected), text
        assert row["registered_end"] - row["registered_start"] == datetime.timedelta(hours=3), text


def test_mixed_offset_and_local_times_in_one_row(ledger) -> None:
    # Start in local summer time, end written with an offset: 30 minutes either way.
    delivery = load(ledger.world, [visit("V1", "2024-05-06 08:00", "2024-05-06T06:30:00Z")])
    assert delivery.status == Delivery.Status.LOADED, errors(delivery)
    stored = by_id()["V1"]
    assert stored["registered_end"] - stored["registered_start"] == 30 * MINUTE
