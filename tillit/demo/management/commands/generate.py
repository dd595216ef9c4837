"""tillit generate: write the demo municipality's delivery files at any size."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tillit.demo.generator import GeneratorConfig, generate


class Command(BaseCommand):
    help = "Write a synthetic municipality as delivery files (providers, recipients, decisions, events, visits)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recipients", type=int, default=2000)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--start", type=datetime.date.fromisoformat, help="first month, YYYY-MM-01")
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="the date the demo is made for")
        parser.add_argument("--no-visits", action="store_true")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        config = GeneratorConfig(
            recipients=options["recipients"],
            months=options["months"],
            seed=options["seed"],
            start=options["start"],
            today=options["today"] or datetime.date.today(),
            visits=not options["no_visits"],
        )
        began = time.perf_counter()
        counts = generate(options["out"], config)
        for name, rows in counts.items():
            self.stdout.write(f"{name:<22} {rows:>10} rows")
        self.stdout.write(f"Written to {options['out']} in {time.perf_counter() - began:.1f} s.")
