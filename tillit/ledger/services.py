"""Loading visit files into the ledger: validate, stage, and (on acceptance) activate.

  validate  DuckDB reads the file and checks every row (validation.py); nothing is written
            anywhere but the engine's memory.
  stage     the delivery, its row report and the batch are recorded, and the valid visits
            written as the batch's Parquet files (one per month, carrying the batch's id), in
            one transaction: the batch is "staged", and a staged batch is not part of the ledger.
  activate  when the delivery is accepted (at once when all rows are valid or the caller
            accepts the valid rows), every month the batch touches is rebuilt as a new
            current file — the batch's visits win over earlier ones with the same visit id, and
            a complete batch retires its providers' other visits in its period — and the
            manifest switches to the new files in one transaction. A month without a current
            file takes the batch's file as it is (docs/decisions/0004).

A crash at any moment leaves the old state or the new one: files appear under their names
only when whole, and no file counts until the manifest names it (see store.py).
"""

from __future__ import annotations

import datetime
import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record
from tillit.common.duck import connect, one
from tillit.common.periods import Month
from tillit.common.tabular import StructuralError
from tillit.deliveries.models import Delivery
from tillit.deliveries.signals import delivery_loaded
from tillit.ledger import store, validation
from tillit.ledger.models import LedgerLock, LedgerMonth, VisitBatch, VisitFile
from tillit.ledger.reading import drop_raw_visits, read_raw_visits
from tillit.ledger.references import register_new_recipients, register_recipients, register_references
from tillit.registry.models import Provider

logger = logging.getLogger(__name__)

VISIT_KIND = "visits"
Progress = Callable[[str], None]


@dataclass
class VisitLoadResult:
    delivery: Delivery
    already_delivered: bool = False


def _keep_upload(path: Path, checksum: str, file_name: str) -> str:
    """Keep the delivered file beside the other deliveries, named by its checksum."""
    relative = Path(checksum[:2]) / f"{checksum}{Path(file_name).suffix.lower()[:8]}"
    target = Path(settings.UPLOAD_DIR) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(path, partial)
        partial.replace(target)
    return str(relative)


def visit_delivery_load(
    *,
    actor: Any,
    path: Path,
    file_name: str,
    provider: Provider | None = None,
    complete: bool = False,
    period: tuple[Month, Month] | None = None,
    accept_valid: bool = False,
    progress: Progress = lambda stage: None,
) -> VisitLoadResult:
    """Validate a visit file and stage it; activate it when it may be.

    `provider` is the provider the file is delivered for (every row must be theirs);
    `complete` says the file holds all of its providers' visits in `period` (default: the
    whole months the file covers), so visits of theirs that it lacks are retired.
    """
    organisation = provider.organisation if provider else None
    checksum = store.sha256_of(path)
    previous = (
        Delivery.objects.filter(kind=VISIT_KIND, checksum=checksum, organisation=organisation,
                                status__in=[Delivery.Status.LOADED, Delivery.Status.PENDING])
        .order_by("-created_at").first()
    )
    if previous is not None:
        return VisitLoadResult(delivery=previous, already_delivered=True)
    stored = _keep_upload(path, checksum, file_name)
    delivery = Delivery(
        kind=VISIT_KIND, file_name=Path(file_name).name[:255], checksum=checksum, size=path.stat().st_size,
        stored_path=stored, delivered_by=actor if getattr(actor, "pk", None) else None, organisation=organisation,
    )
    connection = connect(temp_directory=store.work_dir() / "spill")
    try:
        progress("reading")
        try:
            raw = read_raw_visits(connection, path, delivery.file_name, store.work_dir())
        except StructuralError as error:
            return VisitLoadResult(delivery=_failed(actor, delivery, error.message))
        progress("checking")
        # From here on no statement depends on the order of rows (each carries its row
        # number): let DuckDB keep its threads' output in any order, as it finishes.
        connection.execute("SET preserve_insertion_order = false")
        register_references(connection)
        new_recipients = register_recipients(connection, create_unknown=settings.TILLIT_CREATE_UNKNOWN_RECIPIENTS)
        given = provider.org_number if provider else None
        validation.parse(connection, given_org_number=given)
        validation.check(connection, given_org_number=given)
        drop_raw_visits(connection)  # every reported value has been fetched
        _accepted(connection)
        validation.overlaps(connection)
        validation.overlaps_with_earlier(connection, _current_files(connection), complete=complete)
        progress("staging")
        _stage(connection, actor, delivery, raw, provider=provider, complete=complete, period=period,
               new_recipients=new_recipients)
    finally:
        connection.close()
    if delivery.status == Delivery.Status.PENDING and (delivery.rows_rejected == 0 or accept_valid):
        progress("activating")
        batch_accept(actor=actor, delivery=delivery)
    return VisitLoadResult(delivery=delivery)


def _failed(actor: Any, delivery: Delivery, message: str) -> Delivery:
    with transaction.atomic():
        delivery.status = Delivery.Status.FAILED
        delivery.message = message
        delivery.save()
        audit_record(actor=actor, event_type="delivery.failed.visits", target=delivery,
                     organisation=delivery.organisation, new={"file": delivery.file_name, "message": message})
    return delivery


def _current_files(connection: Any) -> str | None:
    """The ledger's current files of the months the accepted rows fall in, as a DuckDB list."""
    months = [row[0] for row in connection.execute("SELECT DISTINCT month FROM accepted").fetchall()]
    paths = list(LedgerMonth.objects.filter(month__in=months).values_list("path", flat=True))
    return store.parquet_list(paths) if paths else None


def _accepted(connection: Any) -> None:
    """`accepted`: the rows without errors, in the ledger's shape (a view: no copy of the rows)."""
    connection.execute("""
        CREATE OR REPLACE TEMP VIEW accepted AS
        SELECT p.row,
            p.provider_id, p.visit_id, p.unit_id, p.recipient_id, nullif(p.staff_id, '') AS staff_id,
            p.planned_start, p.planned_end, p.registered_start, p.registered_end,
            p.code_key, p.double_staffing, p.status, nullif(p.registration_method, '') AS registration_method,
            p.month, p.local_date,
            p.status = 'performed' AND p.registered_end IS NULL AS no_end
        FROM parsed p
        WHERE NOT EXISTS (SELECT 1 FROM rejected x WHERE x.row = p.row)
    """)


# One month of the batch in the ledger's columns (store.VISIT_SELECT), sorted as the ledger is.
_BATCH_MONTH = f"""
    SELECT {store.VISIT_SELECT} FROM (
        SELECT a.provider_id, a.visit_id, a.unit_id, a.recipient_id, a.staff_id,
            a.planned_start, a.planned_end, a.registered_start, a.registered_end,
            c.codes AS intervention_codes, c.codes_key, a.double_staffing, a.status, a.registration_method,
            a.month, a.local_date, a.no_end,
            a.row IN (SELECT row FROM ambiguous_rows) AS ambiguous_time,
            a.row IN (SELECT row FROM overlapping) AS overlap,
            ?::INTEGER AS batch_id, a.row AS source_row
        FROM accepted a LEFT JOIN code_texts c USING (code_key)
        WHERE a.month = ?
    ) ORDER BY {store.SORT}
"""


def _stage(connection: Any, actor: Any, delivery: Delivery, raw: Any, *, provider: Provider | None,
           complete: bool, period: tuple[Month, Month] | None, new_recipients: list[dict[str, Any]]) -> VisitBatch:
    """Record delivery, report and batch, and write the batch's files, in one transaction.

    The files are written inside the transaction so that they carry the batch's id: a month
    that has no current file yet can then take the batch's file as it is (see _activate).
    A crash before the commit leaves only files that the manifest does not name.
    """
    accepted_rows, first_day, last_day, provider_ids, months = one(connection, """
        SELECT count(*), min(local_date), max(local_date), list(DISTINCT provider_id), list(DISTINCT month ORDER BY month)
        FROM accepted
    """)
    warning_rows = one(connection, "SELECT count(DISTINCT row) FROM issues WHERE severity = 'warning'")[0]
    records = one(connection, "SELECT count(*) FROM parsed")[0] + len(raw.malformed)
    issues = connection.execute(
        "SELECT row, col, coalesce(value, ''), reason, severity FROM issues ORDER BY row, severity"
    ).fetchall()
    # A malformed line is kept as delivered text: mask any identity number in it, as every report does.
    from tillit.deliveries.services import _mask_identities, store_issues

    issues += [(row, "", _mask_identities(text), reason, "error") for row, reason, text in raw.malformed]
    if period is not None:
        first_day, last_day = period[0].first_day, period[1].last_day
    elif first_day is not None:
        first_day, last_day = Month.of(first_day).first_day, Month.of(last_day).last_day
    if records == 0:
        delivery.message = _("The file %(file)s has a header but no rows; nothing was loaded.") % {
            "file": delivery.file_name
        }
    introduced = _introduced(connection, new_recipients)
    token = uuid.uuid4().hex[:12]
    with transaction.atomic():
        delivery.status = Delivery.Status.PENDING
        delivery.encoding = raw.table.encoding or ""
        delivery.delimiter = raw.table.delimiter or ""
        delivery.unknown_columns = raw.table.unknown_columns
        delivery.rows_read = records
        delivery.rows_rejected = records - accepted_rows
        delivery.warnings = warning_rows
        delivery.save()
        store_issues(delivery, issues)
        batch = VisitBatch.objects.create(
            delivery=delivery, provider=provider, complete=complete, period_start=first_day, period_end=last_day,
            rows=accepted_rows, provider_ids=sorted(provider_ids or []),
            # Only those whose visits were accepted: a rejected row introduces nobody.
            new_recipients=introduced,
        )
        files = []
        for month in months or []:
            relative = f"{month}/batch-{token}.parquet"
            rows, checksum = store.write_parquet(connection, _BATCH_MONTH, [batch.pk, month], relative)
            files.append(VisitFile(batch=batch, month=month, path=relative, rows=rows, checksum=checksum))
        VisitFile.objects.bulk_create(files)
        audit_record(actor=actor, event_type="delivery.staged.visits", target=delivery,
                     organisation=delivery.organisation,
                     new={"file": delivery.file_name, "rows": records, "rejected": delivery.rows_rejected})
    return batch


def _introduced(connection: Any, new_recipients: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not new_recipients:
        return []
    used = {row[0] for row in connection.execute(
        "SELECT DISTINCT recipient_id FROM accepted WHERE recipient_id < 0").fetchall()}
    return [item for item in new_recipients if item["placeholder"] in used]


def batch_accept(*, actor: Any, delivery: Delivery) -> Delivery:
    """Make a staged batch part of the ledger (see the module docstring)."""
    batch = VisitBatch.objects.select_related("delivery").get(delivery=delivery)
    if batch.state != VisitBatch.State.STAGED:
        raise validation_error(_("Delivery %(id)s is not waiting for a decision.") % {"id": delivery.pk})
    connection = connect(temp_directory=store.work_dir() / "spill")
    obsolete: list[str] = []
    try:
        with transaction.atomic():
            # Take the ledger lock first: one activation at a time rebuilds months.
            lock, _created = LedgerLock.objects.select_for_update().get_or_create(pk=1)
            lock.generation += 1
            lock.save(update_fields=["generation"])
            batch.refresh_from_db()
            if batch.state != VisitBatch.State.STAGED:
                raise validation_error(_("Delivery %(id)s was decided by someone else.") % {"id": delivery.pk})
            superseded, retired, obsolete = _activate(connection, batch)
            now = timezone.now()
            batch.state, batch.activated_at = VisitBatch.State.ACTIVE, now
            batch.superseded, batch.retired = superseded, retired
            batch.save()
            delivery.status = Delivery.Status.LOADED
            delivery.rows_accepted = batch.rows
            delivery.outcome = {"visits": batch.rows, "replaced": superseded, "retired": retired}
            delivery.decided_at = now
            delivery.decided_by = actor if getattr(actor, "pk", None) else None
            delivery.save()
            audit_record(actor=actor, event_type="delivery.loaded.visits", target=delivery,
                         organisation=delivery.organisation,
                         new={"file": delivery.file_name, "visits": batch.rows, "replaced": superseded,
                              "retired": retired, "complete": batch.complete})
    finally:
        connection.close()
    for relative in obsolete:  # no longer named by the manifest; garbage collection catches misses
        store.absolute(relative).unlink(missing_ok=True)
    months = sorted(set(batch.files.values_list("month", flat=True)))
    delivery_loaded.send(sender=Delivery, delivery=delivery, months=months)
    return delivery


def batch_reject(*, actor: Any, delivery: Delivery) -> None:
    """A rejected delivery's staged files go; its row report stays for lineage."""
    batch = VisitBatch.objects.filter(delivery=delivery, state=VisitBatch.State.STAGED).first()
    if batch is None:
        return
    paths = list(batch.files.values_list("path", flat=True))
    with transaction.atomic():
        batch.state = VisitBatch.State.DISCARDED
        batch.save(update_fields=["state"])
        batch.files.all().delete()
    for relative in paths:
        store.absolute(relative).unlink(missing_ok=True)


def validation_error(message: str) -> Exception:
    from tillit.deliveries.services import DeliveryStateError

    return DeliveryStateError(message)


def _activate(connection: Any, batch: VisitBatch) -> tuple[int, int, list[str]]:
    """Rebuild every month the batch changes; return (visits replaced, retired, obsolete files)."""
    batch_files = list(batch.files.all())
    months = {f.month: f for f in batch_files}
    # Recipients the file introduced are registered now, in this transaction; their visits
    # get the real surrogate ids in the current files (the batch files keep the temporary ones).
    mapping = register_new_recipients(batch.new_recipients) if batch.new_recipients else {}
    connection.execute("CREATE OR REPLACE TEMP TABLE recipient_map (placeholder BIGINT, recipient_id BIGINT)")
    if mapping:
        connection.executemany("INSERT INTO recipient_map VALUES (?, ?)", list(mapping.items()))
    current = {m.month: m for m in LedgerMonth.objects.select_for_update()}
    # The latest delivery of a visit id wins, whatever order deliveries are accepted in: a
    # batch replaces and retires only rows of earlier batches, and its own rows give way to
    # a later batch that already holds the same visit id (in any month).
    current_files = store.parquet_list([m.path for m in current.values()]) if current else None
    if current_files and batch_files:
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE batch_keys AS SELECT DISTINCT provider_id, visit_id "
            f"FROM read_parquet({store.parquet_list([f.path for f in batch_files])})"
        )
        connection.execute(f"""
            CREATE OR REPLACE TEMP TABLE newer_keys AS
            SELECT DISTINCT provider_id, visit_id FROM read_parquet({current_files})
            WHERE batch_id > {batch.pk} AND (provider_id, visit_id) IN (SELECT (provider_id, visit_id) FROM batch_keys)
        """)
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE winning_keys AS SELECT * FROM batch_keys EXCEPT SELECT * FROM newer_keys"
        )
    else:  # an empty ledger (or batch): nothing to replace, nothing newer
        connection.execute("CREATE OR REPLACE TEMP TABLE newer_keys (provider_id INTEGER, visit_id VARCHAR)")
        connection.execute("CREATE OR REPLACE TEMP TABLE winning_keys (provider_id INTEGER, visit_id VARCHAR)")
    # A month without a current file can take the batch's file as it is (files are immutable
    # and it carries the batch's id), unless its rows need changing: recipients to renumber,
    # or visits that a later batch already holds.
    adoptable = not mapping and not one(connection, "SELECT count(*) FROM newer_keys")[0]
    providers = batch.provider_ids or ([batch.provider_id] if batch.provider_id else [])
    retiring = batch.complete and batch.period_start is not None and providers
    retire = (
        f"(c.provider_id IN ({', '.join(str(int(p)) for p in providers)}) "
        f"AND c.local_date BETWEEN DATE '{batch.period_start}' AND DATE '{batch.period_end}' "
        f"AND c.batch_id < {batch.pk})"
        if retiring else "false"
    )
    affected = set(months)
    if current_files:
        hits = connection.execute(f"""
            SELECT DISTINCT c.month FROM read_parquet({current_files}) c
            WHERE (c.provider_id, c.visit_id) IN (SELECT (provider_id, visit_id) FROM winning_keys) OR {retire}
        """).fetchall()
        affected |= {row[0] for row in hits}
    superseded = retired = 0
    obsolete: list[str] = []
    for month in sorted(affected):
        if month not in current and adoptable:
            LedgerMonth.objects.create(month=month, path=months[month].path, version=1, rows=months[month].rows,
                                       batch=batch)
            continue
        sources = []
        if month in current:
            sources.append(f"""
                SELECT * FROM read_parquet('{store.absolute(current[month].path)}') c
                WHERE (c.provider_id, c.visit_id) NOT IN (SELECT (provider_id, visit_id) FROM winning_keys)
                  AND NOT {retire}
            """)
            replaced, gone = one(connection, f"""
                SELECT count(*) FILTER (WHERE (c.provider_id, c.visit_id) IN (SELECT (provider_id, visit_id) FROM winning_keys)),
                       count(*) FILTER (WHERE (c.provider_id, c.visit_id) NOT IN (SELECT (provider_id, visit_id) FROM winning_keys)
                                        AND {retire})
                FROM read_parquet('{store.absolute(current[month].path)}') c
            """)
            superseded += replaced
            retired += gone
        if month in months:
            sources.append(f"""
                SELECT b.* REPLACE ({batch.pk}::INTEGER AS batch_id,
                                    coalesce(m.recipient_id, b.recipient_id)::BIGINT AS recipient_id)
                FROM read_parquet('{store.absolute(months[month].path)}') b
                LEFT JOIN recipient_map m ON m.placeholder = b.recipient_id
                WHERE (b.provider_id, b.visit_id) NOT IN (SELECT (provider_id, visit_id) FROM newer_keys)
            """)
        version = current[month].version + 1 if month in current else 1
        relative = store.current_path(month, version)
        union = " UNION ALL BY NAME ".join(sources)
        rows, _checksum = store.write_parquet(
            connection, f"SELECT {store.CODES_KEY_COMPLETED} FROM ({union}) ORDER BY {store.SORT}", [], relative
        )
        if month in current:
            if not VisitFile.objects.filter(path=current[month].path).exists():  # a batch's file stays, for lineage
                obsolete.append(current[month].path)
            LedgerMonth.objects.filter(pk=current[month].pk).update(path=relative, version=version, rows=rows, batch=batch)
        else:
            LedgerMonth.objects.create(month=month, path=relative, version=version, rows=rows, batch=batch)
    return superseded, retired, obsolete


def collect_garbage(*, older_than: datetime.timedelta = datetime.timedelta(hours=1)) -> list[str]:
    """Remove ledger files the manifest does not name (left by crashes or rejected loads).

    Only files older than `older_than` go, so a load that is writing its files right now,
    before its manifest row commits, keeps them.
    """
    root = store.ledger_dir()
    if not root.exists():
        return []
    named = set(VisitFile.objects.values_list("path", flat=True)) | set(LedgerMonth.objects.values_list("path", flat=True))
    cutoff = datetime.datetime.now().timestamp() - older_than.total_seconds()
    removed = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        relative = str(path.relative_to(root))
        if relative not in named and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(relative)
    return removed
