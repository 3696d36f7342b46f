"""The Spark engine builds, audits and publishes the warehouse DuckDB builds.

One small generated MSP is run through `xla run` twice, from copies of the same landing
zone and reference data: once on DuckDB, once on a local Spark session
(`XLA_ENGINE=spark`). Every table the Spark run published is compared with the same
table of the DuckDB run's published file: the same columns and the same rows, instants
compared in UTC and doubles to 1e-9. The audit tables, which name their run, are
compared by their shape only; the closed months' record without the runs it names.

Run with `scripts/dev test -m spark tests/spark` (the spark extra and Java 17).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from xla_lab.generate import generate

pytest.importorskip("pyspark", reason="the Spark engine needs the spark extra")

pytestmark = pytest.mark.spark

AUDIT_TABLES = {"audit_check_results", "audit_publications", "audit_ingested_files"}
# The closed months' record names the publication that reported or restated a figure,
# and when: two runs differ there by nature, and agree on every other column.
RUN_COLUMNS = {
    "reported_client_months": ("run_id", "reported_at"),
    "restatements": ("run_id", "reported_run_id", "reported_at", "restated_at"),
}
FLOAT_TOLERANCE = 1e-9


def _xla(data_dir: Path, seeds_dir: Path, engine: str, *args: str) -> None:
    env = {
        **os.environ,
        "XLA_DATA_DIR": str(data_dir),
        "XLA_SEEDS_DIR": str(seeds_dir),
        "XLA_ENGINE": engine,
    }
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert done.returncode == 0, f"xla {' '.join(args)} on {engine}:\n{done.stderr[-4000:]}"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The data folders of one MSP published by each engine."""
    root = tmp_path_factory.mktemp("engines")
    generated = root / "generated"
    generate(
        generated / "landing",
        scale=0.1,
        months=1,
        seed=11,
        seeds_dir=generated / "seeds",
        answer_key_path=generated / "answer_key.json",
    )
    folders = {}
    for engine in ("duckdb", "spark"):
        data_dir = root / engine
        shutil.copytree(generated / "landing", data_dir / "landing")
        _xla(data_dir, generated / "seeds", engine, "run")
        folders[engine] = data_dir
    return folders


def _published_tables(published: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute(
            "select table_schema, table_name from information_schema.tables "
            "order by table_schema, table_name"
        ).fetchall()
    finally:
        con.close()


def _duckdb_table(published: Path, schema: str, name: str) -> pa.Table:
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.sql(f'select * from "{schema}"."{name}"').to_arrow_table()
    finally:
        con.close()


def _value(value: Any) -> Any:
    """Instants in UTC, without their zone: the same instant compares equal."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(f"{v:.6f}" if isinstance(v, float) else repr(v) for v in row)


def _rows(table: pa.Table, columns: list[str]) -> list[tuple[Any, ...]]:
    values = [table.column(c).to_pylist() for c in columns]
    rows = (tuple(_value(v) for v in row) for row in zip(*values, strict=True))
    return sorted(rows, key=_sort_key)


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=0, abs_tol=FLOAT_TOLERANCE) or (
            math.isnan(left) and math.isnan(right)
        )
    return left == right


def differences(duck: pa.Table, spark: pa.Table) -> list[str]:
    """What differs between two copies of a table: columns, row count, then rows."""
    columns = duck.column_names
    if sorted(columns) != sorted(spark.column_names):
        return [f"columns {sorted(columns)} != {sorted(spark.column_names)}"]
    left, right = _rows(duck, columns), _rows(spark, columns)
    if len(left) != len(right):
        return [f"{len(left)} rows on DuckDB, {len(right)} on Spark"]
    found = []
    for a, b in zip(left, right, strict=True):
        unequal = [(c, x, y) for c, x, y in zip(columns, a, b, strict=True) if not _same(x, y)]
        if unequal:
            found.append(", ".join(f"{c}: {x!r} != {y!r}" for c, x, y in unequal))
    return found


def test_the_comparison_sees_a_changed_value_an_extra_row_and_a_zone() -> None:
    """The comparison itself: equal instants in other zones agree, doubles within 1e-9
    agree, and a changed value or a missing row is reported."""
    from datetime import timedelta, timezone

    paris = timezone(timedelta(hours=1))
    duck = pa.table(
        {
            "id": ["a", "b"],
            "at": [datetime(2026, 3, 1, 9, 0, tzinfo=UTC), datetime(2026, 3, 1, 10, 0, tzinfo=UTC)],
            "hours": [1.5, 0.1 + 0.2],
        }
    )
    same = pa.table(
        {
            "id": ["b", "a"],
            "at": [
                datetime(2026, 3, 1, 11, 0, tzinfo=paris),
                datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
            ],
            "hours": [0.3, 1.5],
        }
    )
    assert differences(duck, same) == []
    changed = same.set_column(2, "hours", pa.array([0.3 + 2e-9, 1.5]))
    assert differences(duck, changed) == ["hours: 0.30000000000000004 != 0.300000002"]
    assert differences(duck, same.slice(0, 1)) == ["2 rows on DuckDB, 1 on Spark"]


def _spark_tables(data_dir: Path, names: list[str]) -> dict[str, pa.Table]:
    """The Spark run's published schema, read in a session of its own (closed again, so
    that no JVM outlives the test)."""
    from orchestration.config import Settings
    from orchestration.engine.spark_engine import published_schema, session

    with session(Settings(data_dir=data_dir, seeds_dir=data_dir)) as spark:
        return {name: spark.table(f"{published_schema()}.{name}").toArrow() for name in names}


def test_spark_publishes_every_table_duckdb_publishes_with_the_same_rows(
    runs: dict[str, Path],
) -> None:
    duck_file = runs["duckdb"] / "published" / "warehouse.duckdb"
    tables = _published_tables(duck_file)
    marts = [(s, n) for s, n in tables if n not in AUDIT_TABLES]
    assert {n for _, n in marts} >= {"fct_tickets", "fct_ticket_sla", "fct_timeslip_flags"}
    spark = _spark_tables(runs["spark"], [name for _, name in tables])
    report = {}
    for schema, name in marts:
        duck, other = _duckdb_table(duck_file, schema, name), spark[name]
        for column in RUN_COLUMNS.get(name, ()):
            duck, other = duck.drop_columns([column]), other.drop_columns([column])
        found = differences(duck, other)
        if found:
            report[f"{schema}.{name}"] = [*found[:3], f"... {len(found)} rows differ"]
    assert report == {}
    for name in AUDIT_TABLES:
        duck = _duckdb_table(duck_file, "main", name)
        assert sorted(spark[name].column_names) == sorted(duck.column_names), name
    assert spark["fct_tickets"].num_rows > 100


def test_the_spark_release_carries_the_same_file_for_the_reports(runs: dict[str, Path]) -> None:
    """The Spark run's release holds a DuckDB copy of what it published, for the report
    writers: its fact tables equal the DuckDB run's."""
    duck_file = runs["duckdb"] / "published" / "warehouse.duckdb"
    spark_file = runs["spark"] / "published" / "warehouse.duckdb"
    facts = [(s, n) for s, n in _published_tables(duck_file) if n.startswith("fct_")]
    for schema, name in facts:
        found = differences(
            _duckdb_table(duck_file, schema, name), _duckdb_table(spark_file, schema, name)
        )
        assert found == [], f"{schema}.{name}: {found[:3]}"
    assert (runs["spark"] / "published" / "reports").is_dir()
