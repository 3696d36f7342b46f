"""A reader of the published warehouse, in a process of its own, while `xla run` publishes.

The reader opens `published/warehouse.duckdb` read-only and keeps querying while a run
ingests newly landed tickets and publishes a new release. The run must publish as if
the reader were not there; the reader must never fail and never see anything but the
publication it connected to, even once its release is pruned; a new connection sees the
new publication. A reader of the build file instead stops the run, which names it.

The data folder is a copy of the session's published MSP (`published_workspace`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from published_workspace import Workspace, published_workspace

pytestmark = pytest.mark.slow

# One publication, read as a BI tool would: the latest publication, and counts of three
# tables that must agree with each other within any one publication.
SNAPSHOT = """
select
    (select arg_max(run_id, published_at) from audit_publications) as run_id,
    (select count(*) from audit_publications) as publications,
    (select count(*) from fct_tickets) as tickets,
    (select count(*) from fct_ticket_sla) as clocks,
    (select sum(ticket_count) from dim_clients) as tickets_of_clients
"""

READER = """
import json, os, sys, time
import duckdb

path, stop = sys.argv[1], sys.argv[2]
con = duckdb.connect(path, read_only=True)
snapshot = lambda: list(con.execute(sys.argv[3]).fetchone())
first = snapshot()
print(json.dumps({"connected": first}), flush=True)
reads, seen_otherwise, gaps, last = 0, [], [], time.time()
while not os.path.exists(stop):
    seen = snapshot()
    now = time.time()
    gaps.append(now - last)
    last = now
    reads += 1
    if seen != first:
        seen_otherwise.append(seen)
    time.sleep(0.02)
print(json.dumps({"reads": reads, "seen_otherwise": seen_otherwise[:5],
                  "last_read": last, "longest_gap": max(gaps, default=0.0)}), flush=True)
"""

HOLDER = """
import os, sys, time
import duckdb

con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("select count(*) from main.fct_tickets").fetchone()[0], flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
"""

TICKETS_HEADER = (
    "ticket_id,client_id,contact_id,priority,category,channel,status,"
    "assigned_engineer_id,subject,created_at,first_response_at,resolved_at,closed_at,updated_at"
)


def _land_tickets(workspace: Workspace, name: str, ticket_ids: list[str]) -> None:
    """New tickets, created on 27 February, landed the way a PSA delivers them."""
    client_id = workspace.records(
        "select min(client_id) as client_id from fct_client_months where month = '2026-02-01'"
    )[0]["client_id"]
    rows = [
        f"{ticket_id},{client_id},,P3,network,portal,New,,Printer offline,"
        "2026-02-27T10:00:00+00:00,,,,2026-02-27T10:00:00+00:00"
        for ticket_id in ticket_ids
    ]
    landing = workspace.data_dir / "landing"
    hidden = landing / f".{name}"
    hidden.write_text("\n".join([TICKETS_HEADER, *rows]) + "\n")
    hidden.rename(landing / name)


def _open_files(pid: int) -> list[str]:
    fds = Path(f"/proc/{pid}/fd")
    found = []
    for fd in fds.iterdir():
        try:
            found.append(os.readlink(fd))
        except OSError:
            continue
    return found


def _clock(stdout: str, text: str) -> datetime:
    """The time (HH:MM:SS) `xla run` printed on its first line containing `text`."""
    line = next(line for line in stdout.splitlines() if text in line)
    return datetime.strptime(re.match(r"\d\d:\d\d:\d\d", line).group(0), "%H:%M:%S")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    source = published_workspace(tmp_path_factory)
    return source.copy(tmp_path_factory.mktemp("concurrent") / "data")


@pytest.fixture
def stop_file(tmp_path: Path) -> Iterator[Path]:
    stop = tmp_path / "stop"
    yield stop
    stop.touch()  # whatever happened, let the helper processes end


def test_a_reader_neither_blocks_a_publication_nor_sees_it(
    workspace: Workspace, tmp_path: Path, stop_file: Path
) -> None:
    (before,) = workspace.records(SNAPSHOT)
    old_file = workspace.published.resolve()
    script = tmp_path / "reader.py"
    script.write_text(READER)
    reader = subprocess.Popen(
        [sys.executable, str(script), str(workspace.published), str(stop_file), SNAPSHOT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        connected = json.loads(reader.stdout.readline())["connected"]
        assert connected == list(before.values())

        _land_tickets(workspace, "tickets_20260227_late.csv", ["TLATE1", "TLATE2", "TLATE3"])
        # Keep one release only: the reader's release is removed while it reads it.
        run = workspace.xla("run", XLA_KEEP_RELEASES="1")
        finished = time.time()
        assert run.returncode == 0, run.stdout + run.stderr
        assert f"Published warehouse: {workspace.published}" in run.stdout
        publishing = _clock(run.stdout, "Published ") - _clock(run.stdout, "quality gate passed")
        assert publishing.total_seconds() < 30, run.stdout

        # A new connection, while the reader still holds the old file, sees the new
        # publication, whole: three more tickets, each with its two clocks.
        (after,) = workspace.records(SNAPSHOT)
        assert after["run_id"] != before["run_id"]
        assert after["publications"] == before["publications"] + 1
        assert after["tickets"] == after["tickets_of_clients"] == before["tickets"] + 3
        assert after["clocks"] == 2 * after["tickets"]
        # The reader holds its own release's file, already pruned, and never the build.
        assert not old_file.exists()
        held = _open_files(reader.pid)
        assert any(path.startswith(str(old_file)) for path in held), held
        assert not any(path.startswith(str(workspace.build)) for path in held), held
        time.sleep(0.5)  # a few more reads after the switch
    finally:
        stop_file.touch()
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["seen_otherwise"] == []  # every read: the publication it connected to
    assert summary["reads"] > 50
    assert summary["last_read"] > finished  # it kept reading through the whole run
    assert summary["longest_gap"] < 5  # and was never held up by it


def test_the_release_site_names_its_own_run_published_and_the_run_before(
    workspace: Workspace,
) -> None:
    """Seen by an auditor in a browser, after two publishing runs: the release's own
    site says its run is published, and its history says the same of the run before."""
    from browser import chromium, load_page
    from selenium.webdriver.common.by import By

    def published_runs() -> list[str]:
        rows = workspace.records("select run_id from audit_publications order by published_at")
        return [row["run_id"] for row in rows]

    runs = published_runs()
    if len(runs) < 2:  # run without the test before it: publish a second time
        _land_tickets(workspace, "tickets_20260227_site.csv", ["TSITE1"])
        run = workspace.xla("run")
        assert run.returncode == 0, run.stdout + run.stderr
        runs = published_runs()
    older, current = runs[-2], runs[-1]
    site = workspace.data_dir / "published" / "audit"
    with chromium("1366,768") as browser:
        load_page(browser, (site / "index.html").resolve())
        banner = browser.find_element(By.CSS_SELECTOR, ".banner").text
        assert f"Run {current}: published" in banner
        assert "not published" not in banner and "nothing new to publish" not in banner
        load_page(browser, (site / "history.html").resolve())
        outcomes = {
            row.find_element(By.TAG_NAME, "code").text: row.text
            for row in browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
            if row.find_elements(By.TAG_NAME, "code")
        }
        assert outcomes[current].endswith("published"), outcomes[current]
        assert "(this site)" in outcomes[current]
        assert outcomes[older].endswith("published"), outcomes[older]
        assert "not published" not in outcomes[current] + outcomes[older]


def test_a_reader_of_the_build_file_stops_the_run_and_is_named(
    workspace: Workspace, tmp_path: Path, stop_file: Path
) -> None:
    published_before = _digest(workspace.published)
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    holder = subprocess.Popen(
        [sys.executable, str(script), str(workspace.build), str(stop_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert int(holder.stdout.readline()) > 0
        _land_tickets(workspace, "tickets_20260227_later.csv", ["TLATE4"])
        run = workspace.xla("run")
    finally:
        stop_file.touch()
        holder.communicate(timeout=60)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{workspace.build} is held open by another process (PID {holder.pid}" in run.stdout
    assert f"must open {workspace.published}, read-only" in run.stdout
    assert _digest(workspace.published) == published_before
