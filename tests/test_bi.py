"""What a BI tool and its users get from a publication.

Comments on every published table and column, the dbt docs site beside the warehouse
(one page that opens offline), and the ten questions of `queries/`, linked and described
in docs/queries.md and answered from the published tables of a generated MSP. Each answer is
checked against a second reading: other marts, or the build's staged extracts counted
here in Python.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from browser import chromium
from contract_check import missing
from published_workspace import Workspace, published_workspace

from orchestration.config import REPO_ROOT, Settings
from orchestration.publish import publisher

QUERIES = REPO_ROOT / "queries"
QUERIES_DOC = REPO_ROOT / "docs" / "queries.md"

# docs/queries.md links each query file, relative to docs/, from a `### ` section of its own.
QUERY_LINK = re.compile(r"\]\((\.\./queries/[^)#\s]+\.sql)\)")


def _month(instant: Any, timezone: str) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date().replace(day=1)


def _query(workspace: Workspace, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Run `queries/<name>.sql` read-only on the published file: its columns and rows."""
    con = duckdb.connect(str(workspace.published), read_only=True)
    try:
        cursor = con.execute((QUERIES / f"{name}.sql").read_text())
        names = [column[0] for column in cursor.description]
        return names, [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _shows_pct(shown: float | None, numerator: float, denominator: float) -> bool:
    """`shown`, rounded to one decimal, is 100 x numerator / denominator (null for 0 / 0).

    Compared within half a unit of the last decimal rather than rounded here too: sums
    added in another order may differ in the last bit and round the other way at .x5.
    """
    if not denominator:
        return shown is None
    return shown is not None and abs(shown - 100.0 * numerator / denominator) <= 0.0501


# --- comments, without a pipeline ----------------------------------------------------


def test_descriptions_become_comments_whatever_they_contain(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=tmp_path / "seeds")
    settings.ensure_dirs()
    con = duckdb.connect(str(settings.build_db))
    con.execute("""create table fct_x as select 1 as id, 'a' as "Odd ""Name" """)
    con.execute("create schema reference")
    con.execute("create table reference.clients as select 'C1' as client_id, 'x' as extra")
    con.close()
    hostile = "It's a 'table';\n  drop table fct_x; -- {{ doc('x') }}"
    manifest = {
        "nodes": {
            "model.p.fct_x": {
                "resource_type": "model",
                "fqn": ["p", "marts", "fct_x"],
                "config": {"materialized": "table"},
                "schema": "main",
                "name": "fct_x",
                "description": hostile,
                "columns": {
                    "id": {"name": "id", "description": "The\n   id."},
                    'odd "name': {"name": 'Odd "Name', "description": "Quote \" and '"},
                    "gone": {"name": "gone", "description": "Not in the table."},
                },
            },
            "model.p.int_y": {
                "resource_type": "model",
                "fqn": ["p", "intermediate", "int_y"],
                "config": {"materialized": "table"},
                "schema": "intermediate",
                "name": "int_y",
                "description": "Not published.",
                "columns": {},
            },
            "seed.p.clients": {
                "resource_type": "seed",
                "fqn": ["p", "clients"],
                "config": {},
                "schema": "reference",
                "name": "clients",
                "description": "Clients.",
                "columns": {"client_id": {"name": "client_id", "description": "Id."}},
            },
        }
    }
    relations = publisher.published_relations(manifest)
    assert [(r.schema, r.name) for r in relations] == [("main", "fct_x"), ("reference", "clients")]
    publication = publisher.Publication(
        run_id="r1",
        published_at="2026-01-01T00:00:00+00:00",
        as_of="",
        inputs=[],
        seeds={},
        code_version="0",
        fingerprint="f",
        checks_total=0,
        checks_warned=0,
    )
    path = tmp_path / "warehouse.duckdb"
    publisher._write_warehouse(settings, path, relations, publication)
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = dict(
            ((schema, name), comment)
            for schema, name, comment in con.execute(
                "select schema_name, table_name, comment from duckdb_tables()"
            ).fetchall()
        )
        columns = dict(
            ((name, column), comment)
            for name, column, comment in con.execute(
                "select table_name, column_name, comment from duckdb_columns() "
                "where database_name = current_database()"
            ).fetchall()
        )
        (tags,) = con.execute(
            "select tags from duckdb_databases() where database_name = current_database()"
        ).fetchone()
    finally:
        con.close()
    assert tables[("main", "fct_x")] == "It's a 'table'; drop table fct_x; -- {{ doc('x') }}"
    assert tables[("reference", "clients")] == "Clients."
    assert columns[("fct_x", "id")] == "The id."
    assert columns[("fct_x", 'Odd "Name')] == "Quote \" and '"
    assert columns[("clients", "client_id")] == "Id."
    assert not columns[("clients", "extra")]  # undocumented: no comment rather than a guess
    assert all(comment for (_, name), comment in tables.items() if name.startswith("audit_"))
    assert tags["storage_version"].startswith(publisher.PUBLISHED_STORAGE_VERSION)


# --- docs/queries.md and the query files ----------------------------------------------


def test_the_queries_doc_links_and_describes_every_query_file() -> None:
    text = QUERIES_DOC.read_text(encoding="utf-8")
    files = sorted(path.name for path in QUERIES.glob("*.sql"))
    assert len(files) == 10
    # Every link to a query file leads to a file that exists.
    missing_files = [
        link for link in QUERY_LINK.findall(text) if not (QUERIES_DOC.parent / link).is_file()
    ]
    assert missing_files == []
    # Every query file is linked from a section that says, in words, what it answers.
    sections: dict[str, str] = {}
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        for link in QUERY_LINK.findall(section):
            sections.setdefault(Path(link).name, section)
    assert sorted(sections) == files
    for name, section in sections.items():
        words = re.sub(r"\[[^\]]*\]\([^)]*\)|`[^`]*`", " ", section).split()
        assert len(words) >= 40, f"docs/queries.md links {name} without describing it"


# --- on a published generated MSP -----------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return published_workspace(tmp_path_factory)


@pytest.fixture(scope="module")
def manifest(workspace: Workspace) -> dict[str, Any]:
    return json.loads((workspace.data_dir / "build" / "dbt_target" / "manifest.json").read_text())


@pytest.mark.slow
def test_every_published_table_and_column_has_its_description_as_comment(
    workspace: Workspace, manifest: dict[str, Any]
) -> None:
    tables = workspace.records(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = current_database()"
    )
    columns = workspace.records(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database()"
    )
    assert len(tables) >= 25
    assert [t["table_name"] for t in tables if not (t["comment"] or "").strip()] == []
    assert [
        f"{c['schema_name']}.{c['table_name']}.{c['column_name']}"
        for c in columns
        if not (c["comment"] or "").strip()
    ] == []
    # The comments are dbt's descriptions, doc blocks rendered, on one line.
    expected = {
        (relation.schema, relation.name, column): text
        for relation in publisher.published_relations(manifest)
        for column, text in relation.columns
    }
    assert len(expected) > 250
    for c in columns:
        key = (c["schema_name"], c["table_name"], c["column_name"])
        if key in expected:
            assert c["comment"] == expected[key], key
    comments = {(c["table_name"], c["column_name"]): c["comment"] for c in columns}
    assert comments[("fct_tickets", "status")].startswith("Ticket status: `New`, `In Progress`")
    assert comments[("fct_tickets", "contact_id")] == "The client's contact who raised the ticket."
    assert comments[("fct_client_months", "is_watermelon")].startswith("Green outside, red inside")
    assert comments[("clients", "timezone")] == "Client's IANA time zone, e.g. `Europe/Amsterdam`."


@pytest.mark.slow
def test_the_published_file_passes_the_contract_check(workspace: Workspace) -> None:
    # Every table and column of the floor of docs/contract.md §5 (contract_check.PUBLISHED).
    assert missing(workspace.published) == []


@pytest.mark.slow
def test_the_docs_site_is_one_page_of_the_published_build(workspace: Workspace) -> None:
    page = workspace.data_dir / "published" / "docs" / "index.html"
    assert page.resolve().parent.parent == workspace.published.resolve().parent
    text = page.read_text()
    assert "One row per client and client-local month of its contract" in text
    assert '"catalog"' in text or "catalog.json" in text
    # Nothing the page needs is fetched: no external script, stylesheet or font, and dbt's
    # usage tracker, which loads a script from a CDN, stays off.
    assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)=[\"']?(https?:)?//", text)
    assert not re.search(r"@import\s+url\(\s*[\"']?(https?:)?//", text)
    assert '"send_anonymous_usage_stats": false' in text
    # The docs ran against the build and let go of it.
    duckdb.connect(str(workspace.build)).close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium("1400,1000", log_types=("performance",), page_load_timeout=60) as driver:
        yield driver


@pytest.mark.slow
def test_the_docs_site_reads_offline_in_a_browser(workspace: Workspace, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = (workspace.data_dir / "published" / "docs" / "index.html").resolve()
    browser.get_log("performance")  # drop what the browser's own start page requested
    browser.get(f"{page.as_uri()}#!/model/model.xla_warehouse.fct_client_months")
    WebDriverWait(browser, 30).until(
        lambda driver: "Green outside, red inside" in driver.find_element(By.TAG_NAME, "body").text
    )
    time.sleep(1)
    requests = [
        json.loads(entry["message"])["message"]["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"
    ]
    assert requests, "the performance log should record the page's own requests"
    assert [url for url in requests if url.startswith(("http:", "https:", "ws:", "wss:"))] == []
    assert browser.title == "dbt Docs"


# --- the ten questions ----------------------------------------------------------------


@pytest.mark.slow
def test_01_open_tickets_past_due(workspace: Workspace) -> None:
    names, rows = _query(workspace, "01_open_tickets_past_due")
    assert names == [
        "ticket_id", "client_name", "priority", "status", "assigned_engineer", "metric",
        "clock", "due_at", "minutes_over_target", "as_of",
    ]  # fmt: skip
    open_tickets = {
        t["ticket_id"]
        for t in workspace.records("select ticket_id, is_open from fct_tickets")
        if t["is_open"]
    }
    overdue = {
        (c["ticket_id"], c["metric"])
        for c in workspace.records("select * from fct_ticket_sla")
        if c["ticket_id"] in open_tickets
        and c["stopped_at"] is None
        and c["elapsed_minutes"] > c["target_minutes"]
    }
    assert overdue, "the generated month should leave some open ticket overdue"
    assert {(r["ticket_id"], r["metric"]) for r in rows} == overdue
    assert all(r["minutes_over_target"] > 0 and r["due_at"] <= r["as_of"] for r in rows)
    assert [r["due_at"] for r in rows] == sorted(r["due_at"] for r in rows)


@pytest.mark.slow
def test_02_clients_that_missed_sla_last_month(workspace: Workspace) -> None:
    names, rows = _query(workspace, "02_clients_that_missed_sla_last_month")
    assert names == [
        "client_id", "client_name", "contract_tier", "month", "first_response_clocks_stopped",
        "first_response_attainment_pct", "resolution_clocks_stopped",
        "resolution_attainment_pct", "sla_policies_missed",
    ]  # fmt: skip
    months = workspace.records("select * from fct_client_months")
    last = {}
    for m in months:
        if m["is_month_complete"]:
            last[m["client_id"]] = max(last.get(m["client_id"], m["month"]), m["month"])
    # The verdict again, from the clocks: a (priority, metric) below its target share.
    clocks: dict[tuple[str, date], Counter[tuple[str, str, float, bool]]] = defaultdict(Counter)
    for c in workspace.records("select * from fct_ticket_sla where stopped_at is not null"):
        key = (c["priority"], c["metric"], c["attainment_target_pct"], c["sla_status"] == "met")
        clocks[(c["client_id"], c["stopped_month"])][key] += 1

    def missed(client_id: str, month: date) -> bool:
        counts = clocks[(client_id, month)]
        policies = {(p, m, target) for p, m, target, _ in counts}
        return any(
            100 * counts[(p, m, t, True)] < t * (counts[(p, m, t, True)] + counts[(p, m, t, False)])
            for p, m, t in policies
        )

    expected = {client for client, month in last.items() if missed(client, month)}
    assert expected, "some client should have missed its SLA in the generated data"
    assert {r["client_id"] for r in rows} == expected
    assert all(r["month"] == last[r["client_id"]] for r in rows)
    # Clients whose last complete months differ (Sydney and Berlin are a day ahead at
    # the end of February) are each judged on their own last month.
    assert len(set(last.values())) > 1


@pytest.mark.slow
def test_03_sla_breaches_by_priority(workspace: Workspace) -> None:
    names, rows = _query(workspace, "03_sla_breaches_by_priority")
    assert names == [
        "month", "priority", "metric", "clocks_stopped", "clocks_breached", "attainment_pct"
    ]  # fmt: skip
    counts: Counter[tuple[date, str, str, str]] = Counter(
        (c["stopped_month"], c["priority"], c["metric"], c["sla_status"])
        for c in workspace.records("select * from fct_ticket_sla where stopped_at is not null")
    )
    for r in rows:
        key = (r["month"], r["priority"], r["metric"])
        met, breached = counts[(*key, "met")], counts[(*key, "breached")]
        assert (r["clocks_stopped"], r["clocks_breached"]) == (met + breached, breached), key
        assert _shows_pct(r["attainment_pct"], met, met + breached), key
    # Summed over priorities, the stopped and met clocks are the client months' own.
    months = workspace.records(
        "select month, sum(first_response_clocks_stopped) as first_response_stopped,"
        " sum(first_response_clocks_met) as first_response_met,"
        " sum(resolution_clocks_stopped) as resolution_stopped,"
        " sum(resolution_clocks_met) as resolution_met"
        " from fct_client_months group by month"
    )
    for m in months:
        for metric in ("first_response", "resolution"):
            mine = [r for r in rows if r["month"] == m["month"] and r["metric"] == metric]
            assert sum(r["clocks_stopped"] for r in mine) == m[f"{metric}_stopped"]
            assert (
                sum(r["clocks_stopped"] - r["clocks_breached"] for r in mine) == m[f"{metric}_met"]
            )
    assert sum(r["clocks_breached"] for r in rows) > 0


@pytest.mark.slow
def test_04_watermelon_months(workspace: Workspace) -> None:
    names, rows = _query(workspace, "04_watermelon_months")
    assert names[:4] == ["client_id", "client_name", "month", "is_month_complete"]
    assert "happiness" in names and "follow_up_target_status" in names
    expected = {
        (m["client_id"], m["month"])
        for m in workspace.records("select * from fct_client_months")
        if m["sla_met"] is True and m["xla_status"] == "missed"
    }
    assert expected, "the generated data plants watermelons"
    assert {(r["client_id"], r["month"]) for r in rows} == expected
    statuses = [name for name in names if name.endswith("_target_status")]
    assert all(any(r[s] == "missed" for s in statuses) for r in rows)
    assert [r["month"] for r in rows] == sorted((r["month"] for r in rows), reverse=True)


@pytest.mark.slow
def test_05_least_happy_clients(workspace: Workspace) -> None:
    names, rows = _query(workspace, "05_least_happy_clients")
    assert names == [
        "client_id", "client_name", "contract_tier", "first_month", "last_month",
        "csat_responses", "happiness",
    ]  # fmt: skip
    # Happiness again, from the csat responses themselves, each in its client's month.
    zones = {c["client_id"]: c["timezone"] for c in workspace.records("select * from dim_clients")}
    complete: dict[str, list[date]] = defaultdict(list)
    for m in workspace.records("select * from fct_client_months where is_month_complete"):
        complete[m["client_id"]].append(m["month"])
    window = {client: sorted(months)[-3:] for client, months in complete.items()}
    scores: dict[str, list[int]] = defaultdict(list)
    for s in workspace.records(
        "select client_id, responded_at, score from staging.stg_psa__surveys"
        " where survey_type = 'csat' and responded_at is not null",
        database=workspace.build,
    ):
        client = s["client_id"]
        if client in window and _month(s["responded_at"], zones[client]) in window[client]:
            scores[client].append(s["score"])
    assert sorted(r["client_id"] for r in rows) == sorted(c for c, given in scores.items() if given)
    for r in rows:
        given = scores[r["client_id"]]
        promoters, detractors = sum(x >= 9 for x in given), sum(x <= 6 for x in given)
        assert r["csat_responses"] == len(given), r["client_id"]
        assert _shows_pct(r["happiness"], promoters - detractors, len(given)), r["client_id"]
    assert [r["happiness"] for r in rows] == sorted(r["happiness"] for r in rows)
    assert rows[0]["happiness"] < 0 < rows[-1]["happiness"]


@pytest.mark.slow
def test_06_negative_feedback_not_followed_up(workspace: Workspace) -> None:
    names, rows = _query(workspace, "06_negative_feedback_not_followed_up")
    assert names == [
        "client_id", "client_name", "month", "negative_responses", "not_followed_up_in_time",
        "negative_follow_up_pct", "follow_up_target_status",
    ]  # fmt: skip
    assert rows and all(r["not_followed_up_in_time"] > 0 for r in rows)
    # The negatives again, from the responses: csat scores 0-6 in the client's month.
    zones = {c["client_id"]: c["timezone"] for c in workspace.records("select * from dim_clients")}
    negatives: Counter[tuple[str, date]] = Counter(
        (s["client_id"], _month(s["responded_at"], zones[s["client_id"]]))
        for s in workspace.records(
            "select client_id, responded_at from staging.stg_psa__surveys"
            " where survey_type = 'csat' and score <= 6",
            database=workspace.build,
        )
    )
    for r in rows:
        assert r["negative_responses"] == negatives[(r["client_id"], r["month"])]
        followed = r["negative_responses"] - r["not_followed_up_in_time"]
        assert _shows_pct(r["negative_follow_up_pct"], followed, r["negative_responses"])
    expected = {
        (m["client_id"], m["month"])
        for m in workspace.records("select * from fct_client_months")
        if m["negative_responses"] > m["negatives_followed_up_on_time"]
    }
    assert {(r["client_id"], r["month"]) for r in rows} == expected


@pytest.mark.slow
def test_07_reopen_and_first_contact_trend(workspace: Workspace) -> None:
    names, rows = _query(workspace, "07_reopen_and_first_contact_trend")
    assert names == [
        "month", "tickets_resolved", "reopened_tickets", "reopen_rate_pct",
        "first_contact_resolutions", "first_contact_resolution_pct",
    ]  # fmt: skip
    # Counted again from the tickets: each resolved ticket in its month of last resolution.
    tickets = workspace.records("select * from fct_tickets where resolved_month is not null")
    resolved = Counter(t["resolved_month"] for t in tickets)
    reopened = Counter(t["resolved_month"] for t in tickets if t["is_reopened"])
    first_contact = Counter(
        t["resolved_month"] for t in tickets if t["is_first_contact_resolution"]
    )
    for r in rows:
        month = r["month"]
        assert r["tickets_resolved"] == resolved[month], month
        assert r["reopened_tickets"] == reopened[month], month
        assert r["first_contact_resolutions"] == first_contact[month], month
        assert _shows_pct(r["reopen_rate_pct"], reopened[month], resolved[month]), month
        assert _shows_pct(r["first_contact_resolution_pct"], first_contact[month], resolved[month])
    assert sum(r["tickets_resolved"] for r in rows) == len(tickets)
    assert any(r["reopened_tickets"] for r in rows)


@pytest.mark.slow
def test_08_engineer_utilization_by_month(workspace: Workspace) -> None:
    names, rows = _query(workspace, "08_engineer_utilization_by_month")
    assert names == [
        "engineer_id", "engineer_name", "team", "month", "through_date", "available_hours",
        "hours_worked", "hours_billed", "billable_utilization_pct", "billable_target_pct",
    ]  # fmt: skip
    totals: dict[tuple[str, date], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for d in workspace.records("select * from fct_engineer_days"):
        total = totals[(d["engineer_id"], d["work_date"].replace(day=1))]
        total[0] += d["available_hours"]
        total[1] += d["hours_worked"]
        total[2] += d["hours_billed"]
    assert {(r["engineer_id"], r["month"]) for r in rows} == set(totals)
    for r in rows:
        available, worked, billed = totals[(r["engineer_id"], r["month"])]
        assert r["available_hours"] == pytest.approx(available, abs=0.051)
        assert r["hours_worked"] == pytest.approx(worked, abs=0.051)
        assert r["hours_billed"] == pytest.approx(billed, abs=0.051)
        assert _shows_pct(r["billable_utilization_pct"], billed, available), r
    assert all(0 < r["billable_utilization_pct"] < 150 for r in rows)


@pytest.mark.slow
def test_09_effort_vs_billed_by_client(workspace: Workspace) -> None:
    names, rows = _query(workspace, "09_effort_vs_billed_by_client")
    assert names == [
        "client_id", "client_name", "contract_tier", "month", "tickets_resolved",
        "effort_hours", "hours_billed", "unbilled_hours", "billed_pct",
    ]  # fmt: skip
    # Tickets resolved per client month are the client months' own.
    resolved = {
        (m["client_id"], m["month"]): m["tickets_resolved"]
        for m in workspace.records("select * from fct_client_months where tickets_resolved > 0")
    }
    assert {(r["client_id"], r["month"]): r["tickets_resolved"] for r in rows} == resolved
    # Hours again, from the staged timeslips: the latest version of each, on the tickets
    # resolved in the month.
    month_of = {
        t["ticket_id"]: (t["client_id"], t["resolved_month"])
        for t in workspace.records("select * from fct_tickets where resolved_month is not null")
    }
    hours: dict[tuple[str, date], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for s in workspace.records(
        "select ticket_id, hours_worked, hours_billed from staging.stg_psa__timeslips",
        database=workspace.build,
    ):
        if s["ticket_id"] in month_of:
            total = hours[month_of[s["ticket_id"]]]
            total[0] += s["hours_worked"]
            total[1] += s["hours_billed"]
    for r in rows:
        worked, billed = hours[(r["client_id"], r["month"])]
        assert r["effort_hours"] == pytest.approx(worked, abs=0.051)
        assert r["hours_billed"] == pytest.approx(billed, abs=0.051)
        assert r["unbilled_hours"] == pytest.approx(worked - billed, abs=0.051)
    assert any(r["unbilled_hours"] > 0 for r in rows)


@pytest.mark.slow
def test_10_timeslip_flags_awaiting_review(workspace: Workspace) -> None:
    names, rows = _query(workspace, "10_timeslip_flags_awaiting_review")
    assert names == [
        "severity", "rule_id", "subject_type", "subject_id", "engineer_name", "client_name",
        "month", "evidence",
    ]  # fmt: skip
    flags = workspace.records("select * from fct_timeslip_flags")
    pending = Counter((f["rule_id"], f["subject_id"]) for f in flags if not f["waiver_decision"])
    assert pending, "the generated data plants anomalies the rules flag"
    assert Counter((r["rule_id"], r["subject_id"]) for r in rows) == pending
    severities = [r["severity"] for r in rows]
    assert severities == sorted(severities)  # error before warn
    assert all(r["evidence"] for r in rows)
