"""The floor: DuckDB alone loading the same CSV extracts into one table per extract.

Run as `python -m xla_lab.bench.floor LANDING_DIR DB_PATH [--before YYYY-MM-DD]`, in
a process of its own, so that its time and memory are measured like the run's.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from orchestration.ingest.reader import classify


def extract_files(landing_dir: Path, before: date | None = None) -> dict[str, list[Path]]:
    """The landing files by extract, those dated before `before` only when it is given."""
    found: dict[str, list[Path]] = {}
    for path in sorted(landing_dir.iterdir()):
        landing = classify(path)
        if landing is None or (before is not None and landing.extract_date >= before):
            continue
        found.setdefault(landing.extract, []).append(path)
    return found


def load(landing_dir: Path, db_path: Path, before: date | None = None) -> dict[str, int]:
    """Load every extract's files into a table of its own; rows per table."""
    import duckdb

    db_path.unlink(missing_ok=True)
    con = duckdb.connect(str(db_path))
    rows: dict[str, int] = {}
    try:
        for extract, paths in sorted(extract_files(landing_dir, before).items()):
            con.execute(
                f"create table {extract} as select * from read_csv(?, header = true, "
                "union_by_name = true)",
                [[str(p) for p in paths]],
            )
            rows[extract] = con.execute(f"select count(*) from {extract}").fetchone()[0]
    finally:
        con.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xla_lab.bench.floor")
    parser.add_argument("landing_dir", type=Path)
    parser.add_argument("db_path", type=Path)
    parser.add_argument("--before", type=date.fromisoformat)
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows = load(args.landing_dir, args.db_path, args.before)
    print(f"loaded {sum(rows.values())} rows in {time.monotonic() - started:.1f} s")
    for extract, n in rows.items():
        print(f"  {extract:22} {n:>9} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
