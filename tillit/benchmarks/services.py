"""Writing Kolada data: a sync from the API or a load from files, and users' own groups.

Network first, database second: a sync fetches everything into memory, then stores it in one
transaction with its audit event, so an interrupted sync leaves the last good data untouched.
Kolada revises published values without saying so; `_store_values` compares each value with
the stored one and records a `ValueRevision` for every change.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.audit.services import audit_record
from tillit.benchmarks.client import KoladaClient, ValueRecord
from tillit.benchmarks.curated import CURATED_IDS, PEER_GROUP_PREFIX, SKR_GROUP_IDS
from tillit.benchmarks.files import Bundle, read_directory
from tillit.benchmarks.models import (
    CustomGroup, GroupMember, KoladaSync, KoladaValue, Kpi, Municipality, MunicipalityGroup, ValueRevision,
)
from tillit.common.errors import ApplicationError, ValidationFailed

logger = logging.getLogger(__name__)

QUANTUM = Decimal("0.00000001")  # the stored precision (8 decimals): compare at it, or float noise is a "revision"
BATCH = 2000


@dataclass
class StoreResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0


def _bool(raw: Any) -> bool:
    return raw is True or str(raw).strip().lower() in ("true", "1", "yes")


def _quantize(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(QUANTUM)


# -- reference data ---------------------------------------------------------------------------


def _store_kpis(rows: Iterable[dict[str, Any]], now: datetime.datetime) -> int:
    kpis = {
        str(row["id"]): Kpi(
            id=str(row["id"]),
            title=str(row.get("title") or "")[:500],
            description=str(row.get("description") or ""),
            operating_area=str(row.get("operating_area") or "")[:300],
            perspective=str(row.get("perspective") or "")[:100],
            municipality_type=str(row.get("municipality_type") or "")[:8],
            is_divided_by_gender=_bool(row.get("is_divided_by_gender")),
            has_ou_data=_bool(row.get("has_ou_data")),
            publication_date=str(row.get("publication_date") or "")[:20],
            publ_period=str(row.get("publ_period") or "")[:20],
            fetched_at=now,
        )
        for row in rows
        if row.get("id")
    }
    Kpi.objects.bulk_create(
        kpis.values(), batch_size=BATCH, update_conflicts=True, unique_fields=["id"],
        update_fields=["title", "description", "operating_area", "perspective", "municipality_type",
                       "is_divided_by_gender", "has_ou_data", "publication_date", "publ_period", "fetched_at"],
    )
    return len(kpis)


def _store_municipalities(rows: Iterable[dict[str, Any]], now: datetime.datetime) -> int:
    municipalities = {
        str(row["id"]): Municipality(
            id=str(row["id"]), title=str(row.get("title") or "")[:200], type=str(row.get("type") or "")[:8],
            fetched_at=now,
        )
        for row in rows
        if row.get("id")
    }
    Municipality.objects.bulk_create(
        municipalities.values(), batch_size=BATCH, update_conflicts=True, unique_fields=["id"],
        update_fields=["title", "type", "fetched_at"],
    )
    return len(municipalities)


def _store_groups(rows: Iterable[dict[str, Any]], now: datetime.datetime) -> int:
    """Groups and their members; a group's members are replaced by what Kolada says now."""
    groups = {str(row["id"]): row for row in rows if row.get("id")}
    MunicipalityGroup.objects.bulk_create(
        [MunicipalityGroup(id=gid, title=str(row.get("title") or "")[:300], fetched_at=now) for gid, row in groups.items()],
        batch_size=BATCH, update_conflicts=True, unique_fields=["id"], update_fields=["title", "fetched_at"],
    )
    ids = list(groups)
    for start in range(0, len(ids), 500):  # SQLite's limit on query parameters
        GroupMember.objects.filter(group_id__in=ids[start : start + 500]).delete()
    members = {
        (gid, str(member["id"])): GroupMember(
            group_id=gid, municipality_id=str(member["id"]), title=str(member.get("title") or "")[:200]
        )
        for gid, row in groups.items()
        for member in row.get("members") or ()
        if isinstance(member, dict) and member.get("id")
    }
    GroupMember.objects.bulk_create(members.values(), batch_size=BATCH)
    return len(groups)


# -- values and revisions ---------------------------------------------------------------------


def _store_values(records: Iterable[ValueRecord], *, sync: KoladaSync, now: datetime.datetime) -> StoreResult:
    """Insert new values, update changed ones with a revision each, confirm unchanged ones."""
    incoming: dict[tuple[str, str, int, str], ValueRecord] = {}
    for record in records:
        incoming[(record.kpi, record.municipality, record.year, record.gender)] = record
    result = StoreResult()
    if not incoming:
        return result
    kpis = sorted({key[0] for key in incoming})
    municipalities = sorted({key[1] for key in incoming})
    existing: dict[tuple[str, str, int, str], KoladaValue] = {}
    for start in range(0, len(municipalities), 400):
        for stored in KoladaValue.objects.filter(kpi_id__in=kpis, municipality_id__in=municipalities[start : start + 400]):
            existing[(stored.kpi_id, stored.municipality_id, stored.year, stored.gender)] = stored
    to_create: list[KoladaValue] = []
    to_update: list[KoladaValue] = []
    confirmed: list[int] = []
    withdrawn: list[int] = []
    revisions: list[ValueRevision] = []
    for key, record in incoming.items():
        value = _quantize(record.value)
        stored = existing.get(key)
        if record.deleted:
            if stored is not None:
                withdrawn.append(stored.pk)
                revisions.append(_revision(key, stored.value, None, stored.status, "", now, sync, withdrawn=True))
            continue
        if stored is None:
            to_create.append(
                KoladaValue(
                    kpi_id=key[0], municipality_id=key[1], year=key[2], gender=key[3], value=value, count=record.count,
                    status=record.status, first_fetched_at=now, fetched_at=now, changed_at=now, sync=sync,
                )
            )
        elif _quantize(stored.value) != value or stored.status != record.status:
            revisions.append(_revision(key, stored.value, value, stored.status, record.status, now, sync))
            stored.value, stored.status, stored.count = value, record.status, record.count
            stored.fetched_at = stored.changed_at = now
            stored.sync = sync
            to_update.append(stored)
        else:
            confirmed.append(stored.pk)
    KoladaValue.objects.bulk_create(to_create, batch_size=BATCH)
    KoladaValue.objects.bulk_update(
        to_update, ["value", "status", "count", "fetched_at", "changed_at", "sync"], batch_size=BATCH
    )
    for start in range(0, len(confirmed), 500):
        KoladaValue.objects.filter(pk__in=confirmed[start : start + 500]).update(fetched_at=now)
    for start in range(0, len(withdrawn), 500):
        KoladaValue.objects.filter(pk__in=withdrawn[start : start + 500]).delete()
    ValueRevision.objects.bulk_create(revisions, batch_size=BATCH)
    result.new, result.changed, result.unchanged, result.withdrawn = (
        len(to_create), len(to_update), len(confirmed), len(withdrawn)
    )
    return result


def _revision(
    key: tuple[str, str, int, str], old: Decimal | None, new: Decimal | None, old_status: str, new_status: str,
    now: datetime.datetime, sync: KoladaSync, *, withdrawn: bool = False,
) -> ValueRevision:
    return ValueRevision(
        kpi_id=key[0], municipality_id=key[1], year=key[2], gender=key[3], old_value=old, new_value=new,
        old_status=old_status, new_status=new_status, withdrawn=withdrawn, detected_at=now, sync=sync,
    )


@transaction.atomic
def _store_bundle(*, actor: Any, sync: KoladaSync, bundle: Bundle, event_type: str) -> KoladaSync:
    """Store what was read or fetched, finish the sync record and audit it: all or nothing."""
    now = timezone.now()
    counts = {
        "kpis": _store_kpis(bundle.kpis, now),
        "municipalities": _store_municipalities(bundle.municipalities, now),
        "groups": _store_groups(bundle.groups, now),
    }
    result = _store_values(bundle.values, sync=sync, now=now)
    sync.values_new, sync.values_changed = result.new, result.changed
    sync.values_unchanged, sync.values_withdrawn = result.unchanged, result.withdrawn
    sync.state, sync.stage, sync.finished_at, sync.message = KoladaSync.State.DONE, "", now, ""
    sync.save()
    audit_record(
        actor=actor, event_type=event_type, target=sync, target_label=f"Kolada {sync.get_source_display()}",
        new={**counts, "values_new": result.new, "values_changed": result.changed,
             "values_unchanged": result.unchanged, "values_withdrawn": result.withdrawn,
             "files": bundle.files, **{k: v for k, v in sync.options.items() if k != "directory"}},
    )
    return sync


# -- a sync from the API ----------------------------------------------------------------------


def sync_request(*, actor: Any, options: dict[str, Any] | None = None, source: str = KoladaSync.Source.API) -> KoladaSync:
    """Record a sync (or a load) to be run; the caller queues it or runs it."""
    return KoladaSync.objects.create(
        source=source, options=options or {}, requested_by=actor if getattr(actor, "pk", None) else None
    )


def default_years(today: datetime.date | None = None) -> list[int]:
    """The last TILLIT_KOLADA_YEARS years up to this one (Kolada publishes last year's in spring)."""
    year = (today or timezone.localdate()).year
    return list(range(year - settings.TILLIT_KOLADA_YEARS + 1, year + 1))


def _peer_group_ids(municipality: str, title: str, groups: list[dict[str, Any]]) -> list[str]:
    """The groups to compare with by default: Kolada's elderly-care peers of ours, SKR's group of ours."""
    chosen = []
    for group in groups:
        gid, group_title = str(group.get("id")), str(group.get("title") or "")
        members = {str(m.get("id")) for m in group.get("members") or () if isinstance(m, dict)}
        if group_title.startswith(f"{PEER_GROUP_PREFIX}{title},"):
            chosen.append(gid)
        elif gid in SKR_GROUP_IDS and municipality in members:
            chosen.append(gid)
    return chosen


def sync_run(*, sync: KoladaSync, client: KoladaClient | None = None,
             progress: Callable[[str], None] = lambda stage: None) -> KoladaSync:
    """Fetch the catalogue, municipalities, groups and the chosen values; then store them.

    Options (all optional): municipality (Kolada id; default the setting), kpis (default the
    curated list and every KPI already stored for us), groups (default our elderly-care peer
    group and SKR group, plus every member of users' own groups), years (default the last ten).
    """
    client = client or KoladaClient(base_url=settings.TILLIT_KOLADA_URL, timeout=settings.TILLIT_KOLADA_TIMEOUT)
    options = dict(sync.options)
    municipality = options.get("municipality") or settings.TILLIT_MUNICIPALITY_CODE
    if not municipality:
        raise ApplicationError(
            _("Say which municipality to fetch: set TILLIT_MUNICIPALITY_CODE (its Kolada id, e.g. 0180) or give "
              "--municipality."), code="kolada.no_municipality",
        )
    bundle = Bundle()
    progress("catalogue")
    bundle.kpis = client.kpis()
    progress("municipalities")
    bundle.municipalities = client.municipalities()
    titles = {str(row.get("id")): str(row.get("title") or "") for row in bundle.municipalities}
    if municipality not in titles:
        raise ApplicationError(
            _("Kolada has no municipality with the id %(id)s. Kolada's ids have four digits, e.g. 0180 for "
              "Stockholm.") % {"id": municipality}, code="kolada.unknown_municipality",
        )
    progress("groups")
    bundle.groups = client.municipality_groups()
    group_ids = options.get("groups") or _peer_group_ids(municipality, titles[municipality], bundle.groups)
    members = {municipality}
    for group in bundle.groups:
        if str(group.get("id")) in group_ids:
            members.update(str(m.get("id")) for m in group.get("members") or () if isinstance(m, dict))
    for custom in CustomGroup.objects.all():
        members.update(custom.member_ids)
    known_kpis = {str(row.get("id")) for row in bundle.kpis}
    kpis = options.get("kpis") or sorted(
        set(CURATED_IDS) | set(KoladaValue.objects.filter(municipality_id=municipality).values_list("kpi_id", flat=True))
    )
    kpis = [kpi for kpi in kpis if kpi in known_kpis]
    years = [int(y) for y in options.get("years") or default_years()]
    progress("values")
    bundle.values = list(
        client.values(kpis=kpis, municipalities=sorted(members), years=years, include_deleted=True)
    )
    sync.options = {**options, "municipality": municipality, "kpis": kpis, "groups": list(group_ids),
                    "years": years, "municipalities": len(members), "requests": client.requests}
    progress("storing")
    return _store_bundle(actor=sync.requested_by, sync=sync, bundle=bundle, event_type="kolada.synced")


def load_directory(*, actor: Any, directory: Path, sync: KoladaSync | None = None) -> KoladaSync:
    """Load Kolada's files from a folder: the same storing, revisions and audit as a sync."""
    bundle = read_directory(directory)
    sync = sync or sync_request(actor=actor, source=KoladaSync.Source.FILES, options={})
    sync.options = {**sync.options, "directory": str(directory), "files": bundle.files, "skipped": bundle.skipped}
    return _store_bundle(actor=actor, sync=sync, bundle=bundle, event_type="kolada.loaded")


def sync_fail(*, sync: KoladaSync, message: str) -> None:
    """A sync that failed says why; the data from before it stays as it was."""
    KoladaSync.objects.filter(pk=sync.pk).update(
        state=KoladaSync.State.FAILED, message=message, finished_at=timezone.now()
    )


# -- users' own groups ------------------------------------------------------------------------


def _clean_group(name: str, member_ids: Iterable[str]) -> tuple[str, list[str]]:
    name = name.strip()
    members = sorted(dict.fromkeys(str(m).strip() for m in member_ids if str(m).strip()))
    errors = {}
    if not name:
        errors["name"] = _("Give the group a name.")
    unknown = [m for m in members if not Municipality.objects.filter(pk=m).exists()]
    if unknown:
        errors["members"] = _("Kolada has no municipality with the id %(ids)s.") % {"ids": ", ".join(unknown)}
    elif not members:
        errors["members"] = _("Choose at least one municipality.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), field_errors=errors)
    return name, members


@transaction.atomic
def custom_group_create(*, actor: Any, name: str, member_ids: Iterable[str]) -> CustomGroup:
    name, members = _clean_group(name, member_ids)
    group = CustomGroup.objects.create(name=name, owner=actor, member_ids=members)
    audit_record(actor=actor, event_type="benchmark_group.created", target=group,
                 new={"name": name, "member_ids": members})
    return group


@transaction.atomic
def custom_group_update(*, actor: Any, group: CustomGroup, name: str, member_ids: Iterable[str]) -> CustomGroup:
    name, members = _clean_group(name, member_ids)
    old = {"name": group.name, "member_ids": list(group.member_ids)}
    group.name, group.member_ids = name, members
    group.save()
    new = {"name": name, "member_ids": members}
    if old != new:
        audit_record(actor=actor, event_type="benchmark_group.updated", target=group, old=old, new=new)
    return group


@transaction.atomic
def custom_group_delete(*, actor: Any, group: CustomGroup) -> None:
    audit_record(actor=actor, event_type="benchmark_group.deleted", target=group,
                 old={"name": group.name, "member_ids": list(group.member_ids)})
    group.delete()
