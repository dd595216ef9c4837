"""Statement lines stored by plain executemany (tillit.engine.bulk.insert_rows) read back exactly
as lines the ORM stores: dates, decimals of any exponent, JSON and empty values."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tests.compensation.statement_fixtures import computed  # noqa: F401 (fixture)
from tests.compensation.test_stockholm import stockholm  # noqa: F401 (fixture)
from tillit.compensation.models import Statement, StatementLine
from tillit.engine.bulk import insert_rows

NAMES = ("statement", "recipient", "component", "version_from", "category", "band", "intervention",
         "granted_minutes", "performed_minutes", "quantity", "unit", "rate", "percent", "amount", "detail")
VALUES = [
    (None, "time", datetime.date(2024, 3, 1), "omvardnad", "day", "", Decimal("90.5"), Decimal("30.25"),
     Decimal("1.5"), "hour", Decimal("420.50"), None, Decimal("630.75"), {"visits": 3, "decisions": ["B-1"]}),
    (None, "declined", datetime.date(2024, 3, 15), "service", "", "STAD", None, None, Decimal("0.7500"), "hour",
     Decimal("400"), Decimal("75.00"), Decimal("225.00"), {}),
    (None, "regi_adjustment", datetime.date(2024, 3, 1), "", "", "", None, None, Decimal("1"), "sum",
     Decimal("-12.3"), Decimal("-1.5"), Decimal("-0.18"), {"note": "=SUM(A1)"}),
]


def _copy(statement: Statement, number: int) -> Statement:
    return Statement.objects.create(provider=statement.provider, month=statement.month, model=statement.model,
                                    model_document=statement.model_document, number=number, total=statement.total)


def _read(statement: Statement) -> list[tuple]:
    return list(statement.lines.order_by("id").values_list(*NAMES[1:]))


def test_insert_rows_stores_what_the_orm_stores(computed):  # noqa: F811 (the imported fixture)
    recipient = computed.ledger.recipients["P:r1"]
    rows = [(recipient, *values[1:]) if values[1] == "time" else values for values in VALUES]
    by_rows, by_orm = _copy(computed.a, 2), _copy(computed.a, 3)
    assert insert_rows(StatementLine, NAMES, ((by_rows.pk, *row) for row in rows)) == len(rows)
    StatementLine.objects.bulk_create([StatementLine(statement=by_orm, recipient_id=row[0],
                                                     **dict(zip(NAMES[2:], row[1:]))) for row in rows])
    stored = _read(by_rows)
    assert stored == _read(by_orm)
    assert stored[0][8] == Decimal("1.5") and stored[1][11] == Decimal("75") and stored[2][12] == Decimal("-0.18")
    assert stored[0][13] == {"visits": 3, "decisions": ["B-1"]} and stored[1][6] is None


def test_stored_values_are_the_lines_values(computed):  # noqa: F811 (the imported fixture)
    """The engine's rounding for storage (quantity_e4, granted_e2, performed_e2) gives exactly
    what each line, read as a `Line` with its exact fractions, says it stores."""
    from tillit.compensation.statements import compute_month
    from tillit.common.periods import Month

    compared = 0
    for _model, lines in compute_month(Month(2024, 3))[0].values():
        fast = list(lines.stored())
        lines.lines()  # read one by one: stored() now goes through each Line
        assert fast == list(lines.stored())
        compared += len(fast)
    assert compared == 5


def test_the_digest_of_lines_ignores_their_order_and_how_a_number_is_written():
    from tillit.compensation.statements import lines_digest

    day = datetime.date(2024, 3, 1)
    lines = [(7, "time", day, "omvardnad", "day", "", Decimal("1.5"), "hour", Decimal("420"), None, Decimal("630.00")),
             (8, "per_visit", day, "", "night", "", Decimal("2"), "visit", Decimal("260"), None, Decimal("520"))]
    written_otherwise = [(8, "per_visit", day, "", "night", "", Decimal("2.0000"), "visit", Decimal("260.00"), None,
                          Decimal("520.00")),
                         (7, "time", day, "omvardnad", "day", "", Decimal("1.50"), "hour", Decimal("4.2E+2"), None,
                          Decimal("630"))]
    assert lines_digest(lines) == lines_digest(written_otherwise)
    changed = [lines[0], (*lines[1][:10], Decimal("520.01"))]
    assert lines_digest(changed) != lines_digest(lines)
    assert lines_digest([]) == lines_digest(iter([]))
