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
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_SEEDS_DIR = REPO_ROOT / "seeds"


def sql_literal(value: object) -> str:
    """A value as a SQL string literal (paths may hold quotes)."""
    return "'" + str(value).replace("'", "''") + "'"


class ConfigError(Exception):
    """Bad usage or configuration; the CLI exits 2 with the message."""


ENGINES = ("duckdb", "spark")
# The executors `XLA_DAGSTER_EXECUTOR` may name (orchestration/jobs.py): name -> (module,
# attribute, package that provides it).
EXECUTORS = {
    "in_process": ("dagster", "in_process_executor", "dagster"),
    "multiprocess": ("dagster", "multiprocess_executor", "dagster"),
    "k8s": ("dagster_k8s", "k8s_job_executor", "dagster-k8s"),
    "celery": ("dagster_celery", "celery_executor", "dagster-celery"),
    "celery_k8s": ("dagster_celery_k8s", "celery_k8s_job_executor", "dagster-celery-k8s"),
}
BOOLEAN_WORDS = ("true", "false", "1", "0", "yes", "no")


@dataclass(frozen=True)
class Variable:
    """A setting read from the environment: what it accepts, checked before any work."""

    name: str
    accepts: str
    valid: Callable[[str], bool]
    # An empty value means the default (unset); otherwise it is refused.
    empty_is_default: bool = True


def _whole(least: int) -> Callable[[str], bool]:
    return lambda value: bool(re.fullmatch(r"\d+", value.strip())) and int(value) >= least


def _matching(pattern: str) -> Callable[[str], bool]:
    return lambda value: bool(re.fullmatch(pattern, value))


def _spark_variable(name: str, accepts: str, pattern: str) -> Variable:
    """A Spark setting: when set, it must be given in full (empty is not its default)."""
    return Variable(name, accepts, _matching(pattern), empty_is_default=False)


SCHEMA_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value.strip())
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()))


def _is_time_zone(value: str) -> bool:
    """An IANA name the machine knows, or a POSIX rule (`EST5EDT`, `UTC0`)."""
    name = value.removeprefix(":")
    if "/" not in name:
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


VARIABLES: tuple[Variable, ...] = (
    Variable("XLA_ENGINE", "duckdb or spark", lambda v: v in ENGINES, empty_is_default=False),
    Variable("XLA_KEEP_RELEASES", "a whole number of releases to keep, 1 or more", _whole(1)),
    Variable(
        "XLA_PUBLISH_FREE_TEXT",
        "true or false",
        lambda v: v.strip().lower() in BOOLEAN_WORDS,
    ),
    Variable("XLA_FRESHNESS_DAYS", "a whole number of days, 0 or more", _whole(0)),
    Variable("XLA_PARTITIONS_START", "a date YYYY-MM-DD", _is_date),
    Variable(
        "XLA_DAGSTER_EXECUTOR",
        "one of " + ", ".join(EXECUTORS),
        lambda v: v.strip() in EXECUTORS,
    ),
    _spark_variable(
        "XLA_SPARK_MASTER",
        "a Spark master such as local[2], spark://host:7077 or yarn",
        r"local(\[(\d+|\*)(,\d+)?\])?|[a-z0-9]+://\S+|yarn",
    ),
    _spark_variable(
        "XLA_SPARK_DRIVER_MEMORY", "a JVM memory size such as 4g or 512m", r"\d+[kmgtKMGT]?"
    ),
    _spark_variable(
        "XLA_SPARK_BIND_ADDRESS",
        "an IP address or host name to listen on (default 127.0.0.1)",
        r"[A-Za-z0-9.:-]+",
    ),
    _spark_variable("XLA_SPARK_SCHEMA", "a schema name (letters, digits, _)", SCHEMA_NAME),
    _spark_variable(
        "XLA_SPARK_PUBLISHED_SCHEMA", "a schema name (letters, digits, _)", SCHEMA_NAME
    ),
    Variable("TZ", "an IANA time zone such as Europe/Amsterdam, or none", _is_time_zone),
)


def environment_problems() -> list[str]:
    """One line per setting of the environment that is not one its variable accepts."""
    problems = []
    for variable in VARIABLES:
        value = os.environ.get(variable.name)
        if value is None or (not value.strip() and variable.empty_is_default):
            continue
        if not variable.valid(value):
            problems.append(f"{variable.name}={value!r} is not {variable.accepts}")
    return problems


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


# The Spark JVM's logging settings, for dbt's Spark session and the engine's own.
SPARK_LOG_CONFIG = DBT_PROJECT_DIR / "spark" / "log4j2.properties"

# Where the runs' reference-data snapshots are written (orchestration/reference/snapshot.py):
# inside the dbt project, since dbt takes its seeds from a path relative to it.
STAGED_SEEDS_DIR = DBT_PROJECT_DIR / ".staged_seeds"


def settings() -> Settings:
    """Read the settings from the environment, checked; the environment is not changed."""
    data_dir = Path(os.environ.get("XLA_DATA_DIR") or "data").expanduser().resolve()
    seeds_dir = Path(os.environ.get("XLA_SEEDS_DIR") or DEFAULT_SEEDS_DIR).expanduser().resolve()
    if not seeds_dir.is_dir():
        raise ConfigError(f"XLA_SEEDS_DIR {seeds_dir} is not a folder")
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(f"XLA_DATA_DIR {data_dir} exists and is not a folder")
    # Every setting is checked before any work: a bad one is bad configuration (exit 2),
    # not a failure half-way through a run that has already published.
    problems = environment_problems()
    if problems:
        raise ConfigError("\n".join(problems))
    return Settings(data_dir=data_dir, seeds_dir=seeds_dir)


def dbt_environment(current: Settings) -> dict[str, str]:
    """The variables dbt's profile and project read, as absolute paths: dbt runs with the
    dbt project as its working directory, where a relative data folder means another
    folder."""
    return {
        "XLA_DATA_DIR": str(current.data_dir),
        "XLA_SEEDS_DIR": str(current.seeds_dir),
        "XLA_SPARK_LOG_CONFIG": str(SPARK_LOG_CONFIG),
    }


def prepare_process_environment() -> Settings:
    """Set up this process before any work: the settings checked, and the paths dbt reads
    made absolute in the environment its child processes inherit (dagster-dbt starts dbt
    with this process's environment). Called once, by the `xla` command and by the
    Dagster code location as they start; the settings resource only reads."""
    current = settings()
    os.environ.update(dbt_environment(current))
    return current
