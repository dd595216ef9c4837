"""tillit statements 2024-03 --format json|csv: every provider's latest statement for other systems."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tests.compensation.statement_fixtures import computed  # noqa: F401 (fixture)
from tests.compensation.test_stockholm import stockholm  # noqa: F401 (fixture)
from tests.engine.builders import deliver_visits
from tests.ledger.helpers import visit


def _run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("statements", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_json_totals_equal_the_sum_of_the_lines_and_of_the_components(computed):
    document = json.loads(_run("2024-03", "--format", "json"))
    assert document["month"] == "2024-03"
    by_provider = {s["provider"]: s for s in document["statements"]}
    assert set(by_provider) == {"Omsorg A AB", "Omsorg B AB"}
    for statement in document["statements"]:
        lines = sum((Decimal(line["amount"]) for line in statement["lines"]), Decimal("0.00"))
        components = sum((Decimal(v) for v in statement["components"].values()), Decimal("0.00"))
        assert Decimal(statement["total"]) == lines == components
    a = by_provider["Omsorg A AB"]
    assert (a["total"], a["version"], a["status"]) == ("2308.00", 1, "draft")
    assert a["components"] == {"time": "1591.00", "per_visit": "520.00", "per_month": "197.00"}
    assert {line["recipient"] for line in a["lines"]} == {"P:r1", "P:r2", "P:r3", "P:r4"}
    assert by_provider["Omsorg B AB"]["total"] == "0.00"


def test_json_gives_the_latest_version(computed):
    deliver_visits(computed.ledger, [visit("v6", "2024-03-12 09:00", "2024-03-12 10:00", recipient_id="P:r5")])
    document = json.loads(_run("2024-03", "--run"))
    a = next(s for s in document["statements"] if s["provider"] == "Omsorg A AB")
    assert (a["version"], a["total"]) == (2, "2824.00")
    assert sum(Decimal(line["amount"]) for line in a["lines"]) == Decimal("2824.00")


def test_csv_is_every_line_in_swedish_csv(computed):
    text = _run("2024-03", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + 5  # provider B has no lines
    assert sum(Decimal(row[-1].replace(",", ".")) for row in rows[1:]) == Decimal("2308.00")


def test_run_computes_a_month_first(stockholm):
    document = json.loads(_run("2024-03", "--run"))
    assert [s["total"] for s in document["statements"]] == ["2308.00"]


def test_a_wrong_month_is_an_error_that_says_so():
    with pytest.raises(CommandError):
        _run("2024-13")


def test_run_month_runs_several_months_in_one_go(stockholm):
    """tillit run-month 2024-02 2024-03: a statement per provider and month; the same run again
    changes nothing; a month that is not a month is refused with a clear message."""
    out = io.StringIO()
    call_command("run-month", "2024-02", "2024-03", "--no-quality", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["2024-02", "2024-03"]
    assert "2,308.00 kr  version 1" in lines[1]
    again = io.StringIO()
    call_command("run-month", "2024-03", "--no-quality", stdout=again, stderr=io.StringIO())
    assert "version 1 (unchanged)" in again.getvalue()
    with pytest.raises(CommandError, match="2024-13"):
        call_command("run-month", "2024-13", stdout=io.StringIO(), stderr=io.StringIO())
