"""tillit import KIND FILE and tillit deliveries [list|accept|reject]: exit codes, the row
report on stderr, and deciding on a waiting delivery from the command line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.files import ORG_A, ORG_B, csv_bytes
from tillit.audit.models import AuditEvent
from tillit.deliveries.models import Delivery
from tillit.registry.models import Provider

ORG_NEW = "802002-4256"
ORG_NEW_2 = "212000-0142"
HEADER = ["organisationsnummer", "namn", "regi", "verksamhet"]
GOOD = [ORG_NEW, "Ny omsorg AB", "privat", "hemtjänst"]
BAD = [ORG_NEW_2, "Kommunen", "kommunal", "ambulans"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English; the user's language decides, and Swedish is the default."""
    with translation.override("en"):
        yield


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def run(*args: str) -> tuple[str, str]:
    """Run a command that should succeed; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_exit(*args: str) -> tuple[int, str, str]:
    """Run a command that should exit with a status; return (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(*args, stdout=out, stderr=err)
    return exited.value.code, out.getvalue(), err.getvalue()


# --- tillit import ---------------------------------------------------------------------------------


def test_import_loads_a_file_and_prints_the_outcome(world, tmp_path) -> None:
    path = write(tmp_path, "utforare.csv", csv_bytes(HEADER, [GOOD, [ORG_A, "Omsorg A AB", "privat", "hemtjänst"]]))
    out, err = run("import", "providers", str(path))

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.LOADED
    assert f"Delivery {delivery.pk}: utforare.csv: 2 rows read, 0 rejected" in out
    assert "1 created, 0 updated, 1 unchanged" in out
    assert err == ""
    assert Provider.objects.filter(org_number=ORG_NEW).exists()
    assert AuditEvent.objects.filter(event_type="delivery.loaded.providers").count() == 1


def test_rejected_rows_exit_1_with_the_row_report_and_the_hint(world, tmp_path) -> None:
    path = write(tmp_path, "utforare.csv", csv_bytes(HEADER, [GOOD, BAD]))
    status, out, err = run_exit("import", "providers", str(path))

    delivery = Delivery.objects.get()
    assert status == 1
    assert delivery.status == Delivery.Status.PENDING
    assert "utforare.csv, row 3, service_types, 'ambulans'" in err
    assert "not a service type" in err
    assert f"tillit deliveries accept {delivery.pk}" in err
    assert f"tillit deliveries reject {delivery.pk}" in err
    assert "Nothing was loaded" in err
    assert not Provider.objects.filter(org_number=ORG_NEW).exists()


def test_accept_valid_loads_the_valid_rows_and_exits_normally(world, tmp_path) -> None:
    path = write(tmp_path, "utforare.csv", csv_bytes(HEADER, [GOOD, BAD]))
    out, err = run("import", "providers", str(path), "--accept-valid")

    assert Delivery.objects.get().status == Delivery.Status.LOADED
    assert "row 3" in err  # the rejected row is still reported
    assert "1 rejected" in out and "1 created" in out
    assert Provider.objects.filter(org_number=ORG_NEW).exists()
    assert not Provider.objects.filter(org_number=ORG_NEW_2).exists()


def test_a_file_that_cannot_be_read_exits_2_with_one_message(world, tmp_path) -> None:
    path = write(tmp_path, "utforare.csv", csv_bytes(["organisationsnummer", "namn"], [[ORG_NEW, "X"]]))
    status, out, err = run_exit("import", "providers", str(path))

    assert status == 2
    assert "utforare.csv" in err and "regi (regi)" in err and "service_types (verksamhet)" in err
    assert out == ""
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_the_second_import_of_the_same_file_changes_nothing(world, tmp_path) -> None:
    path = write(tmp_path, "utforare.csv", csv_bytes(HEADER, [GOOD]))
    run("import", "providers", str(path))
    audit = AuditEvent.objects.count()

    out, _err = run("import", "providers", str(path))

    delivery = Delivery.objects.get()
    assert "already delivered" in out and f"delivery {delivery.pk}" in out and "nothing was changed" in out
    assert AuditEvent.objects.count() == audit
    assert Provider.objects.filter(org_number=ORG_NEW).count() == 1


def test_the_second_import_of_a_waiting_file_still_exits_1(world, tmp_path) -> None:
    path = write(tmp_path, "utforare.csv", csv_bytes(HEADER, [GOOD, BAD]))
    run_exit("import", "providers", str(path))
    status, out, _err = run_exit("import", "providers", str(path))
    assert status == 1
    assert "already delivered" in out
    assert Delivery.objects.count() == 1


def test_a_header_only_file_says_nothing_was_loaded(world, tmp_path) -> None:
    path = write(tmp_path, "rubriker.csv", csv_bytes(HEADER))
    out, _err = run("import", "providers", str(path))
    assert "0 rows read" in out and "no rows" in out


def test_provider_option_ties_the_delivery_to_the_provider(world, tmp_path) -> None:
    path = write(tmp_path, "enheter.csv", csv_bytes(["utförare orgnr", "enhetskod", "namn", "verksamhet"],
                                                    [[ORG_B, "SÄBO-1", "Solgården", "särskilt boende"]]))
    run("import", "units", str(path), "--provider", ORG_B.replace("-", ""))
    assert Delivery.objects.get().organisation == world.provider_b.organisation


@pytest.mark.parametrize("number", [ORG_NEW, "556036-0794", "nonsense"], ids=["unregistered", "bad Luhn", "not a number"])
def test_provider_option_with_an_unknown_number_is_a_command_error(world, tmp_path, number: str) -> None:
    path = write(tmp_path, "enheter.csv", csv_bytes(["utförare orgnr", "enhetskod", "namn", "verksamhet"],
                                                    [[ORG_A, "HT-1", "Hemtjänst", "hemtjänst"]]))
    with pytest.raises(CommandError):
        run("import", "units", str(path), "--provider", number)
    assert Delivery.objects.count() == 0


def test_a_missing_file_is_a_command_error(db, tmp_path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        run("import", "providers", str(tmp_path / "finns-inte.csv"))


def test_an_unknown_kind_is_refused(db, tmp_path) -> None:
    path = write(tmp_path, "x.csv", csv_bytes(HEADER, [GOOD]))
    with pytest.raises(CommandError):
        run("import", "invoices", str(path))


# --- tillit deliveries ---------------------------------------------------------------------------


@pytest.fixture
def waiting(world, tmp_path) -> Delivery:
    path = write(tmp_path, "utforare.csv", csv_bytes(HEADER, [GOOD, BAD]))
    run_exit("import", "providers", str(path))
    return Delivery.objects.get(status=Delivery.Status.PENDING)


def test_deliveries_accept_loads_the_valid_rows(waiting) -> None:
    out, err = run("deliveries", "accept", str(waiting.pk))

    waiting.refresh_from_db()
    assert waiting.status == Delivery.Status.LOADED
    assert "1 created" in out
    assert "row 3" in err
    assert Provider.objects.filter(org_number=ORG_NEW).exists()


def test_deliveries_reject_loads_nothing(waiting) -> None:
    out, err = run("deliveries", "reject", str(waiting.pk), "--reason", "Fel fil")

    waiting.refresh_from_db()
    assert (waiting.status, waiting.message) == (Delivery.Status.REJECTED, "Fel fil")
    assert not Provider.objects.filter(org_number=ORG_NEW).exists()
    assert "Loaded" not in out  # a rejected delivery must not be reported as loaded
    assert "ejected" in out + err


def test_deciding_twice_or_on_a_missing_delivery_is_a_command_error(waiting) -> None:
    run("deliveries", "accept", str(waiting.pk))
    with pytest.raises(CommandError, match="not waiting"):
        run("deliveries", "accept", str(waiting.pk))
    with pytest.raises(CommandError, match="not waiting"):
        run("deliveries", "reject", str(waiting.pk))
    with pytest.raises(CommandError, match="no delivery"):
        run("deliveries", "accept", "999999")
    with pytest.raises(CommandError, match="Say which delivery"):
        run("deliveries", "reject")


def test_deliveries_json_lists_every_delivery(waiting, tmp_path) -> None:
    path = write(tmp_path, "omraden.csv", csv_bytes(["kod", "namn"], [["centrum", "Centrum"]]))
    run("import", "areas", str(path))

    out, _err = run("deliveries", "--format", "json")

    listed = json.loads(out)
    assert [(d["id"], d["kind"], d["file_name"], d["status"]) for d in listed] == [
        (waiting.pk, "providers", "utforare.csv", "pending"),
        (waiting.pk + 1, "areas", "omraden.csv", "loaded"),
    ]
    assert listed[0]["rows_rejected"] == 1 and listed[0]["delivered_by"] == "system"
    assert json.loads(run("deliveries", "list", "--format", "json", "--kind", "areas")[0])[0]["kind"] == "areas"


def test_deliveries_csv_and_table_go_to_the_commands_output(waiting) -> None:
    out, _err = run("deliveries", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["status"]) for r in rows] == [(str(waiting.pk), "pending")]

    table, _err = run("deliveries")
    assert "utforare.csv" in table and "pending" in table
