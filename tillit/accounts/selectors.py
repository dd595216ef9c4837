"""Reading users and organisations (for administrators)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tillit.accounts.access import USER_ADMINS, Viewer, require
from tillit.accounts.models import Membership, Organisation, User
from tillit.common.errors import NotFound


def user_list(*, viewer: Viewer, search: str = "") -> QuerySet[User]:
    require(viewer, USER_ADMINS)
    users = User.objects.prefetch_related(
        Prefetch("memberships", Membership.objects.select_related("organisation").order_by("organisation__name"))
    )
    if search:
        users = users.filter(email__icontains=search) | users.filter(full_name__icontains=search)
    return users.order_by("email")


def user_get(*, viewer: Viewer, user_id: int) -> User:
    try:
        return user_list(viewer=viewer).get(pk=user_id)
    except User.DoesNotExist:
        raise NotFound("Not found.") from None


def membership_get(*, viewer: Viewer, membership_id: int) -> Membership:
    require(viewer, USER_ADMINS)
    try:
        return Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    except Membership.DoesNotExist:
        raise NotFound("Not found.") from None


def organisation_list() -> QuerySet[Organisation]:
    """The municipality first, then providers by name."""
    return Organisation.objects.order_by("kind", "name")
