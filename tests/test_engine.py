"""The engine interface: XLA_ENGINE, the DuckDB engine, and (marked `spark`) the Spark one.

The Spark tests start a JVM per session (seconds each), so they are few: one lake
registered, read back and published, across several sessions in one process.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jinja2
import listening
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from orchestration import engine
from orchestration.config import DBT_PROJECT_DIR, DEFAULT_SEEDS_DIR, ConfigError, Settings
from orchestration.contract import LANDING_EXTRACTS
from orchestration.engine import lake
from orchestration.ingest.landing import ensure_lake_layout
from orchestration.ingest.validate import arrow_schema
from orchestration.publish import publisher
from orchestration.publish.bi_file import PublishedRelation
from orchestration.warehouse import build_state
from orchestration.warehouse.assets import failing_row_samples

needs_pyspark = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None,
    reason="pyspark is not installed: XLA_INSTALL_SPARK=1 scripts/dev test ...",
)


def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("XLA_DATA_DIR", str(tmp_path))
    for name in ("XLA_ENGINE", "XLA_LAKE_URI", "XLA_SPARK_SCHEMA", "XLA_PUBLISH_FREE_TEXT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(data_dir=tmp_path, seeds_dir=DEFAULT_SEEDS_DIR)
    settings.ensure_dirs()
    return settings


# --- choosing the engine -------------------------------------------------------------


def test_xla_engine_picks_the_engine_and_refuses_anything_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, monkeypatch)
    assert engine.current(settings).name == "duckdb"
    monkeypatch.setenv("XLA_ENGINE", "duckdb")
    assert engine.current(settings).name == "duckdb"
    for wrong in ("oracle", "Spark", ""):
        monkeypatch.setenv("XLA_ENGINE", wrong)
        with pytest.raises(ConfigError, match=r"^XLA_ENGINE must be one of duckdb, spark, not"):
            engine.current(settings)


def test_spark_without_pyspark_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, monkeypatch)
    monkeypatch.setenv("XLA_ENGINE", "spark")
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    with pytest.raises(ConfigError) as raised:
        engine.current(settings)
    message = str(raised.value)
    assert "\n" not in message
    assert "pip install -e '.[spark]'" in message and "XLA_INSTALL_SPARK=1" in message


def test_the_lake_uri_defaults_to_the_data_folder_and_can_be_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, monkeypatch)
    assert engine.lake_uri(settings) == str(tmp_path / "lake")
    monkeypatch.setenv("XLA_LAKE_URI", "s3a://bucket/xla/lake/")
    assert engine.lake_uri(settings) == "s3a://bucket/xla/lake"


def test_switching_engines_forces_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, monkeypatch)
    settings.build_db.touch()
    first = build_state.plan(settings, "")
    assert first.next_state.engine == "duckdb"
    build_state.save(settings, first.next_state)
    assert not build_state.plan(settings, "").full_refresh
    build_state.save(
        settings, build_state.BuildState(**{**vars(first.next_state), "engine": "spark"})
    )
    switched = build_state.plan(settings, "")
    assert switched.full_refresh
    assert switched.reason == "the engine changed from spark to duckdb"


# --- the DuckDB engine ---------------------------------------------------------------


def test_the_duckdb_reader_reads_the_build_file_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, monkeypatch)
    build = engine.current(settings)
    with build.reader() as reader:  # no build yet: nothing in it
        assert reader.tables() == set()
    con = duckdb.connect(str(settings.build_db))
    con.execute(
        "create table run_parameters as select timestamptz '2024-05-01 12:00:00+00' as as_of"
    )
    con.execute("create view v as select 1 as x")
    con.execute("create schema reference")
    con.execute("create table reference.clients as select 'C1' as client_id, 2.5::double as w")
    con.close()
    with build.reader() as reader:
        assert reader.tables() == {"run_parameters", "v"}
        ((as_of,),) = reader.query("select max(as_of) from run_parameters")
        assert as_of == datetime(2024, 5, 1, 12, tzinfo=UTC)
        assert reader.query_named("select x from v") == (["x"], [(1,)])
        clients = reader.arrow("reference", "clients")
        assert clients.to_pylist() == [{"client_id": "C1", "w": 2.5}]
        assert clients.schema.field("w").type == pa.float64()
        with pytest.raises(engine.QueryError):
            reader.query("select * from missing")
        with pytest.raises(duckdb.Error):  # read-only
            reader._con.execute("create table t (x int)")  # type: ignore[attr-defined]
        assert failing_row_samples(reader, "select 'C1' as client_id, 3 as n") == (
            "client_id=C1, n=3",
        )
        assert failing_row_samples(reader, "select * from missing") == ()


def test_lake_counts_are_duckdbs_read_parquet_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, monkeypatch)
    ensure_lake_layout(settings)
    folder = settings.lake_dir / "servicenow_incidents"
    schema = pq.read_schema(folder / "_schema.parquet")
    assert (
        lake.row_count(folder) == 0 and lake.distinct_count(folder, ("_client_id", "number")) == 0
    )
    rows = [
        {"_client_id": "C1", "number": "INC1"},
        {"_client_id": "C1", "number": "INC1"},
        {"_client_id": "C2", "number": "INC1"},
        {"_client_id": "C2", "number": None},
        {"_client_id": None, "number": None},
    ]
    pq.write_table(pa.Table.from_pylist(rows[:2], schema=schema), folder / "a.parquet")
    older = schema.remove(schema.get_field_index("_ingest_seq"))
    pq.write_table(pa.Table.from_pylist(rows[2:], schema=older), folder / "b.parquet")
    glob = f"read_parquet('{folder}/*.parquet', union_by_name = true)"
    con = duckdb.connect()
    expected_rows, expected_pairs, expected_numbers = con.execute(
        "select count(*), count(distinct (_client_id, number)), count(distinct (number)) "
        f"from {glob}"
    ).fetchone()
    assert lake.row_count(folder) == expected_rows == 5
    assert lake.distinct_count(folder, ("_client_id", "number")) == expected_pairs == 4
    assert lake.distinct_count(folder, ("number",)) == expected_numbers == 1


# --- what the Spark engine declares ---------------------------------------------------


def test_arrow_types_become_these_spark_types() -> None:
    expected = {
        pa.string(): "string",
        pa.large_string(): "string",
        pa.int64(): "bigint",
        pa.int32(): "int",
        pa.float64(): "double",
        pa.bool_(): "boolean",
        pa.date32(): "date",
        pa.timestamp("us", tz="UTC"): "timestamp",
        pa.timestamp("us"): "timestamp_ntz",
        pa.decimal128(12, 2): "decimal(12,2)",
    }
    assert {t: lake.spark_type(t) for t in expected} == expected
    with pytest.raises(ValueError, match="no Spark type"):
        lake.spark_type(pa.list_(pa.string()))


def test_every_lake_column_has_a_spark_type() -> None:
    for extract in LANDING_EXTRACTS.values():
        assert len(lake.spark_columns(arrow_schema(extract, ["extra"]))) > 0


def test_the_lake_tables_are_the_dbt_sources() -> None:
    declared = set()
    for path in sorted((DBT_PROJECT_DIR / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            declared |= {(source["name"], table["name"]) for table in source["tables"]}
    assert set(lake.LAKE_TABLES) == declared
    assert set(lake.LAKE_TABLES.values()) == {e.name for e in LANDING_EXTRACTS.values()} | {
        "quarantine"
    }


def test_the_spark_session_settings_are_the_dbt_profiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.engine.spark_engine import spark_conf

    settings = _settings(tmp_path, monkeypatch)
    for overridden in ({}, {"XLA_SPARK_MASTER": "local[1]", "XLA_SPARK_DRIVER_MEMORY": "1g"}):
        for name, value in overridden.items():
            monkeypatch.setenv(name, value)
        profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
        parameters = profiles["xla_warehouse"]["outputs"]["spark"]["server_side_parameters"]
        env = jinja2.Environment()
        env.globals["env_var"] = lambda name, default=None: __import__("os").environ.get(
            name, default
        )
        rendered = {key: env.from_string(str(value)).render() for key, value in parameters.items()}
        assert spark_conf(settings) == rendered


# --- the Spark engine, for real --------------------------------------------------------


def _write_lake(settings: Settings) -> None:
    """Every lake folder's schema; two ticket files, the older one without `_ingest_seq`."""
    ensure_lake_layout(settings)
    folder = settings.lake_dir / "tickets"
    schema = pq.read_schema(folder / "_schema.parquet")
    at = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    older = schema.remove(schema.get_field_index("_ingest_seq"))
    pq.write_table(
        pa.Table.from_pylist([{"ticket_id": "T1", "updated_at": at}], schema=older),
        folder / "tickets_20240301.parquet",
    )
    pq.write_table(
        pa.Table.from_pylist(
            [{"ticket_id": "T2", "updated_at": at, "_ingest_seq": 2}], schema=schema
        ),
        folder / "tickets_20240302.parquet",
    )


@pytest.mark.spark
@needs_pyspark
def test_spark_registers_the_lake_reads_it_back_and_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.engine.spark_engine import register_lake, session

    settings = _settings(tmp_path, monkeypatch)
    monkeypatch.setenv("XLA_ENGINE", "spark")
    _write_lake(settings)
    spark_engine = engine.current(settings)
    assert spark_engine.name == "spark" and not spark_engine.has_build()

    # 1: the lake registered (as the build asset does before dbt), then what dbt would
    # build: a mart with free text and an instant, and a seed.
    spark_engine.prepare_lake()
    assert spark_engine.has_build()
    with session(settings) as spark:
        spark.sql("create database if not exists main")
        spark.sql("create database if not exists reference")
        spark.sql(
            "create table main.fct_tickets using parquet as select 'T1' as ticket_id, "
            "'printer on fire' as subject, timestamp'2024-03-01 09:30:00' as created_at, "
            "cast(1.25 as double) as hours"
        )
        spark.sql(
            "create table reference.clients using parquet as "
            "select 'C1' as client_id, 'Acme' as client_name"
        )
        # A lake schema that gained a column: the table is declared again with it.
        schema_file = settings.lake_dir / "surveys" / "_schema.parquet"
        grown = pq.read_schema(schema_file).append(pa.field("new_column", pa.string()))
        pq.write_table(grown.empty_table(), schema_file)
        register_lake(spark, engine.lake_uri(settings))
        assert spark.table("psa.surveys").columns[-1] == "new_column"

    # 2: a second session in the same process reads the lake back through the reader.
    with spark_engine.reader() as reader:
        assert reader.tables() == {"fct_tickets"}
        rows = reader.query(
            "select ticket_id, _ingest_seq, updated_at from psa.tickets order by ticket_id"
        )
        at = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
        assert rows == [("T1", None, at), ("T2", 2, at)]
        assert reader.query("select count(*) from ingest.quarantine_rows") == [(0,)]
        tickets = reader.arrow("psa", "tickets")
        assert tickets.schema.field("updated_at").type == pa.timestamp("us", tz="UTC")
        with pytest.raises(engine.QueryError):
            reader.query("select * from missing_table")

    # 3: publish two tables and an audit table, free text withheld.
    relations = [
        PublishedRelation("main", "fct_tickets", "Tickets.", (("subject", "The subject."),)),
        PublishedRelation("reference", "clients", "Clients."),
    ]
    audit = {"audit_ingested_files": publisher._ingested_files_table(settings)}
    release = tmp_path / "warehouse.duckdb"
    spark_engine.publish(release, relations, audit)

    with spark_engine.reader() as reader:
        published = reader.query("select ticket_id, subject, hours from published.fct_tickets")
        assert published == [("T1", None, 1.25)]
        assert reader.query("select client_name from published.clients") == [("Acme",)]
        assert reader.query("select count(*) from published.audit_ingested_files") == [(0,)]

    con = duckdb.connect(str(release), read_only=True)
    try:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = 'fct_tickets'"
            ).fetchall()
        )
        assert types["created_at"] == "TIMESTAMP WITH TIME ZONE"
        assert types["hours"] == "DOUBLE"
        con.execute("set TimeZone = 'UTC'")
        assert con.execute(
            "select ticket_id, subject, created_at, hours from main.fct_tickets"
        ).fetchall() == [("T1", None, datetime(2024, 3, 1, 9, 30, tzinfo=UTC), 1.25)]
        assert con.execute("select client_name from reference.clients").fetchall() == [("Acme",)]
        assert con.execute("select count(*) from audit_ingested_files").fetchone() == (0,)
        (comment,) = con.execute(
            "select comment from duckdb_tables() where table_name = 'fct_tickets'"
        ).fetchone()
        assert comment == "Tickets."
    finally:
        con.close()


def _descendants(pid: int) -> set[int]:
    """The processes started, directly or not, by `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.spark
@needs_pyspark
def test_the_spark_session_listens_on_loopback_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.engine.spark_engine import session

    settings = _settings(tmp_path, monkeypatch)
    monkeypatch.delenv("XLA_SPARK_BIND_ADDRESS", raising=False)
    with session(settings) as spark:
        spark.sql("select 1").collect()
        addresses = listening.of_processes(_descendants(os.getpid()) | {os.getpid()})
    # The driver's RPC and the block manager at least; every one on 127.0.0.1 or ::1.
    assert addresses, "the session listens on nothing"
    assert addresses <= listening.LOOPBACK, addresses
