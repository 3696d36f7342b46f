"""The dbt models and seeds as Dagster assets; dbt tests surface as asset checks.

One `dbt build` builds and tests the whole warehouse into the private build file. Every
test's outcome is also written to the audit store, so that the gate and the auditors see
the same results as the Dagster UI.
"""

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration import engine
from orchestration.child_processes import bound_to_this_process
from orchestration.config import Settings
from orchestration.faults import maybe_crash
from orchestration.quality import results
from orchestration.reference import snapshot
from orchestration.reference.assets import REFERENCE_KEY
from orchestration.resources import XlaRun, say
from orchestration.warehouse import build_state
from orchestration.warehouse.project import dbt_executable, dbt_project

BUILT_TYPES = ("model", "seed", "snapshot")


LAYER = "xla/layer"


def layer(spec: dg.AssetSpec) -> str | None:
    """The dbt layer of a dbt asset: `staging`, `intermediate`, `marts`; None for a seed."""
    return spec.metadata.get(LAYER)


class XlaDbtTranslator(DagsterDbtTranslator):
    """Groups are the domains of the dbt folders (`meta.domain` in dbt_project.yml: SLA,
    tickets, experience, workforce, ...), seeds are `reference`; each model's layer is in
    its metadata (`xla/layer`).

    dbt tests become asset checks that do not stop the run themselves: the quality gate
    weighs every check of the run (dbt's, the ingest's, its own reconciliations), records
    them, and is the one place that blocks publication.
    """

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        return spec._replace(blocking=False) if spec is not None else None

    def get_asset_spec(
        self,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetSpec:
        """Seeds are loaded from the run's reference-data snapshot: they follow it."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        if unique_id.startswith("seed."):
            spec = spec.merge_attributes(deps=[REFERENCE_KEY])
        elif unique_id.startswith("model."):
            fqn = manifest["nodes"][unique_id]["fqn"]
            spec = spec.merge_attributes(metadata={LAYER: fqn[1]})
        return spec

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """The model's documented description as one paragraph of prose: no SQL, and
        none of the Markdown code marks a catalog list would show as they are."""
        return prose(dbt_resource_props.get("description")) or (
            f"The dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']}."
        )

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return (dbt_resource_props.get("config") or {}).get("meta", {}).get("domain", "warehouse")


def prose(text: str | None) -> str:
    """Markdown of a dbt description as plain prose: one paragraph, code marks dropped."""
    return " ".join((text or "").replace("`", "").replace("**", "").split())


def failing_row_samples(build: engine.Reader, compiled_sql: str, limit: int = 5) -> tuple[str, ...]:
    """Up to `limit` rows a failed dbt test returned, each as `column=value, ...`.

    The test's compiled query is re-run read-only on the build; a sample is evidence for
    the auditor, so a query that cannot be re-run gives none rather than failing the run.
    """
    if not compiled_sql.strip():
        return ()
    try:
        names, rows = build.query_named(
            f"select * from ({compiled_sql}) as failing limit {int(limit)}"
        )
    except engine.QueryError:
        return ()
    return tuple(
        ", ".join(f"{name}={value}" for name, value in zip(names, row, strict=True))[:300]
        for row in rows
    )


class _Sampler:
    """`failing_row_samples` on a reader opened at the first failed test, if any: a
    Spark session costs seconds, and a build whose tests all pass needs none."""

    def __init__(self, build: engine.Engine, stack: contextlib.ExitStack) -> None:
        self._engine = build
        self._stack = stack
        self._reader: engine.Reader | None = None

    def __call__(self, compiled_sql: str) -> tuple[str, ...]:
        if not compiled_sql.strip():
            return ()
        if self._reader is None:
            self._reader = self._stack.enter_context(self._engine.reader())
        return failing_row_samples(self._reader, compiled_sql)


def dbt_results(
    run_results: Mapping[str, Any],
    manifest: Mapping[str, Any],
    sample: Callable[[str], tuple[str, ...]] | None = None,
) -> list[results.CheckResult]:
    """Every dbt test and unit test of a `dbt build`, plus one check that everything built.

    `sample` turns a failed data test's compiled SQL into sample keys of failing rows.
    """
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    found: list[results.CheckResult] = []
    unbuilt: list[str] = []
    built = 0
    for result in run_results.get("results", []):
        node = nodes.get(result["unique_id"], {})
        kind = node.get("resource_type") or result["unique_id"].split(".")[0]
        status = result.get("status")
        if kind in BUILT_TYPES:
            built += 1
            if status != "success":
                unbuilt.append(f"{node.get('name', result['unique_id'])} ({status})")
            continue
        if kind not in ("test", "unit_test"):
            continue
        severity = str(node.get("config", {}).get("severity", "error")).lower()
        attached = node.get("attached_node") or node.get("model") or ""
        target = (
            attached.split(".")[-1]
            if attached
            else ",".join(n.split(".")[-1] for n in node.get("depends_on", {}).get("nodes", []))
        )
        found.append(
            results.CheckResult(
                check_name=node.get("name", result["unique_id"]),
                target=target or "warehouse",
                severity="warn" if severity == "warn" else "error",
                passed=status == "pass",
                failing_count=int(result.get("failures") or 0),
                sample_keys=(
                    sample(str(result.get("compiled_code") or ""))
                    if sample is not None and kind == "test" and status in ("fail", "warn")
                    else ()
                ),
                detail=(
                    ""
                    if status == "pass"
                    else results.NOT_RUN
                    if status == "skipped"
                    else str(result.get("message") or status)
                ),
            )
        )
    found.append(
        results.CheckResult(
            check_name="dbt_build_complete",
            target="warehouse",
            severity="error",
            passed=not unbuilt,
            failing_count=len(unbuilt),
            sample_keys=tuple(unbuilt[:5]),
            detail=f"{built - len(unbuilt)} of {built} models and seeds built",
        )
    )
    return found


_LOCK_HELD = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def unbuilt_reason(settings: Settings, dbt_error: str) -> str:
    """One line on why dbt built nothing at all, from dbt's error output.

    The usual cause is another process holding the build file open, often a BI tool or
    a notebook pointed at it instead of at the published file.
    """
    held = _LOCK_HELD.search(dbt_error)
    if held:
        return (
            f"{settings.build_db} is held open by another process (PID {held['pid']}, "
            f"{held['program']}); the build file is xla run's own: BI tools and scripts "
            f"must open {settings.published_db}, read-only"
        )
    lines = [line.strip() for line in dbt_error.splitlines() if line.strip()]
    return "dbt could not build the warehouse: " + (lines[-1] if lines else "no run results")


def dbt_project_manifest() -> Mapping[str, Any]:
    """The parsed manifest of the dbt project."""
    return json.loads(Path(dbt_project().manifest_path).read_text())


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=XlaDbtTranslator(),
)
def warehouse_models(
    context: AssetExecutionContext, dbt: DbtCliResource, xla: XlaRun
) -> Iterator[Any]:
    settings = xla.settings()
    build = engine.current(settings)
    damaged = build.set_aside_damaged_build()
    if damaged is not None:
        build_state.forget(settings)
        say(context, f"The build file is damaged: {damaged}; building in full")
    # The reference data the run took at its start, whatever the folder holds by now.
    reference = snapshot.for_run(settings, context.run.run_id)
    snapshot.use(reference)
    plan = build_state.plan(settings, xla.as_of, full_refresh=xla.full_refresh, reference=reference)
    kind = "in full" if plan.full_refresh else "incrementally"
    into = settings.build_db if build.name == "duckdb" else "the Spark metastore"
    say(context, f"Building the warehouse {kind} with dbt into {into} ({plan.reason})")
    # Before dbt, and closed again before dbt starts: Spark's metastore admits one process.
    build.prepare_lake()
    if not plan.unit_tests:
        # Left out, not failed: no unit test is recorded, so none reaches the gate.
        say(context, "  dbt unit tests left out: they passed on this dbt code already")
    target = settings.build_dir / "dbt_target"
    # dbt writes no run results when it fails before building anything (it could not
    # open the build file): the previous build's must never be read as this one's.
    (target / "run_results.json").unlink(missing_ok=True)
    if xla.quiet_dbt:
        (settings.build_dir / "dbt.log").write_text("")  # this run's two dbt invocations
    # First every seed and model, then every test of them: a failing test never stops a
    # model being built, so the marts the gate depends on are built whenever dbt can.
    parameters = plan.parameters(xla.as_of)
    with _environment(parameters):
        built = dbt.cli(
            plan.model_args(), context=context, raise_on_error=False, target_path=target
        )
    total = sum(
        1
        for node in dbt_project_manifest().get("nodes", {}).values()
        if node.get("resource_type") in BUILT_TYPES
    )
    yield from _streamed(context, settings, built, xla.quiet_dbt, total)
    if not (target / "run_results.json").exists():
        raise dg.Failure(description=unbuilt_reason(settings, str(built.get_error() or "")))
    build_results = built.get_artifact("run_results.json")
    manifest = built.get_artifact("manifest.json")
    errors = [
        r
        for r in build_results.get("results", [])
        if r.get("status") == "error" and r["unique_id"].split(".")[0] in BUILT_TYPES
    ]
    test_results: list[Mapping[str, Any]] = []
    if not errors:
        kinds = "data tests and unit tests" if plan.unit_tests else "data tests"
        say(context, f"  Testing the build with dbt ({kinds})")
        (target / "run_results.json").unlink(missing_ok=True)
        with _environment(parameters):
            tested = dbt.cli(
                plan.test_args(), context=context, raise_on_error=False, target_path=target
            )
        yield from _streamed(context, settings, tested, xla.quiet_dbt, total=None)
        if (target / "run_results.json").exists():
            test_results = tested.get_artifact("run_results.json").get("results", [])
    with contextlib.ExitStack() as samples:
        checks = dbt_results(
            {"results": [*build_results.get("results", []), *test_results]},
            manifest,
            _Sampler(build, samples),
        )
    results.record(settings, context.run.run_id, "dbt", checks)
    failed = [c for c in checks if not c.passed]
    not_run = [c for c in failed if c.not_run]
    say(context, f"dbt: {len(checks) - 1} tests, {len(failed)} not passing")
    for check in failed:
        if check not in not_run:
            say(context, f"  {check.line()}")
    if not_run:
        say(context, f"  {len(not_run)} tests not run: a model they test was not built")
    # Whether the staging's tests may read only newer rows next time (build_state).
    tests_passed = bool(test_results) and not any(c.severity == "error" for c in failed)
    build_state.record_if_complete(
        settings, plan, build_state.models_all_built(build_results), tests_passed
    )
    if errors:
        first = errors[0]
        message = " ".join(str(first.get("message") or "").split())
        raise dg.Failure(
            description=f"dbt could not build {first['unique_id'].split('.')[-1]}: {message}",
            metadata={"failed_nodes": [e["unique_id"] for e in errors]},
        )


@contextlib.contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    """`variables` in this process's environment while a dbt process is started (it takes
    a copy of the environment), as they were afterwards."""
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _streamed(
    context: AssetExecutionContext,
    settings: Settings,
    invocation: Any,
    quiet: bool,
    total: int | None,
) -> Iterator[Any]:
    """The Dagster events of one dbt invocation, each built model said as it comes."""
    done = 0
    with contextlib.ExitStack() as stack:
        if quiet:
            sink = stack.enter_context((settings.build_dir / "dbt.log").open("a"))
            stack.enter_context(contextlib.redirect_stdout(sink))
        for event in invocation.stream():
            if total is not None and isinstance(event, dg.Output | dg.AssetMaterialization):
                done += 1
                key = (
                    context.asset_key_for_output(event.output_name)
                    if isinstance(event, dg.Output)
                    else event.asset_key
                )
                say(context, f"  [{done}/{total}] built {key.path[-1]}")
                maybe_crash("build.mid_build")
            yield event


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource, with dbt taken from beside this Python."""
    # Bound to the run: a run killed outright takes its dbt with it (child_processes.py).
    return DbtCliResource(
        project_dir=dbt_project(), dbt_executable=bound_to_this_process(dbt_executable())
    )


defs = dg.Definitions(assets=[warehouse_models], resources={"dbt": dbt_resource()})
