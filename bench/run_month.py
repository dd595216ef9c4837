"""Statements for every provider for a month and for a year of a large municipality.

    .venv/bin/python bench/run_month.py [--scale 24] [--workdir /tmp/tillit-bench-indicators-24M] [--reuse]

Uses the ledger bench/indicators.py builds (the same cache: `--reuse` on its work directory),
gives every contract the Stockholm 2024 model (docs/compensation-models/stockholm-2024.toml:
day and night bands, per-visit night fees, alarm customers), then measures in this process,
alternating with the baseline so that load from other processes hits both:
  baseline       plain DuckDB over the same current Parquet files: performed minutes per
                 provider, recipient and rate band (day 07–22 / night by the local start hour),
                 and visits per band, fetched to Python
  compute        tillit.compensation.statements.compute_month: every provider priced, not stored
                 (the registers read once per run, as `tillit run-month` with several months does)
  statement_run  the same and storing the statements and their lines (the stored ones removed
                 before each round, untimed, so that every round stores them all)
for one month (the busiest) and for the year. Targets: at most 2x the baseline, the year under
60 s, peak memory under 4 GB. Exit status 0 either way.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402
from _setup import log  # noqa: E402

from indicators import RECIPIENTS_PER_MILLION, Memory, _months  # noqa: E402

RATIO_TARGET, SECONDS_TARGET, MEMORY_TARGET = 2.0, 60.0, 4 * 10**9
MODEL = Path(__file__).resolve().parent.parent / "docs" / "compensation-models" / "stockholm-2024.toml"

BASELINE_SQL = """
    SELECT provider_id, recipient_id, band,
           sum(date_diff('second', registered_start, registered_end)
               * CASE WHEN double_staffing THEN 2 ELSE 1 END) / 60.0 AS minutes,
           count(*) AS visits
    FROM (SELECT *, CASE WHEN hour(timezone('Europe/Stockholm', registered_start::TIMESTAMPTZ)) BETWEEN 7 AND 21
                         THEN 'day' ELSE 'night' END AS band
          FROM read_parquet(?))
    WHERE status = 'performed' AND registered_end IS NOT NULL
    GROUP BY ALL
"""


def baseline(months) -> float:
    import duckdb

    connection = duckdb.connect(config={"threads": os.cpu_count() or 2})
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    began = time.perf_counter()
    for _month, path in months:
        connection.execute(BASELINE_SQL, [path]).fetchall()
    seconds = time.perf_counter() - began
    connection.close()
    return seconds


def models_on_contracts() -> int:
    """Every contract gets the Stockholm model (the same file twice changes nothing), untimed."""
    from tillit.compensation.services import compensation_model_import
    from tillit.registry.models import Contract

    text = MODEL.read_text(encoding="utf-8")
    contracts = list(Contract.objects.all())
    for contract in contracts:
        compensation_model_import(actor=None, text=text, file_name=MODEL.name, contract=contract)
    return len(contracts)


def forget_statements() -> None:
    from tillit.compensation.models import Statement, StatementLine

    StatementLine.objects.all().delete()
    Statement.objects.all().delete()


def ours(months, *, store: bool) -> tuple[float, int, int]:
    """One run over the months, as `tillit run-month` does it: the registers read once."""
    from tillit.compensation.registers import Registers
    from tillit.compensation.statements import compute_month, statement_run

    began, lines, providers = time.perf_counter(), 0, 0
    registers = Registers()
    for month, _path in months:
        if store:
            outcomes = statement_run(actor=None, month=month, registers=registers)
            providers += len(outcomes)
            lines += sum(o.statement.lines.count() for o in outcomes)
        else:
            computed, _ledger = compute_month(month, registers=registers)
            providers += len(computed)
            lines += sum(len(priced) for _model, priced in computed.values())
    return time.perf_counter() - began, providers, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=24.0)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    workdir = (args.workdir or Path(f"/tmp/tillit-bench-indicators-{args.scale:g}M")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    config = {"recipients": round(args.scale * RECIPIENTS_PER_MILLION), "year": args.year, "seed": 2024}
    print("== bench/run_month.py")
    _setup.print_machine()
    print(f"{'command':<10} {' '.join(sys.argv)}")
    import query_visits

    query_visits.print_build(query_visits.build(workdir, config, reuse=args.reuse))
    from tillit.ledger.models import LedgerMonth

    months = _months(args.year)
    rows = dict(LedgerMonth.objects.filter(month__startswith=str(args.year)).values_list("month", "rows"))
    busiest = max(months, key=lambda item: rows.get(str(item[0]), 0))
    log(f"the Stockholm model on {models_on_contracts()} contracts")
    memory = Memory().start()
    memory.phase()
    results: dict[str, list[float]] = {}
    peaks: dict[str, int] = {}
    counts: dict[str, tuple[int, int]] = {}
    for _round in range(args.repeat):
        for label, scope in (("month", [busiest]), ("year", months)):
            for name, run in (("baseline", lambda s=scope: (baseline(s), 0, 0)),
                              ("compute", lambda s=scope: ours(s, store=False)),
                              ("statement_run", lambda s=scope: ours(s, store=True))):
                if name == "statement_run":
                    forget_statements()  # untimed: every round stores every statement anew
                log(f"{label}: {name} …")
                seconds, providers, lines = run()
                results.setdefault(f"{label} {name}", []).append(seconds)
                peaks[f"{label} {name}"] = max(peaks.get(f"{label} {name}", 0), memory.phase())
                if providers:
                    counts[f"{label} {name}"] = (providers, lines)
                log(f"  {seconds:.2f} s")
    memory.stop()
    print(f"\nvisits: month {busiest[0]} {rows.get(str(busiest[0]), 0):,}; year {sum(rows.values()):,}")
    print(f"{'':<26} {'median s':>9} {'ratio':>7} {'peak RSS':>10}  statements / lines")
    worst = 0
    for label in ("month", "year"):
        base = statistics.median(results[f"{label} baseline"])
        for name in ("baseline", "compute", "statement_run"):
            key = f"{label} {name}"
            median = statistics.median(results[key])
            providers, lines = counts.get(key, (0, 0))
            print(f"{key:<26} {median:>9.2f} {median / base:>6.2f}x {peaks[key] / 2**20:>8.0f} MiB  "
                  f"{providers:,} / {lines:,}" if providers else
                  f"{key:<26} {median:>9.2f} {median / base:>6.2f}x {peaks[key] / 2**20:>8.0f} MiB")
        worst = max(worst, statistics.median(results[f"{label} compute"]) / base)
    year_seconds = statistics.median(results["year statement_run"])
    peak = max(peaks.values())
    print(f"\nTARGET {'MET' if worst <= RATIO_TARGET else 'MISSED'}: compute at most {RATIO_TARGET:g}x the baseline "
          f"(worst {worst:.2f}x)")
    print(f"TARGET {'MET' if year_seconds < SECONDS_TARGET else 'MISSED'}: the year's statements in "
          f"{year_seconds:.1f} s (target under {SECONDS_TARGET:g} s)")
    print(f"TARGET {'MET' if peak < MEMORY_TARGET else 'MISSED'}: peak RSS {peak / 1e9:.2f} GB (target under 4 GB)")
    print(f"{'load avg':<10} {_setup.load_average()} (1, 5, 15 min) at end")


if __name__ == "__main__":
    main()
