"""Every case of the bad-input corpus ends in a clear message and loses no row."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.bad_inputs import CASES, Case, try_input


def test_the_corpus_has_at_least_thirty_distinct_cases() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 30
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_accounted_for_and_explained(case: Case, tmp_path: Path) -> None:
    outcome = try_input(case, tmp_path)
    expected = case.expected
    assert (outcome.rows_in, outcome.rows_loaded, outcome.rows_quarantined) == (
        expected.rows_in,
        expected.loaded,
        expected.quarantined,
    ), outcome.messages
    assert outcome.refused == expected.refused, outcome.messages
    assert any(expected.message in line for line in outcome.messages) or not expected.message
    assert outcome.ok, outcome.messages
