"""The reference data a run builds from: its defaults, its snapshot and its value map.

What a bad reference file makes of a run is the corpus of `tests/reliability/
test_bad_reference.py`; here, what a good one becomes: the snapshot dbt loads (columns,
defaults, pause statuses in the contract's words, the value map in force), the hashes a
publication records, and what the ingest reads of it.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from contract_check import REFERENCE_CONTRACT_COLUMNS

from orchestration.config import DBT_PROJECT_DIR, DEFAULT_SEEDS_DIR
from orchestration.contract import CANONICAL_VALUES
from orchestration.reference import snapshot
from orchestration.reference.spec import REFERENCE, REFERENCE_FILES
from orchestration.reference.validate import validate_folder
from orchestration.reference.view import IngestReference


def _copy_seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(DEFAULT_SEEDS_DIR, seeds)
    return seeds


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _keep_columns(path: Path, columns: tuple[str, ...]) -> None:
    rows = _rows(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row[c] for c in columns] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_the_shipped_reference_data_is_valid() -> None:
    assert validate_folder(DEFAULT_SEEDS_DIR).lines() == []


def test_the_snapshot_holds_every_file_with_exactly_the_warehouse_columns() -> None:
    taken = snapshot.take(DEFAULT_SEEDS_DIR)
    assert taken.folder.parent == DBT_PROJECT_DIR / ".staged_seeds"
    for name, spec in REFERENCE.items():
        with (taken.folder / spec.file_name).open(newline="", encoding="utf-8") as handle:
            assert tuple(next(csv.reader(handle))) == spec.column_names, name
    assert set(taken.sources) == {f"{name}.csv" for name in REFERENCE}


def test_cosmetic_differences_give_the_same_snapshot(tmp_path: Path) -> None:
    """A BOM, CRLF line ends, a row added in a Windows editor, another column order,
    extra columns and a trailing line of empty cells change the bytes, not the data."""
    seeds = _copy_seeds(tmp_path)
    holidays = seeds / "holidays.csv"
    lines = holidays.read_text(encoding="utf-8").splitlines()
    # A row added in a Windows editor to an LF file: one CRLF line among LF ones.
    holidays.write_bytes(("\n".join(lines[:-1]) + "\r\n" + lines[-1] + "\n").encode())
    clients = seeds / "clients.csv"
    rows = _rows(clients)
    columns = ["notes", *reversed(list(rows[0]))]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([["free text", *(row[c] for c in columns[1:])] for row in rows])
    writer.writerow([""] * len(columns))
    clients.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode())
    assert validate_folder(seeds).lines() == []
    ours, shipped = snapshot.take(seeds), snapshot.take(DEFAULT_SEEDS_DIR)
    assert ours.digest == shipped.digest
    assert ours.sources["clients.csv"] != shipped.sources["clients.csv"]


def test_only_the_contract_columns_take_the_documented_defaults(tmp_path: Path) -> None:
    seeds = _copy_seeds(tmp_path)
    for name, columns in REFERENCE_CONTRACT_COLUMNS.items():
        _keep_columns(seeds / f"{name}.csv", columns)
    (seeds / "value_map.csv").unlink()
    (seeds / "msp_settings.csv").unlink()
    assert validate_folder(seeds).lines() == []
    taken = snapshot.take(seeds)
    clients = snapshot.rows(taken, "clients")
    assert {(c["contract_start"], c["contract_end"]) for c in clients} == {("", "")}
    assert {e["billable_goal_period"] for e in snapshot.rows(taken, "engineers")} == {"month"}
    assert {r["description"] for r in snapshot.rows(taken, "timeslip_rules")} == {""}
    # The optional files left out: the shipped ones apply, and are what was read.
    assert snapshot.rows(taken, "msp_settings") == [
        {"setting": "billable_goal_period", "value": "month"},
        {"setting": "history_start", "value": "2000-01-01"},
        {"setting": "period_close_business_days", "value": "5"},
        {"setting": "restatement_threshold_pct", "value": "1"},
        {"setting": "restatement_severity", "value": "warn"},
        {"setting": "low_confidence_response_rate_pct", "value": "20"},
        {"setting": "sla_at_risk_pct", "value": "75"},
        {"setting": "peer_min_clients", "value": "5"},
        {"setting": "silent_feed_business_days", "value": "3"},
        {"setting": "silent_feed_min_daily_rows", "value": "2"},
    ]
    shipped = snapshot.take(DEFAULT_SEEDS_DIR)
    assert taken.sources["value_map.csv"] == shipped.sources["value_map.csv"]
    assert snapshot.rows(taken, "value_map") == snapshot.rows(shipped, "value_map")


def test_the_msp_wide_goal_period_fills_in_for_engineers_without_one(tmp_path: Path) -> None:
    seeds = _copy_seeds(tmp_path)
    (seeds / "msp_settings.csv").write_text("setting,value\nbillable_goal_period,quarter\n")
    periods = {
        e["engineer_id"]: e["billable_goal_period"]
        for e in snapshot.rows(snapshot.take(seeds), "engineers")
    }
    # E010 has a weekly goal of its own; every other engineer takes the MSP's quarter.
    assert periods.pop("E010") == "week"
    assert set(periods.values()) == {"quarter"}


def test_pause_statuses_are_loaded_in_the_contract_words(tmp_path: Path) -> None:
    seeds = _copy_seeds(tmp_path)
    with (seeds / "value_map.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "psa,status,On Hold,Waiting Customer\npsa,status,Parts Ordered,Waiting Vendor\n"
        )
    policies = seeds / "sla_policies.csv"
    text = policies.read_text(encoding="utf-8")
    policies.write_text(
        text.replace("Waiting Customer;Waiting Vendor", "On Hold; Parts Ordered ;Waiting Customer"),
        encoding="utf-8",
    )
    loaded = {r["pause_statuses"] for r in snapshot.rows(snapshot.take(seeds), "sla_policies")}
    # On Hold is Waiting Customer, named twice: once.
    assert "Waiting Customer;Waiting Vendor" in loaded
    assert not any("On Hold" in statuses for statuses in loaded)


def test_the_value_map_in_force_adds_the_contract_values_the_file_does_not_map(
    tmp_path: Path,
) -> None:
    seeds = _copy_seeds(tmp_path)
    (seeds / "value_map.csv").write_text(
        "source,field,source_value,canonical_value\n"
        "psa,status,On Hold,Waiting Customer\n"
        # A PSA whose 'Scheduled' means waiting on a vendor: the map wins.
        "psa,status,Scheduled,Waiting Vendor\n",
        encoding="utf-8",
    )
    rows = snapshot.rows(snapshot.take(seeds), "value_map")
    psa_status = {
        r["source_value"]: (r["canonical_value"], r["origin"])
        for r in rows
        if (r["source"], r["field"]) == ("psa", "status")
    }
    assert psa_status["On Hold"] == ("Waiting Customer", "value_map.csv")
    assert psa_status["Scheduled"] == ("Waiting Vendor", "value_map.csv")
    assert psa_status["New"] == ("New", "contract")
    assert len(psa_status) == len(CANONICAL_VALUES["status"]) + 1
    # Without the shipped rows, ServiceNow's own states are unmapped.
    vocabulary = IngestReference.of_folder(seeds).vocabulary
    assert vocabulary.canonical("servicenow", "status", "Active") is None
    assert vocabulary.canonical("servicenow", "priority", "P1") == "P1"
    assert vocabulary.canonical("psa", "status", "On Hold") == "Waiting Customer"


def test_a_snapshot_never_changes_once_written(tmp_path: Path) -> None:
    seeds = _copy_seeds(tmp_path)
    first = snapshot.take(seeds)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    clients = seeds / "clients.csv"
    clients.write_text(clients.read_text().replace("Keystone Family Practice", "Keystone"))
    second = snapshot.take(seeds)
    assert second.digest != first.digest
    assert {p.name: p.read_bytes() for p in first.folder.iterdir()} == before
    assert "Keystone," in (second.folder / "clients.csv").read_text()


def test_a_run_builds_from_the_snapshot_it_took_at_its_start(tmp_path: Path) -> None:
    from orchestration.config import Settings

    seeds = _copy_seeds(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=seeds)
    settings.ensure_dirs()
    taken = snapshot.take(seeds, "run-1")
    snapshot.record(settings, taken)
    clients = seeds / "clients.csv"
    clients.write_text(clients.read_text().replace("Keystone Family Practice", "Keystone"))
    assert snapshot.for_run(settings, "run-1") == taken
    # Another run takes the folder as it is now.
    assert snapshot.for_run(settings, "run-2").digest != taken.digest


def test_every_reference_column_is_documented_for_the_warehouse() -> None:
    """Each loaded column has a description in the seeds' yml (they are published)."""
    yml = DBT_PROJECT_DIR / "models" / "staging" / "reference" / "_reference__seeds.yml"
    text = yml.read_text()
    for name, spec in REFERENCE.items():
        block = text[text.index(f"  - name: {name}\n") :]
        for column in spec.column_names:
            assert f"      - name: {column}\n" in block, (name, column)


@pytest.mark.parametrize("name", list(REFERENCE_FILES))
def test_the_contract_document_lists_every_column(name: str) -> None:
    contract = (DBT_PROJECT_DIR.parent / "docs" / "contract.md").read_text(encoding="utf-8")
    section = contract[contract.index(f"`{name}.csv`\n") :]
    section = section[: section.index("\n### ")]
    for column in REFERENCE_FILES[name]:
        required = "required" if REFERENCE[name].column(column).required else "optional"
        assert f"| `{column}` | {required} |" in section, (name, column)
