"""The `xla` command line: its help, its usage errors and its heartbeat, without a run."""

from __future__ import annotations

import io
import logging
import threading
import time

import pytest

from orchestration import cli, progress
from orchestration.progress import Heartbeat, under_way

COMMANDS = ("run", "backfill", "demo", "generate", "servicenow-agreement", "bench")


# -- help -------------------------------------------------------------------------------


def test_the_top_level_help_lists_every_command_and_points_to_their_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["--help"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert all(f"    {command}" in out for command in COMMANDS)
    assert "xla <command> --help" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_what_it_does_its_exit_codes_and_where_it_writes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([command, "--help"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith(f"usage: xla {command} ")
    description = out.split("\n\n")[1]
    assert len(description.split()) >= 12, description
    assert "exit codes:\n  0  " in out
    assert "\n  2  bad usage" in out
    assert "\n  1  anything else" in out
    assert "docs/contract.md" in out
    # The layout is kept (RawDescriptionHelpFormatter): one exit code a line.
    codes = [line[:5] for line in out.splitlines() if line[:5] in ("  0  ", "  2  ", "  3  ")]
    assert codes[0] == "  0  "


@pytest.mark.parametrize("command", ["run", "backfill", "demo"])
def test_a_building_command_lists_the_gate_block_and_the_data_folder(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XLA_DATA_DIR", "/srv/xla/data")
    monkeypatch.delenv("XLA_SEEDS_DIR", raising=False)
    cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert "\n  3  the quality gate blocked publication" in out
    assert "another command holding the data folder" in out
    assert "$XLA_DATA_DIR (default ./data; now /srv/xla/data)" in out
    for folder in ("landing/", "archive/", "lake/", "build/", "releases/", "published", "audit/"):
        assert f"\n    {folder}" in out, folder
    assert f"$XLA_SEEDS_DIR (default {cli.DEFAULT_SEEDS_DIR})" in out


@pytest.mark.parametrize("command", ["generate", "servicenow-agreement", "bench"])
def test_other_commands_say_what_they_touch_and_cannot_be_blocked(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert "\n  3  " not in out
    assert "writes" in out


# -- usage errors -----------------------------------------------------------------------


def test_an_unknown_option_is_reported_by_its_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["run", "--fast"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("usage: xla run [-h]")
    assert err.splitlines()[-1] == "xla run: error: unrecognized arguments: --fast"


def test_an_unknown_argument_of_another_command_is_its_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["generate", "--out", "x", "extra", "--more"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("usage: xla generate ")
    assert err.splitlines()[-1] == "xla generate: error: unrecognized arguments: extra --more"


def test_a_missing_option_and_a_missing_command_are_bad_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["backfill", "--from", "2026-01-01"]) == cli.EXIT_USAGE
    assert "xla backfill: error: the following arguments are required: --to" in (
        capsys.readouterr().err
    )
    assert cli.main([]) == cli.EXIT_USAGE
    assert "xla: error:" in capsys.readouterr().err


# -- the heartbeat ----------------------------------------------------------------------


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_phase_lines_name_what_is_under_way() -> None:
    assert under_way("Loading the pipeline definitions (Dagster, dbt)…") == (
        "loading the pipeline definitions",
        None,
    )
    assert under_way(
        "Building the warehouse incrementally with dbt into /d/build/warehouse.duckdb (2 files)"
    ) == ("building the warehouse incrementally with dbt", None)
    assert under_way("Checking the reference data in /srv/seeds") == (
        "checking the reference data",
        None,
    )
    assert under_way("Publishing: copying the marts") == ("publishing", None)
    assert under_way("Quality gate: reconciling the layers") == ("running the quality gate", None)
    assert under_way("  [2/5] writing the BI file") == ("writing the BI file", "2/5")
    # Lines that start nothing keep the phase; a count is kept.
    assert under_way("  [3/40] built fct_tickets") == (None, "3/40")
    assert under_way("Reference data: 9 files, 120 rows, all valid") == (None, None)
    assert under_way("Nothing to do: the published warehouse is up to date") == (None, None)


def test_the_heartbeat_speaks_after_5_s_of_silence_then_every_10_s() -> None:
    clock = Clock()
    beat = Heartbeat("starting xla run", clock=clock)
    clock.now += 4.9
    assert beat.due() is None
    clock.now += 0.1
    assert beat.due() == "  … still starting xla run (5 s)"
    assert beat.due() is None
    clock.now += 9.9
    assert beat.due() is None
    clock.now += 0.1
    assert beat.due() == "  … still starting xla run (15 s)"

    # A line starts the silence again, and names the phase.
    beat.heard("Loading the pipeline definitions (Dagster, dbt)…")
    clock.now += 4
    assert beat.due() is None
    clock.now += 8
    assert beat.due() == "  … still loading the pipeline definitions (12 s)"

    beat.heard("Building the warehouse in full with dbt into /d/build/warehouse.duckdb")
    clock.now += 20
    beat.heard("  [3/40] built fct_tickets")
    clock.now += 5
    assert beat.due() == "  … still building the warehouse in full with dbt (25 s; 3/40 done)"


def _console() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    logger = logging.getLogger(f"xla-test-{time.monotonic_ns()}")
    logger.handlers[:] = [logging.StreamHandler(stream)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, stream


def test_the_heartbeat_thread_beats_and_stops() -> None:
    logger, stream = _console()
    beat = Heartbeat("starting", quiet=0.05, every=0.1).watch(logger)
    try:
        logger.info("Checking the reference data in /srv/seeds")
        deadline = time.monotonic() + 5
        while "still checking" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert beat.running
    finally:
        beat.stop()
    logger.info("Finished in 1 s with exit code 0")
    printed = stream.getvalue()
    lines = printed.splitlines()
    assert lines[0] == "Checking the reference data in /srv/seeds"
    assert lines[1].startswith("  … still checking the reference data (")
    assert lines[-1] == "Finished in 1 s with exit code 0"
    assert not beat.running
    assert beat not in logger.handlers[0].filters
    time.sleep(0.3)
    assert stream.getvalue() == printed  # nothing after the stop
    beat.stop()  # stopping twice is harmless


def test_a_command_beats_while_silent_and_nothing_follows_its_last_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "QUIET_SECONDS", 0.05)
    monkeypatch.setattr(progress, "EVERY_SECONDS", 0.1)

    def slow_command() -> int:
        cli.log.info("Checking the published warehouse")
        time.sleep(0.4)
        cli.log.info("All agree")
        return cli.EXIT_OK

    monkeypatch.setattr(cli, "command_servicenow_agreement", slow_command)
    assert cli.main(["servicenow-agreement"]) == cli.EXIT_OK
    assert not [t for t in threading.enumerate() if t.name == "xla-heartbeat"]
    time.sleep(0.3)
    lines = [line.split(" ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == "Checking the published warehouse"
    assert any(line.startswith("  … still checking the published warehouse (") for line in lines)
    assert lines[-1] == "All agree"
