"""A real MSP's reference data and vocabulary give the demo's numbers.

One small generated MSP (the reliability tests' shared data set) is published three
times, each from the same extracts:

- `full`: the generated reference data, every column (the determinism tests' rebuild);
- `contract_only`: reference files with exactly the columns the contract names (no
  `contract_start`, `contract_end`, `billable_goal_period`, rule descriptions; no
  `value_map.csv` or `msp_settings.csv`), holidays.csv as Excel on Windows saves it (a
  BOM, CRLF and a column of the MSP's own);
- `psa_words`: tickets and ticket events rewritten in a PSA's own words (`Open`,
  `On Hold`, `Critical`, `Web`, ...), mapped in `value_map.csv`, with pause statuses
  named in the same words; and one more event, moving a ticket to a status nobody
  mapped.

The SLA, KPI and XLA marts of the three are equal, row for row: the unmapped status is
quarantined with a reason naming the value and the file to map it in, and counted
neither as running nor as paused time.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from contract_check import REFERENCE_CONTRACT_COLUMNS

from orchestration.config import DEFAULT_SEEDS_DIR
from tests.reliability.crashes import Workspace, dataset
from tests.reliability.rebuilds import rebuild, shared_root

pytestmark = pytest.mark.slow

# The facts of the warehouse: SLA, KPI and XLA. Every column is compared.
FACTS = (
    "fct_tickets",
    "fct_ticket_sla",
    "fct_sla_clock_segments",
    "fct_client_months",
    "fct_client_month_sla_policies",
    "fct_engineer_days",
    "fct_survey_responses",
    "fct_ticket_effort_months",
)
# What says which delivery a row came from (its bytes differ when rewritten).
LINEAGE = ("file_sha256",)

STATUSES = {
    "New": "Open",
    "In Progress": "Working",
    "Waiting Customer": "On Hold",
    "Waiting Vendor": "Vendor Hold",
    "Scheduled": "Scheduled Visit",
    "Resolved": "Complete",
    "Closed": "Closed",
}
PRIORITIES = {"P1": "Critical", "P2": "High", "P3": "Medium", "P4": "Low"}
CHANNELS = {
    "phone": "Phone",
    "email": "E-mail",
    "portal": "Web",
    "chat": "Chat",
    "walk_in": "Walk-in",
    "monitoring": "Alert",
}


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, columns: list[str] | tuple[str, ...], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row[c] for c in columns] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _contract_only_seeds(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    for name, columns in REFERENCE_CONTRACT_COLUMNS.items():
        _, rows = _read(target / f"{name}.csv")
        _write(target / f"{name}.csv", columns, rows)
    (target / "value_map.csv").unlink()
    (target / "msp_settings.csv").unlink()
    # holidays.csv as Excel on Windows saves it.
    columns, rows = _read(target / "holidays.csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["observed_by", *columns])
    writer.writerows(["whole office", *(row[c] for c in columns)] for row in rows)
    (target / "holidays.csv").write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode())
    return target


def _in_psa_words(landing: Path, seeds_source: Path, root: Path) -> tuple[list[Path], Path]:
    """The landing files with tickets and events in the PSA's words, and reference data
    that maps those words (pause statuses named in them too)."""
    files = []
    folder = root / "psa_landing"
    folder.mkdir()
    for path in sorted(landing.glob("*.csv")):
        target = folder / path.name
        if path.name.startswith("tickets_"):
            columns, rows = _read(path)
            for row in rows:
                row["status"] = STATUSES[row["status"]]
                row["priority"] = PRIORITIES[row["priority"]]
                row["channel"] = CHANNELS.get(row["channel"], row["channel"])
            _write(target, columns, rows)
        elif path.name.startswith("ticket_events_"):
            columns, rows = _read(path)
            words = {"status": STATUSES, "priority": PRIORITIES}
            for row in rows:
                mapping = words.get(row["field"])
                if mapping is not None:
                    row["old_value"] = mapping.get(row["old_value"], row["old_value"])
                    row["new_value"] = mapping.get(row["new_value"], row["new_value"])
            _write(target, columns, rows)
        else:
            shutil.copyfile(path, target)
        files.append(target)
    # One more event: a ticket moved to a status nobody mapped.
    unmapped = folder / "ticket_events_20260131_late.csv"
    unmapped.write_text(UNMAPPED_EVENT, encoding="utf-8")
    files.append(unmapped)
    seeds = root / "psa_seeds"
    shutil.copytree(seeds_source, seeds)
    value_map = (DEFAULT_SEEDS_DIR / "value_map.csv").read_text(encoding="utf-8")
    value_map += "".join(
        f"psa,{field},{word},{canonical}\n"
        for field, mapping in (
            ("status", STATUSES),
            ("priority", PRIORITIES),
            ("channel", CHANNELS),
        )
        for canonical, word in mapping.items()
        if word != canonical
    )
    (seeds / "value_map.csv").write_text(value_map, encoding="utf-8")
    columns, policies = _read(seeds / "sla_policies.csv")
    for policy in policies:
        policy["pause_statuses"] = ";".join(
            STATUSES[s] for s in policy["pause_statuses"].split(";") if s
        )
    _write(seeds / "sla_policies.csv", columns, policies)
    return files, seeds


# T000003 was closed on 4 January: read as an open status, `Parked` would reopen it and
# run its resolution clock from the 10th.
UNMAPPED_EVENT = (
    "event_id,ticket_id,occurred_at,field,old_value,new_value,actor_id\n"
    "X1,T000003,2026-01-10T09:00:00+00:00,status,Closed,Parked,E001\n"
)
UNMAPPED_REASON = (
    "new_value 'Parked' is not one of New, In Progress, Waiting Customer, Waiting Vendor, "
    "Scheduled, Resolved, Closed nor mapped in value_map.csv (source psa, field status: "
    "Open, Working, On Hold, Vendor Hold, Scheduled Visit, Complete)"
)


def _facts(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        found = {}
        for table in FACTS:
            columns = [
                column
                for (column,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = 'main' "
                    "and table_name = ? order by column_index",
                    [table],
                ).fetchall()
                if column not in LINEAGE
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            found[table] = con.execute(f"select {select} from {table} order by all").fetchall()
        return found
    finally:
        con.close()


def _published(workspace: Workspace) -> Workspace:
    run = workspace.run()
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return workspace


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Workspace]:
    shared = shared_root(tmp_path_factory)
    data = dataset(shared)
    root = tmp_path_factory.mktemp("field_ready")
    contract_only = Workspace(
        root / "contract_only" / "data", _contract_only_seeds(data.seeds, root / "contract_seeds")
    )
    contract_only.land(data.files())
    files, psa_seeds = _in_psa_words(data.landing, data.seeds, root)
    psa_words = Workspace(root / "psa_words" / "data", psa_seeds)
    psa_words.land(files)
    full = rebuild(shared, "second")
    assert full.exit_code == 0, full.output[-3000:]
    return {
        "full": full.workspace,
        "contract_only": _published(contract_only),
        "psa_words": _published(psa_words),
    }


def test_reference_data_with_only_the_contract_columns_gives_the_same_marts(
    runs: dict[str, Workspace],
) -> None:
    full, contract_only = _facts(runs["full"].published), _facts(runs["contract_only"].published)
    assert all(full[table] for table in FACTS)
    for table in FACTS:
        assert contract_only[table] == full[table], table
    con = duckdb.connect(str(runs["contract_only"].published), read_only=True)
    try:
        # The BOM, CRLF and the extra column of holidays.csv are gone; its rows are there.
        holidays = con.execute(
            "select count(*), count(*) filter (where contains(holiday_name, chr(13))) "
            "from reference.holidays"
        ).fetchone()
        columns = [row[0] for row in con.execute("describe reference.holidays").fetchall()]
    finally:
        con.close()
    assert holidays[0] > 0 and holidays[1] == 0
    # The warehouse's columns, optional ones (validity) filled in: the extra one is gone.
    assert columns == ["calendar_id", "holiday_date", "holiday_name", "valid_from", "valid_to"]


def test_a_psas_own_words_mapped_give_the_same_marts(runs: dict[str, Workspace]) -> None:
    full, psa_words = _facts(runs["full"].published), _facts(runs["psa_words"].published)
    for table in FACTS:
        assert psa_words[table] == full[table], table
    # The lake keeps what the PSA wrote.
    lake = runs["psa_words"].data_dir / "lake" / "tickets"
    con = duckdb.connect()
    try:
        statuses = {
            status
            for (status,) in con.execute(
                f"select distinct status from read_parquet('{lake}/*.parquet')"
            ).fetchall()
        }
    finally:
        con.close()
    assert "Working" in statuses
    assert statuses <= set(STATUSES.values())


def test_an_unmapped_status_is_quarantined_with_its_reason(runs: dict[str, Workspace]) -> None:
    con = duckdb.connect(str(runs["psa_words"].published), read_only=True)
    try:
        assert con.execute(
            "select line_number, reason from quarantine_rows "
            "where file_name = 'ticket_events_20260131_late.csv'"
        ).fetchall() == [(2, UNMAPPED_REASON)]
        assert con.execute(
            "select rows_in, rows_loaded, rows_quarantined from audit_ingested_files "
            "where file_name = 'ticket_events_20260131_late.csv'"
        ).fetchall() == [(1, 0, 1)]
        # The ticket stays closed, not reopened.
        assert con.execute(
            "select status, reopen_count from fct_tickets where ticket_id = 'T000003'"
        ).fetchone() == ("Closed", 0)
    finally:
        con.close()
