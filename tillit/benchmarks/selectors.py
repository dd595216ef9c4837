"""Reading Kolada data through the viewer's access: choices for the page and the comparison."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tillit.accounts.access import Viewer, can_read_benchmarks
from tillit.accounts.services import municipality as registered_municipality
from tillit.benchmarks.compare import KpiComparison, Point, year_row
from tillit.benchmarks.curated import CURATED, CURATED_IDS, PEER_GROUP_PREFIX, SKR_GROUP_IDS
from tillit.benchmarks.models import (
    CustomGroup, GroupMember, KoladaSync, KoladaValue, Kpi, Municipality, MunicipalityGroup, ValueRevision,
)
from tillit.common.errors import NotFound

TOTAL = "T"  # the gender row that is both women and men


def _require(viewer: Viewer) -> None:
    if not can_read_benchmarks(viewer):
        raise NotFound("Not found.")


@dataclass(frozen=True)
class Group:
    """A comparison group as the page shows it: Kolada's (k:<id>) or a user's own (c:<pk>)."""

    key: str
    title: str
    member_ids: tuple[str, ...]
    own: bool = False


# -- municipalities ---------------------------------------------------------------------------


def municipality_list(*, viewer: Viewer) -> QuerySet[Municipality]:
    _require(viewer)
    return Municipality.objects.filter(type="K").order_by("title")


def _base_name(name: str) -> str:
    """'Stockholms kommun' → 'Stockholm'; 'Tillby kommun' → 'Tillby'."""
    name = re.sub(r"\s+(kommun|stad)$", "", name.strip(), flags=re.IGNORECASE)
    return name


def default_municipality(*, viewer: Viewer) -> tuple[Municipality | None, bool]:
    """Ours, and whether it is configured (setting or name) rather than a guess from the data.

    The setting's Kolada id first, then the municipality's name looked up in Kolada; without
    either (the demo's Tillby is not in Kolada) the municipality with the most stored values.
    """
    _require(viewer)
    code = settings.TILLIT_MUNICIPALITY_CODE
    if code:
        found = Municipality.objects.filter(pk=code).first()
        if found:
            return found, True
    organisation = registered_municipality()
    for name in (settings.TILLIT_MUNICIPALITY_NAME, organisation.name if organisation else ""):
        if not name:
            continue
        base = _base_name(name)
        for candidate in (base, base[:-1] if base.endswith("s") else ""):
            found = Municipality.objects.filter(type="K", title__iexact=candidate).first() if candidate else None
            if found:
                return found, True
    busiest = (
        KoladaValue.objects.values("municipality_id").annotate(n=Count("id")).order_by("-n", "municipality_id")
    )
    for row in busiest[:20]:
        found = Municipality.objects.filter(pk=row["municipality_id"], type="K").first()
        if found:
            return found, False
    return None, False


def municipality_get(*, viewer: Viewer, municipality_id: str) -> Municipality:
    _require(viewer)
    found = Municipality.objects.filter(pk=municipality_id).first()
    if found is None:
        raise NotFound("Not found.")
    return found


# -- groups -----------------------------------------------------------------------------------


def _kolada_group(group: MunicipalityGroup) -> Group:
    """Callers prefetch `members`: a municipality belongs to dozens of Kolada groups."""
    members = tuple(sorted(member.municipality_id for member in group.members.all()))
    return Group(key=f"k:{group.pk}", title=group.title, member_ids=members)


def group_choices(*, viewer: Viewer, municipality: Municipality) -> list[tuple[str, list[Group]]]:
    """Kolada's elderly-care peers of ours, SKR's group of ours, other Kolada groups of ours, own groups."""
    _require(viewer)
    groups = MunicipalityGroup.objects.prefetch_related("members")
    peers = groups.filter(title__startswith=f"{PEER_GROUP_PREFIX}{municipality.title},")
    containing = groups.filter(members__municipality_id=municipality.pk).distinct()
    skr = containing.filter(pk__in=SKR_GROUP_IDS)
    others = containing.exclude(pk__in=SKR_GROUP_IDS).order_by("title")
    own = CustomGroup.objects.filter(owner_id=viewer.user_id)
    sections = [
        (_("Similar municipalities, elderly care (Kolada)"), [_kolada_group(g) for g in peers.order_by("-title")]),
        (_("SKR's municipality group"), [_kolada_group(g) for g in skr]),
        (_("Your own groups"), [Group(key=f"c:{g.pk}", title=g.name, member_ids=tuple(g.member_ids), own=True) for g in own]),
        (_("Other Kolada groups with this municipality"), [_kolada_group(g) for g in others]),
    ]
    return [(label, groups) for label, groups in sections if groups]


def group_get(*, viewer: Viewer, key: str) -> Group:
    """A group by its key; someone else's own group is "not found", like a missing one."""
    _require(viewer)
    kind, _sep, ident = key.partition(":")
    if kind == "k":
        group = MunicipalityGroup.objects.prefetch_related("members").filter(pk=ident).first()
        if group is not None:
            return _kolada_group(group)
    elif kind == "c" and ident.isdigit():
        own = CustomGroup.objects.filter(pk=int(ident), owner_id=viewer.user_id).first()
        if own is not None:
            return Group(key=key, title=own.name, member_ids=tuple(own.member_ids), own=True)
    raise NotFound("Not found.")


def custom_group_list(*, viewer: Viewer) -> QuerySet[CustomGroup]:
    _require(viewer)
    return CustomGroup.objects.filter(owner_id=viewer.user_id)


def custom_group_get(*, viewer: Viewer, group_id: int) -> CustomGroup:
    _require(viewer)
    group = CustomGroup.objects.filter(pk=group_id, owner_id=viewer.user_id).first()
    if group is None:
        raise NotFound("Not found.")
    return group


def names(ids: Iterable[str]) -> dict[str, str]:
    return dict(Municipality.objects.filter(pk__in=list(ids)).values_list("id", "title"))


# -- KPIs -------------------------------------------------------------------------------------


def curated_kpis(*, viewer: Viewer) -> list[tuple[str, list[Kpi]]]:
    """The curated list by section, with Kolada's titles (KPIs the catalogue lacks are left out)."""
    _require(viewer)
    known = Kpi.objects.in_bulk(list(CURATED_IDS))
    return [(str(label), [known[i] for i in ids if i in known]) for label, ids in CURATED]


def kpi_search(*, viewer: Viewer, query: str, limit: int = 25) -> list[Kpi]:
    """KPIs whose id or title holds every word of the query."""
    _require(viewer)
    words = query.split()[:6]
    if not words:
        return []
    found = Kpi.objects.all()
    for word in words:
        found = found.filter(Q(id__iexact=word) | Q(title__icontains=word))
    return list(found.order_by("id")[:limit])


def kpis_get(*, viewer: Viewer, ids: Iterable[str]) -> list[Kpi]:
    _require(viewer)
    ids = list(dict.fromkeys(ids))
    known = Kpi.objects.in_bulk(ids)
    return [known[i] for i in ids if i in known]


def default_kpi_ids(*, viewer: Viewer, municipality_ids: Iterable[str]) -> tuple[list[str], bool]:
    """The curated KPIs that have values here; without any, the KPIs that do (and False)."""
    _require(viewer)
    with_values = set(
        KoladaValue.objects.filter(municipality_id__in=list(municipality_ids), gender=TOTAL)
        .values_list("kpi_id", flat=True).distinct()
    )
    curated = [kpi for kpi in CURATED_IDS if kpi in with_values]
    if curated:
        return curated, True
    return sorted(with_values)[:12], False


# -- the comparison ---------------------------------------------------------------------------


def value_years(*, viewer: Viewer, kpis: list[str], municipality_ids: list[str]) -> list[int]:
    _require(viewer)
    return sorted(
        KoladaValue.objects.filter(kpi_id__in=kpis, municipality_id__in=municipality_ids, gender=TOTAL)
        .values_list("year", flat=True).distinct()
    )


def comparison(
    *, viewer: Viewer, municipality: Municipality, group: Group, kpis: list[Kpi], years: list[int]
) -> list[KpiComparison]:
    """Each KPI, year by year: our value beside the group's median, range and our rank."""
    _require(viewer)
    members = [m for m in group.member_ids if m != municipality.pk]
    everyone = [municipality.pk, *members]
    titles = names(everyone)
    points: dict[tuple[str, int], dict[str, Point]] = defaultdict(dict)
    rows = KoladaValue.objects.filter(
        kpi_id__in=[k.pk for k in kpis], municipality_id__in=everyone, year__in=years, gender=TOTAL
    ).values_list("kpi_id", "year", "municipality_id", "value", "status")
    for kpi_id, year, municipality_id, value, status in rows:
        points[(kpi_id, year)][municipality_id] = Point(municipality_id, value, status)
    result = []
    for kpi in kpis:
        comparison_ = KpiComparison(kpi=kpi.pk, title=kpi.title, description=kpi.description)
        for year in years:
            found = points.get((kpi.pk, year), {})
            if not found:
                continue
            comparison_.years.append(
                year_row(year, found.get(municipality.pk), [found[m] for m in members if m in found], len(members), titles)
            )
        result.append(comparison_)
    return result


def revision_list(*, viewer: Viewer, municipality_ids: list[str], kpis: list[str], limit: int = 50) -> list[ValueRevision]:
    """The latest values Kolada changed for these municipalities and KPIs."""
    _require(viewer)
    return list(
        ValueRevision.objects.filter(municipality_id__in=municipality_ids, kpi_id__in=kpis, gender=TOTAL)[:limit]
    )


def last_sync(*, viewer: Viewer) -> KoladaSync | None:
    _require(viewer)
    return KoladaSync.objects.filter(state=KoladaSync.State.DONE).order_by("-finished_at", "-id").first()


def sync_get(*, viewer: Viewer, sync_id: int) -> KoladaSync:
    _require(viewer)
    sync = KoladaSync.objects.filter(pk=sync_id).first()
    if sync is None:
        raise NotFound("Not found.")
    return sync


def group_member_titles(*, viewer: Viewer, member_ids: Iterable[str]) -> list[str]:
    """Members' names, from the municipality list or else from the group's own record of them."""
    _require(viewer)
    ids = list(member_ids)
    titled = names(ids)
    stored = dict(GroupMember.objects.filter(municipality_id__in=ids).values_list("municipality_id", "title"))
    return sorted(titled.get(m) or stored.get(m) or m for m in ids)
