"""A crash at any moment of `tillit import visits` leaves the ledger in the old state or the
new one, never half (ARCHITECTURE.md: files written atomically, "a file that the manifest does
not name does not exist"). The import runs as a real process on the demo generator's data and
is killed with SIGKILL at the moments that matter; a fresh DuckDB then reads the files the
manifest (read with sqlite3 from the database file) names."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
for kind in ("providers", "interventions", "areas", "units", "recipients"):
    call_command("import", kind, os.path.join(sys.argv[1], kind + ".csv"))
"""
GARBAGE = """
import datetime, json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from tillit.ledger.services import collect_garbage
print(json.dumps(collect_garbage(older_than=datetime.timedelta(0))))
"""


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TILLIT_QUEUE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(TILLIT_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings", TILLIT_DUCKDB_MEMORY="512MB")
    return env


def run(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=environment(data_dir), capture_output=True,
                            text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr[-2000:]
    return result


def manifest(data_dir: Path) -> tuple[list[str], set[str]]:
    """(the current month files, every file the manifest names), read straight from SQLite."""
    connection = sqlite3.connect(data_dir / "tillit.sqlite3")
    try:
        months = [row[0] for row in connection.execute("SELECT path FROM ledger_ledgermonth")]
        batches = {row[0] for row in connection.execute("SELECT path FROM ledger_visitfile")}
    finally:
        connection.close()
    return months, set(months) | batches


def ledger_state(data_dir: Path) -> tuple[int, int]:
    """(visits in the current files, distinct visits) with a fresh DuckDB; every named file must be whole."""
    months, named = manifest(data_dir)
    ledger = data_dir / "ledger"
    for path in named:
        assert (ledger / path).is_file(), f"the manifest names {path}, which is not there"
    if not months:
        return 0, 0
    connection = duckdb.connect()
    try:
        return connection.execute(
            "SELECT count(*), count(DISTINCT (provider_id, visit_id)) FROM read_parquet(?)",
            [[str(ledger / p) for p in months]],
        ).fetchone()
    finally:
        connection.close()


def files_on_disk(data_dir: Path) -> set[str]:
    ledger = data_dir / "ledger"
    return {str(p.relative_to(ledger)) for p in ledger.rglob("*") if p.is_file()}


def parquet_files(data_dir: Path, folder: str, pattern: str) -> set[Path]:
    return set((data_dir / "ledger").glob(f"{folder}/{pattern}"))


@pytest.fixture(scope="module")
def municipality(tmp_path_factory) -> dict:
    """The demo generator's month (3,000 recipients), its registry loaded, and the first part
    of its visits in the ledger: the old state every crash starts from."""
    base = tmp_path_factory.mktemp("crash")
    generated, baseline = base / "generated", base / "baseline"
    run(baseline, "manage.py", "generate", "--recipients", "3000", "--months", "1", "--today", "2025-01-15",
        "--out", str(generated))
    run(baseline, "-c", SETUP, str(generated))
    lines = (generated / "visits.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    new = generated / "visits.csv"
    # The old state in two files: the first one's batch file becomes the month's file as it is,
    # the second rebuilds the month as a current file, which the new import then replaces.
    old_rows = lines[1: len(lines) // 3]
    for name, part in (("old-1.csv", old_rows[: len(old_rows) // 2]), ("old-2.csv", old_rows[len(old_rows) // 2:])):
        (generated / name).write_text(lines[0] + "".join(part), encoding="utf-8")
        result = run(baseline, "manage.py", "import", "visits", str(generated / name))
        assert "Loaded" in result.stdout
    old_count = ledger_state(baseline)
    assert old_count[0] == old_count[1] == len(lines) // 3 - 1
    return {"base": base, "baseline": baseline, "new": new, "old_count": old_count[0], "new_count": len(lines) - 1}


def _trigger(data_dir: Path, moment: str, before: set[Path]):
    """A predicate: has the import reached `moment`?"""
    uploads = set((data_dir / "uploads").rglob("*.csv"))
    if moment == "reading":  # the delivered file has been kept; DuckDB reads it next
        return lambda: bool(set((data_dir / "uploads").rglob("*.csv")) - uploads)
    if moment == "staging":  # a batch file is being written under tmp/
        return lambda: bool(parquet_files(data_dir, "tmp", "*.parquet"))
    if moment == "staged":  # a batch file is in its month folder; the manifest may not name it yet
        return lambda: bool(parquet_files(data_dir, "*", "batch-*.parquet") - before)
    if moment == "activating":  # the new month file is written; the manifest switches next
        return lambda: bool(parquet_files(data_dir, "*", "current-*.parquet") - before)
    if moment == "switched":  # the replaced month file is being removed: the manifest has switched
        old_current = parquet_files(data_dir, "*", "current-*.parquet") & before
        return lambda: not all(path.exists() for path in old_current)
    raise AssertionError(moment)


@pytest.mark.parametrize("moment", ["reading", "staging", "staged", "activating", "switched"])
def test_a_killed_import_leaves_the_old_state_or_the_new_never_half(municipality, moment: str) -> None:
    data_dir = municipality["base"] / f"trial-{moment}"
    shutil.copytree(municipality["baseline"], data_dir)
    before = parquet_files(data_dir, "*", "*.parquet")
    old, new = municipality["old_count"], municipality["new_count"]

    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "manage.py", "import", "visits", str(municipality["new"])], cwd=ROOT,
                               env=environment(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    reached = _trigger(data_dir, moment, before)
    try:
        while process.poll() is None and not reached() and time.monotonic() - started < 60:
            time.sleep(0.002)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    killed = process.returncode == -signal.SIGKILL

    count, distinct = ledger_state(data_dir)
    assert count == distinct, "a visit is counted twice"
    assert count in (old, new), f"killed while {moment}: {count} visits, neither {old} nor {new}"
    # Each moment comes before the process can exit (it still prints its report), so it is killed there.
    assert killed, f"the import finished before it reached {moment}"
    if moment in ("reading", "staging"):  # seconds before the manifest could switch
        assert count == old, f"killed while {moment}, before the manifest switched"
    if moment == "switched":  # the replaced file goes only after the manifest has switched
        assert count == new, "killed after the manifest switched"
    # "staged" and "activating" are killed milliseconds before the commit: either state is right.

    # Garbage collection removes what the manifest does not name, and nothing it does.
    removed = json.loads(run(data_dir, "-c", GARBAGE).stdout.strip().splitlines()[-1])
    _months, named = manifest(data_dir)
    assert files_on_disk(data_dir) == named
    assert ledger_state(data_dir) == (count, distinct)
    if moment == "staging" or (moment == "activating" and count == old):
        assert removed, "the killed import left a half-written file that collection should remove"

    # Recovery: deliver the file again; a delivery that was left waiting is accepted.
    if moment == "activating":
        again = run(data_dir, "manage.py", "import", "visits", str(municipality["new"]), check=False)
        if again.returncode == 1 and "already delivered" in again.stdout:
            waiting = again.stdout.split("as delivery ")[1].split(" ")[0]
            run(data_dir, "manage.py", "deliveries", "accept", waiting)
        else:
            assert again.returncode == 0, again.stderr[-2000:]
        assert ledger_state(data_dir) == (new, new)
