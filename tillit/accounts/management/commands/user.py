"""tillit user add|list|grant: manage users and their roles from the command line."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.accounts.models import Organisation, Role, User
from tillit.accounts.services import membership_add, municipality, user_create
from tillit.common.errors import ApplicationError
from tillit.common.org_numbers import normalize_org_number


class Command(BaseCommand):
    help = "Add a user with a role, give an existing user another role, or list users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["add", "grant", "list"])
        parser.add_argument("email", nargs="?")
        parser.add_argument("--role", choices=Role.values)
        parser.add_argument("--provider", help="organisation number; required for the role provider_user")
        parser.add_argument("--name", default="")
        parser.add_argument("--password", help="omit to be asked (recommended)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for user in User.objects.prefetch_related("memberships__organisation"):
                roles = ", ".join(f"{m.role}@{m.organisation.name}" for m in user.memberships.all())
                self.stdout.write(f"{user.email:<36} {'active' if user.is_active else 'inactive':<9} {roles}")
            return
        if not options["email"] or not options["role"]:
            raise CommandError("Give an email address and --role.")
        organisation = self._organisation(options)
        try:
            if options["action"] == "add":
                password = options["password"] or getpass.getpass("Password: ")
                user_create(
                    actor=None, email=options["email"], full_name=options["name"], password=password,
                    organisation=organisation, role=options["role"],
                )
            else:
                user = User.objects.filter(email=options["email"].lower()).first()
                if user is None:
                    raise CommandError(f"There is no user {options['email']}.")
                membership_add(actor=None, user=user, organisation=organisation, role=options["role"])
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{options['email']}: {options['role']} in {organisation.name}.")

    def _organisation(self, options: dict[str, Any]) -> Organisation:
        if options["role"] == Role.PROVIDER_USER:
            if not options["provider"]:
                raise CommandError("A provider user needs --provider ORGNR.")
            try:
                number = normalize_org_number(options["provider"])
            except ApplicationError as error:
                raise CommandError(error.message) from None
            organisation = Organisation.objects.filter(provider__org_number=number).first()
            if organisation is None:
                raise CommandError(f"No provider has the organisation number {number}.")
            return organisation
        organisation = municipality()
        if organisation is None:
            raise CommandError("Register the municipality first: tillit municipality \"Name kommun\".")
        return organisation
