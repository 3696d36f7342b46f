"""The audit store of check results: append-only, one immutable Parquet file per run and stage.

A run never rewrites an earlier run's file, so `audit_check_results` in the published
warehouse is the whole history of every check of every run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.config import Settings

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
    def blocks(self) -> bool:
        return self.severity == "error" and not self.passed

    def line(self) -> str:
        state = (
            "passed"
            if self.passed
            else f"FAILED ({self.failing_count} failing)"
            if self.failing_count
            else "FAILED"
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
    path = results_dir(settings) / run_id / f"{stage}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(pa.table(rows, schema=RESULTS_SCHEMA), tmp)
    tmp.replace(path)


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
