"""All quality indicators for a year of a large municipality (about 24 million visits).

    .venv/bin/python bench/indicators.py [--scale 24] [--workdir /tmp/tillit-bench-indicators]
        [--reuse] [--repeat 1] [--no-run] [--clean]

Build (skipped with --reuse when the work directory holds a ledger built with the same
settings): exactly as bench/query_visits.py builds its ledger (and with the same cache marker,
so `--workdir /tmp/tillit-bench-query --reuse` measures on that benchmark's ledger): a fresh
Tillit (SQLite) in the work directory, the demo generator writes twelve months of 2025 for
`--scale` million visits (26,000 home-care recipients give about 24 million; `--scale 2` is
about 2,170 recipients and 2 million visits), the reference data is loaded as the demo loads
it, and each month goes through `tillit import visits` as a Swedish-style CSV file.

Measure, in this process, alternating so that load from other processes hits both sides:
  baseline        plain DuckDB, same threads: distinct staff per provider, recipient and 14-day
                  period (local days 1-14 and 15-28) of the performed visits, read from the same
                  current Parquet file of each month, rows fetched to Python; the 12 months
  compute_month   tillit.engine.month.compute_month for each of the 12 months: every indicator
                  (continuity, visit counts, recipient months, deadlines, care contacts)
  indicator_run   tillit.quality.services.indicator_run for each month: the same and the storing
                  of results, evidence and compliance (every contract gets the standard
                  declaration first, untimed), in the SQLite database
Prints seconds, the ratio to the baseline (median of its runs), the time per engine stage,
and peak memory: the process's resident set, sampled every 20 ms by a thread, per phase.
Targets: all indicators at most 3x the baseline, under 60 s in all, peak memory under 4 GB.
Exit status 0 either way.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402
from _setup import log  # noqa: E402

RECIPIENTS_PER_MILLION = 26_000 / 24  # bench/query_visits.py: 26,000 recipients, about 24 M visits
RATIO_TARGET = 3.0
SECONDS_TARGET = 60.0
MEMORY_TARGET = 4 * 10**9

# The heaviest part of the indicators, written plainly: no age, every-day or intervention rules.
BASELINE_SQL = """
    SELECT provider_id, recipient_id, period, count(DISTINCT staff) AS staff
    FROM (
        SELECT provider_id, recipient_id,
               CASE WHEN day(local_start) <= 14 THEN 1 WHEN day(local_start) <= 28 THEN 2 END AS period,
               unnest(string_split(staff_id, '|')) AS staff
        FROM (SELECT *, timezone('Europe/Stockholm', registered_start::TIMESTAMPTZ) AS local_start
              FROM read_parquet(?))
        WHERE status = 'performed' AND registered_start IS NOT NULL
    )
    WHERE period IS NOT NULL
    GROUP BY ALL
"""


class Memory:
    """The process's resident set, sampled by a thread; the peak since the last `phase()`."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE")

    def rss(self) -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.rss())

    def start(self) -> Memory:
        self._thread.start()
        return self

    def phase(self) -> int:
        """The peak of the phase that just ended (at least the current RSS); starts the next."""
        peak, self.peak = max(self.peak, self.rss()), self.rss()
        return peak

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=24.0,
                        help="millions of visits in the year (default %(default)s; 2 for a quick run)")
    parser.add_argument("--recipients", type=int, default=None, help="home-care recipients (overrides --scale)")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="default /tmp/tillit-bench-indicators-<scale>M (kept: it is the cache)")
    parser.add_argument("--reuse", action="store_true", help="use the ledger an earlier run built, if it matches")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of compute_month and indicator_run")
    parser.add_argument("--no-run", action="store_true", help="measure compute_month only, not indicator_run")
    parser.add_argument("--clean", action="store_true", help="remove the work directory at the end")
    args = parser.parse_args()
    recipients = args.recipients or round(args.scale * RECIPIENTS_PER_MILLION)
    workdir: Path = (args.workdir or Path(f"/tmp/tillit-bench-indicators-{args.scale:g}M")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    config = {"recipients": recipients, "year": args.year, "seed": 2024}

    print("== bench/indicators.py")
    _setup.print_machine()
    print(f"{'command':<10} {' '.join(sys.argv)}")
    try:
        import query_visits  # the same ledger build and cache marker

        built = query_visits.build(workdir, config, reuse=args.reuse)
        query_visits.print_build(built)
        measure(args.year, repeat=args.repeat, with_run=not args.no_run)
        print(f"{'load avg':<10} {_setup.load_average()} (1, 5, 15 min) at end")
    finally:
        if args.clean:
            shutil.rmtree(workdir, ignore_errors=True)


def _months(year: int) -> list[tuple[object, str]]:
    from tillit.common.periods import Month
    from tillit.ledger import store
    from tillit.ledger.models import LedgerMonth

    paths = dict(LedgerMonth.objects.values_list("month", "path"))
    return [(Month(year, m), str(store.absolute(paths[f"{year}-{m:02d}"]))) for m in range(1, 13)
            if f"{year}-{m:02d}" in paths]


def baseline(months: list[tuple[object, str]]) -> dict:
    """Plain DuckDB: the distinct-staff query over each month's current file, one connection."""
    import duckdb

    connection = duckdb.connect(config={"threads": os.cpu_count() or 2})
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    rows = staff = 0
    began = time.perf_counter()
    for _month, path in months:
        result = connection.execute(BASELINE_SQL, [path]).fetchall()
        rows += len(result)
        staff += sum(row[3] for row in result)
    seconds = time.perf_counter() - began
    connection.close()
    return {"seconds": seconds, "rows": rows, "staff": staff}


def engine(months: list[tuple[object, str]], as_of: datetime.date) -> dict:
    """compute_month for each month with each provider's terms, stage by stage."""
    from tillit.engine.month import compute_month
    from tillit.engine.reference import Snapshot
    from tillit.quality.services.compliance import contracts_in_force, terms_by_provider

    stages: dict[str, float] = defaultdict(float)
    counts = defaultdict(int)
    began = time.perf_counter()
    snapshot = Snapshot()  # the reference tables, read once for the year (as indicator_runs does)
    stages["reference"] = time.perf_counter() - began
    for month, _path in months:
        terms = terms_by_provider(contracts_in_force(month))
        mark = [("start", time.perf_counter())]

        def progress(stage: str) -> None:
            now = time.perf_counter()
            stages[mark[0][0]] += now - mark[0][1]
            mark[0] = (stage, now)

        figures = compute_month(month, terms, as_of=as_of, progress=progress, snapshot=snapshot)
        stages[mark[0][0]] += time.perf_counter() - mark[0][1]
        counts["values"] += len(figures.values)
        counts["observations"] += len(figures.continuity)
        counts["recipient months"] += len(figures.recipients)
        counts["deadline items"] += len(figures.deadlines) + len(figures.care_contacts)
    return {"seconds": time.perf_counter() - began, "stages": dict(stages), "counts": dict(counts)}


def runs(months: list[tuple[object, str]], as_of: datetime.date) -> dict:
    """indicator_run (compute and store) for each month."""
    from django.db.models import Count

    from tillit.engine.reference import Snapshot
    from tillit.quality.models import Compliance, IndicatorResult
    from tillit.quality.services import indicator_run

    stages: dict[str, float] = defaultdict(float)
    began = time.perf_counter()
    snapshot = Snapshot()
    stages["reference"] = time.perf_counter() - began
    for month, _path in months:
        mark = [("start", time.perf_counter())]

        def progress(stage: str) -> None:
            now = time.perf_counter()
            stages[mark[0][0]] += now - mark[0][1]
            mark[0] = (stage, now)

        run = indicator_run(actor=None, month=month, reason="bench", as_of=as_of, progress=progress,
                            snapshot=snapshot)
        stages[mark[0][0]] += time.perf_counter() - mark[0][1]
        assert run.status == "complete", run.error
    seconds = time.perf_counter() - began
    compliance = Compliance.objects.values("status").annotate(n=Count("id")).values_list("status", "n")
    return {"seconds": seconds, "stages": dict(stages), "results": IndicatorResult.objects.count(),
            "compliance": dict(compliance)}


def standard_declarations() -> int:
    """Every contract without rules gets the standard declaration (STANDARD_RULES), untimed."""
    from tillit.quality.services import quality_declaration_standard
    from tillit.registry.models import Contract

    contracts = list(Contract.objects.all())
    for contract in contracts:
        quality_declaration_standard(actor=None, contract=contract)
    return len(contracts)


def measure(year: int, *, repeat: int, with_run: bool) -> None:
    from tillit.ledger.models import LedgerMonth

    months = _months(year)
    visits = sum(LedgerMonth.objects.filter(month__startswith=str(year)).values_list("rows", flat=True))
    as_of = datetime.date(year + 1, 2, 15)  # the generator's "today": every deadline of the year judged
    print(f"{'measured':<10} {len(months)} months, {visits:,} visits; deadlines as of {as_of}; "
          f"threads {os.cpu_count()}; engine memory_limit {os.environ.get('TILLIT_DUCKDB_MEMORY', '1GB')}")
    contracts = standard_declarations()
    log(f"standard declaration on {contracts} contracts")
    memory = Memory().start()
    memory.phase()
    base, ours, stored = [], [], []
    base_peak = ours_peak = run_peak = 0
    try:
        for _round in range(repeat):
            log("baseline …")
            base.append(baseline(months))
            base_peak = max(base_peak, memory.phase())
            log(f"  {base[-1]['seconds']:.2f} s")
            log("compute_month × 12 …")
            ours.append(engine(months, as_of))
            ours_peak = max(ours_peak, memory.phase())
            log(f"  {ours[-1]['seconds']:.2f} s")
            if with_run:
                log("indicator_run × 12 …")
                stored.append(runs(months, as_of))
                run_peak = max(run_peak, memory.phase())
                log(f"  {stored[-1]['seconds']:.2f} s")
        log("baseline …")
        base.append(baseline(months))
        base_peak = max(base_peak, memory.phase())
        log(f"  {base[-1]['seconds']:.2f} s")
    finally:
        memory.stop()
    report(base, ours, stored, base_peak, ours_peak, run_peak)


def report(base: list[dict], ours: list[dict], stored: list[dict], base_peak: int, ours_peak: int,
           run_peak: int) -> None:
    base_median = statistics.median(b["seconds"] for b in base)
    print()
    print(f"{'':<34} {'seconds':>9} {'ratio':>7} {'peak RSS':>10}")
    for index, b in enumerate(base, start=1):
        print(f"{f'baseline {index} (12 months)':<34} {b['seconds']:>9.2f} {b['seconds'] / base_median:>6.2f}x "
              f"{'':>10}   {b['rows']:,} recipient-periods")
    print(f"{'  baseline peak (this process)':<34} {'':>9} {'':>7} {base_peak / 2**20:>6,.0f} MiB")
    for index, o in enumerate(ours, start=1):
        print(f"{f'compute_month {index} (12 months)':<34} {o['seconds']:>9.2f} {o['seconds'] / base_median:>6.2f}x "
              f"{ours_peak / 2**20:>6,.0f} MiB")
    for index, s in enumerate(stored, start=1):
        print(f"{f'indicator_run {index} (12 months)':<34} {s['seconds']:>9.2f} {s['seconds'] / base_median:>6.2f}x "
              f"{run_peak / 2**20:>6,.0f} MiB")
    print()
    print("compute_month by stage, seconds over the 12 months (start: connection, reference tables, views):")
    for stage, seconds in ours[-1]["stages"].items():
        print(f"  {stage:<14} {seconds:>7.2f}")
    print("  " + ", ".join(f"{name} {count:,}" for name, count in ours[-1]["counts"].items()))
    if stored:
        print("indicator_run by stage, seconds over the 12 months:")
        for stage, seconds in stored[-1]["stages"].items():
            print(f"  {stage:<14} {seconds:>7.2f}")
        print(f"  stored: {stored[-1]['results']:,} results; compliance {stored[-1]['compliance']}")
    best = min(o["seconds"] for o in ours)
    ratio = best / base_median
    whole = min(s["seconds"] for s in stored) if stored else best
    peak = max(ours_peak, run_peak)
    print()
    print(f"TARGET {'MET' if ratio <= RATIO_TARGET else 'MISSED'}: time, all indicators {best:.2f} s = "
          f"{ratio:.2f}x the baseline's {base_median:.2f} s (target at most {RATIO_TARGET:.0f}x)")
    print(f"TARGET {'MET' if whole < SECONDS_TARGET else 'MISSED'}: time in all, "
          f"{'indicator_run' if stored else 'compute_month'} for 12 months {whole:.2f} s "
          f"(target under {SECONDS_TARGET:.0f} s)")
    print(f"TARGET {'MET' if peak < MEMORY_TARGET else 'MISSED'}: memory, peak RSS {peak / 1e9:.2f} GB "
          f"(target under 4 GB; the process's maximum RSS ever: {_setup.self_peak_rss() / 1e9:.2f} GB)")


if __name__ == "__main__":
    main()
