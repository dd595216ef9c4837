"""Writing organisations, users and memberships (each with its audit event)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from tillit.accounts.models import MUNICIPAL_ROLES, Membership, Organisation, Role, User
from tillit.audit.services import audit_record
from tillit.common.errors import ValidationFailed


@transaction.atomic
def organisation_create(*, actor: Any, kind: str, name: str) -> Organisation:
    organisation = Organisation.objects.create(kind=kind, name=name)
    audit_record(
        actor=actor,
        event_type="organisation.created",
        target=organisation,
        organisation=organisation,
        new={"kind": kind, "name": name},
    )
    return organisation


@transaction.atomic
def organisation_rename(*, actor: Any, organisation: Organisation, name: str) -> Organisation:
    if organisation.name != name:
        old = organisation.name
        organisation.name = name
        organisation.save(update_fields=["name"])
        audit_record(
            actor=actor,
            event_type="organisation.renamed",
            target=organisation,
            organisation=organisation,
            old={"name": old},
            new={"name": name},
        )
    return organisation


def municipality() -> Organisation | None:
    """The municipality this installation serves (the first one registered)."""
    return Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("pk").first()


def municipality_name() -> str:
    """The name of municipality(), or "" (plain SQL: every page's header shows it)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name FROM {Organisation._meta.db_table} WHERE kind = %s ORDER BY id LIMIT 1",
                       [Organisation.Kind.MUNICIPALITY.value])
        row = cursor.fetchone()
    return row[0] if row else ""


@transaction.atomic
def user_create(
    *,
    actor: Any,
    email: str,
    full_name: str = "",
    password: str | None = None,
    organisation: Organisation | None = None,
    role: str | None = None,
) -> User:
    """Create a user, and their first membership when an organisation and role are given."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationFailed(
            _("A user with the email address %(email)s already exists.") % {"email": email},
            field_errors={"email": _("This email address is already in use.")},
        )
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    audit_record(
        actor=actor,
        event_type="user.created",
        target=user,
        organisation=organisation,
        new={"email": email, "full_name": full_name},
    )
    if organisation is not None and role is not None:
        membership_add(actor=actor, user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def membership_add(*, actor: Any, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a user a role in an organisation, refusing roles that do not fit the organisation."""
    if role not in Role.values:
        raise ValidationFailed(_("%(role)s is not a role.") % {"role": role})
    if organisation.kind == Organisation.Kind.PROVIDER and role != Role.PROVIDER_USER:
        raise ValidationFailed(_("A provider's users can only have the role provider user."))
    if organisation.kind == Organisation.Kind.MUNICIPALITY and role not in MUNICIPAL_ROLES:
        raise ValidationFailed(_("The role provider user belongs to a provider, not the municipality."))
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit_record(
            actor=actor,
            event_type="membership.added",
            target=user,
            organisation=organisation,
            new={"organisation": organisation.name, "role": role},
        )
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    audit_record(
        actor=actor,
        event_type="membership.removed",
        target=membership.user,
        organisation=membership.organisation,
        old={"organisation": membership.organisation.name, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Deactivate (or reactivate) a login; a deactivated user keeps their history in the log."""
    if actor is not None and getattr(actor, "pk", None) == user.pk and not active:
        raise ValidationFailed(_("You cannot deactivate your own account."))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            event_type="user.activated" if active else "user.deactivated",
            target=user,
            old={"is_active": not active},
            new={"is_active": active},
        )
    return user
