"""docs/contract.md, the product's interface contract, against the code it describes.

Every extract and column the ingest validates, every reference file the build reads and
every table and column of the published floor (`contract_check.PUBLISHED`) must be
named in its section of the document. And the floor's checker must be able to fail:
it is tried on a small DuckDB file that lacks a table and a column.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from contract_check import PUBLISHED, missing

from orchestration.config import REPO_ROOT
from orchestration.contract import ADAPTER_EXTRACTS, EXTRACTS
from orchestration.reference.spec import REFERENCE_FILES

CONTRACT = REPO_ROOT / "docs" / "contract.md"
SECTIONS = {
    1: "Running it",
    2: "Extracts",
    3: "Reference data",
    4: "Semantics",
    5: "Published outputs",
}


def section(number: int) -> str:
    """The text of `## <number>. ...` up to the next section."""
    text = CONTRACT.read_text(encoding="utf-8")
    found = re.search(rf"^## {number}\. .*?(?=^## |\Z)", text, re.S | re.M)
    assert found is not None, f"docs/contract.md has no section {number}"
    return found.group(0)


def unnamed(text: str, names: list[str]) -> list[str]:
    """The names that `text` does not write as `name`."""
    return [name for name in names if f"`{name}`" not in text]


def test_the_sections_that_code_cites_keep_their_numbers() -> None:
    for number, title in SECTIONS.items():
        assert section(number).startswith(f"## {number}. {title}\n"), number


def test_every_table_and_column_of_the_floor_is_named_in_section_5() -> None:
    published = section(5)
    assert unnamed(published, list(PUBLISHED)) == []
    columns = [
        f"{table}.{column}"
        for table, names in PUBLISHED.items()
        for column in unnamed(published, list(names))
    ]
    assert columns == []


def test_every_extract_and_column_is_named_in_section_2() -> None:
    extracts = section(2)
    for extract in (*EXTRACTS.values(), *ADAPTER_EXTRACTS.values()):
        assert unnamed(extracts, [extract.name, *extract.column_names]) == [], extract.name


def test_every_reference_file_is_named_in_section_3() -> None:
    files = [name if name.endswith(".csv") else f"{name}.csv" for name in REFERENCE_FILES]
    assert unnamed(section(3), files) == []


def _floor_file(path: Path) -> Path:
    """A DuckDB file holding exactly the floor's tables and columns."""
    con = duckdb.connect(str(path))
    try:
        for table, columns in PUBLISHED.items():
            body = ", ".join(f'"{column}" varchar' for column in columns or ("id",))
            con.execute(f'create table "{table}" ({body})')
    finally:
        con.close()
    return path


def test_the_floor_check_passes_a_file_with_the_whole_floor(tmp_path: Path) -> None:
    warehouse = _floor_file(tmp_path / "floor.duckdb")
    assert missing(warehouse) == []
    assert missing(str(warehouse)) == []


@pytest.mark.parametrize("as_connection", [False, True])
def test_the_floor_check_names_a_missing_table_and_a_missing_column(
    tmp_path: Path, as_connection: bool
) -> None:
    warehouse = _floor_file(tmp_path / "floor.duckdb")
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("alter table dim_clients drop column timezone")
        con.execute("drop table publication_holds")
        # A table of that name in another schema is not the published one.
        con.execute("create schema reference")
        con.execute("create table reference.publication_holds (client_id varchar)")
        if as_connection:
            found = missing(con)
        else:
            con.close()
            found = missing(warehouse)
    finally:
        con.close()
    assert found == ["missing column dim_clients.timezone", "missing table publication_holds"]


def test_the_floor_check_can_be_limited_to_some_tables(tmp_path: Path) -> None:
    warehouse = _floor_file(tmp_path / "floor.duckdb")
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("drop table fct_tickets")
    finally:
        con.close()
    assert missing(warehouse, only=["dim_clients", "fct_ticket_sla"]) == []
    assert missing(warehouse, only=["fct_tickets", "audit_ingested_files"]) == [
        "missing table fct_tickets",
        "missing table audit_ingested_files",
    ]
