"""Import of one month of a large municipality's visits, against plain DuckDB as the baseline.

    .venv/bin/python bench/import_visits.py [--recipients 25500] [--month 2025-10]
        [--workdir /tmp/tillit-bench-import] [--keep] [--reuse] [--repeat 3] [--profile]

Steps: a fresh Tillit (SQLite) in the work directory; the demo generator writes one month
for `--recipients` home-care recipients (25,500 give about 2.0 million visits in October);
the reference data is loaded as the demo loads it; the visits become a Swedish-style CSV
(semicolons, Swedish headers and words, UTF-8 with BOM). Then, in the same run:

  baseline  plain DuckDB in a subprocess with the same thread count as Tillit's engine:
            COPY (SELECT * FROM read_csv(file)) TO 'x.parquet';
  ours      `tillit import visits FILE` in a subprocess, end to end (process start to exit),
            with the CLI's stage lines time-stamped and the process's own peak RSS (wait4),
            each run on a fresh copy of the database as it was after the reference data.

The runs alternate (baseline, ours, baseline, ours, ..., baseline; `--repeat` imports) so
that load from other processes hits both sides alike; the ratio is of the medians.
Prints rows, seconds, rows/s, the ratio and the peak RSS, and "TARGET MET"/"TARGET MISSED"
lines (ours at most 3x the baseline's time, peak memory under 2 GB). Exit status 0 either
way: this is a measurement, not a test. `--profile` then imports the file again, in process
on a restored copy of the database, timing every step and every DuckDB statement.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402
from _setup import log  # noqa: E402

TIME_TARGET = 3.0  # ours / baseline
MEMORY_TARGET = 2 * 1000**3  # bytes ("2 GB")
DEFAULT_RECIPIENTS = 25_500  # about 2.0 million visits in a 31-day month

BASELINE = textwrap.dedent("""
    import duckdb, resource, sys, time
    source, target, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    connection = duckdb.connect(config={"threads": threads})
    connection.execute("SET enable_progress_bar = false")  # DuckDB 2 draws it even into a pipe
    began = time.perf_counter()
    connection.execute(f"COPY (SELECT * FROM read_csv('{source}')) TO '{target}' (FORMAT parquet)")
    seconds = time.perf_counter() - began
    rows = connection.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]
    print(f"{rows} {seconds}")
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=DEFAULT_RECIPIENTS,
                        help="home-care recipients (default %(default)s: about 2.0 million visits a month)")
    parser.add_argument("--month", default="2025-10", help="the month to generate (YYYY-MM; default %(default)s)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tillit-bench-import"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory (default: remove it)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse generated files and the loaded reference data of an earlier --keep run")
    parser.add_argument("--repeat", type=int, default=3,
                        help="imports to run, each on a fresh copy of the database (default %(default)s)")
    parser.add_argument("--profile", action="store_true",
                        help="afterwards, import again in process and time every step and DuckDB statement")
    args = parser.parse_args()
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    threads = os.cpu_count() or 2  # tillit.common.duck.connect uses the same
    first = datetime.date.fromisoformat(args.month + "-01")
    config = {"recipients": args.recipients, "month": args.month, "seed": 2024}

    print("== bench/import_visits.py")
    _setup.print_machine()
    print(f"{'command':<10} {' '.join(sys.argv)}")
    try:
        csv_path, rows_in_file = prepare(workdir, config, first, reuse=args.reuse)
        size = csv_path.stat().st_size
        print(f"{'input':<10} {csv_path.name}: {rows_in_file:,} visits, {size / 1e6:,.0f} MB "
              f"({args.recipients:,} recipients, {args.month})")
        print(f"{'threads':<10} {threads} (DuckDB, both sides)")

        # Interleaved, so that a burst of load from other processes hits both sides alike.
        baseline_runs, our_runs = [baseline(workdir, csv_path, threads)], []
        for index in range(args.repeat):
            if index:
                restore_reference(workdir)
            our_runs.append(our_import(workdir, csv_path))
            check_ledger(rows_in_file, our_runs[-1])
            baseline_runs.append(baseline(workdir, csv_path, threads))
        report(rows_in_file, baseline_runs, our_runs)
        if args.profile:
            restore_reference(workdir)
            profile(csv_path)
        print(f"{'load avg':<10} {_setup.load_average()} (1, 5, 15 min) at end")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def prepare(workdir: Path, config: dict, first: datetime.date, *, reuse: bool) -> tuple[Path, int]:
    """Files, reference data and the Swedish CSV; cached in `workdir` for --reuse."""
    files = workdir / "files"
    snapshot = workdir / "reference-data"
    marker = workdir / "prepared.json"
    csv_path = workdir / f"besok-{config['month']}.csv"
    if reuse and marker.exists() and json.loads(marker.read_text()).get("config") == config and snapshot.exists():
        log("reusing generated files and reference data")
        _setup.configure(workdir, fresh=False)
        restore_reference(workdir)
        return csv_path, json.loads(marker.read_text())["rows"]
    marker.unlink(missing_ok=True)
    _setup.configure(workdir, fresh=True)
    began = time.perf_counter()
    log(f"generating {config['recipients']} recipients, {config['month']} …")
    counts = _setup.generate_files(files, recipients=config["recipients"], months=1, start=first,
                                   today=first + datetime.timedelta(days=75), seed=config["seed"])
    log(f"  {counts['visits.csv']:,} visits in {time.perf_counter() - began:.0f} s")
    log("loading reference data …")
    _setup.load_reference(files)
    from django.db import connections

    connections.close_all()
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(_setup.data_dir(workdir), snapshot)
    log("writing the Swedish-style CSV …")
    rows = _setup.swedish_csv(files / "visits.csv", {csv_path: None})[csv_path]
    (files / "visits.csv").unlink()  # 300 MB we no longer need
    marker.write_text(json.dumps({"config": config, "rows": rows}))
    return csv_path, rows


def restore_reference(workdir: Path) -> None:
    """The database and uploads as they were after the reference data: the import starts fresh."""
    from django.db import connections

    connections.close_all()
    shutil.rmtree(_setup.data_dir(workdir), ignore_errors=True)
    shutil.copytree(workdir / "reference-data", _setup.data_dir(workdir))
    # The code may have gained migrations since the snapshot was taken (--reuse).
    subprocess.run([*_tillit_command(), "migrate", "--verbosity", "0"], env=_setup.environment(workdir),
                   cwd=workdir, check=True)


def baseline(workdir: Path, csv_path: Path, threads: int) -> dict:
    log("baseline: DuckDB COPY csv -> parquet …")
    target = workdir / "baseline.parquet"
    measured = _setup.run_measured([_setup.PYTHON, "-c", BASELINE, str(csv_path), str(target), str(threads)],
                                   env=dict(os.environ), cwd=workdir)
    if measured.returncode != 0:
        raise SystemExit("the baseline failed:\n" + "\n".join(measured.stderr_tail))
    rows, copy_seconds = measured.stdout.split()
    target.unlink(missing_ok=True)
    log(f"  {measured.seconds:.2f} s")
    return {"rows": int(rows), "seconds": measured.seconds, "copy_seconds": float(copy_seconds),
            "rss": measured.peak_rss_bytes}


def _tillit_command() -> list[str]:
    script = Path(_setup.PYTHON).parent / "tillit"
    if script.exists():
        return [str(script)]
    return [_setup.PYTHON, "-c", "import sys; from tillit.cli import main; main(['tillit', *sys.argv[1:]])"]


def our_import(workdir: Path, csv_path: Path) -> dict:
    log("ours: tillit import visits …")
    measured = _setup.run_measured([*_tillit_command(), "import", "visits", str(csv_path)],
                                   env=_setup.environment(workdir), cwd=workdir,
                                   on_line=lambda line: log(f"  {line}"))
    if measured.returncode != 0:
        raise SystemExit(f"tillit import exited with {measured.returncode}:\n" + "\n".join(measured.stderr_tail))
    log(f"  {measured.seconds:.2f} s")
    return {"seconds": measured.seconds, "rss": measured.peak_rss_bytes, "stages": measured.stages,
            "stdout": measured.stdout.strip(), "stderr_lines": measured.stderr_lines}


def check_ledger(rows_in_file: int, ours: dict) -> None:
    """The import must have put every visit in the ledger, or the figure means nothing."""
    from tillit.deliveries.models import Delivery
    from tillit.ledger.models import LedgerMonth

    delivery = Delivery.objects.filter(kind="visits").order_by("-pk").first()
    months = dict(LedgerMonth.objects.values_list("month", "rows"))
    ours["delivery"] = delivery
    ours["ledger_rows"] = sum(months.values())
    ours["months"] = months
    if delivery is None or delivery.status != Delivery.Status.LOADED or ours["ledger_rows"] != rows_in_file:
        raise SystemExit(f"the import did not load every visit: {ours['stdout']}; ledger {months}")


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f}"


def report(rows: int, baseline_runs: list[dict], our_runs: list[dict]) -> None:
    """Every run, then the ratio of the medians (and of the fastest runs) and the targets."""
    print()
    print(f"{'':<30} {'rows':>10} {'seconds':>9} {'rows/s':>12} {'peak RSS':>10}")
    for index, run in enumerate(baseline_runs, start=1):
        print(f"{f'baseline {index} (process)':<30} {run['rows']:>10,} {run['seconds']:>9.2f} "
              f"{_rate(run['rows'], run['seconds'])} {run['rss'] / 2**20:>7,.0f} MiB")
        print(f"{'  of which the COPY':<30} {'':>10} {run['copy_seconds']:>9.2f} "
              f"{_rate(run['rows'], run['copy_seconds'])}")
    for index, run in enumerate(our_runs, start=1):
        print(f"{f'ours {index}: tillit import visits':<30} {rows:>10,} {run['seconds']:>9.2f} "
              f"{_rate(rows, run['seconds'])} {run['rss'] / 2**20:>7,.0f} MiB")
    print()
    print("our time by stage (the CLI's stage lines), seconds per run:")
    names = {"": "start (Django, checksum, copy of the upload)", "reading": "reading",
             "checking": "checking", "staging": "staging", "activating": "activating",
             "report": "report (issues printed) and exit"}
    for key, name in names.items():
        cells = []
        for run in our_runs:
            marks = [("", 0.0), *run["stages"], ("end", run["seconds"])]
            found = [index for index, (stage, _at) in enumerate(marks) if stage == key]
            cells.append(f"{marks[found[0] + 1][1] - marks[found[0]][1]:>7.2f}" if found else "      -")
        print(f"  {name:<46} {' '.join(cells)}")
    delivery = our_runs[-1]["delivery"]
    print(f"  delivery: {delivery.rows_read:,} read, {delivery.rows_rejected:,} rejected, {delivery.warnings:,} warnings; "
          f"ledger {our_runs[-1]['ledger_rows']:,} visits")
    base_median = statistics.median(run["seconds"] for run in baseline_runs)
    ours_median = statistics.median(run["seconds"] for run in our_runs)
    ratio = ours_median / base_median
    fastest = min(run["seconds"] for run in our_runs) / min(run["seconds"] for run in baseline_runs)
    peak = max(run["rss"] for run in our_runs)
    print()
    print(f"median     baseline {base_median:.2f} s ({rows / base_median:,.0f} rows/s), "
          f"ours {ours_median:.2f} s ({rows / ours_median:,.0f} rows/s)")
    print(f"ratio      {ratio:.1f}x (medians; fastest runs: {fastest:.1f}x)")
    print(f"TARGET {'MET' if ratio <= TIME_TARGET else 'MISSED'}: time, ours {ratio:.1f}x the baseline "
          f"(target at most {TIME_TARGET:.0f}x)")
    print(f"TARGET {'MET' if peak < MEMORY_TARGET else 'MISSED'}: memory, peak RSS "
          f"{peak / 1e9:.2f} GB (target under 2 GB)")


# --- profile: the same import in process, every step and DuckDB statement timed -------------


class _Timed:
    """Wall time per label, in call order, with nesting; for DuckDB statements also the
    engine's memory and its spilled bytes right after the statement."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, float, str]] = []
        self.depth = 0
        self.peak_memory = self.peak_spill = 0

    def wrap(self, module: object, name: str, label: str | None = None) -> None:
        original = getattr(module, name, None)
        if original is None:  # renamed since this was written: its statements still show
            log(f"profile: {getattr(module, '__name__', module)}.{name} no longer exists; not timed on its own")
            return
        timed = self

        def wrapper(*args: object, **kwargs: object) -> object:
            index = len(timed.rows)
            timed.rows.append((timed.depth, label or name, 0.0, ""))
            timed.depth += 1
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timed.depth -= 1
                timed.rows[index] = (timed.depth, label or name, time.perf_counter() - began, "")

        setattr(module, name, wrapper)


class _Connection:
    """A DuckDB connection that times each statement (the services only call these methods)."""

    def __init__(self, connection: object, timed: _Timed) -> None:
        self._connection = connection
        self._timed = timed

    def _time(self, method: str, sql: str, *args: object) -> object:
        label = "sql: " + " ".join(str(sql).split())[:100]
        index = len(self._timed.rows)
        self._timed.rows.append((self._timed.depth, label, 0.0, ""))
        began = time.perf_counter()
        getattr(self._connection, method)(sql, *args)
        seconds = time.perf_counter() - began
        # The caller reads the statement's result after this returns: ask on a second cursor of
        # the same database, so that result stays pending on the connection.
        cursor = self._connection.cursor()
        memory, spilled = cursor.execute(
            "SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) FROM duckdb_memory()").fetchone()
        cursor.close()
        self._timed.peak_memory = max(self._timed.peak_memory, memory or 0)
        self._timed.peak_spill = max(self._timed.peak_spill, spilled or 0)
        note = f"{(memory or 0) / 2**20:>6,.0f} MiB {(spilled or 0) / 2**20:>6,.0f} MiB"
        self._timed.rows[index] = (self._timed.depth, label, seconds, note)
        return self._connection

    def execute(self, sql: str, *args: object) -> object:
        return self._time("execute", sql, *args)

    def executemany(self, sql: str, *args: object) -> object:
        return self._time("executemany", sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._connection, name)


def profile(csv_path: Path) -> None:
    """Import the file again in process with every step and statement timed; print the tree."""
    from tillit.ledger import reading, references, services, store, validation

    timed = _Timed()
    original_connect = services.connect
    services.connect = lambda **kwargs: _Connection(original_connect(**kwargs), timed)
    for module, name in ((store, "sha256_of"), (services, "_keep_upload"), (reading, "open_table"),
                         (services, "read_raw_visits"), (reading, "_number_rows"),
                         (services, "register_references"), (services, "register_recipients"),
                         (validation, "parse"), (validation, "_dictionaries"), (validation, "check"),
                         (validation, "_unknown_codes"), (validation, "_duplicates"), (validation, "resolve_times"),
                         (services, "_accepted"), (validation, "overlaps"), (services, "_stage"),
                         (store, "write_parquet"), (services, "batch_accept"), (services, "_activate")):
        timed.wrap(module, name)
    log("profile: importing again in process …")
    began = time.perf_counter()
    result = services.visit_delivery_load(actor=None, path=csv_path, file_name=csv_path.name)
    total = time.perf_counter() - began
    print()
    print(f"profile: visit_delivery_load in process, {result.delivery.rows_accepted:,} visits loaded, {total:.2f} s; "
          f"DuckDB memory_limit {os.environ.get('TILLIT_DUCKDB_MEMORY', '1GB')} (TILLIT_DUCKDB_MEMORY)")
    print("  steps and statements of 0.05 s or more; for statements the engine's memory and spilled bytes after it")
    print(f"  {'seconds':>9} {'share':>7} {'memory':>10} {'spilled':>10}")
    for depth, label, seconds, note in timed.rows:
        if seconds >= 0.05 or depth == 0:
            print(f"  {seconds:>7.2f} s {total and 100 * seconds / total:>5.1f} % {note or ' ' * 21}  {'  ' * depth}{label}")
    print(f"  engine peak after a statement: {timed.peak_memory / 2**20:,.0f} MiB in memory, "
          f"{timed.peak_spill / 2**20:,.0f} MiB spilled to disk")


if __name__ == "__main__":
    main()
