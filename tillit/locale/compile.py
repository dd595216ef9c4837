"""Compile every django.po under tillit/locale into the django.mo beside it, without GNU gettext.

The .mo files are committed, so a fresh machine needs no gettext tools; `make messages` runs
makemessages (which does need them) and then this script. Needs polib (in the test extras).

    python tillit/locale/compile.py            # write the .mo files
    python tillit/locale/compile.py --check    # exit 1 if a .mo is missing or out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent


def catalogues(root: Path = LOCALE_DIR) -> list[Path]:
    """Every django.po under the locale folder, in a stable order."""
    return sorted(root.glob("*/LC_MESSAGES/django.po"))


def compiled(po_path: Path) -> bytes:
    """The .mo bytes of a .po file: translated entries only (fuzzy and empty ones are left out)."""
    return polib.pofile(str(po_path)).to_binary()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report .mo files that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        data = compiled(po_path)
        if mo_path.exists() and mo_path.read_bytes() == data:
            continue
        if args.check:
            stale.append(mo_path)
            continue
        # Write beside, then rename: a reader never sees half a catalogue.
        tmp_path = mo_path.with_suffix(".mo.tmp")
        tmp_path.write_bytes(data)
        tmp_path.replace(mo_path)
        print(f"compiled {mo_path.relative_to(LOCALE_DIR.parent.parent)}")
    for mo_path in stale:
        print(f"out of date: {mo_path} (run `make messages`)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
