"""The timeslip rules against the generator's answer key, end to end.

A small demo MSP (seed 7, scale 0.2, one month: ten engineers, four of them with a
habit) goes through `xla run`; every anomaly the generator planted must be flagged by
the rule it was planted for.

Precision floor: the generator builds its ordinary engineers to stay clear of every
rule (billing under target, arbitrary durations, specific notes, entries the same or
the next working day), so a flag outside the answer key is a rule misfiring or the
generator drifting, and both want a look. The floor still allows a stray flag: 90 %
over all rules, and no rule under 75 % (one stray flag against three planted), which a
rule that floods an engineer's month or a whole team cannot meet. At this scale every
engineer has something planted, so precision is also the check that nobody is flagged
for what they did not do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.warehouse.timeslip_rules import timeslip_rules
from xla_lab.generate.scoring import RuleScore, format_table, score_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> list[RuleScore]:
    root: Path = tmp_path_factory.mktemp("scores")
    return score_demo(root, seed=7, scale=0.2, months=1).scores


def test_every_rule_has_planted_anomalies(scores: list[RuleScore]) -> None:
    assert {s.rule_id for s in scores if s.planted} == set(timeslip_rules())


def test_every_planted_anomaly_is_flagged_by_its_rule(scores: list[RuleScore]) -> None:
    missed = {s.rule_id: s.missed for s in scores if s.missed}
    assert missed == {}, format_table(scores)


def test_precision_floor(scores: list[RuleScore]) -> None:
    flagged = sum(s.flagged for s in scores)
    true_positives = sum(s.true_positives for s in scores)
    assert true_positives / flagged >= 0.9, format_table(scores)
    low = {s.rule_id: s.unexpected for s in scores if s.precision < 0.75}
    assert low == {}, format_table(scores)
