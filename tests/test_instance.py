"""The Dagster instance the CLI records its runs in."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration import instance
from orchestration.config import DEFAULT_SEEDS_DIR, Settings


def test_runs_are_recorded_in_the_data_folder_unless_dagster_home_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=DEFAULT_SEEDS_DIR)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert instance.home(settings) == tmp_path / "data" / "dagster"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    assert instance.home(settings) == tmp_path / "elsewhere"


def test_a_home_without_its_yaml_gets_the_projects_with_telemetry_off(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "empty"
    home.mkdir()
    instance.prepare(home)
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    assert config["telemetry"] == {"enabled": False}
    assert config["run_coordinator"]["config"]["max_concurrent_runs"] == 1
    # A yaml of the user's own is left as it is.
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: true\n")
    instance.prepare(home)
    assert "enabled: true" in (home / "dagster.yaml").read_text()


def test_a_new_instance_prints_nothing_of_dagsters_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=DEFAULT_SEEDS_DIR)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    created = instance.for_runs(settings)
    try:
        assert created.is_persistent
        assert (tmp_path / "home" / "dagster.yaml").is_file()
    finally:
        created.dispose()
    out, err = capfd.readouterr()
    assert "Welcome to Dagster" not in out + err and "Telemetry" not in out + err
