"""The Parquet lake as every engine sees it: its folders as dbt sources, its types in
Spark's terms, and its counts read with pyarrow alone (the same whatever the engine).

Each lake folder holds the ingest's Parquet files and `_schema.parquet`, an empty file
with the folder's full schema: older files may lack a column added since (it reads as
NULL), and a folder nothing has landed in still has its schema.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from orchestration.ingest.landing import SCHEMA_FILE

# dbt source (schema, table) -> lake folder. Every source of the dbt project's staging
# layer (`models/staging/*/_*__sources.yml`), and nothing else.
LAKE_TABLES: dict[tuple[str, str], str] = {
    ("psa", "tickets"): "tickets",
    ("psa", "ticket_events"): "ticket_events",
    ("psa", "timeslips"): "timeslips",
    ("psa", "surveys"): "surveys",
    ("servicenow", "incidents"): "servicenow_incidents",
    ("ingest", "quarantine_rows"): "quarantine",
}

_SPARK_TYPES = (
    (pa.types.is_string, "string"),
    (pa.types.is_large_string, "string"),
    (pa.types.is_int64, "bigint"),
    (pa.types.is_int32, "int"),
    (pa.types.is_float64, "double"),
    (pa.types.is_boolean, "boolean"),
    (pa.types.is_date32, "date"),
)


def spark_type(arrow_type: pa.DataType) -> str:
    """The Spark SQL type of a lake column's Arrow type.

    A timestamp with a time zone is an instant (Spark's `timestamp`); one without is a
    wall-clock value (`timestamp_ntz`), which Spark must not shift by its session zone.
    """
    for matches, name in _SPARK_TYPES:
        if matches(arrow_type):
            return name
    if pa.types.is_timestamp(arrow_type):
        return "timestamp" if arrow_type.tz else "timestamp_ntz"
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    raise ValueError(f"the lake has a column of type {arrow_type}, which has no Spark type here")


def spark_columns(schema: pa.Schema) -> list[tuple[str, str]]:
    """(name, Spark type) of every column of a lake schema, in order."""
    return [(field.name, spark_type(field.type)) for field in schema]


def _dataset(folder: Path) -> ds.Dataset | None:
    """The folder's data files (`_schema.parquet` and other `_` files left out), read
    with the folder's schema so an older file lacking a column reads it as NULL."""
    files = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith(("_", ".")))
    if not files:
        return None
    schema_file = folder / SCHEMA_FILE
    schema = (
        pq.read_schema(schema_file)
        if schema_file.exists()
        else pa.unify_schemas([pq.read_schema(p) for p in files])
    )
    return ds.dataset([str(p) for p in files], schema=schema, format="parquet")


def row_count(folder: Path) -> int:
    """Rows in a lake folder, from the files' footers."""
    data = _dataset(folder)
    return data.count_rows() if data is not None else 0


def distinct_count(folder: Path, columns: tuple[str, ...]) -> int:
    """Distinct values of `columns` in a lake folder, as SQL's `count(distinct ...)`
    counts them: NULL is no value of one column, but a part of a combination of several."""
    data = _dataset(folder)
    if data is None:
        return 0
    table = data.to_table(columns=list(columns))
    if len(columns) == 1:
        return pc.count_distinct(table.column(0), mode="only_valid").as_py()
    return table.group_by(list(columns)).aggregate([]).num_rows
