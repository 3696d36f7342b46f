"""Print the reliability figures of XLA Warehouse: bad inputs, bad reference data, one bad
delivery, kills, concurrency, determinism.

    .venv/bin/python scripts/reliability.py                 # everything (about 20 minutes)
    .venv/bin/python scripts/reliability.py --in-turn       # kills in one folder (about 10)
    .venv/bin/python scripts/reliability.py --points ingest.after_ledger random --no-rebuilds

- Inputs tried: every case of the bad-input corpus (`tests/reliability/bad_inputs.py`),
  ingested into an empty folder: rows in, loaded, quarantined, and whether each was
  accounted for and explained.
- Reference data tried: every bad folder of `tests/reliability/bad_reference.py` given to
  `xla run` on a published data folder (exit 2, every problem on one line, the published
  release unchanged), and every tolerable one validated clean.
- One delivery: the bad delivery of `tests/reliability/one_delivery.py` (extreme and
  future timestamps, a file dated decades ahead, two clients' identical ServiceNow
  exports, a ticket of a client not in clients.csv) and its correction on a published
  data folder: bad rows and files handled, tickets held for their client,
  rows unaccounted (must be 0), incomplete publications (0), runs stopped by one row (0),
  and whether `as_of` or the client-months moved.
- Kills: `xla run` killed with SIGKILL at each kill point of `orchestration/faults.py`
  and at a random time (`tests/reliability/crashes.py`), each on a fresh copy of a
  published data folder, then run again: whether it survived, rows landed against rows
  found in the lake and quarantine, and publications found incomplete (must be 0).
- Concurrency and determinism: two rebuilds of every landing file in two folders, a
  second `xla run` started during the first; the published tables compared by content.

Exits 0 when every figure is as it must be, 1 otherwise. Work folders go under --root
(default: a new temporary folder, kept for inspection).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.faults import KILL_POINTS
from tests.reliability.crashes import (
    ALL_POINTS,
    KillOutcome,
    kill_and_recover,
    kill_in_turn,
)


def bad_inputs(root: Path) -> bool:
    """Try every case of the bad-input corpus; print its figures. Whether all were ok."""
    try:
        from tests.reliability.bad_inputs import CASES, try_input
    except ImportError:
        print("Inputs tried: the bad-input corpus (tests/reliability/bad_inputs.py) is absent")
        return True
    outcomes = []
    for case in CASES:
        folder = root / "bad-inputs" / case.name
        folder.mkdir(parents=True, exist_ok=True)
        outcomes.append(try_input(case, folder))
    rows_in = sum(o.rows_in for o in outcomes)
    loaded = sum(o.rows_loaded for o in outcomes)
    quarantined = sum(o.rows_quarantined for o in outcomes)
    failed = [o for o in outcomes if not o.ok]
    print(
        f"Inputs tried: {len(outcomes)} bad inputs, {len(outcomes) - len(failed)} handled "
        f"({rows_in} rows in = {loaded} loaded + {quarantined} quarantined"
        f"{'' if rows_in == loaded + quarantined else ', NOT CONSERVED'})"
    )
    for outcome in failed:
        print(f"  not handled: {outcome.name}: {' | '.join(outcome.messages)[:300]}")
    return not failed and rows_in == loaded + quarantined


def kills(root: Path, points: list[str], in_turn: bool, seed: int) -> bool:
    """Kill runs and run again; print one line per kill and the totals. Whether all survived."""
    outcomes: list[KillOutcome] = []
    if in_turn:
        outcomes = kill_in_turn(root / "in-turn", seed=seed)
    else:
        for point in points:
            outcomes.append(kill_and_recover(point, root, seed=seed))
            _print_kill(outcomes[-1])
    if in_turn:
        for outcome in outcomes:
            _print_kill(outcome)
    killed = [o for o in outcomes if o.killed]
    survived = [o for o in outcomes if o.survived]
    accounted = [o for o in outcomes if o.rows_in]
    rows_in = sum(o.rows_in for o in accounted)
    rows_accounted = sum(o.rows_accounted for o in accounted)
    incomplete = sum(o.incomplete_publications for o in outcomes)
    print(
        f"Kills: {len(killed)} runs killed, {len(survived)} of {len(outcomes)} outcomes "
        f"survived; rows in {rows_in}, rows accounted for {rows_accounted}; "
        f"incomplete publications {incomplete}"
    )
    return len(survived) == len(outcomes) and rows_in == rows_accounted and incomplete == 0


def _print_kill(outcome: KillOutcome) -> None:
    verdict = "survived" if outcome.survived else "FAILED"
    rows = (
        f"rows in {outcome.rows_in}, accounted {outcome.rows_accounted}; "
        if outcome.rows_in
        else ""
    )
    print(
        f"  {outcome.point:32} {verdict:8} {rows}"
        f"incomplete publications {outcome.incomplete_publications}",
        flush=True,
    )
    for problem in outcome.problems:
        print(f"      {problem}")


def bad_reference(root: Path) -> bool:
    """Every bad reference folder of the corpus against a published MSP; print the figures."""
    from tests.reliability.bad_reference import REFUSED, TOLERATED, refuse, try_case, unexplained
    from tests.reliability.crashes import base_workspace

    base = base_workspace(root)
    published = base.copy(root / "bad-reference" / "data")
    refused = explained = unchanged = 0
    for number, case in enumerate(REFUSED):
        refusal = refuse(case, published.data_dir, root / "bad-reference" / str(number))
        refused += refusal.returncode == 2
        explained += not unexplained(case, refusal.problems) and all(
            refusal.console().count(str(p)) == 1 for p in refusal.problems
        )
        unchanged += refusal.after == refusal.before
    tolerated = sum(
        not try_case(case, root / "bad-reference" / f"tolerated-{n}").problems
        for n, case in enumerate(TOLERATED)
    )
    print(
        f"Reference data tried: {len(REFUSED)} bad folders, {refused} refused with exit 2, "
        f"{explained} with every problem on one line, {unchanged} leaving the published "
        f"release unchanged; {tolerated} of {len(TOLERATED)} tolerable folders accepted"
    )
    return refused == explained == unchanged == len(REFUSED) and tolerated == len(TOLERATED)


def one_delivery(root: Path) -> bool:
    """One bad delivery and its correction on a published MSP; print the figures."""
    from tests.reliability.crashes import base_workspace
    from tests.reliability.one_delivery import cases, deliver_bad, deliver_fix, quarantined, query

    base = base_workspace(root)
    delivery = deliver_bad(base.data_dir, root / "one-delivery" / "data", base.seeds_dir)
    fixed = deliver_fix(delivery) if delivery.run.returncode == 0 else None
    stopped = (delivery.run.returncode != 0) + (fixed is None or fixed.returncode != 0)
    tried = cases(delivery.day, delivery.clients)
    found = quarantined(delivery) if delivery.after else {}
    handled = sum(
        found.get((c.file, c.line)) == c.reason if c.line else c.reason in delivery.output
        for c in tried
    )
    files = (
        query(delivery, "select rows_in, rows_loaded, rows_quarantined from audit_ingested_files")
        if delivery.after
        else []
    )
    unaccounted = sum(abs(rows_in - loaded - held) for rows_in, loaded, held in files)
    moved = [
        name
        for name in ("as_of", "client_months", "first_month")
        if delivery.after.get(name) != delivery.before.get(name)
    ]
    incomplete = 0 if delivery.workspace.published.exists() else 1
    held = len(delivery.after.get("held", []))
    print(
        f"One delivery: {len(tried)} bad rows and files tried, {handled} quarantined or "
        f"refused with their reason; tickets of an unknown client held {held} (1 delivered); "
        f"rows unaccounted {unaccounted}; incomplete "
        f"publications {incomplete}; runs stopped by one row {stopped}; figures of other "
        f"clients moved: {', '.join(moved) or 'none'}"
    )
    return (
        handled == len(tried)
        and held == 1
        and not unaccounted
        and not incomplete
        and not stopped
        and not moved
    )


def rebuilds(root: Path) -> bool:
    """Two rebuilds (the first with an intruding second run); print the figures."""
    from tests.reliability.rebuilds import rebuild, table_digests

    first = rebuild(root / "rebuilds", "first", intruder=True)
    second = rebuild(root / "rebuilds", "second")
    refused = first.intruder_exit_code == 2 and len(first.intruder_output.splitlines()) == 1
    print(
        f"Concurrency: a second run during a run exited {first.intruder_exit_code} after "
        f"{first.intruder_seconds:.1f} s ({'refused' if refused else 'NOT REFUSED'}): "
        f"{first.intruder_output.strip()[:200]}"
    )
    if first.exit_code != 0 or second.exit_code != 0:
        print(f"Determinism: a rebuild failed (exit {first.exit_code}, {second.exit_code})")
        return False
    ours, theirs = (
        table_digests(first.workspace.published),
        table_digests(second.workspace.published),
    )
    differing = sorted(t for t in ours.keys() | theirs.keys() if ours.get(t) != theirs.get(t))
    print(
        f"Determinism: {len(ours) - len(differing)} of {len(ours)} published tables identical "
        "in two rebuilds" + (f"; differing: {', '.join(differing)}" if differing else "")
    )
    return refused and not differing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="work folder (default: a new temporary one)")
    parser.add_argument(
        "--points", nargs="+", choices=ALL_POINTS, default=list(ALL_POINTS), metavar="POINT"
    )
    parser.add_argument("--in-turn", action="store_true", help="every kill in one folder")
    parser.add_argument("--seed", type=int, default=0, help="of the random kill's moment")
    parser.add_argument("--no-rebuilds", action="store_true", help="skip determinism")
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="xla-reliability-"))
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(f"Work folder: {root}; kill points: {', '.join(KILL_POINTS)}, random", flush=True)
    good = bad_inputs(root)
    good = bad_reference(root) and good
    good = one_delivery(root) and good
    good = kills(root, args.points, args.in_turn, args.seed) and good
    if not args.no_rebuilds:
        good = rebuilds(root) and good
    print(
        f"{'All figures as they must be' if good else 'NOT ALL FIGURES AS THEY MUST BE'} "
        f"({time.monotonic() - started:.0f} s)"
    )
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
