"""Build the demo municipality: generate its delivery files and load them like real ones."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tillit.accounts.models import Organisation
from tillit.accounts.services import municipality, organisation_create
from tillit.benchmarks.models import KoladaSync
from tillit.benchmarks.services import load_directory
from tillit.common.errors import ApplicationError
from tillit.common.periods import Month
from tillit.deliveries.importers import DECIDERS
from tillit.deliveries.models import Delivery
from tillit.deliveries.services import delivery_load
from tillit.demo.compensation import build_compensation
from tillit.demo.generator import GeneratorConfig, generate
from tillit.demo.personas import MUNICIPAL_PERSONAS, Persona, ensure_persona, provider_persona
from tillit.quality.selectors import month_run
from tillit.quality.services import indicator_runs, quality_declaration_standard
from tillit.registry.models import Contract, Provider, ServiceType

# Reference data first: each file refers only to what the files before it created.
LOAD_ORDER = (
    ("interventions", "interventions.csv"),
    ("areas", "areas.csv"),
    ("providers", "providers.csv"),
    ("units", "units.csv"),
    ("contracts", "contracts.csv"),
    ("recipients", "recipients.csv"),
    ("decisions", "decisions.csv"),
    ("care_events", "care_events.csv"),
)


@dataclass
class DemoResult:
    directory: Path
    deliveries: list[Delivery]
    personas: list[Persona]


def build_demo(
    *,
    recipients: int = 2000,
    months: int = 12,
    seed: int = 2024,
    today: datetime.date | None = None,
    directory: Path | None = None,
    visits: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoResult:
    """Migrate, generate the files, load them through the delivery pipeline, create personas."""
    call_command("migrate", interactive=False, verbosity=0)
    directory = directory or Path(settings.DATA_DIR) / "demo"
    config = GeneratorConfig(
        recipients=recipients, months=months, seed=seed, today=today or datetime.date.today(), visits=visits
    )
    progress(f"Generating the demo municipality in {directory} …")
    counts = generate(directory, config)
    progress("  " + ", ".join(f"{name}: {rows}" for name, rows in counts.items()))
    _ensure_municipality(directory / "municipality.csv")
    # The demo computes its indicators itself below, once the data is in; no job per delivery.
    with override_settings(TILLIT_QUALITY_AUTORUN=False):
        deliveries = _load_files(directory, visits, progress)
    _declarations()
    _indicators(config, progress)
    personas = _ensure_personas()
    last = Month.of(config.today).shift(-1)
    build_compensation(last.shift(1 - config.months), last, progress)
    _load_kolada(kolada_dir(), progress)
    return DemoResult(directory=directory, deliveries=deliveries, personas=personas)


def _load_files(directory: Path, visits: bool, progress: Callable[[str], None]) -> list[Delivery]:
    deliveries = []
    for kind, file_name in LOAD_ORDER:
        path = directory / file_name
        result = delivery_load(actor=None, kind=kind, content=path.read_bytes(), file_name=file_name)
        delivery = result.delivery
        if delivery.status != Delivery.Status.LOADED:
            problems = "; ".join(issue.reason for issue in delivery.issues.all()[:5]) or delivery.message
            raise ApplicationError(f"The demo file {file_name} did not load ({delivery.status}): {problems}")
        note = "already loaded" if result.already_delivered else f"{delivery.rows_accepted} rows"
        progress(f"  loaded {file_name}: {note}")
        deliveries.append(delivery)
    if visits:
        deliveries.append(_load_visits(directory / "visits.csv", progress))
    return deliveries


def _declarations() -> None:
    """Every demo contract gets the standard quality declaration (PRODUCT.md's promises)."""
    for contract in Contract.objects.all():
        quality_declaration_standard(actor=None, contract=contract)


def _indicators(config: GeneratorConfig, progress: Callable[[str], None]) -> None:
    """The quality figures of every full month of the demo, as the month-end runs would leave them."""
    last = Month.of(config.today).shift(-1)
    months = [last.shift(-back) for back in range(config.months - 1, -1, -1)]
    missing = [month for month in months if month_run(month) is None]
    for run in indicator_runs(actor=None, months=missing, reason="demo", as_of=config.today):
        progress(f"  indicators {run.month}: computed")


def kolada_dir() -> Path:
    """Kolada's public files beside the project (../shared/data/kolada/), read where they are."""
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "kolada"


def _load_kolada(path: Path, progress: Callable[[str], None]) -> KoladaSync | None:
    """Real Kolada figures for the Nyckeltal page, offline; without the files the page says how to fetch."""
    if not path.is_dir():
        progress(f"  Kolada: {path} is not present; fetch with `tillit kolada sync` or load with `tillit kolada load DIR`.")
        return None
    sync = load_directory(actor=None, directory=path)
    progress(f"  loaded Kolada's files from {path}: {sync.values_new} new values, {sync.values_unchanged} unchanged")
    return sync


def _load_visits(path: Path, progress: Callable[[str], None]) -> Delivery:
    """The time-registration export goes through the visit ledger like a real one."""
    decider = DECIDERS["visits"]
    result = decider.load(actor=None, path=path, file_name=path.name, provider=None, complete=False, period=None,
                          accept_valid=False, progress=lambda stage: progress(f"    visits: {stage}"))
    delivery = result.delivery
    if delivery.status != Delivery.Status.LOADED:
        problems = "; ".join(issue.reason for issue in delivery.issues.filter(severity="error")[:5]) or delivery.message
        raise ApplicationError(f"The demo visits did not load ({delivery.status}): {problems}")
    note = "already loaded" if result.already_delivered else f"{delivery.rows_accepted} visits"
    progress(f"  loaded {path.name}: {note}")
    return delivery


def _ensure_municipality(path: Path) -> Organisation:
    existing = municipality()
    if existing is not None:
        return existing
    with path.open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    return organisation_create(actor=None, kind=Organisation.Kind.MUNICIPALITY, name=row["name"])


def _ensure_personas() -> list[Persona]:
    """The municipal personas, and users of two providers: one home care, one nursing home."""
    organisation = municipality()
    assert organisation is not None
    personas = []
    for persona in MUNICIPAL_PERSONAS:
        ensure_persona(persona, organisation)
        personas.append(persona)
    providers = list(Provider.objects.filter(regi="private").order_by("org_number"))
    picks = [
        next(p for p in providers if ServiceType.HOME_CARE in p.service_types),
        next(p for p in providers if ServiceType.NURSING_HOME in p.service_types and ServiceType.HOME_CARE not in p.service_types),
    ]
    for index, provider in enumerate(picks, start=1):
        persona = provider_persona(index, provider.organisation)
        ensure_persona(persona, provider.organisation)
        personas.append(persona)
    return personas
