#!/usr/bin/env python3
"""Precision and recall of the timeslip rules on a generated demo MSP.

Generates the demo data (seed 42, scale 1, one month unless told otherwise), runs the
pipeline on it in a scratch folder and prints, per rule: anomalies planted, flags
raised, true positives, precision, recall, and flags on engineers the generator planted
nothing on. Run it with the project's interpreter, e.g.

    .venv/bin/python scripts/score_timeslip_rules.py --months 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

from xla_lab.generate.scoring import format_table, score_demo


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 1, 1))
    parser.add_argument(
        "--workdir", type=Path, help="keep the generated data here (default: a temporary folder)"
    )
    parser.add_argument(
        "--details", action="store_true", help="list missed and unexpected subjects"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xla-score-") as scratch:
        workdir = args.workdir or Path(scratch)
        card = score_demo(
            workdir, seed=args.seed, scale=args.scale, months=args.months, start=args.start
        )
    print(
        f"Timeslip rules on the demo MSP: seed {args.seed}, scale {args.scale:g}, "
        f"{args.months} month(s) from {args.start.isoformat()}\n"
    )
    print(format_table(card.scores))
    print(
        f"\nEngineers at work with nothing planted: {len(card.clean_engineers)} "
        f"({', '.join(card.clean_engineers) or 'none'}); "
        f"flags on them: {card.flags_on_clean_engineers}"
    )
    if args.details:
        for s in card.scores:
            for subject in s.missed:
                print(f"missed      {s.rule_id} {subject}")
            for subject in s.unexpected:
                print(f"unexpected  {s.rule_id} {subject}")
    return 0 if all(s.recall == 1.0 for s in card.scores) else 1


if __name__ == "__main__":
    sys.exit(main())
