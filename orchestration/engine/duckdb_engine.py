"""The DuckDB engine: dbt-duckdb builds one file, `build/warehouse.duckdb`, on this machine.

The lake needs no preparing (the dbt sources read it with `read_parquet`), and the BI
file is the build's marts and seeds copied file to file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.config import Settings
from orchestration.engine import TARGET_SCHEMA, QueryError, Reader
from orchestration.publish import bi_file


class DuckDBReader(Reader):
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def tables(self) -> set[str]:
        return {
            name
            for (name,) in self._con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = current_database() and table_schema = ?",
                [TARGET_SCHEMA],
            ).fetchall()
        }

    def query_named(self, sql: str) -> tuple[list[str], list[tuple]]:
        try:
            cursor = self._con.execute(sql)
            return [column[0] for column in cursor.description], cursor.fetchall()
        except duckdb.Error as exc:
            raise QueryError(str(exc)) from exc

    def arrow(self, schema: str, table: str) -> pa.Table:
        try:
            return self._con.sql(
                f"select * from {bi_file.identifier(schema, table)}"
            ).to_arrow_table()
        except duckdb.Error as exc:
            raise QueryError(str(exc)) from exc


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def prepare_lake(self) -> None:
        """Nothing to do: dbt-duckdb reads the lake's Parquet files where they are."""

    def has_build(self) -> bool:
        return self.settings.build_db.exists()

    def set_aside_damaged_build(self) -> str | None:
        """Move a build file DuckDB cannot open aside (it is rebuilt in full); say so.

        A file held open by another process is not damaged: dbt then says who holds it.
        """
        path = self.settings.build_db
        if not path.exists():
            return None
        try:
            duckdb.connect(str(path), read_only=True).close()
            return None
        except duckdb.Error as error:
            if "lock" in str(error).lower():
                return None
            reason = " ".join(str(error).split())
        aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        path.rename(aside)
        path.with_name(f"{path.name}.wal").unlink(missing_ok=True)
        return f"{path} could not be opened ({reason}); moved aside to {aside.name}"

    @contextmanager
    def reader(self) -> Iterator[DuckDBReader]:
        """The build file, read-only; before any build, an empty database."""
        path = self.settings.build_db
        con = duckdb.connect(str(path), read_only=True) if path.exists() else duckdb.connect()
        try:
            yield DuckDBReader(con)
        finally:
            con.close()

    def publish(
        self,
        path: Path,
        relations: Sequence[bi_file.PublishedRelation],
        audit_tables: Mapping[str, pa.Table],
    ) -> None:
        """The BI file at `path`, copied from the build file."""
        bi_file.write(path, relations, audit_tables, build_db=self.settings.build_db)
