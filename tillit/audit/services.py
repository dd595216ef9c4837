"""audit_record(): the one way to write the audit log."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction

from tillit.audit.models import AuditEvent

# Fields whose values never go into the log in clear (they are personal data).
_REDACTED = "***"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str], *, redact: Iterable[str] = ()) -> dict[str, Any]:
    """The values of `fields` as JSON-ready data, with `redact` fields hidden."""
    hidden = set(redact)
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        raw = getattr(instance, field.attname)
        values[name] = _REDACTED if name in hidden and raw not in (None, "") else _jsonable(raw)
    return values


def changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the entries that differ, so the log shows what a change actually changed."""
    keys = [key for key in new if old.get(key) != new.get(key)]
    return {key: old.get(key) for key in keys}, {key: new[key] for key in keys}


def audit_record(
    *,
    actor: Any,
    event_type: str,
    target: models.Model | None = None,
    target_label: str | None = None,
    organisation: Any = None,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record one event. Call it inside the service's transaction so both commit or neither.

    `actor` is a user or None (a system job); `organisation` is whose data it concerns
    (a provider's organisation for provider data), so provider activity can be filtered.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record() must run inside the writing service's transaction.")
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=(getattr(actor, "email", "") if is_user else str(actor or "system"))[:254],
        organisation=organisation,
        event_type=event_type,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label if target_label is not None else str(target or ""))[:255],
        old_values=_jsonable(dict(old)) if old else None,
        new_values=_jsonable(dict(new)) if new else None,
    )


def apply_changes(instance: models.Model, changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set `changes` on an instance and return (old, new) for only the fields that differ."""
    fields = list(changes)
    before = snapshot(instance, fields)
    for name, value in changes.items():
        setattr(instance, name, value)
    return changed(before, snapshot(instance, fields))


def audited_update(
    *, actor: Any, instance: models.Model, changes: Mapping[str, Any], event_type: str, organisation: Any = None
) -> dict[str, Any]:
    """Apply `changes`, save and record them when something changed; return what changed.

    The caller's service is the transaction; an update that changes nothing writes nothing.
    """
    old, new = apply_changes(instance, changes)
    if new:
        instance.save()
        audit_record(actor=actor, event_type=event_type, target=instance, organisation=organisation, old=old, new=new)
    return new
