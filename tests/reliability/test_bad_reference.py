"""Every case of the bad-reference corpus is reported line by line, or tolerated.

Two layers. `validate_folder` on every case (no dbt): exactly the expected problem lines,
each once, and nothing for tolerance cases. Then `xla run` end to end for every refused
case, against a published MSP: exit 2, every problem on the console as one line, the
published release untouched, the refusal in the audit store and on the auditors' site.
The runs call the command's `main` in this process (a refusal happens before any job
is launched, so what a process of its own would add is starting Python); one runs it as
its own process. A tolerated folder publishing end to end is `tests/test_field_ready.py`.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from published_workspace import published_workspace

from orchestration.reference.check import CHECK_NAME, STAGE
from orchestration.reference.spec import REFERENCE
from tests.reliability.bad_reference import (
    CASES,
    REFUSED,
    TOLERATED,
    Case,
    Refusal,
    refuse,
    try_case,
    unexplained,
)


def test_the_corpus_has_at_least_thirty_distinct_refused_cases() -> None:
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names)
    assert len(REFUSED) >= 30
    assert all(c.expected for c in REFUSED)


def test_the_repositorys_seeds_are_valid(tmp_path: Path) -> None:
    """Every case starts from them: a problem here would show up in every case."""
    assert try_case(Case("as shipped", ()), tmp_path).lines() == []


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_bad_reference_data_is_reported_line_by_line(case: Case, tmp_path: Path) -> None:
    validation = try_case(case, tmp_path)
    assert unexplained(case, validation.problems) == [], validation.lines()
    assert not validation.ok


@pytest.mark.parametrize("case", TOLERATED, ids=[c.name for c in TOLERATED])
def test_what_spreadsheets_do_to_a_file_is_tolerated(case: Case, tmp_path: Path) -> None:
    validation = try_case(case, tmp_path)
    assert validation.lines() == []


# End to end ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's published MSP: every refused run goes against it."""
    source = published_workspace(tmp_path_factory)
    return source.copy(tmp_path_factory.mktemp("bad-reference") / "data").data_dir


@pytest.mark.slow
@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_xla_run_refuses_bad_reference_data(case: Case, published: Path, tmp_path: Path) -> None:
    refusal = refuse(case, published, tmp_path)
    assert_refused(refusal)


@pytest.mark.slow
def test_the_command_refuses_several_problems_at_once(published: Path, tmp_path: Path) -> None:
    """The same, with `xla run` in a process of its own, as an operator runs it."""
    (case,) = [c for c in REFUSED if c.name == "several problems in one folder"]
    refusal = refuse(case, published, tmp_path, in_process=False)
    assert len(case.expected) >= 5
    assert_refused(refusal)


def assert_refused(refusal: Refusal) -> None:
    """Exit 2; every problem on one console line; nothing published changed; the refusal
    recorded in the audit store and shown on the auditors' site."""
    case = refusal.case
    console = refusal.console()
    assert refusal.returncode == 2, refusal.stdout[-3000:]
    # The problems of the run are the case's, each printed whole on one line.
    assert unexplained(case, refusal.problems) == []
    for problem in refusal.problems:
        assert console.count(str(problem)) == 1, (str(problem), refusal.stdout[-3000:])
    for expected in case.expected:
        lines = [line for line in console if line.startswith(expected.where)]
        assert len(lines) == 1, (str(expected), refusal.stdout[-3000:])
        assert all(part in lines[0] for part in expected.reason), lines[0]
    not_run = [line for line in console if line.startswith("Not run: the reference data ")]
    assert len(not_run) == 1, refusal.stdout[-3000:]
    # Nothing published changed.
    assert refusal.after == refusal.before
    # Recorded: one run, a check per reference file, failing for the files with problems.
    assert len(refusal.run_ids) == 1, refusal.run_ids
    (run_id,) = refusal.run_ids
    checks = {c.target: c for c in refusal.checks if c.check_name == CHECK_NAME}
    assert set(checks) == {f"reference/{file}" for file in REFERENCE}
    failing = {
        target for target, check in checks.items() if not check.passed and check.severity == "error"
    }
    assert failing == {f"reference/{file.removesuffix('.csv')}" for file in case.files}
    for expected in case.expected:
        check = checks[f"reference/{expected.file.removesuffix('.csv')}"]
        count = sum(1 for e in case.expected if e.file == expected.file)
        assert check.failing_count == count
        assert any(key.startswith(expected.where) for key in check.sample_keys), check
    history = [
        row
        for row in refusal.history_rows
        if row["stage"] == STAGE and row["check_name"] == CHECK_NAME
    ]
    assert {row["target"] for row in history if not row["passed"]} == failing
    # The auditors' site of the latest run: refused, every problem listed, and the
    # publication BI still reads named.
    site = html.unescape(refusal.site)
    assert "Latest run refused" in site
    assert run_id in site
    assert published_run_id(refusal) in site
    for problem in refusal.problems:
        assert str(problem) in site, str(problem)


def published_run_id(refusal: Refusal) -> str:
    record = refusal.workspace.data_dir / "published" / "publication.json"
    return json.loads(record.read_text())["run_id"]
