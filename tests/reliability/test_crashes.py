"""`xla run` killed with SIGKILL at every kill point, and at a random time, loses nothing.

One data folder, one run per kill point, each killed at the next point
(`crashes.kill_in_turn`), then a random kill and a clean run. After every kill the
published warehouse is still a whole publication; the clean run repairs everything and
accounts for every landed row exactly once. The scenario runs once per session; each
test reads its part of the outcome.
"""

from __future__ import annotations

import pytest

from orchestration.faults import KILL_POINTS
from tests.reliability.crashes import RANDOM, KillOutcome, kill_in_turn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[KillOutcome]:
    return kill_in_turn(tmp_path_factory.mktemp("kills"), seed=1)


def test_every_run_died_at_its_kill_point(outcomes: list[KillOutcome]) -> None:
    """A run killed at a point also proves the run before it was repaired: it got there."""
    kills = outcomes[:-1]
    assert [o.point for o in kills[: len(KILL_POINTS)]] == list(KILL_POINTS)
    assert kills[-1].point.startswith(RANDOM)
    assert all(o.killed for o in kills), [o.problems for o in kills if not o.killed]


def test_after_every_kill_the_published_warehouse_is_a_whole_publication(
    outcomes: list[KillOutcome],
) -> None:
    incomplete = {o.point: o.problems for o in outcomes if o.incomplete_publications}
    assert incomplete == {}


def test_the_next_run_repairs_everything_and_accounts_for_every_landed_row(
    outcomes: list[KillOutcome],
) -> None:
    recovery = outcomes[-1]
    assert recovery.point == "recovery"
    assert recovery.problems == ()
    assert recovery.rows_in > 0
    assert recovery.rows_accounted == recovery.rows_in
    assert recovery.survived
