"""Kill `xla run` with SIGKILL at named points, run it again, and count what survived.

One small generated MSP (`generate(scale=0.05, months=1, seed=1)`) is shared by every
scenario. Its landing files are split by extract date: the first ten days are ingested
and published once into a base data folder (`base_workspace`); each scenario works on a
copy of it, lands later days, and kills a run:

- at a named point (`orchestration/faults.py`: the run kills itself when `XLA_FAULT`
  names the point), or
- at a random time (`RANDOM`): the test sends SIGKILL to the `xla run` process after a
  delay drawn from a seeded generator.

After the kill, and again after the next (unfaulted) `xla run`, the data folder is
inspected: the published warehouse must be a complete publication (it opens, has every
table of the base publication, and its newest `audit_publications` row is the
publication its release says it holds); after the recovery run every distinct landed
file must be in the ledger once, its rows in the lake or quarantine exactly once, no
landing file left behind, no `.incoming-*` release or temporary link left over, and the
audit record of the publication written.

`kill_and_recover` runs one kill on its own copy (what `scripts/reliability.py` does
for every point); `kill_in_turn` runs every point one after the other in one data
folder, each run killed at the next point, which costs far fewer builds (what the tests
do).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.faults import FAULT_ENV, KILL_POINTS
from orchestration.ingest.landing import file_identity
from orchestration.ingest.reader import classify
from xla_lab.generate import generate

RANDOM = "random"
ALL_POINTS = (*KILL_POINTS, RANDOM)
REPO_ROOT = Path(__file__).resolve().parents[2]
SCALE, MONTHS, SEED = 0.05, 1, 1
BASE_DAYS = "20260110"  # files up to this extract date are in the base publication
LATE_DAYS = "20260125"  # files after it are kept for the random kill of `kill_in_turn`
RUN_TIMEOUT = 600


@dataclass(frozen=True)
class KillOutcome:
    """What one kill and the run after it left behind."""

    point: str
    survived: bool
    rows_in: int
    rows_accounted: int
    incomplete_publications: int
    killed: bool = True
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    """The generated MSP: every landing file, and its reference data."""

    landing: Path
    seeds: Path

    def files(self, after: str = "", through: str = "99999999") -> list[Path]:
        """Landing files with an extract date in (after, through]."""
        return [
            path
            for path in sorted(self.landing.glob("*.csv"))
            if after < _extract_date(path) <= through
        ]


def _extract_date(path: Path) -> str:
    return next(part for part in path.stem.split("_") if part.isdigit() and len(part) == 8)


@dataclass
class Workspace:
    """A data folder and the way to run `xla` on it."""

    data_dir: Path
    seeds_dir: Path
    landed: list[Path] = field(default_factory=list)  # every file ever landed here
    run_seconds: float = 30.0  # how long a whole run took here (for random kills)

    def env(self, **extra: str) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if name != FAULT_ENV}
        return {
            **env,
            "XLA_DATA_DIR": str(self.data_dir),
            "XLA_SEEDS_DIR": str(self.seeds_dir),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "GX_ANALYTICS_ENABLED": "false",
            **extra,
        }

    def command(self) -> list[str]:
        return [sys.executable, "-m", "orchestration.cli", "run"]

    def run(self, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(),
            env=self.env(**extra),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )

    def start(self, log: Path, **extra: str) -> subprocess.Popen[bytes]:
        """`xla run` in the background, its output going to `log`."""
        with log.open("wb") as sink:
            return subprocess.Popen(
                self.command(),
                env=self.env(**extra),
                cwd=REPO_ROOT,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    def land(self, files: Iterable[Path]) -> None:
        landing = self.data_dir / "landing"
        landing.mkdir(parents=True, exist_ok=True)
        for path in files:
            shutil.copyfile(path, landing / path.name)
            self.landed.append(path)

    def copy(self, data_dir: Path) -> Workspace:
        if data_dir.exists():
            shutil.rmtree(data_dir)
        shutil.copytree(self.data_dir, data_dir, symlinks=True)
        return Workspace(data_dir, self.seeds_dir, list(self.landed), self.run_seconds)

    @property
    def published(self) -> Path:
        return self.data_dir / "published" / "warehouse.duckdb"


def dataset(root: Path) -> Dataset:
    """The shared generated MSP under `root/generated` (written once)."""
    folder = root / "generated"
    found = Dataset(folder / "landing", folder / "seeds")
    if not (folder / "complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(found.landing, scale=SCALE, months=MONTHS, seed=SEED, seeds_dir=found.seeds)
        (folder / "complete").touch()
    return found


def base_workspace(root: Path) -> Workspace:
    """A data folder with the first days ingested and published (made once under `root`)."""
    data = dataset(root)
    folder = root / "base"
    workspace = Workspace(folder / "data", data.seeds)
    marker = folder / "landed.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        workspace.landed = [Path(p) for p in saved["landed"]]
        workspace.run_seconds = saved["run_seconds"]
        return workspace
    shutil.rmtree(folder, ignore_errors=True)
    workspace.land(data.files(through=BASE_DAYS))
    started = time.monotonic()
    run = workspace.run()
    if run.returncode != 0:
        raise RuntimeError(f"the base run failed ({run.returncode}):\n{run.stdout[-3000:]}")
    workspace.run_seconds = time.monotonic() - started
    marker.write_text(
        json.dumps(
            {"landed": [str(p) for p in workspace.landed], "run_seconds": workspace.run_seconds}
        )
    )
    return workspace


# What a data folder must look like -------------------------------------------------------


def count_rows(path: Path) -> int:
    """Data rows of a landing file as ingest counts them: CSV records after the header,
    blank lines not counted."""
    text = path.read_bytes().decode("utf-8-sig")
    records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    return max(len(records) - 1, 0)


def _distinct(files: Iterable[Path]) -> dict[str, Path]:
    """Landed files by their identity in the ledger: the same bytes twice are one
    delivery, except a file with no rows, which is a delivery of its own date."""
    return {file_identity(classify(p), p.read_bytes()): p for p in files}


def rows_accounted(data_dir: Path) -> dict[str, int]:
    """Rows in the lake and in quarantine, by the hash of the file they came from."""
    lake = data_dir / "lake"
    counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        for folder in sorted(p for p in lake.iterdir() if p.is_dir()):
            files = [str(p) for p in sorted(folder.glob("*.parquet")) if p.name[0] != "_"]
            if not files:
                continue
            column = "file_sha256" if folder.name == "quarantine" else "_file_sha256"
            for sha, n in con.execute(
                f"select {column}, count(*) from read_parquet(?, union_by_name = true) group by 1",
                [files],
            ).fetchall():
                counts[sha] = counts.get(sha, 0) + n
    finally:
        con.close()
    return counts


def ingest_problems(workspace: Workspace) -> tuple[int, int, list[str]]:
    """Rows landed, rows accounted for, and what is wrong with the ingest of them."""
    landed = _distinct(workspace.landed)
    rows_in = {sha: count_rows(path) for sha, path in landed.items()}
    found = rows_accounted(workspace.data_dir)
    problems = []
    ledger_dir = workspace.data_dir / "audit" / "ingested"
    for sha, path in landed.items():
        entry = ledger_dir / f"{sha}.json"
        if not entry.exists():
            problems.append(f"{path.name}: not in the ledger")
            continue
        record = json.loads(entry.read_text())
        if record["rows_in"] != rows_in[sha]:
            problems.append(
                f"{path.name}: ledger says {record['rows_in']} rows, {rows_in[sha]} landed"
            )
        if found.get(sha, 0) != rows_in[sha]:
            problems.append(
                f"{path.name}: {rows_in[sha]} rows landed, {found.get(sha, 0)} in lake + quarantine"
            )
        if not (workspace.data_dir / record["archive_file"]).exists():
            problems.append(f"{path.name}: no archive copy")
    strays = set(found) - set(landed)
    if strays:
        problems.append(f"rows from {len(strays)} files never landed are in the lake")
    left = sorted(p.name for p in (workspace.data_dir / "landing").glob("*.csv"))
    if left:
        problems.append(f"left in landing/: {', '.join(left[:3])}")
    # Every row of the lake and quarantine: a row stored twice counts twice.
    return sum(rows_in.values()), sum(found.values()), problems


def publication_problems(workspace: Workspace, tables: set[str], *, settled: bool) -> list[str]:
    """Why `published/warehouse.duckdb` is not one whole publication (empty if it is).

    `settled`: also require what a finished run leaves: the publication's audit record,
    and no half-made release or link.
    """
    problems: list[str] = []
    link = workspace.data_dir / "published"
    if not workspace.published.exists():
        return [f"{workspace.published} does not exist"]
    try:
        con = duckdb.connect(str(workspace.published), read_only=True)
    except duckdb.Error as error:
        return [f"{workspace.published} does not open: {error}"]
    try:
        present = {
            name if schema == "main" else f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
        missing = tables - present
        if missing:
            problems.append(f"tables missing: {', '.join(sorted(missing))}")
        for table in sorted(present):
            con.execute(f"select count(*) from {table}").fetchone()
        latest = con.execute(
            "select run_id, fingerprint from audit_publications order by published_at desc, "
            "run_id desc limit 1"
        ).fetchone()
    except duckdb.Error as error:
        problems.append(f"{workspace.published} cannot be read whole: {error}")
        latest = None
    finally:
        con.close()
    record_path = link / "publication.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else None
    if record is None:
        problems.append("the release has no publication.json")
    elif latest is None or [record["run_id"], record["fingerprint"]] != list(latest):
        problems.append(f"publication.json ({record['run_id']}) is not the file's ({latest})")
    if settled:
        releases = workspace.data_dir / "releases"
        stale = sorted(p.name for p in releases.glob(".incoming-*"))
        stale += sorted(p.name for p in workspace.data_dir.glob(".published.*.tmp"))
        if stale:
            problems.append(f"left over: {', '.join(stale)}")
        if record is not None:
            audit = workspace.data_dir / "audit" / "publications" / f"{record['run_id']}.json"
            if not audit.exists() or json.loads(audit.read_text()) != record:
                problems.append(f"no audit record of publication {record['run_id']}")
    return problems


def published_tables(workspace: Workspace) -> set[str]:
    con = duckdb.connect(str(workspace.published), read_only=True)
    try:
        return {
            name if schema == "main" else f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
    finally:
        con.close()


# Killing runs ----------------------------------------------------------------------------


def _wait_for(path: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and text in path.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


def kill_at_random(workspace: Workspace, log: Path, rng: random.Random) -> tuple[bool, str]:
    """Start `xla run`, SIGKILL it at a random moment of its work; whether it died so."""
    process = workspace.start(log)
    # From start-up to well into the build: a whole run took `run_seconds` here, and a
    # later run on a less busy machine may take half as long.
    delay = rng.uniform(1.0, 0.5 * workspace.run_seconds)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True, f"killed after {delay:.1f} s"
    return False, f"finished (exit {process.returncode}) before {delay:.1f} s"


def _kill(workspace: Workspace, point: str, log: Path, rng: random.Random) -> tuple[bool, str]:
    if point == RANDOM:
        return kill_at_random(workspace, log, rng)
    run = workspace.run(**{FAULT_ENV: point})
    log.write_text(run.stdout + run.stderr)
    if run.returncode == -signal.SIGKILL:
        return True, f"killed at {point}"
    return False, f"not killed at {point}: exit {run.returncode}, {run.stdout[-300:]}"


def kill_and_recover(point: str, root: Path, seed: int = 0) -> KillOutcome:
    """Kill a run at `point` on a fresh copy of the base folder, then run again."""
    base = base_workspace(root)
    tables = published_tables(base)
    data = dataset(root)
    workspace = base.copy(root / "kills" / point / "data")
    workspace.land(data.files(after=BASE_DAYS))
    rng = random.Random(seed)
    killed, how = _kill(workspace, point, root / "kills" / point / "killed.log", rng)
    incomplete = 0
    problems = [] if killed else [how]
    after_kill = publication_problems(workspace, tables, settled=False)
    if after_kill:
        incomplete += 1
        problems += [f"after the kill: {p}" for p in after_kill]
    recovery = workspace.run()
    (root / "kills" / point / "recovery.log").write_text(recovery.stdout + recovery.stderr)
    if recovery.returncode != 0:
        problems.append(f"the next run exited {recovery.returncode}: {_last_line(recovery.stdout)}")
    after_recovery = publication_problems(workspace, tables, settled=True)
    if after_recovery:
        incomplete += 1
        problems += [f"after the next run: {p}" for p in after_recovery]
    rows_in, accounted, ingest = ingest_problems(workspace)
    problems += ingest
    return KillOutcome(
        point=point if point != RANDOM else f"{RANDOM} ({how})",
        survived=not problems,
        rows_in=rows_in,
        rows_accounted=accounted,
        incomplete_publications=incomplete,
        killed=killed,
        problems=tuple(problems),
    )


def kill_in_turn(root: Path, seed: int = 0) -> list[KillOutcome]:
    """Every kill point in one data folder: each run is killed at the next point, so each
    run also repairs what the previous one left; then a random kill and a clean run.

    The outcome of a point is read after the run it killed (the publication must be
    whole) and after the run that follows it (which must get further, or finish).
    """
    base = base_workspace(root)
    tables = published_tables(base)
    data = dataset(root)
    folder = root / "in-turn"
    workspace = base.copy(folder / "data")
    workspace.land(data.files(after=BASE_DAYS, through=LATE_DAYS))
    rng = random.Random(seed)
    outcomes: list[KillOutcome] = []
    steps = [*KILL_POINTS, RANDOM]
    for number, point in enumerate(steps):
        if point == RANDOM:
            workspace.land(data.files(after=LATE_DAYS))
        killed, how = _kill(workspace, point, folder / f"{number:02d}-{point}.log", rng)
        problems = [] if killed else [how]
        incomplete = 0
        after_kill = publication_problems(workspace, tables, settled=False)
        if after_kill:
            incomplete += 1
            problems += [f"after the kill: {p}" for p in after_kill]
        outcomes.append(
            KillOutcome(
                point=point if point != RANDOM else f"{RANDOM} ({how})",
                survived=not problems,
                rows_in=0,
                rows_accounted=0,
                incomplete_publications=incomplete,
                killed=killed,
                problems=tuple(problems),
            )
        )
    recovery = workspace.run()
    (folder / "recovery.log").write_text(recovery.stdout + recovery.stderr)
    problems = []
    if recovery.returncode != 0:
        problems.append(f"the last run exited {recovery.returncode}: {_last_line(recovery.stdout)}")
    settled = publication_problems(workspace, tables, settled=True)
    problems += [f"after the last run: {p}" for p in settled]
    rows_in, accounted, ingest = ingest_problems(workspace)
    problems += ingest
    outcomes.append(
        KillOutcome(
            point="recovery",
            survived=not problems,
            rows_in=rows_in,
            rows_accounted=accounted,
            incomplete_publications=1 if settled else 0,
            killed=False,
            problems=tuple(problems),
        )
    )
    return outcomes


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
