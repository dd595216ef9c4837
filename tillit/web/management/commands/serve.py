"""tillit serve: serve the web UI with a background worker beside it (the demo, small sites).

Production runs gunicorn (config.wsgi) and `tillit worker` as separate processes instead.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Tillit on ADDRPORT (default 127.0.0.1:8000) with a worker for background jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="do not start a background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            # Same interpreter, same environment: the worker sees the same database and data.
            worker = subprocess.Popen([sys.executable, "-m", "tillit.cli", "worker"])
        try:
            call_command("runserver", options["addrport"], use_reloader=False, use_threading=True)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
