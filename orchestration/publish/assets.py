"""The publication step: the last asset of the run, guarded by the quality gate."""

import json

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.audit_site import release_site_writer, write_latest_site
from orchestration.config import Settings, engine_name
from orchestration.engine.spark_engine import published_schema
from orchestration.progress import announced
from orchestration.publish.publisher import (
    is_current,
    is_published,
    publish,
    published_relations,
    recover,
)
from orchestration.quality import results
from orchestration.quality.gate import GATE_KEY, decide
from orchestration.reference import snapshot
from orchestration.reports import report_writer
from orchestration.resources import XlaRun, say
from orchestration.warehouse.assets import layer, warehouse_models
from orchestration.warehouse.docs import release_docs_writer

PUBLISHED_KEY = dg.AssetKey(["published", "warehouse"])
GATE_BLOCKED_EXIT = 3


class GateBlocked(dg.Failure):
    """The quality gate failed: nothing already published was changed."""


def _latest_site(context: AssetExecutionContext, settings: Settings, *, blocked: bool) -> None:
    """The auditors' view of this run in `audit/site/`, also of a blocked run: it shows
    them why. A blocked run stays blocked (exit 3) if its site cannot be written; the
    reason is printed."""
    try:
        site = write_latest_site(settings, context.run.run_id, blocked=blocked)
    except Exception as error:
        if not blocked:
            raise
        say(context, f"Auditors' site not written: {type(error).__name__}: {error}")
        return
    say(
        context,
        f"Auditors' site of this run: {site / 'index.html'}" + (" (blocked)" if blocked else ""),
    )


def _materialized(spec: dg.AssetSpec) -> str | None:
    return spec.metadata.get("dagster-dbt/materialization_type")


def _kind(spec: dg.AssetSpec) -> str:
    """The dbt resource type of a dbt asset: seeds materialize as `seed`."""
    return "seed" if _materialized(spec) == "seed" else "model"


def _copied() -> list[dg.AssetKey]:
    """What the publication copies into the BI file: the marts built as tables and the
    seeds, chosen as `published_relations` chooses them from the manifest."""
    return sorted(
        (
            spec.key
            for spec in warehouse_models.specs
            if is_published(_kind(spec), layer(spec), _materialized(spec))
        ),
        key=lambda key: key.to_user_string(),
    )


@dg.asset(
    key=PUBLISHED_KEY,
    deps=[GATE_KEY, *_copied()],
    group_name="publish",
    kinds={"duckdb"},
    description=(
        "The published release: the marts and reference tables copied into "
        "published/warehouse.duckdb, with the monthly service reviews, the auditors' site "
        "and the data documentation beside it. Replaced whole and atomically, and only when "
        "the quality gate passed."
    ),
)
def published_warehouse(context: AssetExecutionContext, xla: XlaRun) -> dg.MaterializeResult:
    settings = xla.settings()
    for repair in recover(settings):
        say(context, f"Repaired after an interrupted run: {repair}")
    checks = results.for_run(settings, context.run.run_id)
    decision = decide(checks)
    if not decision.passed:
        _latest_site(context, settings, blocked=True)
        raise GateBlocked(
            description=decision.line(),
            metadata={"exit_code": GATE_BLOCKED_EXIT, "blocking": len(decision.blocking)},
        )
    # What the build was made from: the reference data the run took at its start.
    reference = snapshot.for_run(settings, context.run.run_id)
    snapshot.use(reference)
    current = is_current(settings, xla.as_of, reference.sources)
    if current is not None:
        say(
            context,
            f"Nothing new to publish: {settings.published_db} is up to date (run {current.run_id})",
        )
        _latest_site(context, settings, blocked=False)
        return dg.MaterializeResult(metadata={"published": False, "run_id": current.run_id})
    say(context, "Publishing: copying the marts and audit tables into a new release")
    manifest = json.loads((settings.build_dir / "dbt_target" / "manifest.json").read_text())
    publication = publish(
        settings,
        context.run.run_id,
        xla.as_of,
        checks,
        published_relations(manifest),
        writers=announced(
            [
                ("the auditors' site", release_site_writer(settings, context.run.run_id)),
                ("the monthly service reviews", report_writer(settings)),
                ("the data documentation", release_docs_writer(settings)),
            ],
            lambda message: say(context, message),
        ),
        seeds=reference.sources,
        reference=reference.folder,
    )
    say(context, f"Published {settings.published_db} (as_of {publication.as_of})")
    if engine_name() == "spark":
        say(context, f"Published the Spark schema `{published_schema()}` for BI tools")
    say(context, f"Auditors' site: {settings.published_dir / 'audit' / 'index.html'}")
    say(context, f"Monthly service reviews: {settings.published_dir / 'reports' / 'index.html'}")
    say(context, f"Data documentation: {settings.published_dir / 'docs' / 'index.html'}")
    _latest_site(context, settings, blocked=False)
    return dg.MaterializeResult(
        metadata={
            "published": True,
            "path": str(settings.published_db),
            "as_of": publication.as_of,
            "input_files": len(publication.inputs),
            "code_version": publication.code_version,
        }
    )


defs = dg.Definitions(assets=[published_warehouse])
