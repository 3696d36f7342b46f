"""The audit store of check results: append-only, one immutable Parquet file per run and stage.

A run never rewrites an earlier run's file, so `audit_check_results` in the published
warehouse is the whole history of every check of every run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.config import Settings
from orchestration.files import write_parquet

RESULTS_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string()),
        pa.field("stage", pa.string()),
        pa.field("check_name", pa.string()),
        pa.field("target", pa.string()),
        pa.field("severity", pa.string()),
        pa.field("passed", pa.bool_()),
        pa.field("failing_count", pa.int64()),
        pa.field("sample_keys", pa.string()),
        pa.field("detail", pa.string()),
        pa.field("checked_at", pa.timestamp("us", tz="UTC")),
    ]
)


NOT_RUN = "not run: a model it tests was not built"
# What a failed check with no failing rows is called, where "FAILED" would mislead: an
# extract whose newest file is old is stale, not broken.
FAILED_WORDS = {"freshness": "stale"}
# Failed warn checks that report findings for the MSP to look into, not broken rows: the
# console counts them in words (singular, plural) and says where they are named.
FINDING_WORDS = {"no_client_feed_is_silent": ("silent feed", "silent feeds")}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check in one run."""

    check_name: str
    target: str
    severity: str  # "error" blocks publication, "warn" is published for review
    passed: bool
    failing_count: int = 0
    sample_keys: tuple[str, ...] = ()
    detail: str = ""

    @property
    def not_run(self) -> bool:
        """Failed because it could not run (what it tests was not built)."""
        return not self.passed and self.detail == NOT_RUN

    @property
    def blocks(self) -> bool:
        return self.severity == "error" and not self.passed

    def line(self) -> str:
        if not self.passed and self.check_name in FINDING_WORDS:
            one, many = FINDING_WORDS[self.check_name]
            found = f"{self.failing_count} {one if self.failing_count == 1 else many}"
            return (
                f"{self.severity:5} {self.check_name} on {self.target}: {found}, "
                "named on the auditors' site"
            )
        state = (
            "passed"
            if self.passed
            else FAILED_WORDS.get(self.check_name, "FAILED")
            if not self.failing_count
            else f"FAILED ({self.failing_count} failing)"
        )
        text = f"{self.severity:5} {self.check_name} on {self.target}: {state}"
        return f"{text} - {self.detail}" if self.detail and not self.passed else text


def results_dir(settings: Settings) -> Path:
    return settings.audit_dir / "check_results"


def record(settings: Settings, run_id: str, stage: str, results: list[CheckResult]) -> None:
    """Append one stage's results of a run to the audit store."""
    now = datetime.now(UTC)
    rows = {
        "run_id": [run_id] * len(results),
        "stage": [stage] * len(results),
        "check_name": [r.check_name for r in results],
        "target": [r.target for r in results],
        "severity": [r.severity for r in results],
        "passed": [r.passed for r in results],
        "failing_count": [r.failing_count for r in results],
        "sample_keys": [json.dumps(list(r.sample_keys)) for r in results],
        "detail": [r.detail for r in results],
        "checked_at": [now] * len(results),
    }
    write_parquet(
        pa.table(rows, schema=RESULTS_SCHEMA), results_dir(settings) / run_id / f"{stage}.parquet"
    )


def for_run(settings: Settings, run_id: str) -> list[CheckResult]:
    """Every result recorded for a run, in stage order of recording."""
    folder = results_dir(settings) / run_id
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.parquet"), key=lambda p: p.stat().st_mtime_ns)
    results = []
    for path in files:
        for row in pq.read_table(path).to_pylist():
            results.append(
                CheckResult(
                    check_name=row["check_name"],
                    target=row["target"],
                    severity=row["severity"],
                    passed=row["passed"],
                    failing_count=row["failing_count"],
                    sample_keys=tuple(json.loads(row["sample_keys"])),
                    detail=row["detail"],
                )
            )
    return results


def history(settings: Settings) -> pa.Table:
    """All results of all runs (the published `audit_check_results`)."""
    files = sorted(results_dir(settings).glob("*/*.parquet"))
    if not files:
        return RESULTS_SCHEMA.empty_table()
    tables = [pq.read_table(p, schema=RESULTS_SCHEMA) for p in files]
    return pa.concat_tables(tables).sort_by([("checked_at", "ascending"), ("run_id", "ascending")])


def to_dagster(result: CheckResult, asset_key: dg.AssetKey | None = None) -> dg.AssetCheckResult:
    """A check result as a Dagster asset check evaluation (on its target unless given)."""
    return dg.AssetCheckResult(
        asset_key=asset_key or dg.AssetKey(result.target.split("/")),
        check_name=result.check_name,
        passed=result.passed,
        severity=(
            dg.AssetCheckSeverity.ERROR
            if result.severity == "error"
            else dg.AssetCheckSeverity.WARN
        ),
        metadata={
            "failing_count": result.failing_count,
            "sample_keys": ", ".join(result.sample_keys),
            "detail": result.detail,
        },
    )
