"""API tokens: shown once, stored hashed, audited, revocable; and the `tillit token` command."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tillit.accounts.models import ApiToken
from tillit.accounts.services import user_set_active
from tillit.accounts.tokens import token_create, token_revoke, user_for_token
from tillit.audit.models import AuditEvent
from tillit.common.errors import ValidationFailed

TOKEN_FORM = re.compile(r"^tlt_[A-Za-z0-9_-]{40}$")


def test_a_token_is_shown_once_and_stored_only_hashed(world):
    token, plaintext = token_create(actor=world.admin, user=world.user_a, name="Tidsregistrering")
    assert TOKEN_FORM.match(plaintext)
    assert token.prefix == plaintext[:8]
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert plaintext not in {str(value) for value in stored.values()}
    event = AuditEvent.objects.get(event_type="api_token.created")
    assert event.actor == world.admin and event.organisation == world.provider_a.organisation
    assert event.new_values == {"user": world.user_a.email, "name": "Tidsregistrering", "prefix": token.prefix}
    assert plaintext not in str(event.new_values) and token.token_hash not in str(event.new_values)
    # Two tokens never share a secret.
    assert token_create(actor=None, user=world.user_a, name="Andra")[1] != plaintext


def test_a_token_resolves_to_its_active_user_until_revoked(world):
    token, plaintext = token_create(actor=None, user=world.user_a, name="System")
    assert user_for_token(plaintext) == world.user_a
    for wrong in ("", "tlt_", plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B"), plaintext[4:], "x" * 500):
        assert user_for_token(wrong) is None
    token_revoke(actor=world.admin, token=token)
    assert user_for_token(plaintext) is None
    assert AuditEvent.objects.filter(event_type="api_token.revoked", target_id=str(token.pk)).count() == 1
    # Revoking again changes nothing and logs nothing.
    token_revoke(actor=world.admin, token=token)
    assert AuditEvent.objects.filter(event_type="api_token.revoked").count() == 1


def test_a_deactivated_users_token_stops_working(world):
    _token, plaintext = token_create(actor=None, user=world.user_a, name="System")
    user_set_active(actor=world.admin, user=world.user_a, active=False)
    assert user_for_token(plaintext) is None
    with pytest.raises(ValidationFailed):
        token_create(actor=None, user=world.user_a, name="Ny")


def test_last_used_is_written_at_most_once_a_minute(world):
    token, plaintext = token_create(actor=None, user=world.user_b, name="System")
    assert token.last_used_at is None
    user_for_token(plaintext)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    user_for_token(plaintext)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    user_for_token(plaintext)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - datetime.timedelta(seconds=1)
    assert ApiToken.objects.get(pk=token.pk).last_used_at <= timezone.now()


def test_a_token_needs_a_name(world):
    with pytest.raises(ValidationFailed):
        token_create(actor=None, user=world.user_a, name="  ")
    with pytest.raises(ValidationFailed):
        token_create(actor=None, user=world.user_a, name="x" * 101)
    assert not ApiToken.objects.exists()


def test_the_token_command_creates_lists_and_revokes(world, capsys):
    call_command("token", "create", "A@test.example", "--name", "Tidsregistrering")
    created = capsys.readouterr().out
    plaintext = re.search(r"tlt_[A-Za-z0-9_-]{40}", created).group(0)
    assert "only time the token is shown" in created
    token = ApiToken.objects.get()
    assert token.user == world.user_a and token.name == "Tidsregistrering"
    assert user_for_token(plaintext) == world.user_a

    call_command("token", "list")
    listing = capsys.readouterr().out
    assert token.prefix in listing and "a@test.example" in listing and "active" in listing
    assert plaintext not in listing and token.token_hash not in listing

    call_command("token", "revoke", str(token.pk))
    assert "revoked" in capsys.readouterr().out
    assert user_for_token(plaintext) is None
    call_command("token", "list", "--user", "a@test.example")
    assert "revoked" in capsys.readouterr().out
    call_command("token", "revoke", str(token.pk))
    assert "already revoked" in capsys.readouterr().out


def test_the_token_command_explains_what_is_wrong(world):
    with pytest.raises(CommandError, match="no user"):
        call_command("token", "create", "nobody@test.example", "--name", "X")
    with pytest.raises(CommandError, match="no token"):
        call_command("token", "revoke", "999")
    with pytest.raises(CommandError):  # the service's sentence, in the installation's language
        call_command("token", "create", "a@test.example", "--name", " ")
    assert not ApiToken.objects.exists()
