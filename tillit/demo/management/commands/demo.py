"""tillit demo [--no-serve]: build the demo municipality and serve it on 127.0.0.1:8000."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.demo.load import build_demo
from tillit.demo.personas import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Generate and load the demo municipality, print the demo logins, and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="build the demo and stop")
        parser.add_argument("--recipients", type=int, default=2000)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--no-visits", action="store_true", help="leave the visit ledger empty (faster)")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo adds users with a known password; it does not run with TILLIT_PRODUCTION=1.")
        result = build_demo(
            recipients=options["recipients"],
            months=options["months"],
            seed=options["seed"],
            visits=not options["no_visits"],
            progress=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("The demo municipality is ready. Log in as:"))
        for persona in result.personas:
            self.stdout.write(f"  {persona.email:<32} {persona.description}")
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
        if not options["no_serve"]:
            self.stdout.write(f"Serving at http://{options['addrport']}/ (Ctrl-C stops).")
            call_command("serve", addrport=options["addrport"])
