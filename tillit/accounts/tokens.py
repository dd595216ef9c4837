"""API tokens: creating, revoking and resolving the keys that systems call the API with.

A token acts as its user, with exactly that user's access (accounts.access). Only its
SHA-256 is stored, so a copy of the database gives no usable token; the plaintext is
returned once by `token_create` and never again.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.accounts.models import ApiToken, User
from tillit.audit.services import audit_record
from tillit.common.errors import ValidationFailed

# Every token starts with this, so a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "tlt_"
# 30 random bytes are 40 URL-safe characters: 240 bits, beyond guessing.
_RANDOM_BYTES = 30
_SHOWN_CHARS = 8
# Writing last_used_at on every call would make each API request a database write.
_LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
# Anything longer than a token is not one; refuse before hashing.
_MAX_TOKEN_LENGTH = 100


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _organisation_of(user: User) -> Any:
    """The organisation a token's audit events belong to (the user's first, if any)."""
    membership = user.memberships.select_related("organisation").order_by("pk").first()
    return membership.organisation if membership else None


@transaction.atomic
def token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with its plaintext, which is never shown again."""
    name = name.strip()
    if not name:
        raise ValidationFailed(
            _("Give the token a name that says which system uses it."), field_errors={"name": _("Required.")}
        )
    if len(name) > 100:
        message = _("A token's name may be at most 100 characters.")
        raise ValidationFailed(message, field_errors={"name": message})
    if not user.is_active:
        raise ValidationFailed(
            _("The user %(email)s is deactivated; a token for them would not work.") % {"email": user.email}
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(_RANDOM_BYTES)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=plaintext[:_SHOWN_CHARS], token_hash=_digest(plaintext)
    )
    audit_record(
        actor=actor,
        event_type="api_token.created",
        target=token,
        organisation=_organisation_of(user),
        new={"user": user.email, "name": name, "prefix": token.prefix},
    )
    return token, plaintext


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Stop a token from working at once; revoking a revoked token changes nothing."""
    locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            event_type="api_token.revoked",
            target=locked,
            organisation=_organisation_of(locked.user),
            old={"revoked_at": None},
            new={"user": locked.user.email, "name": locked.name, "prefix": locked.prefix},
        )
    token.revoked_at = locked.revoked_at
    return token


def user_for_token(plaintext: str) -> User | None:
    """The active user a token belongs to, or None for an unknown, revoked or malformed token.

    The lookup is by the token's hash, so the comparison never runs over the secret itself
    and timing reveals nothing about it; the final compare_digest is belt and braces.
    """
    if not plaintext or len(plaintext) > _MAX_TOKEN_LENGTH or not plaintext.startswith(TOKEN_PREFIX):
        return None
    digest = _digest(plaintext)
    token = ApiToken.objects.select_related("user").filter(token_hash=digest).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_RESOLUTION:
        # A bookkeeping timestamp, not a change anyone decides: no audit event.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
