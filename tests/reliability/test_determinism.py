"""Two rebuilds from the same landing files and seeds publish the same tables; a second
`xla run` started during the first is refused and changes nothing.

Both rebuilds ingest every landing file of the shared MSP into fresh data folders. The
first has an intruder: another `xla run` on its folder while it runs. Every published
table is compared by an ordered content hash, leaving out only the run metadata
columns listed in `rebuilds.RUN_METADATA`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.rebuilds import RUN_METADATA, Rebuild, rebuild, table_digests

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rebuilds")


@pytest.fixture(scope="module")
def first(root: Path) -> Rebuild:
    return rebuild(root, "first", intruder=True)


@pytest.fixture(scope="module")
def second(root: Path) -> Rebuild:
    return rebuild(root, "second")


def test_a_second_run_while_one_runs_is_refused_in_one_line_with_exit_2(first: Rebuild) -> None:
    assert first.intruder_exit_code == 2, first.intruder_output
    lines = [line for line in first.intruder_output.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "another xla run is using" in lines[0]
    assert str(first.workspace.data_dir) in lines[0]
    assert first.intruder_seconds < 60  # refused at once, not queued behind the run


def test_the_run_it_interrupted_publishes_as_if_alone(first: Rebuild, second: Rebuild) -> None:
    assert first.exit_code == 0, first.output[-3000:]
    assert second.exit_code == 0, second.output[-3000:]
    assert "Published " in first.output


def test_two_rebuilds_publish_identical_tables(first: Rebuild, second: Rebuild) -> None:
    ours = table_digests(first.workspace.published)
    theirs = table_digests(second.workspace.published)
    assert set(RUN_METADATA) <= set(ours)  # every excluded column belongs to a real table
    assert "fct_tickets" in ours
    differing = {
        t: (ours.get(t), theirs.get(t))
        for t in ours.keys() | theirs.keys()
        if ours.get(t) != theirs.get(t)
    }
    assert differing == {}
