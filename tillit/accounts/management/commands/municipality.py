"""tillit municipality NAME: register (or rename) the municipality this installation serves."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tillit.accounts.models import Organisation
from tillit.accounts.services import municipality, organisation_create, organisation_rename


class Command(BaseCommand):
    help = "Register the municipality this installation serves, or rename it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = municipality()
        if existing is None:
            organisation_create(actor=None, kind=Organisation.Kind.MUNICIPALITY, name=options["name"])
        else:
            organisation_rename(actor=None, organisation=existing, name=options["name"])
        self.stdout.write(f"The municipality is {options['name']}.")
