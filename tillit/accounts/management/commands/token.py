"""tillit token create|list|revoke: API tokens for the systems that call the API."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.timezone import localtime

from tillit.accounts.models import ApiToken, User
from tillit.accounts.tokens import token_create, token_revoke
from tillit.common.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Create an API token for a user (it acts with that user's access), list tokens, or revoke one. "
        "Examples: tillit token create system@utforare.se --name 'Tidsregistrering'; "
        "tillit token list; tillit token revoke 7"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token; it is printed once")
        create.add_argument("email", help="the user the token acts as")
        create.add_argument("--name", required=True, help="which system uses the token")
        listing = actions.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--user", dest="email", help="only this user's tokens")
        revoke = actions.add_parser("revoke", help="stop a token from working")
        revoke.add_argument("token_id", type=int, help="the id that `tillit token list` shows")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["email"], options["name"])
        elif action == "list":
            self._list(options.get("email"))
        else:
            self._revoke(options["token_id"])

    def _create(self, email: str, name: str) -> None:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"There is no user {email}; add them first with `tillit user add`.")
        try:
            token, plaintext = token_create(actor=None, user=user, name=name)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Token {token.pk} ({token.name}) for {user.email}:")
        self.stdout.write("")
        self.stdout.write(f"    {plaintext}")
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                "This is the only time the token is shown: Tillit keeps only its hash. "
                "Store it in the calling system's secret store now; if it is lost, revoke it and create a new one."
            )
        )

    def _list(self, email: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__email", "created_at")
        if email:
            tokens = tokens.filter(user__email=email.strip().lower())
        if not tokens:
            self.stdout.write("No tokens.")
            return
        self.stdout.write(f"{'id':>5}  {'prefix':<12} {'user':<32} {'name':<28} {'created':<16} {'last used':<16} state")
        for token in tokens:
            state = f"revoked {localtime(token.revoked_at):%Y-%m-%d %H:%M}" if token.revoked_at else "active"
            last_used = f"{localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk:>5}  {token.prefix + '…':<12} {token.user.email:<32} {token.name[:28]:<28} "
                f"{localtime(token.created_at):%Y-%m-%d %H:%M} {last_used:<16} {state}"
            )

    def _revoke(self, token_id: int) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"There is no token {token_id}; `tillit token list` shows them.")
        if token.revoked_at is not None:
            self.stdout.write(f"Token {token.pk} ({token.name}) was already revoked on {localtime(token.revoked_at):%Y-%m-%d %H:%M}.")
            return
        token_revoke(actor=None, token=token)
        self.stdout.write(f"Token {token.pk} ({token.name}) for {token.user.email} is revoked; it no longer works.")
