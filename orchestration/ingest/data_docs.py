"""Great Expectations Data Docs of the ingest's validations.

Every validation result of a run is kept as JSON in `audit/gx_validations/<run_id>/`,
append-only like the check results. `build/gx_docs/` holds the Data Docs of every
suite's latest validation, whichever run made it, rendered from those files: a run that
validates one extract replaces that suite's result and leaves the others, a run that
ingests nothing leaves the docs as they are, and a missing or stale docs folder is
rendered again from the store, with the same pages, so the docs never depend on the
build folder surviving. Each page names its run and when it validated.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.config import Settings
from orchestration.contract import LANDING_EXTRACTS
from orchestration.files import replace_dir, write_atomic

if TYPE_CHECKING:
    from orchestration.ingest.expectations import SuiteRunner

# Written into the docs folder: the run and time of each suite's result it shows, and
# (`run_id`, `validated_at`) the run when they are all of one run.
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


def _when(document: dict[str, Any]) -> tuple[datetime, str]:
    return datetime.fromisoformat(document["validated_at"]), document["run_id"]


def latest_results(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each extract's latest stored validation (`run_id`, `validated_at`, `result`).

    Latest by when it was validated, whichever run it was; extracts the contract no
    longer has are left out, as their suites are gone.
    """
    latest: dict[str, dict[str, Any]] = {}
    for path in sorted(store_dir(settings).glob("*/*.json")):
        if path.stem not in LANDING_EXTRACTS:
            continue
        document = _load(path)
        if path.stem not in latest or _when(document) > _when(latest[path.stem]):
            latest[path.stem] = document
    return dict(sorted(latest.items()))


def _about(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The marker of docs showing these results: each one's run, and the run of all."""
    shown = {
        name: {"run_id": document["run_id"], "validated_at": document["validated_at"]}
        for name, document in documents.items()
    }
    about: dict[str, Any] = {"results": shown}
    if len({(entry["run_id"], entry["validated_at"]) for entry in shown.values()}) == 1:
        about.update(next(iter(shown.values())))
    return about


def shown(settings: Settings) -> dict[str, dict[str, str]] | None:
    """By extract, the run and time of the result the docs folder shows, if it holds any."""
    marker = docs_dir(settings) / RUN_MARKER
    if not (docs_dir(settings) / "index.html").exists() or not marker.exists():
        return None
    results = json.loads(marker.read_text()).get("results")
    return results if isinstance(results, dict) else None


def shown_run(settings: Settings) -> str | None:
    """The latest run whose validations the docs folder shows, if it holds any."""
    results = shown(settings)
    if not results:
        return None
    return max(results.values(), key=_when)["run_id"]


def build(settings: Settings, run_id: str | None = None, runner: SuiteRunner | None = None) -> Path:
    """Render every suite's latest stored validation as the Data Docs in `build/gx_docs/`.

    `run_id`, when given, is the run that has just stored its validations (they must be
    in the store); the other suites keep the results of the runs that last validated them.
    """
    if run_id is not None and not any((store_dir(settings) / run_id).glob("*.json")):
        raise FileNotFoundError(f"no stored validations of run {run_id}")
    return _render(settings, latest_results(settings), runner)


def _render(
    settings: Settings, documents: dict[str, dict[str, Any]], runner: SuiteRunner | None
) -> Path:
    from orchestration.ingest.expectations import SuiteRunner

    if not documents:
        raise FileNotFoundError(f"no stored validations in {store_dir(settings)}")
    runner = runner or SuiteRunner()

    def render(out_dir: Path) -> None:
        runner.build_data_docs(
            out_dir,
            {
                name: (
                    document["run_id"],
                    datetime.fromisoformat(document["validated_at"]),
                    document["result"],
                )
                for name, document in documents.items()
            },
        )
        (out_dir / RUN_MARKER).write_text(json.dumps(_about(documents), sort_keys=True))

    replace_dir(docs_dir(settings), render)
    return docs_dir(settings)


def ensure(settings: Settings) -> Path | None:
    """The Data Docs of every suite's latest validation, rendered if need be."""
    documents = latest_results(settings)
    if not documents:
        return None
    if shown(settings) == _about(documents)["results"]:
        return docs_dir(settings)
    return _render(settings, documents, None)
