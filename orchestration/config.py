"""Where everything lives: one data folder, one seeds folder, one dbt project.

`XLA_DATA_DIR` (default `./data`) holds `landing/`, `archive/`, `lake/`, `build/`,
`published/` and `audit/`. `XLA_SEEDS_DIR` (default: the repo's `seeds/`) holds the
MSP's reference data. Both are resolved to absolute paths and exported back into the
environment, so that Dagster and dbt's `profiles.yml` always read the same folders.

`XLA_ENGINE` (`duckdb`, the default, or `spark`) picks the engine that builds, audits and
publishes the warehouse (`orchestration/engine/`). With Spark, `XLA_LAKE_URI` (default:
the data folder's `lake/`) is where Spark reads the lake, e.g. object storage the lake is
copied to, and `XLA_SPARK_PUBLISHED_SCHEMA` (default `published`) is the schema BI reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_SEEDS_DIR = REPO_ROOT / "seeds"


def sql_literal(value: object) -> str:
    """A value as a SQL string literal (paths may hold quotes)."""
    return "'" + str(value).replace("'", "''") + "'"


class ConfigError(Exception):
    """Bad usage or configuration; the CLI exits 2 with the message."""


ENGINES = ("duckdb", "spark")


def engine_name() -> str:
    """The engine `XLA_ENGINE` picks (default `duckdb`); dbt's target has the same name."""
    value = os.environ.get("XLA_ENGINE", "duckdb")
    if value not in ENGINES:
        raise ConfigError(f"XLA_ENGINE must be one of {', '.join(ENGINES)}, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Resolved folders of one XLA Warehouse installation."""

    data_dir: Path
    seeds_dir: Path

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def build_dir(self) -> Path:
        return self.data_dir / "build"

    @property
    def published_dir(self) -> Path:
        """A symbolic link to the current release under `releases/` (after a publication)."""
        return self.data_dir / "published"

    @property
    def audit_dir(self) -> Path:
        return self.data_dir / "audit"

    @property
    def build_db(self) -> Path:
        """The private DuckDB file dbt builds into."""
        return self.build_dir / "warehouse.duckdb"

    @property
    def published_db(self) -> Path:
        """The DuckDB file BI tools open read-only; replaced only whole."""
        return self.published_dir / "warehouse.duckdb"

    def ensure_dirs(self) -> None:
        """Create the data folder's layout (idempotent)."""
        for path in (
            self.landing_dir,
            self.archive_dir,
            self.lake_dir,
            self.build_dir,
            self.data_dir / "releases",
            self.audit_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)


# Where the runs' reference-data snapshots are written (orchestration/reference/snapshot.py):
# inside the dbt project, since dbt takes its seeds from a path relative to it.
STAGED_SEEDS_DIR = DBT_PROJECT_DIR / ".staged_seeds"


def settings() -> Settings:
    """Read the settings from the environment and export the resolved paths back into it."""
    data_dir = Path(os.environ.get("XLA_DATA_DIR") or "data").expanduser().resolve()
    seeds_dir = Path(os.environ.get("XLA_SEEDS_DIR") or DEFAULT_SEEDS_DIR).expanduser().resolve()
    if not seeds_dir.is_dir():
        raise ConfigError(f"XLA_SEEDS_DIR {seeds_dir} is not a folder")
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(f"XLA_DATA_DIR {data_dir} exists and is not a folder")
    engine_name()  # a bad XLA_ENGINE is bad configuration before anything runs
    os.environ["XLA_DATA_DIR"] = str(data_dir)
    os.environ["XLA_SEEDS_DIR"] = str(seeds_dir)
    os.environ["XLA_SPARK_LOG_CONFIG"] = str(DBT_PROJECT_DIR / "spark" / "log4j2.properties")
    return Settings(data_dir=data_dir, seeds_dir=seeds_dir)
