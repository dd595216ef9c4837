"""tillit.common is the leaf everyone imports: it must not reach the database or any app."""

import ast
from pathlib import Path

COMMON = Path(__file__).resolve().parents[2] / "tillit" / "common"


def test_common_does_not_import_django_db_or_apps():
    offenders = []
    for path in COMMON.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("django.db") or (name.startswith("tillit.") and not name.startswith("tillit.common")):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
