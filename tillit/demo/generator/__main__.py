"""`python -m tillit.demo.generator OUT_DIR [--recipients N] [--months N] ...`: write the demo files."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from . import GeneratorConfig, generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tillit.demo.generator", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--start", type=date.fromisoformat, default=None)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--staff", type=int, default=None)
    parser.add_argument("--no-visits", action="store_true")
    args = parser.parse_args(argv)
    options = {"today": args.today} if args.today else {}
    config = GeneratorConfig(recipients=args.recipients, months=args.months, start=args.start,
                             seed=args.seed, staff=args.staff, visits=not args.no_visits, **options)
    began = time.perf_counter()
    counts = generate(args.out_dir, config)
    seconds = time.perf_counter() - began
    for name, rows in counts.items():
        print(f"{name:20} {rows:>10,}")
    print(f"{'seconds':20} {seconds:>10.1f}")


if __name__ == "__main__":
    main()
