"""tillit visits (export a month), tillit ledger months|gc, tillit deliveries report, and the
capped row report that tillit import prints.

(These live under tests/web because tests/ledger did not exist when they were written.)
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.files import ORG_A, ORG_B, csv_bytes, numbers_born, separated
from tests.web.fixtures import populate
from tests.web.test_visits import HEADER, load_visits
from tillit.care.models import Recipient
from tillit.care.protection import encrypt, protect
from tillit.common.personal_ids import parse_recipient_id
from tillit.deliveries.models import Delivery
from tillit.ledger import store


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def number() -> str:
    """A recipient known by a (Skatteverket test) personal identity number, registered."""
    value = numbers_born("1938")[0]
    key = parse_recipient_id(value)
    id_hash, encrypted = protect(key)
    Recipient.objects.create(
        id_kind=key.kind, id_hash=id_hash, id_encrypted=encrypted, birth_date=key.birth_date, name_encrypted=encrypt("X")
    )
    return value


@pytest.fixture
def ledger(world, tmp_path, number) -> Delivery:
    populate(world)
    rows = [
        [f"a-{day}", ORG_A, "U-a", separated(number), "S1", f"2024-03-{day:02d} 08:00", f"2024-03-{day:02d} 08:30",
         f"2024-03-{day:02d} 08:00", f"2024-03-{day:02d} 08:25", "MORG", "", "", "nfc"]
        for day in range(1, 11)
    ] + [
        [f"b-{day}", ORG_B, "U-b", "P:b-kund", "S9", f"2024-03-{day:02d} 09:00", f"2024-03-{day:02d} 09:30",
         "", "", "MORG|MORG", "", "inställd", ""]
        for day in range(1, 5)
    ] + [
        ["a-feb", ORG_A, "U-a", "P:a-kund", "S1", "2024-02-10 08:00", "2024-02-10 08:30", "2024-02-10 08:00",
         "2024-02-10 08:30", "MORG", "", "", ""],
    ]
    delivery = load_visits(tmp_path, rows)
    assert delivery.status == Delivery.Status.LOADED, list(delivery.issues.values_list("row", "reason"))
    return delivery


def _no_identity_number(text: str, number: str) -> None:
    for form in (number, separated(number), number[2:], f"{number[2:8]}-{number[8:]}"):
        assert form not in text


def test_a_month_exports_as_csv_without_identity_numbers(ledger, number, tmp_path):
    out = tmp_path / "export" / "mars.csv"
    stdout, stderr = run("visits", "--month", "2024-03", "--format", "csv", "--out", str(out))
    assert "14 visits of 2024-03 written" in stderr
    text = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 14
    assert {"visit_id", "provider_id", "recipient_id", "planned_start", "intervention_codes"} <= set(rows[0])
    assert rows[0]["planned_start"].startswith("2024-03-01 08:00")  # local time
    assert any(row["intervention_codes"] == "MORG|MORG" for row in rows)
    _no_identity_number(text, number)
    assert not list(out.parent.glob("*.part"))


def test_one_providers_month_goes_to_stdout(ledger, world):
    stdout, stderr = run("visits", "--month", "2024-03", "--provider", ORG_B.replace("-", ""))
    rows = list(csv.DictReader(io.StringIO(stdout), delimiter=";"))
    assert [row["visit_id"] for row in rows] == ["b-1", "b-2", "b-3", "b-4"]
    assert {row["status"] for row in rows} == {"cancelled"}
    assert "4 visits" in stderr


def test_a_month_exports_as_parquet(ledger, number, tmp_path):
    out = tmp_path / "mars.parquet"
    run("visits", "--month", "2024-03", "--format", "parquet", "--out", str(out), "--provider", ORG_A)
    connection = duckdb.connect()
    assert connection.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()[0] == 10
    columns = [row[0] for row in connection.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(out)]).fetchall()]
    assert "recipient_id" in columns and "intervention_codes" in columns
    assert "codes_key" not in columns  # the ledger's own grouping key stays inside
    every_value = connection.execute("SELECT * FROM read_parquet(?)", [str(out)]).fetchall()
    _no_identity_number(repr(every_value), number)


def test_export_errors_say_what_to_do(ledger, tmp_path):
    with pytest.raises(CommandError, match="--out"):
        run("visits", "--month", "2024-03", "--format", "parquet")
    with pytest.raises(CommandError, match="no visits in 2023-01"):
        run("visits", "--month", "2023-01")
    with pytest.raises(CommandError, match="YYYY-MM"):
        run("visits", "--month", "mars")
    with pytest.raises(CommandError, match="No provider"):
        run("visits", "--month", "2024-03", "--provider", "802002-4256")


def test_ledger_months_lists_months_and_counts(ledger):
    stdout, _stderr = run("ledger", "months")
    lines = stdout.splitlines()
    assert lines[1].split()[:2] == ["2024-03", "14"]
    assert lines[2].split()[:2] == ["2024-02", "1"]
    assert lines[-1].split() == ["total", "15"]


def test_ledger_months_on_an_empty_ledger(db):
    assert "no visits yet" in run("ledger", "months")[0]


def test_ledger_gc_removes_only_old_unnamed_files(ledger):
    stray = store.absolute("2024-03/batch-crashed.parquet")
    stray.write_bytes(b"left by a crash")
    old = time.time() - 3 * 3600
    os.utime(stray, (old, old))
    fresh = store.absolute("2024-03/batch-being-written.parquet")
    fresh.write_bytes(b"a load writing right now")
    stdout, _stderr = run("ledger", "gc")
    assert "removed 2024-03/batch-crashed.parquet" in stdout
    assert not stray.exists() and fresh.exists()
    # The current files are named by the manifest and stay.
    assert run("visits", "--month", "2024-03")[1].startswith("14 visits")
    stdout, _stderr = run("ledger", "gc", "--older-than-minutes", "0")
    assert "batch-being-written" in stdout and not fresh.exists()


@pytest.fixture
def rejected(world, tmp_path) -> Path:
    """A visit file with 250 rejected rows (unknown intervention codes), one of them a formula."""
    populate(world)
    rows = [
        [f"x-{i}", ORG_A, "U-a", "P:a-kund", "S1", "2024-03-05 07:00", "2024-03-05 07:30", "", "",
         "=HYPERLINK(1)" if i == 0 else f"NOPE{i}", "", "", ""]
        for i in range(250)
    ]
    path = tmp_path / "fel.csv"
    path.write_bytes(csv_bytes(HEADER, rows))
    return path


def test_import_prints_200_issues_then_points_to_the_report(rejected):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import", "visits", str(rejected), stdout=out, stderr=err)
    assert exited.value.code == 1
    delivery = Delivery.objects.get(file_name="fel.csv")
    total = delivery.issues.count()
    assert total >= 250
    lines = err.getvalue().splitlines()
    issue_lines = [line for line in lines if "fel.csv, row" in line]
    assert len(issue_lines) == 200
    assert f"… and {total - 200} more; the whole report: tillit deliveries report {delivery.pk}" in lines


def test_deliveries_report_writes_csv_and_excel(rejected, tmp_path):
    with pytest.raises(SystemExit):
        call_command("import", "visits", str(rejected), stdout=io.StringIO(), stderr=io.StringIO())
    delivery = Delivery.objects.get(file_name="fel.csv")
    total = delivery.issues.count()

    stdout, stderr = run("deliveries", "report", str(delivery.pk))
    rows = list(csv.reader(io.StringIO(stdout), delimiter=";"))
    assert rows[0] == ["row", "column", "value", "reason", "severity"]
    assert len(rows) == 1 + total
    assert "'=HYPERLINK(1)" in [row[2] for row in rows]
    assert f"{total} rows of the report written" in stderr

    out = tmp_path / "rapport.csv"
    run("deliveries", "report", str(delivery.pk), "--out", str(out))
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + total

    workbook_path = tmp_path / "rapport.xlsx"
    run("deliveries", "report", str(delivery.pk), "--format", "xlsx", "--out", str(workbook_path))
    sheet = openpyxl.load_workbook(workbook_path).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == ("row", "column", "value", "reason", "severity")
    assert len(table) == 1 + total
    assert "'=HYPERLINK(1)" in [row[2] for row in table]
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)

    with pytest.raises(CommandError, match="--out"):
        run("deliveries", "report", str(delivery.pk), "--format", "xlsx")
    with pytest.raises(CommandError, match="no delivery 999"):
        run("deliveries", "report", "999")


def test_deliveries_list_as_json_and_csv_still_works(ledger):
    stdout, _stderr = run("deliveries", "list", "--format", "json", "--kind", "visits")
    assert '"kind": "visits"' in stdout
    stdout, _stderr = run("deliveries", "--format", "csv")
    assert stdout.startswith("id,kind,file_name,checksum")
    with pytest.raises(CommandError, match="xlsx"):
        run("deliveries", "list", "--format", "xlsx")
