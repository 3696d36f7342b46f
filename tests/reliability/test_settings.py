"""Every setting is checked before any work: a bad one ends `xla run` with exit 2 and one
line naming the variable and what it accepts, and nothing is read, written or published.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from orchestration import cli
from orchestration.config import VARIABLES
from tests.reliability.console import console_lines

BAD = {
    "XLA_KEEP_RELEASES": "abc",
    "XLA_PUBLISH_FREE_TEXT": "maybe",
    "XLA_FRESHNESS_DAYS": "-1",
    "XLA_PARTITIONS_START": "2016-13-01",
    "XLA_ENGINE": "oracle",
    "XLA_DAGSTER_EXECUTOR": "threads",
    "XLA_SPARK_MASTER": "everywhere",
    "XLA_SPARK_DRIVER_MEMORY": "lots",
    "XLA_SPARK_BIND_ADDRESS": "",
    "XLA_SPARK_SCHEMA": "my schema",
    "XLA_SPARK_PUBLISHED_SCHEMA": "bi;drop",
    "TZ": "Mars/Olympus",
}


def test_every_setting_has_a_bad_case() -> None:
    assert set(BAD) == {variable.name for variable in VARIABLES}


@pytest.mark.parametrize(("name", "value"), BAD.items(), ids=list(BAD))
def test_a_bad_setting_is_refused_before_any_work(
    name: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("XLA_DATA_DIR", str(data_dir))
    monkeypatch.setenv(name, value)
    output = io.StringIO()
    with redirect_stdout(output):
        code = cli.main(["run"])
    lines = console_lines(output.getvalue())
    (variable,) = [v for v in VARIABLES if v.name == name]
    assert code == 2
    assert lines == [f"xla: {name}={value!r} is not {variable.accepts}"]
    assert not data_dir.exists()


def test_several_bad_settings_are_each_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XLA_KEEP_RELEASES", "0")
    monkeypatch.setenv("XLA_FRESHNESS_DAYS", "three")
    output = io.StringIO()
    with redirect_stdout(output):
        assert cli.main(["run"]) == 2
    assert len(output.getvalue().splitlines()) == 2


def test_empty_settings_mean_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.config import environment_problems

    for variable in VARIABLES:
        monkeypatch.setenv(variable.name, "")
    refused = {line.split("=", 1)[0] for line in environment_problems()}
    # An empty engine, Spark master, memory, address or schema would reach Spark or dbt
    # as an empty string: refused. The others fall back to their defaults.
    assert refused == {v.name for v in VARIABLES if not v.empty_is_default}
