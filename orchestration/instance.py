"""The Dagster instance that records the runs of a data folder.

`xla run`, `xla backfill` and `xla demo` record every run, its materializations and its
check results in a persistent instance, so that the Dagster UI (`scripts/dev dagster`)
opened afterwards shows them. The instance lives in `DAGSTER_HOME` when that is set, and
otherwise in the data folder, as `<data folder>/dagster/`. A home without a
`dagster.yaml` gets the project's own (one run at a time, telemetry off), so that a new
home never prints Dagster's telemetry notice into a run's output.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from orchestration.config import REPO_ROOT, Settings
from orchestration.event_log import keep_connected

HOME_VARIABLE = "DAGSTER_HOME"
INSTANCE_FOLDER = "dagster"
INSTANCE_YAML = "dagster.yaml"
PROJECT_YAML = REPO_ROOT / INSTANCE_YAML


def home(settings: Settings) -> Path:
    """The folder of the instance: `DAGSTER_HOME`, else `<data folder>/dagster`."""
    chosen = os.environ.get(HOME_VARIABLE, "").strip()
    return Path(chosen).expanduser().resolve() if chosen else settings.data_dir / INSTANCE_FOLDER


def prepare(folder: Path) -> Path:
    """Create the instance's folder and give it the project's `dagster.yaml` if it has none."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / INSTANCE_YAML
    if not config.exists():
        shutil.copyfile(PROJECT_YAML, config)
    return folder


def for_runs(settings: Settings) -> dg.DagsterInstance:
    """The persistent instance the command's runs are recorded in, its event log kept
    connected for the command's life (`event_log.keep_connected`)."""
    return keep_connected(dg.DagsterInstance.from_config(str(prepare(home(settings)))))
