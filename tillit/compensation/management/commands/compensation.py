"""tillit compensation list | import FILE [--contract REF] | export ID [--out FILE] | check FILE

Compensation models as readable TOML files (docs/compensation-models/): review a change in a
diff, then import it; `check` validates a file without storing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tillit.common.errors import ApplicationError
from tillit.compensation.files import read_model
from tillit.compensation.models import CompensationModel
from tillit.compensation.services import compensation_model_import, model_export
from tillit.registry.models import Contract


class Command(BaseCommand):
    help = "List, import, export or check compensation models (TOML files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "import", "export", "check"])
        parser.add_argument("target", nargs="?", help="import/check: a TOML file; export: the model's id")
        parser.add_argument("--contract", default="", help="import: the contract's reference the model belongs to")
        parser.add_argument("--out", type=Path, help="export: write to this file (standard output without it)")

    def handle(self, *args: Any, **options: Any) -> None:
        action, target = options["action"], options["target"]
        if action == "list":
            for model in CompensationModel.objects.select_related("contract").prefetch_related("versions"):
                dates = ", ".join(str(v.valid_from) for v in model.versions.all())
                self.stdout.write(f"{model.pk:>4}  {model.name}  [{model.contract or 'no contract'}]  versions: {dates}")
            return
        if not target:
            raise CommandError(f"Say what to {action}: tillit compensation {action} {'ID' if action == 'export' else 'FILE'}.")
        try:
            if action == "export":
                self._export(target, options["out"])
            else:
                self._read(action, Path(target), options["contract"])
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def _read(self, action: str, path: Path, reference: str) -> None:
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        text = path.read_text(encoding="utf-8")
        if action == "check":
            document = read_model(text, path.name)
            self.stdout.write(f"{path.name}: {document.name}, {len(document.versions)} version(s), valid.")
            return
        contract = None
        if reference:
            contract = Contract.objects.filter(reference=reference).first()
            if contract is None:
                raise CommandError(f"There is no contract {reference}.")
        model, changed = compensation_model_import(actor=None, text=text, file_name=path.name, contract=contract)
        state = "imported" if changed else "unchanged (the same file was imported before)"
        self.stdout.write(f"{model.name} (id {model.pk}): {state}")

    def _export(self, target: str, out: Path | None) -> None:
        model = CompensationModel.objects.filter(pk=int(target) if target.isdigit() else 0).first()
        if model is None:
            raise CommandError(f"There is no compensation model {target}; see tillit compensation list.")
        text = model_export(model)
        if out:
            out.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {out}")
        else:
            self.stdout.write(text, ending="")
