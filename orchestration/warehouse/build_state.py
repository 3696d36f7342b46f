"""What the build file was last built from, and so how the next build may proceed.

Beside the build file, `build_state.json` records the highest `_ingest_seq` of the lake
rows the last complete build saw, and a fingerprint of everything else the marts depend
on: the reference seeds, the dbt project's code and the build's vars. A build with the
same fingerprint recomputes only what lake rows with a higher seq touch; any other build
(no state, a changed fingerprint, another engine, a full refresh asked for) rebuilds every
table. The state advances only after a build whose models and seeds all built, so a failed or
killed build is redone by the next run.

dbt's unit tests test the project's SQL against fixed inputs, not the data: a build runs
them only when the project's code differs from the last complete build's (and on every
full build), and leaves them out otherwise.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from orchestration import engine
from orchestration.config import DBT_PROJECT_DIR, Settings
from orchestration.contract import LANDING_EXTRACTS
from orchestration.files import write_atomic
from orchestration.reference import snapshot

STATE_FILE = "build_state.json"
# The parts of the dbt project that decide what a build computes.
_PROJECT_CODE = ("dbt_project.yml", "macros", "models", "tests")


@dataclass(frozen=True)
class BuildState:
    """The last complete build: the lake's seq it saw and the fingerprint it had."""

    ingest_seq: int
    fingerprint: str
    # The digest of the dbt project's code alone: whether the unit tests must run. A
    # state written before it was recorded reads as "" and so runs them.
    code_fingerprint: str = ""
    # The engine that built it: a Spark catalog and a DuckDB file are two warehouses, so
    # a build on the other engine is a full one. States from before engines are DuckDB's.
    engine: str = "duckdb"
    # The seq up to which every data test that fails a build passed (-1: none has yet).
    # The staging's such tests read only rows above it (docs/incremental-builds.md): a
    # row that failed one is tested again on every build until a build passes them all.
    tested_seq: int = -1


@dataclass(frozen=True)
class BuildPlan:
    """How to run the next build."""

    full_refresh: bool
    since_ingest_seq: int
    # Whether the build runs dbt's unit tests: the code changed, or a full build.
    unit_tests: bool
    # The state to record once this build completed.
    next_state: BuildState
    reason: str
    # The seq above which the staging's data tests that fail a build read rows: the last
    # state's `tested_seq`; -1 (every row) for a full build.
    tested_since_seq: int = -1

    def parameters(self, as_of: str) -> dict[str, str]:
        """The build's run parameters (dbt_project/macros/run_parameters.sql), as the
        environment of its dbt: `as_of` (empty: the data decides) and the seq the build
        starts from (-1 for a full build: every row is new). Not `--vars`: dbt parses the
        whole project again when its vars change, and these change every night."""
        return {
            "XLA_AS_OF": as_of or "",
            "XLA_SINCE_INGEST_SEQ": str(-1 if self.full_refresh else self.since_ingest_seq),
            "XLA_TESTED_SINCE_SEQ": str(-1 if self.full_refresh else self.tested_since_seq),
        }

    def args(self, exclude: Sequence[str] = ()) -> list[str]:
        """The arguments of `dbt build` for this plan, leaving out `exclude`'s resource types.

        dbt takes one `--exclude-resource-type` list, so the plan's own exclusion (the
        unit tests, when the code is unchanged) and the caller's are given as one.
        """
        excluded = [*exclude, *([] if self.unit_tests else ["unit_test"])]
        return [
            "build",
            *(["--full-refresh"] if self.full_refresh else []),
            *(["--exclude-resource-type", *dict.fromkeys(excluded)] if excluded else []),
        ]

    def model_args(self) -> list[str]:
        """`dbt build` of the seeds and models alone: a failing test never stops a model
        being built, so every mart the gate depends on is built whenever dbt can build it."""
        return self.args(exclude=("test", "unit_test"))

    def test_args(self) -> list[str]:
        """`dbt test` of what `model_args` built: the data tests, and the unit tests when
        the plan runs them."""
        return [
            "test",
            *([] if self.unit_tests else ["--exclude-resource-type", "unit_test"]),
        ]


def state_path(settings: Settings) -> Path:
    return settings.build_dir / STATE_FILE


def load(settings: Settings) -> BuildState | None:
    """The recorded state, or None when there is none (or it cannot be read)."""
    path = state_path(settings)
    try:
        return BuildState(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def save(settings: Settings, state: BuildState) -> None:
    write_atomic(state_path(settings), json.dumps(asdict(state), indent=2).encode())


def forget(settings: Settings) -> None:
    """Drop the state, so the next build is a full one."""
    state_path(settings).unlink(missing_ok=True)


def lake_ingest_seq(settings: Settings) -> int:
    """The highest `_ingest_seq` of any lake row (0 for rows from before seqs)."""
    highest = 0
    con = duckdb.connect()
    try:
        for extract in LANDING_EXTRACTS.values():
            folder = settings.lake_dir / extract.name
            if not any(folder.glob("*.parquet")):
                continue
            pattern = str(folder / "*.parquet").replace("'", "''")
            columns = {
                row[0]
                for row in con.execute(
                    f"describe select * from read_parquet('{pattern}', union_by_name = true)"
                ).fetchall()
            }
            if "_ingest_seq" not in columns:
                continue
            value = con.execute(
                f"select max(_ingest_seq) from read_parquet('{pattern}', union_by_name = true)"
            ).fetchone()
            highest = max(highest, int(value[0] or 0) if value else 0)
    finally:
        con.close()
    return highest


def _project_code_files() -> list[Path]:
    files: list[Path] = []
    for part in _PROJECT_CODE:
        path = DBT_PROJECT_DIR / part
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return files


def _digest(digest: Any, files: list[Path]) -> None:
    for path in files:
        digest.update(f"{path.name}\0{len(path.read_bytes())}\0".encode())
        digest.update(path.read_bytes())


# Unit tests test the dbt code, not the data: once they passed on a version of the code,
# no build of that code on this installation runs them again, whatever its data folder
# (a new data folder's first build included). One empty file per version that passed.
UNIT_TESTS_PASSED_DIR = DBT_PROJECT_DIR / ".unit_tests_passed"


def _unit_tests_marker(state: BuildState) -> Path:
    return UNIT_TESTS_PASSED_DIR / f"{state.engine}-{state.code_fingerprint}"


def unit_tests_passed(state: BuildState) -> bool:
    """Whether the unit tests passed in a complete build of this version of the code, on
    this engine."""
    return bool(state.code_fingerprint) and _unit_tests_marker(state).exists()


def code_fingerprint() -> str:
    """A digest of the dbt project's code alone: what its unit tests test."""
    digest = hashlib.sha256()
    _digest(digest, _project_code_files())
    return digest.hexdigest()


def fingerprint(reference_digest: str, as_of: str) -> str:
    """A digest of everything besides the lake that the marts depend on.

    The reference data the build loads (its snapshot's digest: the content as loaded,
    so re-saving a file with other line ends changes nothing), the project code's bytes,
    and the vars other than the seq: an explicit `as_of` that differs from the last
    build's moves every open ticket's clock.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps({"as_of": as_of, "reference": reference_digest}).encode())
    _digest(digest, _project_code_files())
    return digest.hexdigest()


def plan(
    settings: Settings,
    as_of: str,
    full_refresh: bool = False,
    reference: snapshot.Snapshot | None = None,
) -> BuildPlan:
    """Whether the next build may be incremental, and from which seq.

    `reference` is the snapshot the build loads (default: one taken of the reference
    folder now).
    """
    reference = reference or snapshot.take(settings.seeds_dir)
    previous = load(settings)
    build = engine.current(settings)
    current = BuildState(
        lake_ingest_seq(settings),
        fingerprint(reference.digest, as_of),
        code_fingerprint(),
        build.name,
    )
    if full_refresh:
        reason = "a full refresh was asked for"
    elif not build.has_build() or previous is None:
        reason = "no complete earlier build"
    elif previous.engine != current.engine:
        reason = f"the engine changed from {previous.engine} to {current.engine}"
    elif previous.fingerprint != current.fingerprint:
        reason = "the reference data (seeds), the dbt project or the build's settings changed"
    elif previous.ingest_seq > current.ingest_seq:
        reason = "the lake holds fewer files than the last build saw"
    else:
        # The unit tests passed in the last complete build (a failing one skips its
        # model, and the state then stays): unchanged code needs no second run.
        return BuildPlan(
            full_refresh=False,
            since_ingest_seq=previous.ingest_seq,
            unit_tests=previous.code_fingerprint != current.code_fingerprint
            and not unit_tests_passed(current),
            next_state=current,
            reason=f"incremental: lake files after seq {previous.ingest_seq}",
            tested_since_seq=previous.tested_seq,
        )
    return BuildPlan(
        full_refresh=True,
        since_ingest_seq=0,
        unit_tests=not unit_tests_passed(current),
        next_state=current,
        reason=reason,
    )


def models_all_built(run_results: Mapping[str, Any]) -> bool:
    """Whether a `dbt build` built every model, seed and snapshot it ran."""
    built = [
        r
        for r in run_results.get("results", [])
        if r["unique_id"].split(".")[0] in ("model", "seed", "snapshot")
    ]
    return bool(built) and all(r.get("status") == "success" for r in built)


def record_if_complete(
    settings: Settings, build: BuildPlan, complete: bool, tests_passed: bool = False
) -> None:
    """Advance the state after a complete build only.

    After any other the recorded state stays: the next build starts from the same seq
    and recomputes the same keys again, whatever part of this one committed. The tested
    seq advances only when, besides, every data test that fails a build passed.
    """
    if complete:
        tested = build.next_state.ingest_seq if tests_passed else build.tested_since_seq
        save(settings, replace(build.next_state, tested_seq=tested))
        # Complete means every model was built: a failing unit test skips its model.
        if build.unit_tests and build.next_state.code_fingerprint:
            write_atomic(_unit_tests_marker(build.next_state), b"")
