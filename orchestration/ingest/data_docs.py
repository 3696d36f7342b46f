"""Great Expectations Data Docs of the ingest's validations.

Every validation result of a run is kept as JSON in `audit/gx_validations/<run_id>/`,
append-only like the check results. `build/gx_docs/` holds the Data Docs of the latest
run that validated anything, rendered from those files: a run that ingests nothing
leaves them as they are, and a missing or stale docs folder is rendered again from the
store, so the docs never depend on the build folder surviving.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.config import Settings
from orchestration.files import replace_dir, write_atomic

if TYPE_CHECKING:
    from orchestration.ingest.expectations import SuiteRunner

# Written into the docs folder: the run whose validations it shows.
RUN_MARKER = "xla_run.json"


def store_dir(settings: Settings) -> Path:
    return settings.audit_dir / "gx_validations"


def docs_dir(settings: Settings) -> Path:
    return settings.build_dir / "gx_docs"


def save(settings: Settings, run_id: str, validations: dict[str, dict[str, Any]]) -> None:
    """Keep one run's validation results (GX JSON, by extract) in the audit store."""
    validated_at = datetime.now(UTC).isoformat()
    for name, result in sorted(validations.items()):
        document = {"run_id": run_id, "validated_at": validated_at, "result": result}
        write_atomic(
            store_dir(settings) / run_id / f"{name}.json",
            json.dumps(document, sort_keys=True).encode(),
        )


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def latest_validated_run(settings: Settings) -> str | None:
    """The latest run that validated anything, by when it validated."""
    runs = {}
    for path in store_dir(settings).glob("*/*.json"):
        document = _load(path)
        runs[document["run_id"]] = document["validated_at"]
    if not runs:
        return None
    return max(runs, key=lambda run: (runs[run], run))


def shown_run(settings: Settings) -> str | None:
    """The run whose validations the docs folder shows, if it holds any."""
    marker = docs_dir(settings) / RUN_MARKER
    if not (docs_dir(settings) / "index.html").exists() or not marker.exists():
        return None
    return json.loads(marker.read_text())["run_id"]


def build(settings: Settings, run_id: str, runner: SuiteRunner | None = None) -> Path:
    """Render the stored validations of a run as the Data Docs in `build/gx_docs/`."""
    from orchestration.ingest.expectations import SuiteRunner

    documents = {
        path.stem: _load(path) for path in sorted((store_dir(settings) / run_id).glob("*.json"))
    }
    if not documents:
        raise FileNotFoundError(f"no stored validations of run {run_id}")
    validated_at = datetime.fromisoformat(next(iter(documents.values()))["validated_at"])
    runner = runner or SuiteRunner()

    def render(out_dir: Path) -> None:
        runner.build_data_docs(
            out_dir,
            run_id,
            validated_at,
            {name: document["result"] for name, document in documents.items()},
        )
        marker = {"run_id": run_id, "validated_at": validated_at.isoformat()}
        (out_dir / RUN_MARKER).write_text(json.dumps(marker, sort_keys=True))

    replace_dir(docs_dir(settings), render)
    return docs_dir(settings)


def ensure(settings: Settings) -> Path | None:
    """The Data Docs of the latest run that validated anything, rendered if need be."""
    latest = latest_validated_run(settings)
    if latest is None:
        return None
    if shown_run(settings) == latest:
        return docs_dir(settings)
    return build(settings, latest)
