"""Shared set-up of the benchmarks: a throw-away Tillit in a work directory, and its data.

Every benchmark runs against its own TILLIT_DATA_DIR (SQLite database, uploads, ledger) under
`--workdir`, never against ./var or DATABASE_URL. `configure()` must run before anything
imports Django models.
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The stages visit_delivery_load reports (the CLI prints them to stderr as "… stage").
STAGES = ("reading", "checking", "staging", "activating")
PYTHON = sys.executable


def log(message: str) -> None:
    """Progress on stderr with a time stamp, so stdout keeps only the figures."""
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", file=sys.stderr, flush=True)


def data_dir(workdir: Path) -> Path:
    return workdir / "data"


def environment(workdir: Path) -> dict[str, str]:
    """The environment a Tillit process of this benchmark runs with (also for subprocesses)."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # always the throw-away SQLite file in the work directory
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["TILLIT_DATA_DIR"] = str(data_dir(workdir))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def configure(workdir: Path, *, fresh: bool) -> None:
    """Point Django at `workdir` (emptied first when `fresh`), set it up and migrate."""
    workdir = workdir.resolve()
    if fresh and data_dir(workdir).exists():
        shutil.rmtree(data_dir(workdir))
    data_dir(workdir).mkdir(parents=True, exist_ok=True)
    os.environ.update({k: v for k, v in environment(workdir).items() if k != "PYTHONPATH"})
    os.environ.pop("DATABASE_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def generate_files(directory: Path, *, recipients: int, months: int, start: datetime.date,
                   today: datetime.date, seed: int = 2024) -> dict[str, int]:
    """The demo municipality's files (reference data and visits.csv, comma-separated)."""
    from tillit.demo.generator import GeneratorConfig, generate

    config = GeneratorConfig(recipients=recipients, months=months, start=start, today=today, seed=seed)
    return generate(directory, config)


def load_reference(directory: Path) -> None:
    """Load every reference file as the demo does (municipality, then LOAD_ORDER)."""
    import csv

    from tillit.accounts.models import Organisation
    from tillit.accounts.services import municipality, organisation_create
    from tillit.deliveries.models import Delivery
    from tillit.deliveries.services import delivery_load
    from tillit.demo.load import LOAD_ORDER

    if municipality() is None:
        with (directory / "municipality.csv").open(encoding="utf-8") as handle:
            name = next(csv.DictReader(handle))["name"]
        organisation_create(actor=None, kind=Organisation.Kind.MUNICIPALITY, name=name)
    for kind, file_name in LOAD_ORDER:
        began = time.perf_counter()
        path = directory / file_name
        result = delivery_load(actor=None, kind=kind, content=path.read_bytes(), file_name=file_name)
        delivery = result.delivery
        if delivery.status != Delivery.Status.LOADED:
            raise SystemExit(f"{file_name} did not load: {delivery.status} {delivery.message}")
        log(f"  loaded {file_name}: {delivery.rows_accepted} rows in {time.perf_counter() - began:.1f} s")


# Swedish header names (columns.py accepts them) and Swedish status / method / yes-no words.
SWEDISH_CSV_SELECT = """
    visit_id AS "besöks-id",
    provider_org_number AS "utförare orgnr",
    unit_code AS "enhet",
    recipient_id AS "personnummer",
    staff_id AS "personal-id",
    planned_start AS "planerad start",
    planned_end AS "planerad slut",
    registered_start AS "registrerad start",
    registered_end AS "registrerad slut",
    intervention_codes AS "insatskoder",
    CASE double_staffing WHEN '1' THEN 'ja' WHEN '0' THEN 'nej' ELSE double_staffing END AS "dubbelbemanning",
    CASE status WHEN 'performed' THEN 'utförd' WHEN 'declined' THEN 'avböjd' WHEN 'cancelled' THEN 'inställd'
                WHEN 'missed' THEN 'missad' ELSE status END AS "status",
    CASE registration_method WHEN 'manual' THEN 'manuell' ELSE registration_method END AS "registreringssätt"
"""


def swedish_csv(source: Path, targets: dict[Path, str | None]) -> dict[Path, int]:
    """Write the generator's comma-separated visits as Swedish-style CSV files.

    Semicolons, Swedish headers and words, UTF-8 with a BOM (as Excel in Sweden saves it).
    `targets` maps each file to the month (YYYY-MM of the planned start) it takes, or None
    for all rows. Returns the data rows per file.
    """
    import duckdb

    connection = duckdb.connect(config={"threads": os.cpu_count() or 2})
    connection.execute("SET enable_progress_bar = false")
    counts = {}
    try:
        quoted = str(source).replace("'", "''")
        # Several monthly files from one source: read it into the engine once, not once per month.
        kind = "TABLE" if len(targets) > 1 else "VIEW"
        connection.execute(
            f"CREATE TEMP {kind} source AS SELECT * FROM read_csv('{quoted}', header = true, all_varchar = true)"
        )
        for target, month in targets.items():
            plain = target.with_name(target.name + ".nobom")
            where = "true" if month is None else f"starts_with(planned_start, '{month}')"
            counts[target] = connection.execute(  # COPY answers with the number of rows it wrote
                f"COPY (SELECT {SWEDISH_CSV_SELECT} FROM source WHERE {where}) "
                f"TO '{plain}' (FORMAT csv, HEADER, DELIMITER ';')"
            ).fetchone()[0]
            with target.open("wb") as out, plain.open("rb") as handle:
                out.write(b"\xef\xbb\xbf")
                shutil.copyfileobj(handle, out, 16 << 20)
            plain.unlink()
    finally:
        connection.close()
    return counts


@dataclass
class Measured:
    """A subprocess's wall time, peak resident memory and output."""

    seconds: float
    peak_rss_bytes: int
    returncode: int
    stdout: str
    stages: list[tuple[str, float]]  # (stage, seconds since start); "report": the first line after them
    stderr_lines: int
    stderr_tail: list[str]


def run_measured(command: Sequence[str], *, env: dict[str, str], cwd: Path,
                 on_line: Callable[[str], None] = lambda line: None) -> Measured:
    """Run `command`, time it, and take its own peak RSS (not its siblings', not ours).

    The peak is the child's VmHWM, read from /proc every 20 ms while it runs: Linux starts the
    high-water mark of an exec'd program at the size of the process it was forked from, so
    wait4's ru_maxrss reports at least this benchmark's own size (2 GB of generated visits made
    a 10 MB child report 2 GB). wait4's figure is the fallback where there is no /proc.
    The CLI's stage lines on stderr ("… reading" and so on) are time-stamped.
    """
    stdout_path = cwd / f".stdout-{os.getpid()}-{time.monotonic_ns()}"
    stages: list[tuple[str, float]] = []
    tail: list[str] = []
    lines = 0
    with stdout_path.open("w+") as stdout:
        began = time.perf_counter()
        process = subprocess.Popen(list(command), env=env, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                                   text=True, bufsize=1)
        assert process.stderr is not None
        high_water = _HighWater(process.pid)
        for line in process.stderr:
            line = line.rstrip("\n")
            lines += 1
            if line.startswith("…") and line.lstrip("… ").strip() in STAGES:
                stages.append((line.lstrip("… ").strip(), time.perf_counter() - began))
                on_line(line)
            elif stages and stages[-1][0] in STAGES:
                # The first other line after the stages: the work is done, the report begins.
                stages.append(("report", time.perf_counter() - began))
            tail = (tail + [line])[-20:]
        high_water.stop()  # before wait4: /proc/<pid> goes with the reaped process
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        output = stdout.read()
    stdout_path.unlink()
    # ru_maxrss is in KiB on Linux
    return Measured(seconds, high_water.peak or usage.ru_maxrss * 1024, process.returncode, output, stages, lines, tail)


class _HighWater:
    """The largest VmHWM (peak resident set) of a running process, polled from /proc."""

    def __init__(self, pid: int) -> None:
        self.path, self.peak = Path(f"/proc/{pid}/status"), 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for line in self.path.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak = max(self.peak, int(line.split()[1]) * 1024)
        except (OSError, ValueError, IndexError):
            pass  # the process is exiting (a zombie has no VmHWM): keep what was read

    def _poll(self) -> None:
        while not self._stopped.wait(0.02):
            self._read()

    def stop(self) -> None:
        self._read()  # the last reading, while the process is (at worst) a zombie
        self._stopped.set()
        self._thread.join()


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import duckdb

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    import django

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "django": django.get_version(),
        "kernel": platform.release(),
    }


def code_fingerprint() -> str:
    """Git HEAD and a hash of the working tree's tillit/ sources, to match figures to code."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "tillit").rglob("*")):
        if path.suffix in {".py", ".sql"} and path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head = "no git"
    return f"HEAD {head}, tillit/ sources sha256 {digest.hexdigest()[:12]}"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def print_machine() -> None:
    for key, value in machine().items():
        print(f"{key:<10} {value}")
    print(f"{'code':<10} {code_fingerprint()}")
    print(f"{'load avg':<10} {load_average()} (1, 5, 15 min) at start")


def self_peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
