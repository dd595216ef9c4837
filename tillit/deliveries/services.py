"""Loading a delivered file: validate every row, then load all, the valid rows, or nothing.

Nothing reaches the system of record until the whole file has been read. A file with
rejected rows waits for a person to accept its valid rows or reject it (or is accepted at
once when the caller says so), and the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record
from tillit.common.errors import ApplicationError
from tillit.common.tabular import StructuralError, Table, open_table
from tillit.deliveries.importers import DECIDERS, Importer, ParsedRow, RowIssue, RowRejected, importer_for
from tillit.deliveries.models import Delivery, DeliveryIssue
from tillit.deliveries.signals import delivery_loaded

# A delivered value is kept in the report only this long (the model's column width).
_VALUE_WIDTH = 255
_ISSUE_BATCH = 5000
# What a personal identity number looks like anywhere in a cell: [YY]YYMMDD, an optional
# - or +, four digits. Month digits (0 or 1 first) keep organisation numbers (third digit
# 2 or more) readable.
_IDENTITY_LIKE = re.compile(r"(?<![0-9])((?:[0-9]{2})?[0-9]{2}[01][0-9][0-9]{2})([-+]?)[0-9]{4}(?![0-9])")


def _mask_identities(text: str) -> str:
    """The report must never repeat a full personnummer, whichever cell it was delivered in
    (a stray cell beyond the header, a birth-date column holding the number): keep the date."""
    return _IDENTITY_LIKE.sub(lambda match: f"{match[1]}{match[2] or '-'}****", text)


@dataclass
class LoadResult:
    delivery: Delivery
    # True when this exact file had been loaded (or was waiting) before: nothing changed.
    already_delivered: bool = False

    @property
    def loaded(self) -> bool:
        return self.delivery.status == Delivery.Status.LOADED


class DeliveryStateError(ApplicationError):
    code = "delivery.state"


def _store(content: bytes, checksum: str, file_name: str) -> str:
    """Keep the delivered bytes under the data directory, named by their checksum."""
    suffix = Path(file_name).suffix.lower()[:8]
    relative = Path(checksum[:2]) / f"{checksum}{suffix}"
    target = Path(settings.UPLOAD_DIR) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(target.suffix + ".part")
        temporary.write_bytes(content)
        temporary.replace(target)  # atomic: a half-written file is never under the real name
    return str(relative)


def _read_rows(importer: Importer, table: Table) -> tuple[list[ParsedRow], list[RowIssue], int]:
    """Parse every row; return the accepted rows, the issues (errors and warnings) and the row count."""
    importer.present_columns = frozenset(table.columns)
    importer.prepare()
    accepted: list[ParsedRow] = []
    issues: list[RowIssue] = []
    count = 0
    for row_number, values in table.rows():
        count += 1
        extra = values.pop("__extra__", "")
        if extra:
            issues.append(
                RowIssue(row_number, "", extra[:_VALUE_WIDTH], _("The row has more fields than the header has columns."))
            )
            continue
        try:
            parsed = importer.parse(row_number, values)
        except RowRejected as problem:
            issues.append(RowIssue(row_number, problem.column, problem.value, problem.reason))
            continue
        accepted.append(parsed)
        issues.extend(parsed.warnings)
    cross = importer.check_rows(accepted)
    if cross:
        rejected_rows = {issue.row for issue in cross if issue.severity == "error"}
        accepted = [row for row in accepted if row.row not in rejected_rows]
        issues.extend(cross)
    issues.sort(key=lambda issue: (issue.row, issue.severity))
    return accepted, issues, count


def _save_issues(delivery: Delivery, issues: list[RowIssue]) -> None:
    DeliveryIssue.objects.filter(delivery=delivery).delete()
    store_issues(delivery, ((issue.row, issue.column, _mask_identities(issue.value or ""),
                             _mask_identities(issue.reason), issue.severity) for issue in issues))


def store_issues(delivery: Delivery, issues: Iterable[tuple[int, str, str | None, str, str]]) -> None:
    """Add (row, column, value, reason, severity) to the delivery's report, values cut to the
    column's width. Plain executemany: a month of visits can carry ten thousand warnings, and
    making a model object of each took longer than storing them."""
    table = DeliveryIssue._meta.db_table
    columns = ", ".join(connection.ops.quote_name(DeliveryIssue._meta.get_field(name).column)
                        for name in ("delivery", "row", "column", "value", "reason", "severity"))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"
    rows = ((delivery.pk, row, column, (value or "")[:_VALUE_WIDTH], reason, severity)
            for row, column, value, reason, severity in issues)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, _ISSUE_BATCH)):
            cursor.executemany(sql, batch)


def _write(importer: Importer, delivery: Delivery, rows: list[ParsedRow], *, actor: Any) -> None:
    summary = importer.write(rows, delivery=delivery)
    delivery.status = Delivery.Status.LOADED
    delivery.rows_accepted = len(rows)
    delivery.outcome = summary.as_dict()
    delivery.decided_at = timezone.now()
    delivery.decided_by = actor if getattr(actor, "pk", None) else None
    delivery.save()
    transaction.on_commit(lambda: delivery_loaded.send(sender=Delivery, delivery=delivery, months=None))
    audit_record(
        actor=actor,
        event_type=f"delivery.loaded.{delivery.kind}",
        target=delivery,
        organisation=delivery.organisation,
        new={"file": delivery.file_name, "rows": len(rows), **summary.as_dict()},
    )


def _previous(kind: str, checksum: str, organisation: Any) -> Delivery | None:
    """The same file of the same kind from the same deliverer, loaded or waiting.

    Two providers may deliver byte-identical files (a header-only file, say); each is its
    own delivery, and neither sees the other's.
    """
    return (
        Delivery.objects.filter(
            kind=kind,
            checksum=checksum,
            organisation=organisation,
            status__in=[Delivery.Status.LOADED, Delivery.Status.PENDING],
        )
        .order_by("-created_at")
        .first()
    )


def delivery_load(
    *,
    actor: Any,
    kind: str,
    content: bytes,
    file_name: str,
    accept_valid: bool = False,
    organisation: Any = None,
) -> LoadResult:
    """Read, validate and (when it may) load one delivered file.

    Returns the Delivery: `loaded` when every row was valid or `accept_valid` was given,
    `pending` when rows were rejected and a decision is needed, `failed` when the file
    could not be read at all (its `message` says why). Raises nothing for bad files:
    the outcome is always recorded.
    """
    importer_class = importer_for(kind)
    checksum = hashlib.sha256(content).hexdigest()
    previous = _previous(kind, checksum, organisation)
    if previous is not None:
        return LoadResult(delivery=previous, already_delivered=True)

    stored = _store(content, checksum, file_name)
    importer = importer_class(actor=actor, organisation=organisation)
    delivery = Delivery(
        kind=kind,
        file_name=Path(file_name).name[:255],
        checksum=checksum,
        size=len(content),
        stored_path=stored,
        delivered_by=actor if getattr(actor, "pk", None) else None,
        organisation=organisation,
    )
    try:
        table = open_table(content, file_name=delivery.file_name, columns=importer_class.columns)
        accepted, issues, count = _read_rows(importer, table)
    except StructuralError as error:
        with transaction.atomic():
            delivery.status = Delivery.Status.FAILED
            delivery.message = error.message
            delivery.save()
            audit_record(
                actor=actor,
                event_type=f"delivery.failed.{kind}",
                target=delivery,
                organisation=organisation,
                new={"file": delivery.file_name, "message": error.message},
            )
        return LoadResult(delivery=delivery)

    delivery.encoding = table.encoding or ""
    delivery.delimiter = table.delimiter or ""
    delivery.unknown_columns = table.unknown_columns
    delivery.rows_read = count
    delivery.rows_rejected = count - len(accepted)
    delivery.warnings = sum(1 for issue in issues if issue.severity == "warning")
    if count == 0:
        delivery.message = _("The file %(file)s has a header but no rows; nothing was loaded.") % {
            "file": delivery.file_name
        }
    with transaction.atomic():
        if delivery.rows_rejected and not accept_valid:
            delivery.status = Delivery.Status.PENDING
            delivery.save()
            _save_issues(delivery, issues)
            audit_record(
                actor=actor,
                event_type=f"delivery.pending.{kind}",
                target=delivery,
                organisation=organisation,
                new={"file": delivery.file_name, "rejected": delivery.rows_rejected},
            )
        else:
            delivery.save()
            _save_issues(delivery, issues)
            _write(importer, delivery, accepted, actor=actor)
    return LoadResult(delivery=delivery)


def delivery_accept(*, actor: Any, delivery: Delivery) -> Delivery:
    """Load the valid rows of a delivery that was waiting for a decision.

    The stored file is read again, so rows are checked against the registry as it is now.
    """
    if delivery.status != Delivery.Status.PENDING:
        raise DeliveryStateError(
            _("Delivery %(id)s is not waiting for a decision (it is %(status)s).")
            % {"id": delivery.pk, "status": delivery.get_status_display().lower()}
        )
    if delivery.kind in DECIDERS:
        DECIDERS[delivery.kind].accept(actor=actor, delivery=delivery)
        return delivery
    try:
        content = (Path(settings.UPLOAD_DIR) / delivery.stored_path).read_bytes()
    except OSError:
        raise DeliveryStateError(
            _("The delivered file of delivery %(id)s is no longer in the data directory; deliver it again.")
            % {"id": delivery.pk}
        ) from None
    importer = importer_for(delivery.kind)(actor=actor, organisation=delivery.organisation)
    try:
        table = open_table(content, file_name=delivery.file_name, columns=importer.columns)
        accepted, issues, count = _read_rows(importer, table)
    except StructuralError as error:
        raise DeliveryStateError(error.message) from None
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != Delivery.Status.PENDING:
            raise DeliveryStateError(_("Delivery %(id)s was decided by someone else.") % {"id": delivery.pk})
        delivery.rows_read = count
        delivery.rows_rejected = count - len(accepted)
        delivery.warnings = sum(1 for issue in issues if issue.severity == "warning")
        _save_issues(delivery, issues)
        _write(importer, delivery, accepted, actor=actor)
    return delivery


def delivery_reject(*, actor: Any, delivery: Delivery, reason: str = "") -> Delivery:
    """Reject a whole delivery that was waiting: none of its rows are loaded."""
    _reject(actor=actor, delivery=delivery, reason=reason)
    if delivery.kind in DECIDERS:
        DECIDERS[delivery.kind].reject(actor=actor, delivery=delivery)
    return delivery


@transaction.atomic
def _reject(*, actor: Any, delivery: Delivery, reason: str) -> None:
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status != Delivery.Status.PENDING:
        raise DeliveryStateError(
            _("Delivery %(id)s is not waiting for a decision (it is %(status)s).")
            % {"id": delivery.pk, "status": locked.get_status_display().lower()}
        )
    delivery.status = Delivery.Status.REJECTED
    delivery.decided_at = timezone.now()
    delivery.decided_by = actor if getattr(actor, "pk", None) else None
    delivery.message = reason
    delivery.save()
    audit_record(
        actor=actor,
        event_type=f"delivery.rejected.{delivery.kind}",
        target=delivery,
        organisation=delivery.organisation,
        new={"file": delivery.file_name, "reason": reason},
    )
