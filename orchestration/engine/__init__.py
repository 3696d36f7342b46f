"""The engine that builds, audits and publishes the warehouse: DuckDB or Spark.

`XLA_ENGINE` (default `duckdb`) picks it, and with it dbt's target in `profiles.yml`. The
Python steps reach the build only through this interface:

- `prepare_lake()`: make the lake readable by dbt's sources, before dbt runs;
- `has_build()`: whether a build exists at all (else the next one is a full build);
- `reader()`: a context manager giving read-only access to the build's target schema;
- `publish(path, relations, audit_tables)`: publish the marts and seeds, and write the BI
  DuckDB file of the release at `path`.

An engine holds nothing open between these calls: the Spark engine opens its session in
each and stops it (and its JVM) on the way out, so the embedded metastore is free
whenever dbt's own process needs it.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa

from orchestration.config import ConfigError, Settings, engine_name

if TYPE_CHECKING:
    from orchestration.publish.bi_file import PublishedRelation

# The schema dbt builds the marts into (dbt-duckdb's default; `XLA_SPARK_SCHEMA` on Spark).
TARGET_SCHEMA = "main"
SPARK_MISSING = (
    "XLA_ENGINE=spark needs the Spark extra: pip install -e '.[spark]' "
    "(or XLA_INSTALL_SPARK=1 scripts/dev)"
)


class QueryError(Exception):
    """A query the build could not answer (whichever engine's error it was)."""


class Reader(Protocol):
    """Read-only access to a build."""

    def tables(self) -> set[str]:
        """The tables and views in the target schema."""
        ...

    def query(self, sql: str) -> list[tuple]:
        """The rows of `sql`, run with the target schema as the default one."""
        return self.query_named(sql)[1]

    def query_named(self, sql: str) -> tuple[list[str], list[tuple]]:
        """The column names and the rows of `sql`."""
        ...

    def arrow(self, schema: str, table: str) -> pa.Table:
        """A whole table as Arrow."""
        ...


class Engine(Protocol):
    name: str

    def prepare_lake(self) -> None: ...

    def has_build(self) -> bool: ...

    def set_aside_damaged_build(self) -> str | None:
        """Move a build the engine cannot open out of the way, saying so; None if sound."""
        ...

    def reader(self) -> AbstractContextManager[Reader]: ...

    def publish(
        self,
        path: Path,
        relations: Sequence[PublishedRelation],
        audit_tables: Mapping[str, pa.Table],
    ) -> None: ...


def current(settings: Settings) -> Engine:
    """The engine `XLA_ENGINE` picks; a ConfigError (one line) for any other value."""
    name = engine_name()
    if name == "spark":
        if importlib.util.find_spec("pyspark") is None:
            raise ConfigError(SPARK_MISSING)
        from orchestration.engine.spark_engine import SparkEngine

        return SparkEngine(settings)
    from orchestration.engine.duckdb_engine import DuckDBEngine

    return DuckDBEngine(settings)


def lake_uri(settings: Settings) -> str:
    """Where an engine reads the lake: `XLA_LAKE_URI`, default the data folder's `lake/`.

    A cluster points it at the object storage the lake is kept in (`s3a://...`)."""
    return (os.environ.get("XLA_LAKE_URI") or str(settings.lake_dir)).rstrip("/")
