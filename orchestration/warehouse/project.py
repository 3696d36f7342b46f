"""The dbt project as Dagster sees it: one cached `DbtProject` and a fresh manifest.

The manifest is re-parsed only when a file of the dbt project or the seeds folder
changed since the last parse, so loading the definitions stays fast.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.config import DBT_PROJECT_DIR, ConfigError, dbt_environment, settings
from orchestration.reference.snapshot import dbt_seeds_dir

if TYPE_CHECKING:
    from dagster_dbt import DbtProject

PARSE_STAMP = ".xla_parse_stamp"
# Where `dbt parse` writes the manifest: the target folder `DbtProject` uses by default.
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"


def dbt_executable() -> str:
    """The dbt beside this Python, so a virtualenv works without being activated."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def _project_fingerprint(seeds_dir: Path) -> str:
    digest = hashlib.sha256(str(seeds_dir).encode())
    watched = [p for p in DBT_PROJECT_DIR.rglob("*") if p.is_file() and _is_source(p)]
    watched += sorted(seeds_dir.glob("*.csv"))
    for path in sorted(watched):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _is_source(path: Path) -> bool:
    parts = path.relative_to(DBT_PROJECT_DIR).parts
    return parts[0] not in ("target", "logs", "dbt_packages", ".staged_seeds") and path.suffix in (
        ".sql",
        ".yml",
        ".yaml",
        ".csv",
        ".md",
    )


@cache
def dbt_project() -> DbtProject:
    """The dbt project, with its manifest parsed if it is missing or stale."""
    # Imported here: what reads only the manifest (`parsed_manifest`) needs no Dagster.
    from dagster_dbt import DbtProject

    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    ensure_manifest(Path(project.manifest_path))
    return project


def parsed_manifest() -> dict[str, Any]:
    """The dbt project's manifest, parsed first if it is missing or stale."""
    return json.loads(ensure_manifest(MANIFEST_PATH).read_text())


def ensure_manifest(manifest: Path) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files.

    Processes that load the definitions at the same moment (a run and the UI, or tests
    side by side) take turns: one parses, the others find its manifest current.
    """
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with (manifest.parent / ".parse.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _parse_unless_current(manifest)


def _parse_unless_current(manifest: Path) -> Path:
    current = settings()  # the folders dbt's profile reads, checked
    stamp = manifest.parent / PARSE_STAMP
    fingerprint = _project_fingerprint(dbt_seeds_dir())
    if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
        return manifest
    completed = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--quiet",
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **dbt_environment(current)},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        detail = (completed.stdout + completed.stderr).strip().splitlines()
        raise ConfigError(
            "dbt parse failed: " + (detail[-1] if detail else f"exit {completed.returncode}")
        )
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint)
    return manifest
