"""Every access rule in Tillit.

A `Viewer` is what a request knows about who is asking. Selectors take one and scope their
queries through `scope_by_provider`; a provider user sees only its own organisation's data,
and "not found" and "not yours" are the same `NotFound` (a 404 in the web and the API).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

from tillit.accounts.models import Membership, Organisation, Role
from tillit.common.errors import NotFound

if TYPE_CHECKING:
    from tillit.accounts.models import User

M = TypeVar("M", bound=Model)

# Who may do what. Keep these sets the only place roles are compared.
REGISTRY_EDITORS = frozenset({Role.ADMIN, Role.CONTROLLER})
REGISTRY_READERS = frozenset({Role.ADMIN, Role.CONTROLLER, Role.FINANCE, Role.CASE_OFFICER, Role.BOARD_VIEWER})
CARE_DATA_READERS = frozenset({Role.ADMIN, Role.CONTROLLER, Role.FINANCE, Role.CASE_OFFICER})
PERSONAL_ID_READERS = frozenset({Role.CONTROLLER, Role.CASE_OFFICER, Role.PROVIDER_USER})
AUDIT_READERS = frozenset({Role.ADMIN, Role.CONTROLLER})
# Indicator figures and compliance of every provider (the board reads them, without evidence).
QUALITY_READERS = frozenset({Role.ADMIN, Role.CONTROLLER, Role.FINANCE, Role.CASE_OFFICER, Role.BOARD_VIEWER})
# Who starts indicator runs and edits quality declarations.
QUALITY_EDITORS = frozenset({Role.ADMIN, Role.CONTROLLER})
USER_ADMINS = frozenset({Role.ADMIN})
# Compensation statements (ersättningsunderlag). Every line names a recipient, so only the
# municipal roles that pay or follow up read them whole; the board reads each provider's totals
# (no lines, no recipients). Provider users read their own provider's statements whole.
STATEMENT_READERS = frozenset({Role.ADMIN, Role.CONTROLLER, Role.FINANCE})
STATEMENT_TOTAL_READERS = STATEMENT_READERS | {Role.BOARD_VIEWER}
# Finance approves (and so locks) a statement; the follow-up unit runs the month.
STATEMENT_APPROVERS = frozenset({Role.ADMIN, Role.FINANCE})
STATEMENT_RUNNERS = frozenset({Role.ADMIN, Role.CONTROLLER})
# Effect premiums: controllers offer them and decide; finance and the board read; a provider's
# users apply for and read their own.
PREMIUM_DECIDERS = frozenset({Role.ADMIN, Role.CONTROLLER})
PREMIUM_READERS = frozenset({Role.ADMIN, Role.CONTROLLER, Role.FINANCE, Role.BOARD_VIEWER})
# The simulator compares models over every provider: municipal work; the board reads saved ones.
SIMULATION_USERS = frozenset({Role.ADMIN, Role.CONTROLLER, Role.FINANCE})
SIMULATION_READERS = SIMULATION_USERS | {Role.BOARD_VIEWER}
# Kolada's key indicators are public, municipality-level statistics with no provider or
# personal data in them: every role may read them, provider users included (they compare
# themselves with the municipality anyway). Fetching from Kolada and loading files changes
# what everyone sees, so only the follow-up unit and administrators do it.
BENCHMARK_READERS = frozenset(
    {Role.ADMIN, Role.CONTROLLER, Role.FINANCE, Role.CASE_OFFICER, Role.BOARD_VIEWER, Role.PROVIDER_USER}
)
BENCHMARK_SYNCERS = frozenset({Role.ADMIN, Role.CONTROLLER})
# Which delivery files each role may load.
FILE_LOADERS: dict[str, frozenset[str]] = {
    "providers": frozenset({Role.ADMIN, Role.CONTROLLER}),
    "interventions": frozenset({Role.ADMIN, Role.CONTROLLER}),
    "areas": frozenset({Role.ADMIN, Role.CONTROLLER}),
    "units": frozenset({Role.ADMIN, Role.CONTROLLER}),
    "contracts": frozenset({Role.ADMIN, Role.CONTROLLER}),
    "recipients": frozenset({Role.ADMIN, Role.CONTROLLER, Role.CASE_OFFICER}),
    "decisions": frozenset({Role.ADMIN, Role.CONTROLLER, Role.CASE_OFFICER}),
    "care_events": frozenset({Role.ADMIN, Role.CONTROLLER, Role.CASE_OFFICER}),
    # A provider's own system or staff deliver its visits (scoped to that provider).
    "visits": frozenset({Role.ADMIN, Role.CONTROLLER, Role.PROVIDER_USER}),
}


@dataclass(frozen=True)
class Viewer:
    """Who is asking: their roles and, for provider users, the organisations they act for."""

    user_id: int | None
    roles: frozenset[str]
    provider_organisation_ids: frozenset[int]
    label: str = ""

    @property
    def is_municipal(self) -> bool:
        """Holds at least one role in the municipality (sees every provider)."""
        return bool(self.roles - {Role.PROVIDER_USER})

    @property
    def is_provider_user(self) -> bool:
        return not self.is_municipal and bool(self.provider_organisation_ids)

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)


ANONYMOUS = Viewer(user_id=None, roles=frozenset(), provider_organisation_ids=frozenset())


def viewer_for(user: User | Any) -> Viewer:
    """Build the viewer for a user from their memberships (inactive users get nothing)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    roles: set[str] = set()
    provider_orgs: set[int] = set()
    # plain SQL: every request asks this, and building the ORM query cost more than running it
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT m.role, o.kind, m.organisation_id FROM {Membership._meta.db_table} m "
                       f"JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id WHERE m.user_id = %s",
                       [user.pk])
        for role, kind, organisation_id in cursor.fetchall():
            roles.add(role)
            if kind == Organisation.Kind.PROVIDER:
                provider_orgs.add(organisation_id)
    return Viewer(
        user_id=user.pk,
        roles=frozenset(roles),
        provider_organisation_ids=frozenset(provider_orgs),
        label=user.email,
    )


def scope_by_provider(viewer: Viewer, queryset: QuerySet[M], organisation_path: str) -> QuerySet[M]:
    """Limit a queryset to what the viewer may see.

    `organisation_path` leads from the model to the provider's organisation id, e.g.
    ``"provider__organisation_id"`` for a contract. Municipal roles see everything;
    provider users only rows of their own organisations; anyone else nothing.
    """
    if viewer.is_municipal:
        return queryset
    if viewer.provider_organisation_ids:
        lookup = {f"{organisation_path}__in": viewer.provider_organisation_ids}
        return queryset.filter(**lookup).distinct()
    return queryset.none()


def get_scoped(viewer: Viewer, queryset: QuerySet[M], organisation_path: str, **lookup: Any) -> M:
    """Fetch one object the viewer may see, or NotFound: the same for missing and not yours."""
    try:
        return scope_by_provider(viewer, queryset, organisation_path).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound("Not found.") from None


def require(viewer: Viewer, roles: frozenset[str]) -> None:
    """Refuse with NotFound unless the viewer holds one of `roles`.

    NotFound rather than "forbidden": a page a user may not use should not reveal that
    the thing behind it exists.
    """
    if not viewer.has_any(roles):
        raise NotFound("Not found.")


def can_edit_registry(viewer: Viewer) -> bool:
    return viewer.has_any(REGISTRY_EDITORS)


def can_read_registry(viewer: Viewer) -> bool:
    """Municipal readers see all providers; provider users see their own."""
    return viewer.has_any(REGISTRY_READERS) or viewer.is_provider_user


def can_read_care_data(viewer: Viewer) -> bool:
    """Recipients, decisions and care events: municipal care-data roles and provider users (own)."""
    return viewer.has_any(CARE_DATA_READERS) or viewer.is_provider_user


def can_see_personal_ids(viewer: Viewer) -> bool:
    """Whether full personal identity numbers are shown (otherwise masked)."""
    return viewer.has_any(PERSONAL_ID_READERS)


def can_manage_users(viewer: Viewer) -> bool:
    return viewer.has_any(USER_ADMINS)


def can_read_audit(viewer: Viewer) -> bool:
    return viewer.has_any(AUDIT_READERS)


def can_read_quality(viewer: Viewer) -> bool:
    """Every provider's figures: municipal readers. Provider users read their own provider's only."""
    return viewer.has_any(QUALITY_READERS)


def can_edit_quality(viewer: Viewer) -> bool:
    return viewer.has_any(QUALITY_EDITORS)

def can_read_benchmarks(viewer: Viewer) -> bool:
    """Kolada comparisons (and one's own comparison groups): every role."""
    return viewer.has_any(BENCHMARK_READERS)


def can_sync_benchmarks(viewer: Viewer) -> bool:
    """Fetch from Kolada or load Kolada files."""
    return viewer.has_any(BENCHMARK_SYNCERS)


def can_load(viewer: Viewer, kind: str) -> bool:
    """Whether the viewer may load a delivery file of this kind."""
    return viewer.has_any(FILE_LOADERS.get(kind, frozenset()))


def loadable_kinds(viewer: Viewer) -> list[str]:
    return [kind for kind in FILE_LOADERS if can_load(viewer, kind)]


def can_read_statement_totals(viewer: Viewer) -> bool:
    """Statements' totals per provider and component: municipal readers and the board; provider users their own."""
    return viewer.has_any(STATEMENT_TOTAL_READERS) or viewer.is_provider_user


def can_read_statement_lines(viewer: Viewer) -> bool:
    """Statements whole, line by line (recipients named): municipal readers; provider users their own."""
    return viewer.has_any(STATEMENT_READERS) or viewer.is_provider_user


def can_approve_statements(viewer: Viewer) -> bool:
    return viewer.has_any(STATEMENT_APPROVERS)


def can_run_statements(viewer: Viewer) -> bool:
    return viewer.has_any(STATEMENT_RUNNERS)
