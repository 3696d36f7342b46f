"""The Dagster definitions: one connected lineage graph, one job, dbt tests as checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration import jobs
from orchestration.config import REPO_ROOT, ConfigError
from orchestration.jobs import JOB_NAME
from orchestration.warehouse.assets import layer


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


def test_the_publication_descends_from_every_extract_through_dbt_and_the_gate(
    defs: dg.Definitions,
) -> None:
    graph = defs.resolve_asset_graph()
    ancestors = {
        key.to_user_string()
        for key in graph.get_ancestor_asset_keys(dg.AssetKey(["published", "warehouse"]))
    }
    for extract in ("tickets", "ticket_events", "timeslips", "surveys"):
        assert f"psa/{extract}" in ancestors
    assert {"ingest/quarantine_rows", "audit/quality_gate", "reference/clients"} <= ancestors
    # The marts are built in the same dbt step that the gate waits for.
    dbt_step = graph.get(dg.AssetKey(["reference", "clients"])).assets_def
    assert dg.AssetKey(["fct_tickets"]) in dbt_step.keys


def test_the_lineage_is_one_chain_ingest_staging_marts_gate_publication(
    defs: dg.Definitions,
) -> None:
    graph = defs.resolve_asset_graph()
    gate = dg.AssetKey(["audit", "quality_gate"])
    published = dg.AssetKey(["published", "warehouse"])
    models = graph.get(dg.AssetKey(["fct_tickets"])).assets_def
    marts = {spec.key for spec in models.specs if layer(spec) == "marts"}
    # Every mart, and so every staging and intermediate model and seed before it, is
    # upstream of the gate, which is upstream of the publication.
    gate_ancestors = graph.get_ancestor_asset_keys(gate)
    assert len(marts) >= 15 and marts <= gate_ancestors
    assert set(models.keys) <= gate_ancestors
    assert gate in graph.get(published).parent_keys
    # The gate depends on what it weighs directly: the marts (none a dead end) and the
    # ingest, not on seeds added only to order it.
    gate_parents = graph.get(gate).parent_keys
    assert {dg.AssetKey(["fct_client_months"]), dg.AssetKey(["psa", "tickets"])} <= gate_parents
    assert dg.AssetKey(["reference", "clients"]) not in gate_parents
    for mart in marts:
        assert graph.get(mart).child_keys, f"{mart.to_user_string()} is a dead end"
    # The publication depends on what it copies: the marts built as tables, and the seeds.
    publication_parents = graph.get(published).parent_keys
    assert {dg.AssetKey(["fct_client_months"]), dg.AssetKey(["reference", "clients"])} <= (
        publication_parents
    )
    assert not any(key.path[-1].startswith(("stg_", "int_")) for key in publication_parents)


def test_asset_descriptions_read_as_prose(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        description = graph.get(key).description or ""
        assert description, f"{key.to_user_string()} has no description"
        for mark in ("```", "`", "#### Raw SQL", "select "):
            assert mark not in description, f"{key.to_user_string()}: {description[:120]}"


def test_dbt_sources_are_the_ingest_assets_not_loose_ends(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    unmaterializable = {
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if not graph.get(key).is_materializable
    }
    assert unmaterializable == set()


def test_dbt_tests_are_asset_checks_and_ingest_checks_block(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("fct_tickets", "unique_fct_tickets_ticket_id") in checks
    assert ("psa/tickets", "row_conservation") in checks
    assert ("psa/timeslips", "great_expectations_suite") in checks
    assert ("audit/quality_gate", "lake_row_conservation") in checks


def test_one_job_and_what_launches_it(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def(JOB_NAME)
    assert job.executor_def.name == "in_process"
    assert {s.name for s in defs.schedules} == {"nightly"}
    assert {s.name for s in defs.sensors} == {"landing_files"}


@pytest.mark.parametrize(
    ("value", "executor"),
    [
        (None, "in_process"),
        ("", "in_process"),
        ("in_process", "in_process"),
        ("multiprocess", "multiprocess"),
    ],
)
def test_the_jobs_executor_follows_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None, executor: str
) -> None:
    if value is None:
        monkeypatch.delenv("XLA_DAGSTER_EXECUTOR", raising=False)
    else:
        monkeypatch.setenv("XLA_DAGSTER_EXECUTOR", value)
    assert jobs.define_job().executor_def.name == executor


def test_an_unknown_executor_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XLA_DAGSTER_EXECUTOR", "threads")
    with pytest.raises(ConfigError) as refused:
        jobs.define_job()
    assert str(refused.value) == (
        "XLA_DAGSTER_EXECUTOR='threads' is not an executor; "
        "use one of in_process, multiprocess, k8s, celery, celery_k8s"
    )


def test_a_cluster_executor_without_its_package_names_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XLA_DAGSTER_EXECUTOR", "k8s")
    monkeypatch.setitem(sys.modules, "dagster_k8s", None)  # as if not installed
    with pytest.raises(
        ConfigError, match=r"^XLA_DAGSTER_EXECUTOR=k8s needs the package dagster-k8s "
    ):
        jobs.define_job()


def test_the_workspace_loads_as_dagster_dev_loads_it(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "All code locations passed validation" in completed.stdout + completed.stderr
