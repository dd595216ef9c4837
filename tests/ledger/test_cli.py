"""tillit import visits FILE [--provider ORGNR] [--complete] [--period ...] [--accept-valid]:
exit 0 when loaded, 1 when rows wait for a decision (the report on stderr), 2 when unreadable."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.files import ORG_A, ORG_B
from tests.ledger.helpers import by_id, visit, visits_csv, write_file
from tillit.deliveries.models import Delivery


def run(*args: str) -> tuple[int, str, str]:
    """Run tillit with `args`; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exited:
        status = int(exited.code or 0)
    return status, out.getvalue(), err.getvalue()


def file_of(rows, name: str = "besok.csv") -> str:
    return str(write_file(visits_csv(rows), name))


def test_a_clean_file_exits_0(ledger) -> None:
    status, out, err = run("import", "visits", file_of([visit("V1"), visit("V2", staff_id="S2")]))
    assert status == 0
    assert "2 rows read, 0 rejected" in out and "2 visits" in out
    assert "Error" not in err
    assert Delivery.objects.get(kind="visits").status == Delivery.Status.LOADED
    assert sorted(by_id()) == ["V1", "V2"]


def test_rejected_rows_exit_1_with_the_report_on_stderr(ledger) -> None:
    status, out, err = run("import", "visits", file_of([visit("V1"), visit("V2", status="klar")]))
    delivery = Delivery.objects.get(kind="visits")
    assert status == 1
    assert delivery.status == Delivery.Status.PENDING
    assert "besok.csv, row 3, status, 'klar'" in err
    assert f"tillit deliveries accept {delivery.pk}" in err
    assert by_id() == {}

    again_status, again_out, _err = run("import", "visits", str(write_file(visits_csv([visit("V1"), visit("V2", status="klar")]))))
    assert again_status == 1 and "already delivered" in again_out


def test_accept_valid_exits_0(ledger) -> None:
    status, out, _err = run("import", "visits", file_of([visit("V1"), visit("V2", status="klar")]), "--accept-valid")
    assert status == 0
    assert "1 rejected" in out
    assert sorted(by_id()) == ["V1"]


def test_an_unreadable_file_exits_2(ledger) -> None:
    path = write_file(b"\x89PNG\r\n\x1a\n" + bytes(64), "besok.csv")
    status, _out, err = run("import", "visits", str(path))
    assert status == 2
    assert "not a CSV or Excel file" in err
    assert Delivery.objects.get(kind="visits").status == Delivery.Status.FAILED

    missing = write_file(visits_csv([visit("V1")], header=["visit_id", "planned_start"]), "kolumner.csv")
    status, _out, err = run("import", "visits", str(missing))
    assert status == 2 and "recipient_id" in err


def test_the_same_file_twice_exits_0_and_says_so(ledger) -> None:
    content = visits_csv([visit("V1")])
    assert run("import", "visits", str(write_file(content)))[0] == 0
    status, out, _err = run("import", "visits", str(write_file(content)))
    assert status == 0 and "already delivered" in out and "nothing was changed" in out
    assert Delivery.objects.filter(kind="visits").count() == 1


def test_provider_makes_rows_of_another_provider_errors(ledger) -> None:
    rows = [visit("V1"), visit("V2", provider_org_number=ORG_B, staff_id="B1"), visit("V3", provider_org_number="", staff_id="S3")]
    status, _out, err = run("import", "visits", file_of(rows), "--provider", ORG_A.replace("-", ""))
    delivery = Delivery.objects.get(kind="visits")
    assert status == 1
    assert [(i.row, i.column) for i in delivery.issues.filter(severity="error")] == [(3, "provider_org_number")]
    assert "another provider" in err
    assert delivery.organisation == ledger.provider_a.organisation
    assert delivery.visit_batch.provider == ledger.provider_a


def test_an_unknown_provider_number_is_a_command_error(ledger) -> None:
    with pytest.raises(CommandError):
        call_command("import", "visits", file_of([visit("V1")]), "--provider", "556677-8899")
    with pytest.raises(CommandError):
        call_command("import", "visits", file_of([visit("V1")], "b.csv"), "--provider", "inte-ett-nummer")
    assert not Delivery.objects.filter(kind="visits").exists()


def test_complete_retires_the_providers_missing_visits(ledger) -> None:
    first = [visit("V1"), visit("V2", "2024-05-07 08:00", "2024-05-07 08:30"),
             visit("V3", "2024-06-07 08:00", "2024-06-07 08:30"),
             visit("B1", provider_org_number=ORG_B, staff_id="B1")]
    assert run("import", "visits", file_of(first, "alla.csv"))[0] == 0

    status, out, _err = run("import", "visits", file_of([visit("V1")], "a-maj.csv"), "--provider", ORG_A, "--complete")
    assert status == 0 and "1 retired" in out
    assert sorted(by_id()) == ["B1", "V1", "V3"]

    status, out, _err = run("import", "visits", file_of([visit("V1", registered_end="2024-05-06 08:31")], "a-maj-jun.csv"),
                            "--provider", ORG_A, "--complete", "--period", "2024-05:2024-06")
    assert status == 0 and "1 retired" in out
    assert sorted(by_id()) == ["B1", "V1"]


def test_a_bad_period_is_a_command_error(ledger) -> None:
    with pytest.raises(CommandError):
        call_command("import", "visits", file_of([visit("V1")]), "--complete", "--period", "maj")


def test_a_file_that_does_not_exist_is_a_command_error(ledger, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("import", "visits", str(tmp_path / "finns-inte.csv"))
