"""No single delivery stops the nightly run, moves other clients' numbers, or vanishes;
damage is said where it is and repaired by the next run.

One data folder, a copy of the session's published MSP, goes through three runs:

1. One bad delivery (`one_delivery.py`): extreme and future timestamps, a file dated
   decades ahead, two clients' ServiceNow exports with the same bytes. The run
   publishes; every bad row is quarantined with its reason, the future file waits in
   landing/, `as_of`, the client-months and the clocks already there do not move, and
   both exports land. A ticket of a client not in clients.csv waits in held_tickets,
   counted by a warn check; nothing else waits with it.
2. A late delivery while the disk fills up: the run fails in one line naming its step and
   the file it was writing, and that line is not replaced by the failure to record the
   step durations.
3. After a ledger record is cut short and the build file overwritten with garbage, the
   correction of the first delivery lands, and a client is renamed in clients.csv while
   dbt builds; the held ticket's client was added just before. The run rebuilds the
   record, moves the build file aside and builds in full, publishes with the corrected
   row winning, the held ticket built in and every landed row accounted for once,
   publishes the client's name it started with and records the hash of the file it
   read; the folder then counts as changed for the next run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

import pytest
from published_workspace import published_workspace

from orchestration.config import Settings
from orchestration.faults import FAULT_ENV
from orchestration.publish.publisher import is_current
from tests.reliability.console import console_lines
from tests.reliability.one_delivery import (
    TICKETS,
    UNKNOWN_CLIENT,
    Delivery,
    cases,
    deliver_bad,
    quarantined,
    query,
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Scenario:
    delivery: Delivery
    full_disk: subprocess.CompletedProcess[str]
    repaired: str  # the third run's console
    repaired_code: int
    late_file: str
    damaged_record: str
    client: str
    old_name: str
    old_clients_hash: str


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_text(text.getvalue())


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    base = published_workspace(tmp_path_factory)
    root = tmp_path_factory.mktemp("one-delivery")
    seeds = root / "seeds"
    shutil.copytree(base.seeds_dir, seeds)
    # 1. The bad delivery.
    delivery = deliver_bad(base.data_dir, root / "data", seeds)
    workspace, day = delivery.workspace, delivery.day
    landing = workspace.data_dir / "landing"
    # 2. A late delivery, and the disk fills up once its lake files are written.
    late = f"tickets_{day:%Y%m%d}_late.csv"
    at = f"{day.isoformat()}T09:00:00+00:00"
    client = delivery.clients[0]
    (landing / late).write_text(
        f"{TICKETS}\nTD1,{client},P3,New,{at},{at},printer\nTD2,{client},P9,New,{at},{at},x\n"
    )
    full_disk = workspace.run(**{FAULT_ENV: "ingest.after_lake_write:disk-full"})
    # 3. Damage, the correction, and an edit of clients.csv during the build.
    damaged = sorted((workspace.data_dir / "audit" / "ingested").glob("*.json"))[0]
    damaged.write_bytes(damaged.read_bytes()[:40])
    (workspace.data_dir / "build" / "warehouse.duckdb").write_bytes(b"not a database " * 1000)
    (landing / f"tickets_{day:%Y%m%d}_fix.csv").write_text(
        f"{TICKETS}\nTX1,{client},P3,Resolved,{at},{day.isoformat()}T11:00:00+00:00,printer\n"
    )
    clients = seeds / "clients.csv"
    rows = list(csv.reader(io.StringIO(clients.read_text())))
    (row,) = [r for r in rows if r[0] == client]
    # The held ticket's client is added, as the MSP does on reading the warn check.
    rows.append([UNKNOWN_CLIENT, "Added Late", *row[2:]])
    _write_csv(clients, rows)
    old_name, old_hash = row[1], hashlib.sha256(clients.read_bytes()).hexdigest()
    log = root / "repair.log"
    process = workspace.start(log)
    deadline = time.monotonic() + 300
    while "Building the warehouse" not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the build did not start"
        time.sleep(0.2)
    row[1] = "Renamed While Building"
    _write_csv(clients, rows)
    code = process.wait(timeout=900)
    return Scenario(
        delivery=delivery,
        full_disk=full_disk,
        repaired=log.read_text(errors="replace"),
        repaired_code=code,
        late_file=late,
        damaged_record=damaged.name,
        client=client,
        old_name=old_name,
        old_clients_hash=old_hash,
    )


# 1. One bad delivery ----------------------------------------------------------------------


def test_one_bad_delivery_publishes(scenario: Scenario) -> None:
    delivery = scenario.delivery
    assert delivery.run.returncode == 0, delivery.output[-3000:]
    assert delivery.after, "nothing published"


def test_every_bad_row_is_quarantined_with_its_reason(scenario: Scenario) -> None:
    delivery = scenario.delivery
    found = quarantined(delivery)
    console = console_lines(delivery.output)
    for case in cases(delivery.day, delivery.clients):
        if case.line == 0:
            continue
        assert found.get((case.file, case.line)) == case.reason, case.name
        assert f"{case.file} line {case.line}: {case.reason}" in console, case.name
    # The good row beside them loaded.
    assert query(delivery, "select count(*) from fct_tickets where ticket_id = 'TX4'") == [(1,)]


def test_a_file_dated_in_the_future_waits_in_landing(scenario: Scenario) -> None:
    delivery = scenario.delivery
    (case,) = [c for c in cases(delivery.day, delivery.clients) if c.line == 0]
    assert case.reason in console_lines(delivery.output)
    assert (delivery.workspace.data_dir / "landing" / case.file).exists()


def test_no_other_figure_moves(scenario: Scenario) -> None:
    before, after = scenario.delivery.before, scenario.delivery.after
    assert after["as_of"] == before["as_of"]
    assert after["client_months"] == before["client_months"]
    assert after["first_month"] == before["first_month"]
    tickets = {clock_[0] for clock_ in before["clocks"]}
    assert {c for c in after["clocks"] if c[0] in tickets} == before["clocks"]


def test_two_clients_identical_exports_both_land(scenario: Scenario) -> None:
    delivery = scenario.delivery
    files = sorted(f"servicenow_incidents_{delivery.day:%Y%m%d}_{c}.csv" for c in delivery.clients)
    ingested = query(
        delivery,
        "select file_name, rows_in, rows_loaded from audit_ingested_files "
        "where file_name like 'servicenow_incidents_%' order by file_name",
    )
    assert ingested == [(name, 3, 3) for name in files]
    tickets = query(
        delivery,
        "select ticket_id from fct_tickets where ticket_id like '%:INC700000%' order by 1",
    )
    assert tickets == sorted(
        (f"{client}:INC700000{n}",) for client in delivery.clients for n in (1, 2)
    )
    archived = sorted(
        p.name.split("_", 1)[1]
        for p in (delivery.workspace.data_dir / "archive").rglob("*_servicenow_incidents_*")
    )
    assert archived == files


def test_a_ticket_of_an_unknown_client_waits_and_nothing_else_does(scenario: Scenario) -> None:
    delivery = scenario.delivery
    tickets = f"tickets_{delivery.day:%Y%m%d}_bad.csv"
    assert delivery.after["held"] == [
        ("TX6", UNKNOWN_CLIENT, tickets, 6, f"client_id {UNKNOWN_CLIENT} is not in clients.csv")
    ]
    assert (
        f"{tickets} line 6: client_id '{UNKNOWN_CLIENT}' is not in clients.csv; "
        "the ticket waits in held_tickets until it is added"
    ) in console_lines(delivery.output)
    # Counted by a warn check; the lake's tickets are those built and those held.
    assert delivery.after["held_checks"] == {
        "tickets_of_unknown_clients": (False, 1, '["TX6"]'),
        "tickets_reconcile": (True, 0, "[]"),
    }
    assert delivery.before["held"] == []


# 2. A full disk -------------------------------------------------------------------------------


def test_a_full_disk_fails_the_step_in_one_line_naming_the_file(scenario: Scenario) -> None:
    run = scenario.full_disk
    lines = console_lines(run.stdout)
    assert run.returncode == 1, run.stdout[-3000:]
    step = [line for line in lines if line.startswith("Step ingest")]
    assert len(step) == 1, run.stdout[-3000:]
    assert "No space left on device (writing " in step[0]
    assert "/archive/" in step[0] and scenario.late_file in step[0]
    # Recording the step durations failed too: said, without replacing the step's line.
    assert any(
        "Step durations not recorded" in line and "last_run_steps.json" in line for line in lines
    )
    assert lines[-1].endswith("with exit code 1")


# 3. Repaired, corrected, and a reference file edited during the build --------------------------


def test_the_next_run_repairs_and_publishes(scenario: Scenario) -> None:
    lines = console_lines(scenario.repaired)
    assert scenario.repaired_code == 0, scenario.repaired[-3000:]
    assert any(
        "rebuilt the damaged ledger record" in line and scenario.damaged_record in line
        for line in lines
    ), scenario.repaired[-3000:]
    assert any("The build file is damaged" in line and "moved aside" in line for line in lines)
    assert any("Building the warehouse in full" in line for line in lines)
    build = scenario.delivery.workspace.data_dir / "build"
    assert list(build.glob("warehouse.duckdb.damaged-*"))


def test_every_landed_row_is_accounted_for_once(scenario: Scenario) -> None:
    delivery = scenario.delivery
    folder = delivery.workspace.data_dir
    record = json.loads((folder / "audit" / "ingested" / scenario.damaged_record).read_text())
    assert record["rows_in"] == record["rows_loaded"] + record["rows_quarantined"]
    files = query(
        delivery,
        "select file_name, rows_in, rows_loaded, rows_quarantined from audit_ingested_files",
    )
    assert [f for f in files if f[0] == scenario.late_file] == [(scenario.late_file, 2, 1, 1)]
    assert all(rows_in == loaded + held for _, rows_in, loaded, held in files)
    assert query(delivery, "select count(*) from fct_tickets where ticket_id = 'TD1'") == [(1,)]


def test_the_held_ticket_is_built_in_once_its_client_is_added(scenario: Scenario) -> None:
    delivery = scenario.delivery
    assert query(delivery, "select client_id from fct_tickets where ticket_id = 'TX6'") == [
        (UNKNOWN_CLIENT,)
    ]
    assert query(delivery, "select count(*) from held_tickets") == [(0,)]


def test_a_corrected_row_wins(scenario: Scenario) -> None:
    """The year-9999 version never entered the lake, so it cannot stay the newest."""
    delivery = scenario.delivery
    assert query(
        delivery, "select status, updated_at from fct_tickets where ticket_id = 'TX1'"
    ) == [("Resolved", datetime.combine(delivery.day, clock(11), UTC))]


def test_a_reference_file_edited_during_the_build_waits_for_the_next_run(
    scenario: Scenario,
) -> None:
    delivery = scenario.delivery
    published = query(
        delivery, f"select client_name from dim_clients where client_id = '{scenario.client}'"
    )
    assert published == [(scenario.old_name,)]
    record = json.loads(
        (delivery.workspace.data_dir / "published" / "publication.json").read_text()
    )
    assert record["seeds"]["clients.csv"] == scenario.old_clients_hash
    # The edit is not lost: the next run has something to publish.
    settings = Settings(
        data_dir=delivery.workspace.data_dir, seeds_dir=delivery.workspace.seeds_dir
    )
    assert is_current(settings, "") is None
