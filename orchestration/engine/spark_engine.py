"""The Spark engine: dbt-spark builds tables in a Hive metastore (embedded Derby, under
`build/spark/`), reading the lake as external Parquet tables.

Derby admits one JVM at a time, and dbt's session runs in dbt's own process. So this
side opens a Spark session only inside `session()` and, on the way out, stops it and
ends its JVM: nothing here holds the metastore while dbt needs it. pyspark is imported
only there, so the DuckDB engine works without the Spark extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from subprocess import TimeoutExpired
from typing import Any

import pyarrow as pa
import pyarrow.fs
import pyarrow.parquet as pq

from orchestration.config import SPARK_LOG_CONFIG, ConfigError, Settings, sql_literal
from orchestration.engine import SPARK_MISSING, TARGET_SCHEMA, QueryError, Reader, lake_uri
from orchestration.engine.lake import LAKE_TABLES, spark_columns
from orchestration.ingest.landing import SCHEMA_FILE
from orchestration.publish import bi_file
from orchestration.publish.free_text import publish_free_text, withheld_select

BIND_ADDRESS_VARIABLE = "XLA_SPARK_BIND_ADDRESS"


def spark_log_config() -> str:
    """The JVM's logging settings: `XLA_SPARK_LOG_CONFIG`, else the project's own."""
    return os.environ.get("XLA_SPARK_LOG_CONFIG") or str(SPARK_LOG_CONFIG)


def spark_conf(settings: Settings) -> dict[str, str]:
    """The session's settings: exactly the `server_side_parameters` of the spark target
    in `dbt_project/profiles.yml` (tests/test_engine.py holds the two equal), so this
    side and dbt open the same metastore and warehouse, with the same time zone."""
    spark_dir = settings.build_dir / "spark"
    return {
        "spark.master": os.environ.get("XLA_SPARK_MASTER", "local[2]"),
        "spark.driver.memory": os.environ.get("XLA_SPARK_DRIVER_MEMORY", "4g"),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": f"{spark_dir}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true"
        ),
        "spark.driver.extraJavaOptions": (
            f"-Dderby.system.home={spark_dir} -Dlog4j2.configurationFile={spark_log_config()}"
        ),
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # The driver's and block manager's ports listen on loopback only, unless the
        # operator names another address (a cluster's driver must be reachable).
        "spark.driver.host": spark_bind_address(),
        "spark.driver.bindAddress": spark_bind_address(),
    }


def spark_bind_address() -> str:
    """Where the local session's servers listen: `XLA_SPARK_BIND_ADDRESS`, default loopback."""
    return os.environ.get(BIND_ADDRESS_VARIABLE, "127.0.0.1")


def target_schema() -> str:
    """The schema dbt builds into (`XLA_SPARK_SCHEMA` in profiles.yml, default `main`)."""
    return os.environ.get("XLA_SPARK_SCHEMA", TARGET_SCHEMA)


def published_schema() -> str:
    """The schema BI tools read on Spark: `XLA_SPARK_PUBLISHED_SCHEMA`, default `published`."""
    return os.environ.get("XLA_SPARK_PUBLISHED_SCHEMA", "published")


def _quote(*parts: str) -> str:
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


@contextmanager
def session(settings: Settings) -> Iterator[Any]:
    """A Spark session on the build's metastore, stopped with its JVM on exit."""
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(SPARK_MISSING) from None
    if SparkContext._active_spark_context is not None:
        raise RuntimeError("a Spark session is already open in this process")
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        spark.sparkContext.setLogLevel("ERROR")
        yield spark
    finally:
        _shut_down(spark)


def _shut_down(spark: Any) -> None:
    """Stop the session and end its JVM, which holds Derby's lock until it exits.

    `spark.stop()` leaves the py4j gateway and its JVM running; the JVM exits when the
    gateway is shut down and its standard input closes. pyspark keeps the gateway in
    class attributes: reset, the next session starts a new JVM.
    """
    from pyspark import SparkContext

    try:
        spark.stop()
    finally:
        gateway = SparkContext._gateway
        SparkContext._gateway = None
        SparkContext._jvm = None
        if gateway is not None:
            process = getattr(gateway, "proc", None)
            gateway.shutdown()
            if process is not None:
                if process.stdin is not None:
                    process.stdin.close()
                try:
                    process.wait(timeout=60)
                except TimeoutExpired:
                    process.kill()
                    process.wait()


def _errors() -> tuple[type[BaseException], ...]:
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JError)


class SparkReader(Reader):
    def __init__(self, spark: Any, schema: str) -> None:
        self._spark = spark
        self._schema = schema
        if spark.catalog.databaseExists(schema):
            spark.sql(f"use {_quote(schema)}")

    def tables(self) -> set[str]:
        if not self._spark.catalog.databaseExists(self._schema):
            return set()
        return {
            table.name
            for table in self._spark.catalog.listTables(self._schema)
            if not table.isTemporary
        }

    def query_named(self, sql: str) -> tuple[list[str], list[tuple]]:
        # Through Arrow: timestamps come back as UTC instants, as DuckDB's do.
        data = self._run(lambda: self._spark.sql(sql).toArrow())
        columns = [column.to_pylist() for column in data.columns]
        return data.column_names, list(zip(*columns, strict=True))

    def arrow(self, schema: str, table: str) -> pa.Table:
        return self._run(lambda: self._spark.table(_quote(schema, table)).toArrow())

    @staticmethod
    def _run(action: Any) -> Any:
        try:
            return action()
        except _errors() as exc:
            raise QueryError(str(exc).strip().splitlines()[0]) from exc


def _read_schema(location: str) -> pa.Schema:
    """The schema of a lake folder, from its `_schema.parquet` (local or object storage)."""
    uri = f"{location}/{SCHEMA_FILE}"
    if uri.startswith("s3a://"):  # Hadoop's name for S3; pyarrow knows it as s3
        uri = "s3://" + uri.removeprefix("s3a://")
    filesystem, path = pyarrow.fs.FileSystem.from_uri(uri)
    return pq.read_schema(path, filesystem=filesystem)


def _same_location(found: str, wanted: str) -> bool:
    def plain(uri: str) -> str:
        return uri.removeprefix("file://").removeprefix("file:").rstrip("/")

    return plain(found) == plain(wanted)


def register_lake(spark: Any, lake: str) -> None:
    """Every lake folder as an external Parquet table of its dbt source, refreshed.

    The columns are declared from the folder's `_schema.parquet` (Spark skips files
    whose names start with `_`, and a folder with no data file has nothing to infer
    from); a table whose columns or folder changed is dropped and created again.
    """
    for (schema, name), folder in LAKE_TABLES.items():
        location = f"{lake}/{folder}"
        columns = spark_columns(_read_schema(location))
        table = _quote(schema, name)
        if not spark.catalog.databaseExists(schema):
            spark.sql(f"create database {_quote(schema)}")
        if spark.catalog.tableExists(f"{schema}.{name}"):
            existing = [(c.name, c.dataType) for c in spark.catalog.listColumns(f"{schema}.{name}")]
            where = {
                row.col_name: row.data_type
                for row in spark.sql(f"describe table extended {table}").collect()
            }.get("Location", "")
            if existing == columns and _same_location(where, location):
                spark.sql(f"refresh table {table}")
                continue
            spark.sql(f"drop table {table}")
        declared = ", ".join(f"{_quote(column)} {kind}" for column, kind in columns)
        spark.sql(
            f"create table {table} ({declared}) using parquet location {sql_literal(location)}"
        )
        spark.sql(f"refresh table {table}")


class SparkEngine:
    name = "spark"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def prepare_lake(self) -> None:
        with session(self.settings) as spark:
            register_lake(spark, lake_uri(self.settings))

    def has_build(self) -> bool:
        return (self.settings.build_dir / "spark" / "metastore_db").exists()

    def set_aside_damaged_build(self) -> str | None:
        """A Spark build is tables in a metastore, each rebuilt whole: nothing to set aside."""
        return None

    @contextmanager
    def reader(self) -> Iterator[SparkReader]:
        with session(self.settings) as spark:
            yield SparkReader(spark, target_schema())

    def publish(
        self,
        path: Path,
        relations: Sequence[bi_file.PublishedRelation],
        audit_tables: Mapping[str, pa.Table],
    ) -> None:
        """Copy the marts and seeds into the published schema, with the audit tables; then
        write the build's DuckDB copy (through Arrow) and the release's BI file from it.

        The published schema holds one schema's worth of names: marts and seeds live in
        different schemas of the build, so two of the same name could not both go."""
        published = published_schema()
        names = [relation.name for relation in relations] + list(audit_tables)
        clashes = sorted({name for name in names if names.count(name) > 1})
        if clashes:
            raise ValueError(f"two published tables would be {published}.{clashes[0]}")
        with session(self.settings) as spark:
            if not spark.catalog.databaseExists(published):
                spark.sql(f"create database {_quote(published)}")
            for relation in relations:
                source = _quote(relation.schema, relation.name)
                select = (
                    withheld_select(relation.name, spark.table(source).columns)
                    if relation.schema == target_schema() and not publish_free_text()
                    else "*"
                )
                # Spark's built-in catalog replaces no Parquet table in one statement
                # (`create or replace` needs a v2 table format): dropped, then created.
                target = _quote(published, relation.name)
                spark.sql(f"drop table if exists {target}")
                spark.sql(f"create table {target} using parquet as select {select} from {source}")
            for name, table in audit_tables.items():
                spark.createDataFrame(table).write.mode("overwrite").format("parquet").saveAsTable(
                    _quote(published, name)
                )
            self._write_report_copy(spark, relations)
        # The release's BI file from that copy, as the DuckDB engine writes it from its
        # build: each table crosses from Spark once.
        bi_file.write(path, relations, audit_tables, build_db=self.settings.build_db)

    def _write_report_copy(
        self, spark: Any, relations: Sequence[bi_file.PublishedRelation]
    ) -> None:
        """The monthly reports and the auditors' site read the build as a DuckDB file, free
        text included. On Spark that file is a private copy of the build's marts and seeds,
        written beside the metastore at each publication and replaced whole."""
        copy = self.settings.build_db
        incoming = copy.with_name(f".{copy.name}.incoming")
        incoming.unlink(missing_ok=True)
        bi_file.write(
            incoming,
            relations,
            {},
            arrow=lambda relation: spark.table(_quote(relation.schema, relation.name)).toArrow(),
            keep_free_text=True,
        )
        os.replace(incoming, copy)
