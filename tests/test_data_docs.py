"""The Data Docs keep every suite's latest validation, whichever run made it.

Runs are driven as the ingest asset drives them: land files, `ingest_landing`, the
suites on the accepted rows (`expectation_results`), then `data_docs.save` and
`data_docs.build` with the run's runner; the auditors' site copies the docs with
`copy_data_docs`, after `data_docs.ensure`.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from ingest_workspace import ingest_settings

from orchestration.audit_site.gx_docs import copy_data_docs
from orchestration.config import Settings
from orchestration.ingest import data_docs
from orchestration.ingest.accepted import release_memory
from orchestration.ingest.assets import expectation_results
from orchestration.ingest.expectations import SuiteRunner
from orchestration.ingest.landing import ingest_landing

TICKETS = (
    "ticket_id,client_id,priority,status,created_at,updated_at,subject\n"
    "T1,C001,P1,New,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,printer\n"
)
TIMESLIPS = (
    "timeslip_id,engineer_id,work_date,started_at,ended_at,hours_worked,hours_billed,"
    "billable,entered_at,updated_at,notes\n"
    "S1,E001,2026-01-05,2026-01-05T09:00:00Z,2026-01-05T10:00:00Z,1,1,Billable,"
    "2026-01-05T18:00:00Z,2026-01-05T18:00:00Z,fixed printer\n"
)


@pytest.fixture
def workspace(tmp_path: Path) -> Settings:
    return ingest_settings(tmp_path)


def _run(settings: Settings, run_id: str, landed: dict[str, str]) -> Path | None:
    """One run's ingest as the asset does it: the Data Docs folder, if it validated rows."""
    for name, text in landed.items():
        (settings.landing_dir / name).write_text(text)
    report = ingest_landing(settings, run_id, log=lambda _: None)
    _, runner = expectation_results(report)
    if runner is None:
        return None
    data_docs.save(settings, run_id, runner.validations)
    return data_docs.build(settings, run_id, runner)


def _validations(docs: Path) -> list[tuple[str, str, str]]:
    """(suite, run, extract) of every validation page of a Data Docs folder."""
    return sorted(
        (suite, run, Path(page).stem)
        for suite, run, _, page in (
            p.relative_to(docs / "validations").parts
            for p in (docs / "validations").rglob("*.html")
        )
    )


def _site_copy(docs: Path, dest: Path) -> list[tuple[str, str, str, str]]:
    pages, _ = copy_data_docs(docs, dest)
    return sorted(
        (page.suite, page.run_name, page.run_time, page.batch)
        for page in pages
        if page.kind == "validation"
    )


def test_the_docs_keep_each_suites_latest_validation_across_runs(
    workspace: Settings, tmp_path: Path
) -> None:
    _run(workspace, "run-1", {"tickets_20260105.csv": TICKETS})
    docs = _run(workspace, "run-2", {"timeslips_20260105.csv": TIMESLIPS})
    assert docs == data_docs.docs_dir(workspace)

    both = [
        ("tickets_contract", "run-1", "tickets"),
        ("timeslips_contract", "run-2", "timeslips"),
    ]
    assert _validations(docs) == both
    # The index Great Expectations draws lists both, each with its run.
    index = (docs / "index.html").read_text()
    for suite, run, _ in both:
        assert suite in index and run in index

    # A run that ingests nothing leaves them; the site's copy names each result's run
    # and when it was validated.
    assert _run(workspace, "run-3", {}) is None
    assert data_docs.ensure(workspace) == docs
    copied = _site_copy(docs, tmp_path / "site-1")
    assert [(suite, run, batch) for suite, run, _, batch in copied] == both
    assert all(run_time for _, _, run_time, _ in copied)
    # Results of several runs: the docs name no single run for all of them.
    assert copy_data_docs(docs, tmp_path / "site-1b")[1]["run_id"] == ""  # several runs

    # The build folder lost: rendered again from the audit store, the same pages.
    shutil.rmtree(docs)
    assert data_docs.ensure(workspace) == docs
    assert _site_copy(docs, tmp_path / "site-2") == copied


def test_a_suite_validated_again_shows_only_its_newest_result(workspace: Settings) -> None:
    _run(workspace, "run-1", {"tickets_20260105.csv": TICKETS})
    _run(workspace, "run-2", {"timeslips_20260105.csv": TIMESLIPS})
    docs = _run(workspace, "run-3", {"tickets_20260106.csv": TICKETS.replace("T1,", "T2,")})
    assert docs is not None
    assert _validations(docs) == [
        ("tickets_contract", "run-3", "tickets"),
        ("timeslips_contract", "run-2", "timeslips"),
    ]
    assert data_docs.shown_run(workspace) == "run-3"
    # The audit store keeps every run's results; only the docs show the latest.
    assert sorted(p.parent.name for p in data_docs.store_dir(workspace).rglob("*.json")) == [
        "run-1",
        "run-2",
        "run-3",
    ]


def test_docs_of_one_run_name_that_run(workspace: Settings, tmp_path: Path) -> None:
    docs = _run(workspace, "run-1", {"tickets_20260105.csv": TICKETS})
    assert docs is not None
    _, about = copy_data_docs(docs, tmp_path / "site")
    assert about["run_id"] == "run-1" and about["validated_at"]


def test_a_runner_renders_only_the_results_it_is_given(workspace: Settings) -> None:
    _run(workspace, "run-1", {"tickets_20260105.csv": TICKETS})
    (document,) = data_docs.latest_results(workspace).values()
    runner = SuiteRunner()
    first, second = workspace.build_dir / "first", workspace.build_dir / "second"
    when = datetime.fromisoformat(document["validated_at"])
    runner.build_data_docs(first, {"tickets": ("run-1", when, document["result"])})
    later = when + timedelta(days=1)
    runner.build_data_docs(second, {"tickets": ("run-2", later, document["result"])})
    assert _validations(first) == [("tickets_contract", "run-1", "tickets")]
    assert _validations(second) == [("tickets_contract", "run-2", "tickets")]


def test_the_suites_read_the_accepted_rows_back_from_the_lake(workspace: Settings) -> None:
    """A run's accepted rows are not held in memory until its suites run: the suites read
    the lake files the run wrote, one extract at a time, each status as the warehouse
    reads it (the demo PSA's `In Progress` is the contract's own word)."""
    (workspace.landing_dir / "tickets_20260105.csv").write_text(TICKETS)
    (workspace.landing_dir / "tickets_20260106.csv").write_text(
        TICKETS.replace("T1,", "T2,").replace(",New,", ",In Progress,")
    )
    report = ingest_landing(workspace, "run-1", log=lambda _: None)
    assert report.accepted.rows("tickets") == 2
    assert [f.path.parent.name for f in report.accepted.files["tickets"]] == ["tickets"] * 2
    frame = report.accepted.frame("tickets")
    assert frame is not None
    assert frame["ticket_id"].tolist() == ["T1", "T2"]
    assert frame["status"].tolist() == ["New", "In Progress"]
    assert frame["_source_file"].tolist() == ["tickets_20260105.csv", "tickets_20260106.csv"]
    assert frame["_source_line"].tolist() == [2, 2]
    assert "UTC" in str(frame["created_at"].dtype)
    assert report.accepted.frame("timeslips") is None
    checks, runner = expectation_results(report)
    assert runner is not None
    assert [c.passed for c in checks] == [True] * len(checks)
    # Great Expectations let go of each extract's rows once its suite ran.
    assert not runner.datasource.get_execution_engine().batch_manager.batch_data_cache
    release_memory()
