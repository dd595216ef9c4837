"""Staff continuity computed a second time, independently, in plain Polars, on a demo municipality.

Socialstyrelsen's definition (PRODUCT.md, "Staff continuity"; docs/indicators.md#continuity) is
written out again here without the engine: the month's current ledger file is read with Polars
straight from the manifest, the recipients' birth dates, the catalogue's intervention kinds and
the units' service types straight from the ORM. The demo (Sep-Oct 2024, so the autumn change
of clock on 27 October falls inside a period) goes through the real load path. Then the
engine's observations (provider, recipient, period: staff, visits, unit) and the provider and
unit mean, median and share over 20 must agree exactly.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

pl = pytest.importorskip("polars")

from django.conf import settings  # noqa: E402

from tests.ledger.helpers import visit, visits_csv, write_file  # noqa: E402
from tillit.care.models import Intervention, Recipient  # noqa: E402
from tillit.common.periods import Month  # noqa: E402
from tillit.demo.load import build_demo  # noqa: E402
from tillit.deliveries.models import Delivery  # noqa: E402
from tillit.engine.month import compute_month  # noqa: E402
from tillit.ledger.models import LedgerMonth  # noqa: E402
from tillit.ledger.services import visit_delivery_load  # noqa: E402
from tillit.registry.models import Provider, Unit  # noqa: E402

TODAY = datetime.date(2024, 11, 10)  # two full months before it: September and October 2024
LEFT_OUT = {"safety_alarm", "meal_delivery", "hsl"}  # trygghetslarm, matdistribution, HSL
PERIOD_DAYS = 14


def _sixty_fifth_birthday(born: datetime.date) -> datetime.date:
    """The 65th birthday; 29 February falls on 28 February in a common year.

    (Periods start on the 1st and the 15th, so 28 Feb or 1 Mar gives the same first period.)
    """
    try:
        return born.replace(year=born.year + 65)
    except ValueError:
        return born.replace(year=born.year + 65, day=28)


def _left_out_codes(month: Month) -> list[str]:
    """Codes whose kind in the month is alarm, meal delivery or HSL (the version valid in it)."""
    versions: dict[str, list[Intervention]] = {}
    for item in Intervention.objects.order_by("code", "valid_from"):
        versions.setdefault(item.code, []).append(item)
    codes = []
    for code, items in versions.items():
        valid = [i for i in items
                 if i.valid_from <= month.last_day and (i.valid_to is None or i.valid_to >= month.first_day)]
        if (valid[-1] if valid else items[0]).kind in LEFT_OUT:
            codes.append(code)
    return codes


def polars_observations(month: Month) -> pl.DataFrame:
    """One row per provider, recipient and 14-day period observed: staff, visits and main unit."""
    relative = LedgerMonth.objects.get(month=str(month)).path
    visits = pl.read_parquet(Path(settings.LEDGER_DIR) / relative, columns=[
        "provider_id", "unit_id", "recipient_id", "staff_id", "status", "registered_start", "intervention_codes"])
    home_units = [pk for pk, kind in Unit.objects.values_list("pk", "service_type") if kind == "home_care"]
    left_out = _left_out_codes(month)
    first, second = month.first_day, month.first_day + datetime.timedelta(days=PERIOD_DAYS)
    local = pl.col("registered_start").dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Stockholm")

    counted = (
        visits
        .filter((pl.col("status") == "performed") & pl.col("registered_start").is_not_null())
        .filter(pl.col("unit_id").is_null() | pl.col("unit_id").is_in(home_units))
        # some intervention that is not left out (a visit of only alarm / meals / HSL does not count)
        .filter(pl.col("intervention_codes").list.eval(~pl.element().is_in(left_out)).list.any())
        .with_columns(local=local)
        .filter(pl.col("local").dt.hour().is_between(7, 21))  # begins 07:00:00-21:59:59 on the local clock
        .with_columns(day=pl.col("local").dt.date())
        .with_columns(period_start=pl.when(pl.col("day").is_between(first, first + datetime.timedelta(days=13)))
                      .then(pl.lit(first))
                      .when(pl.col("day").is_between(second, second + datetime.timedelta(days=13)))
                      .then(pl.lit(second)))
        .filter(pl.col("period_start").is_not_null())
    )
    keys = ["provider_id", "recipient_id", "period_start"]
    every_day = (
        counted.group_by([*keys, "day"]).len()
        .filter(pl.col("len") >= 2)
        .group_by(keys).len()
        .filter(pl.col("len") == PERIOD_DAYS)
        .select(keys)
    )
    born = pl.DataFrame(
        [(pk, _sixty_fifth_birthday(day)) for pk, day in Recipient.objects.values_list("pk", "birth_date")],
        schema={"recipient_id": pl.Int64, "turns_65": pl.Date}, orient="row")
    observed = (every_day.with_columns(pl.col("recipient_id").cast(pl.Int64))
                .join(born, on="recipient_id").filter(pl.col("turns_65") <= pl.col("period_start")).select(keys))
    mine = counted.with_columns(pl.col("recipient_id").cast(pl.Int64)).join(observed, on=keys, how="semi")
    staff = (
        mine.with_columns(staff=pl.col("staff_id").fill_null("").str.split("|"))
        .explode("staff")
        .with_columns(pl.col("staff").str.strip_chars())
        .filter(pl.col("staff") != "")
        .group_by(keys).agg(staff=pl.col("staff").n_unique())
    )
    # the unit with most counted visits; visits without a unit are a unit of their own (id 0 on a tie)
    by_unit = (mine.group_by([*keys, "unit_id"]).len()
               .with_columns(order=pl.col("unit_id").fill_null(0))
               .sort([*keys, "len", "order"], descending=[False, False, False, True, False])
               .group_by(keys).first().select([*keys, "unit_id"]))
    return (
        mine.group_by(keys).agg(visits=pl.len())
        .join(staff, on=keys, how="left").with_columns(pl.col("staff").fill_null(0))
        .join(by_unit, on=keys, how="left")
    )


def _half_up(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _summary(staff_counts: list[int]) -> dict[str, tuple[str, str | None, str]]:
    """Mean, median and share over 20, as (value, numerator, denominator) strings."""
    n, ordered = len(staff_counts), sorted(staff_counts)
    middle = Fraction(ordered[n // 2]) if n % 2 else Fraction(ordered[n // 2 - 1] + ordered[n // 2], 2)
    over = sum(1 for s in staff_counts if s > 20)
    return {
        "continuity_mean": (str(_half_up(Fraction(sum(staff_counts), n))), str(sum(staff_counts)), str(n)),
        "continuity_median": (str(_half_up(middle)), None, str(n)),
        "continuity_over_20": (str(_half_up(Fraction(over * 100, n))), str(over), str(n)),
    }


OCTOBER = Month.parse("2024-10")
SECOND_PERIOD = datetime.date(2024, 10, 15)  # 15-28 October: the clocks go back on the 27th


def _edge_visits(first: Recipient, second: Recipient, unit: Unit) -> list[dict[str, str]]:
    """A second delivery for two recipients observed in 15-28 October, with the definition's edges.

    first: +6 staff that count (E-1 and E-2 double-staffed, E-5 21:50-22:20, E-8 HSL with
    MORG, E-9 07:30 on the 27th (06:30 UTC), E-10 without a unit); E-3 06:55, E-4 22:05,
    E-6 alarm only, E-7 alarm, meals and HSL only, E-11 declined do not count.
    second: 22 new staff at noon, so more than 20 in the period.
    """
    provider = Provider.objects.get(pk=unit.provider_id).org_number
    raw_first, raw_second = first.key.canonical, second.key.canonical
    rows = []

    def add(recipient: str, day: int, clock: str, staff: str, minutes: int = 30, **fields: str) -> None:
        start = datetime.datetime(2024, 10, day, int(clock[:2]), int(clock[3:]))
        end = start + datetime.timedelta(minutes=minutes)
        fields.setdefault("unit_code", unit.code)
        rows.append(visit(f"EDGE-{len(rows) + 1}", f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}",
                          provider_org_number=provider, recipient_id=recipient, staff_id=staff, **fields))

    add(raw_first, 16, "12:00", "E-1|E-2", double_staffing="1")
    add(raw_first, 17, "06:55", "E-3", 5)
    add(raw_first, 17, "22:05", "E-4", 10)
    add(raw_first, 17, "21:50", "E-5")
    add(raw_first, 18, "12:00", "E-6", intervention_codes="LARM")
    add(raw_first, 18, "13:00", "E-7", intervention_codes="LARM|MAT|HSL")
    add(raw_first, 19, "12:00", "E-8", intervention_codes="HSL|MORG")
    add(raw_first, 27, "07:30", "E-9")
    add(raw_first, 20, "12:00", "E-10", unit_code="")
    add(raw_first, 21, "12:00", "E-11", status="declined", registered_start="", registered_end="")
    for n in range(22):
        add(raw_second, 15 + n % 14, "12:00" if n < 14 else "13:00", f"E-{20 + n}")
    return rows


@pytest.fixture
def demo(transactional_db, tmp_path):
    """The demo municipality, then a second visit delivery with the edges of the definition."""
    build_demo(recipients=120, months=2, seed=11, today=TODAY, directory=tmp_path / "demo")
    before = polars_observations(OCTOBER)
    observed = before.filter((pl.col("period_start") == SECOND_PERIOD) & pl.col("unit_id").is_not_null()).sort(
        ["provider_id", "recipient_id"]).rows(named=True)
    first = observed[0]
    second = next(row for row in observed if row["provider_id"] == first["provider_id"] and row is not first)
    recipients = Recipient.objects.in_bulk([first["recipient_id"], second["recipient_id"]])
    rows = _edge_visits(recipients[first["recipient_id"]], recipients[second["recipient_id"]],
                        Unit.objects.get(pk=first["unit_id"]))
    result = visit_delivery_load(actor=None, path=write_file(visits_csv(rows), "kanter.csv"), file_name="kanter.csv")
    assert result.delivery.status == Delivery.Status.LOADED, list(result.delivery.issues.values_list("row", "reason"))
    return {"first": first, "second": second}


def test_polars_and_the_engine_agree_on_staff_continuity(demo):
    months = [Month.parse(m) for m in LedgerMonth.objects.order_by("month").values_list("month", flat=True)]
    assert [str(m) for m in months] == ["2024-09", "2024-10"]
    total = 0
    for month in months:
        ours = {(r["provider_id"], r["recipient_id"], r["period_start"]): (r["staff"], r["visits"], r["unit_id"])
                for r in polars_observations(month).iter_rows(named=True)}
        figures = compute_month(month, {}, as_of=TODAY)
        engine = {(o["provider_id"], o["recipient_id"], o["period_start"]): (o["staff"], o["visits"], o["unit_id"])
                  for o in figures.continuity}
        only_ours = {k: ours[k] for k in ours.keys() - engine.keys()}
        only_engine = {k: engine[k] for k in engine.keys() - ours.keys()}
        differ = {k: (ours[k], engine[k]) for k in ours.keys() & engine.keys() if ours[k] != engine[k]}
        assert (only_ours, only_engine, differ) == ({}, {}, {}), month
        total += len(ours)

        expected: dict[tuple, tuple] = {}
        for group in ("provider", "unit"):
            grouped: dict[tuple, list[int]] = {}
            for (provider, _recipient, _period), (staff, _visits, unit) in ours.items():
                if group == "unit" and unit is None:
                    continue  # visits without a unit count in the provider's figure only
                grouped.setdefault((provider, unit if group == "unit" else None), []).append(staff)
            for (provider, unit), counts in grouped.items():
                for indicator, figure in _summary(counts).items():
                    expected[(indicator, provider, unit)] = figure
        got = {(v.indicator, v.provider_id, v.unit_id):
               (str(v.value), None if v.numerator is None else str(v.numerator), str(v.denominator))
               for v in figures.values if v.indicator.startswith("continuity_")}
        assert got == expected, month
    # the demo and the edges must actually exercise the definition
    assert total > 100
    assert {period.day for _provider, _recipient, period in ours} == {1, 15}
    first, second = demo["first"], demo["second"]
    assert ours[(first["provider_id"], first["recipient_id"], SECOND_PERIOD)][0] == first["staff"] + 6
    assert ours[(second["provider_id"], second["recipient_id"], SECOND_PERIOD)][0] == second["staff"] + 22 > 20
