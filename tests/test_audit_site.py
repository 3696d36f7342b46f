"""The auditors' site: built from a small fixture, read as text and in headless Chromium.

The fixture is a data folder with an audit store of two runs (the second with a failing
check and its sample keys), stored Great Expectations validations rendered as Data
Docs, and a built warehouse whose timeslip flags and quarantine hold hostile text. The
browser tests load the pages in Chromium through chromedriver and check that nothing
ran, nothing failed in the console, and the hostile text reads as text.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from browser import chromium, load_page

from orchestration.audit_site import build_site, write_latest_site
from orchestration.audit_site import site as site_module
from orchestration.audit_site.gx_docs import rewrite_page
from orchestration.config import DEFAULT_SEEDS_DIR, Settings
from orchestration.contract import EXTRACTS
from orchestration.files import replace_dir, write_atomic
from orchestration.ingest import data_docs
from orchestration.ingest.expectations import SuiteRunner
from orchestration.publish.publisher import Publication, publications_dir
from orchestration.quality import results
from orchestration.static_html.text import csv_cell, inert

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x","y")'
EVIDENCE = f"note: {SCRIPT} {IMAGE} {FORMULA} bell\x07 end"
RAW_LINE = 'TX9,C001,P2,<b>bold</b>,"<script>alert(2)</script>",javascript:alert(3)'
FAILING_KEYS = ("tickets_20260120_fixup.csv:3", "tickets_20260120_fixup.csv:<i>4</i>")
OLD_RUN, RUN = "run-0001-published", "run-0002-blocked"
STALE = "newest file dated 2026-01-31, 309 days before 2026-12-06 (at most 3 allowed)"
# Ids from the extracts that try to leave an attribute, a CSS rule or the style element.
HOSTILE_ENGINEER = 'E9"><style>*{display:none}</style>'
HOSTILE_CLIENT = "C9'] ) { } body { display: none } /* Ω"
LONG_WORD = "x" * 300  # evidence that must wrap inside its column, not widen the page

FLAG_COLUMNS = (
    "flag_id varchar, rule_id varchar, severity varchar, subject_type varchar, "
    "subject_id varchar, engineer_id varchar, client_id varchar, ticket_id varchar, "
    "timeslip_id varchar, work_date date, period_start date, period_end date, month date, "
    "measure varchar, measured_value double, threshold_value double, evidence varchar, "
    "rule_description varchar, waiver_decision varchar, reviewed_by varchar, "
    "reviewed_at timestamptz, waiver_reason varchar"
)
FLAGS = [
    (
        "overlap|TS-1", "overlap", "error", "timeslip", "TS-1", "E01", "C001", "T000001",
        "TS-1", "2026-01-05", "2026-01-05", "2026-01-05", "2026-01-01", "overlap_minutes",
        15.0, 5.0, EVIDENCE, None, None, None, None, None,
    ),
    (
        "excessive_day|E02|2026-01-05", "excessive_day", "warn", "engineer_day",
        "E02|2026-01-05", "E02", "C002", None, None, "2026-01-05", "2026-01-05",
        "2026-01-05", "2026-01-01", "hours_worked", 13.5, 12.0, "13.5 hours",
        "An engineer's hours_worked on one work_date add up to more than threshold hours.",
        "cleared", "auditor@example.com", "2026-02-01 09:00:00+00",
        "-1 hour adjusted; @see ticket",
    ),
    (
        "round_heaping|E9|2026-01", "round_heaping", "warn", "engineer_period",
        f"{HOSTILE_ENGINEER}|2026-01", HOSTILE_ENGINEER, HOSTILE_CLIENT, None, None, None,
        "2026-01-01", "2026-01-31", "2026-01-01", "round_share", 0.9459459, 0.8,
        f"262 of 262 entries in 2026-01 last whole or half hours {LONG_WORD}",
        None, None, None, None, None,
    ),
]  # fmt: skip
RULES = [
    ("overlap", True, "error", "Two entries of one engineer overlap in <b>time</b>."),
    ("excessive_day", True, "warn", "An engineer works more than threshold hours a day."),
    ("round_heaping", True, "warn", "Hours are whole or half hours too often."),
    ("duplicate", True, "error", "Two entries are the same."),
    ("vague_note", False, "warn", "Notes are too short."),
]


SLA_COLUMNS = (
    "ticket_id varchar, client_id varchar, timezone varchar, metric varchar, priority varchar, "
    "target_minutes integer, due_at timestamptz, stopped_at timestamptz, "
    "target_used_pct double, minutes_left bigint, risk_band varchar"
)
HOSTILE_TICKET = "T<b>9</b>"
# C001 (New York): T1 breached 60 minutes over its 240, due 15:00 UTC = 10:00 EST; T2 at
# risk, 12 of 60 minutes left; T3 on track and T4 stopped are not listed. C002 (London):
# T5 due 12:00 UTC in July = 13:00 BST. The hostile client's zone is unknown: UTC.
SLA_ROWS = [
    ("T1", "C001", "America/New_York", "resolution", "P2", 240, "2026-01-30 15:00:00+00",
     None, 125.0, -60, "breached"),
    ("T2", "C001", "America/New_York", "first_response", "P2", 60, "2026-01-30 15:12:00+00",
     None, 80.0, 12, "at_risk"),
    ("T3", "C001", "America/New_York", "resolution", "P3", 480, "2026-02-02 15:00:00+00",
     None, 40.0, 288, "on_track"),
    ("T4", "C001", "America/New_York", "resolution", "P3", 480, "2026-02-02 15:00:00+00",
     "2026-01-29 15:00:00+00", None, None, None),
    ("T5", "C002", "Europe/London", "resolution", "P1", 240, "2026-07-01 12:00:00+00",
     None, 90.0, 24, "at_risk"),
    (HOSTILE_TICKET, HOSTILE_CLIENT, "Mars/Olympus", "resolution", "P4", 1000,
     "2026-01-31 08:00:00+00", None, 75.5, 245, "at_risk"),
]  # fmt: skip
FEED_COLUMNS = (
    "client_id varchar, extract varchar, last_row_date date, as_of_date date, "
    "silent_business_days integer, baseline_rows bigint, baseline_daily_rows double, "
    "is_silent boolean"
)
FEEDS = [
    ("C001", "tickets", "2026-01-23", "2026-02-01", 5, 128, 6.4, True),
    ("C001", "surveys", "2026-01-20", "2026-02-01", 8, 10, 0.5, False),
    ("C002", "tickets", "2026-01-30", "2026-02-01", 0, 40, 2.0, False),
]


def _survey_frame() -> pd.DataFrame:
    """Two survey rows accepted by the ingest, one of them breaking the suite."""
    extract = EXTRACTS["surveys"]
    frame = pd.DataFrame({column.name: [None, None] for column in extract.columns})
    frame["response_id"] = ["R1", "R2"]
    frame["survey_type"] = ["csat", IMAGE]
    frame["client_id"] = ["C001", "C002"]
    frame["responded_at"] = pd.to_datetime(["2026-01-05T10:00:00Z", "2026-01-06T10:00:00Z"])
    frame["score"] = [9, 4]
    frame["_source_file"] = ["surveys_20260106.csv"] * 2
    frame["_source_line"] = [2, 3]
    return frame


def _write_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(f"create table fct_timeslip_flags ({FLAG_COLUMNS})")
        con.executemany(
            f"insert into fct_timeslip_flags values ({', '.join('?' * len(FLAGS[0]))})", FLAGS
        )
        con.execute("create schema reference")
        con.execute(
            "create table reference.timeslip_rules (rule_id varchar, enabled boolean, "
            "severity varchar, description varchar)"
        )
        con.executemany("insert into reference.timeslip_rules values (?, ?, ?, ?)", RULES)
        con.execute(
            "create table publication_holds as select 'C001' as client_id, "
            "date '2026-01-01' as month, 'overlap' as rule_id, "
            "'1 error flag not cleared' as reason"
        )
        con.execute(
            "create table quarantine_rows (quarantine_row_id varchar, file_name varchar, "
            "extract varchar, line_number bigint, raw_line varchar, reason varchar, "
            "file_sha256 varchar, run_id varchar, ingested_at timestamptz)"
        )
        con.execute(
            "insert into quarantine_rows values ('abc:3', 'tickets_20260120_fixup.csv', "
            "'tickets', 3, ?, 'priority ''<b>'' is not one of P1, P2, P3, P4', 'abc', ?, "
            "'2026-01-20 10:00:00+00')",
            [RAW_LINE, RUN],
        )
        con.execute(
            "create table held_tickets as select 'T404' as ticket_id, 'C404' as client_id, "
            "'psa' as source_system, 'tickets_20260120.csv' as source_file, "
            "7::bigint as source_line, timestamptz '2026-01-20 09:00:00+00' as updated_at, "
            "'client_id C404 is not in clients.csv' as reason"
        )
        con.execute(f"create table fct_ticket_sla ({SLA_COLUMNS})")
        con.executemany(
            f"insert into fct_ticket_sla values ({', '.join('?' * len(SLA_ROWS[0]))})", SLA_ROWS
        )
        con.execute(f"create table fct_feed_silences ({FEED_COLUMNS})")
        con.executemany(
            f"insert into fct_feed_silences values ({', '.join('?' * len(FEEDS[0]))})", FEEDS
        )
    finally:
        con.close()


def _record_runs(settings: Settings) -> None:
    passing = [
        results.CheckResult("row_conservation", "psa/tickets", "error", True, detail="1 file"),
        results.CheckResult("great_expectations_suite", "psa/surveys", "error", True),
    ]
    results.record(settings, OLD_RUN, "ingest", passing)
    results.record(
        settings, OLD_RUN, "gate", [results.CheckResult("as_of_known", "x", "error", True)]
    )
    publication = Publication(
        run_id=OLD_RUN,
        published_at="2026-01-31T02:00:00+00:00",
        as_of="2026-01-31T00:00:00+00:00",
        inputs=[],
        seeds={},
        code_version="test",
        fingerprint="f",
        checks_total=3,
        checks_warned=0,
    )
    write_atomic(
        publications_dir(settings) / f"{OLD_RUN}.json", json.dumps(asdict(publication)).encode()
    )
    failing = results.CheckResult(
        "great_expectations_suite",
        "psa/surveys",
        "error",
        False,
        failing_count=2,
        sample_keys=FAILING_KEYS,
        detail=f"failed: expect_column_values_to_be_in_set(survey_type) {SCRIPT}",
    )
    warned = results.CheckResult(
        "relationships_timeslips_engineer_id", "stg_psa__timeslips", "warn", False, 1
    )
    stale = results.CheckResult("freshness", "psa/tickets", "warn", False, detail=STALE)
    results.record(settings, RUN, "ingest", [passing[0], failing, stale])
    results.record(settings, RUN, "dbt", [warned])
    results.record(settings, RUN, "gate", [results.CheckResult("as_of_known", "x", "error", True)])


@pytest.fixture(scope="module")
def fixture_data(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data folder as a blocked run leaves it, with Data Docs of that run."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("audit-site") / "data", seeds_dir=DEFAULT_SEEDS_DIR
    )
    settings.ensure_dirs()
    _record_runs(settings)
    runner = SuiteRunner()
    runner.validate(EXTRACTS["surveys"], _survey_frame())
    data_docs.save(settings, RUN, runner.validations)
    data_docs.build(settings, RUN, runner)
    _write_warehouse(settings.build_db)
    return settings


@pytest.fixture(scope="module")
def site(fixture_data: Settings) -> Path:
    return write_latest_site(fixture_data, RUN, blocked=True)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        for name, value in attrs:
            self.found.append((tag, name, value or ""))


def _attributes(page: Path) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def _tags(page: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tags


class _Styles(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = tag == "style"
        if self.inside:
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.found[-1] += data


def _styles(text: str) -> list[str]:
    parser = _Styles()
    parser.feed(text)
    return parser.found


def _flag_table(text: str) -> tuple[list[str], list[str]]:
    """The flags table's column headers, and its rows' HTML."""
    start = text.index('<table class="flags">')
    head, body = text[start : text.index("</table>", start)].split("</thead>")
    headers = re.findall(r'<th scope="col">(.*?)</th>', head)
    return headers, re.findall(r'<tr class="flag".*?</tr>', body, re.S)


# --- the site as files ---------------------------------------------------------------


def test_the_site_has_its_pages_and_the_data_docs(site: Path) -> None:
    for name in ("index.html", "history.html", "flags.html", "quarantine.html", "flags.csv"):
        assert (site / name).is_file(), name
    assert (site / "gx" / "index.html").is_file()
    assert list((site / "gx" / "validations").rglob("surveys.html"))
    assert (site / "gx" / "expectations" / "surveys_contract.html").is_file()


def test_no_page_runs_script_or_loads_anything_from_outside_the_folder(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower(), page
        for tag, name, value in _attributes(page):
            assert tag not in ("script", "img", "iframe", "link", "object", "embed"), page
            assert not name.startswith("on"), (page, tag, name)
            if name in ("src", "href") and tag != "a":
                raise AssertionError(f"{page}: {tag} loads {value}")
            if name == "href":
                assert not value.lower().startswith(("javascript:", "data:")), (page, value)
                if not value.startswith(("http://", "https://", "#")):
                    linked = (page.parent / value.split("#")[0]).resolve()
                    assert linked.exists(), (page, value)
        assert "url(" not in text, page


def test_hostile_text_is_escaped_and_control_characters_spelled_out(site: Path) -> None:
    flags = (site / "flags.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in flags
    assert "&lt;img src=x onerror=alert(1)&gt;" in flags
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in flags
    assert "bell\\x07 end" in flags and "\x07" not in flags
    quarantine = (site / "quarantine.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;bold&lt;/b&gt;" in quarantine
    assert "javascript:alert(3)" in quarantine and 'href="javascript' not in quarantine
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "tickets_20260120_fixup.csv:&lt;i&gt;4&lt;/i&gt;" in index


def test_flags_csv_cannot_start_a_formula(site: Path) -> None:
    rows = list(csv.reader(io.StringIO((site / "flags.csv").read_text(encoding="utf-8-sig"))))
    header, *records = rows
    by_id = {row[header.index("flag_id")]: dict(zip(header, row, strict=True)) for row in records}
    assert by_id["overlap|TS-1"]["evidence"] == EVIDENCE
    assert (
        by_id["excessive_day|E02|2026-01-05"]["waiver_reason"] == "'-1 hour adjusted; @see ticket"
    )
    assert csv_cell(FORMULA) == "'" + FORMULA
    assert [csv_cell(v) for v in ("+1", "@x", "\tx", "\rx", -3, "ok")] == [
        "'+1", "'@x", "'\tx", "'\rx", "-3", "ok",
    ]  # fmt: skip


def test_control_and_direction_characters_are_made_visible() -> None:
    assert inert("a\x00b\x1bc\u202ed\te\n") == "a\\x00b\\x1bc\\u202ed\te\n"


def test_a_blocked_run_says_so_and_names_the_publication_still_in_place(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Latest run blocked." in index
    assert f"still holds run <code>{OLD_RUN}</code>" in index
    blocking = index.index("Failed error checks")
    assert blocking < index.index("Failed warn checks") < index.index("Passed checks")
    assert index.index("great_expectations_suite", blocking) < index.index("Failed warn checks")


def test_history_lists_both_runs_and_each_checks_outcomes(site: Path) -> None:
    history = (site / "history.html").read_text(encoding="utf-8")
    assert history.index(RUN) < history.index(OLD_RUN)  # newest first
    assert re.search(r"badge blocked\">blocked", history)
    assert re.search(r"badge published\">published", history)
    assert "✗ 2" in history and "✓" in history


def test_history_heads_each_run_column_with_its_time_and_short_id(site: Path) -> None:
    history = (site / "history.html").read_text(encoding="utf-8")
    heads = re.findall(
        r'<th scope="col" class="run" title="([^"]*) \((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC\)">'
        r"(\d\d-\d\d \d\d:\d\d)<br><code>([^<]*)</code></th>",
        history,
    )
    assert [(run, short_id) for run, _, _, short_id in heads] == [
        (OLD_RUN, OLD_RUN[:8]), (RUN, RUN[:8]),
    ]  # fmt: skip
    for _, time, short_time, _ in heads:
        assert time[5:16] == short_time
    assert "<th>1</th>" not in history and ">1</th>" not in history


def test_run_times_are_shown_in_utc_and_failed_checks_without_rows_count_none() -> None:
    run = site_module.Run("0123456789abcdef", "2026-01-31T03:00:00+01:00", 3, 0, 0, True)
    assert (run.short_time, run.short_id, run.time) == (
        "01-31 02:00", "01234567", "2026-01-31 02:00:00",
    )  # fmt: skip

    def check(name: str, passed: bool, failing: int, detail: str = "") -> site_module.Check:
        return site_module.Check(
            "r", "ingest", name, "psa/tickets", "warn", passed, failing, (), detail, ""
        )

    stale = check("freshness", False, 0, STALE)
    assert (stale.outcome, stale.badge, stale.failing, stale.mark) == ("stale", "warn", "", "stale")
    failed = check("row_conservation", False, 0)
    assert (failed.outcome, failed.failing, failed.mark) == ("failed", "", "✗")
    counted = check("unique", False, 3)
    assert (counted.outcome, counted.failing, counted.mark) == ("failed", "3", "✗ 3")
    assert (check("freshness", True, 0).outcome, check("x", True, 0).failing) == ("passed", "0")
    not_run = check("unique", False, 0, results.NOT_RUN)
    assert (not_run.outcome, not_run.mark) == ("not run", "not run")


def test_a_stale_extract_reads_stale_with_its_days_not_zero_failing_rows(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    row = re.search(
        r"<tr class=\"warning\">\s*<td><code>freshness</code></td>.*?</tr>", index, re.S
    )
    assert row, "the failed freshness check is listed with the failed warn checks"
    assert '<span class="badge warn">stale</span>' in row.group()
    assert (
        '<td class="num"></td>' in row.group() and f'<td class="text">{STALE}</td>' in row.group()
    )
    assert ">failed<" not in row.group() and ">0<" not in row.group()
    history = (site / "history.html").read_text(encoding="utf-8")
    assert f'<td class="cell-warn" title="{STALE}">stale</td>' in history
    assert "✗ 0" not in history and "✗ 1" in history  # the warn dbt check counts one row


def test_flags_show_evidence_and_the_rules_meaning_first_under_headers_in_words(
    site: Path,
) -> None:
    flags = (site / "flags.html").read_text(encoding="utf-8")
    headers, rows = _flag_table(flags)
    assert headers == [
        "Evidence, and what the rule flags", "Rule", "Waiver", "Engineer", "Client", "Month",
        "Subject", "Ticket", "Date",
    ]  # fmt: skip
    assert len(rows) == len(FLAGS)
    first = rows[0]  # the unreviewed error flag
    evidence = first.index('<td class="evidence">')
    assert (
        evidence
        < first.index("&lt;script&gt;alert(1)&lt;/script&gt;")
        < first.index(
            '<p class="meaning">Two entries of one engineer overlap in &lt;b&gt;time&lt;/b&gt;.</p>'
        )
        < first.index(">overlap</span>")
        < first.index(">E01</span>")
    )
    for text in ("not reviewed", "C001", "2026-01", "TS-1", "T000001", "2026-01-05"):
        assert f">{text}<" in first, text
    cleared = next(row for row in rows if "excessive_day" in row)
    assert "Cleared by auditor@example.com on 2026-02-01 09:00 UTC" in cleared
    period = next(row for row in rows if "round_heaping" in row)
    assert "2026-01-01 \N{EN DASH}<br>2026-01-31" in period
    # The summary by rule comes first, with each rule's meaning and its flags.
    summary = flags[: flags.index('<h3 id="every-flag">Every flag (3)</h3>')]
    assert "<h3>By rule</h3>" in summary
    assert "An engineer works more than threshold hours a day." in summary
    assert summary.index(">overlap</code>") < summary.index(">excessive_day</code>")  # errors first
    assert "Rules that flagged nothing (2)" in summary and "disabled" in summary
    # Every column stays in the CSV and the warehouse, and the page says so.
    assert "flags.csv</a> and the table <code>fct_timeslip_flags</code>" in flags
    assert "(22 columns, also <code>flag_id</code>" in flags


def test_flags_filter_by_rule_engineer_and_client_with_safe_ids_and_css(site: Path) -> None:
    page = site / "flags.html"
    flags = page.read_text(encoding="utf-8")
    radios = [attrs for tag, attrs in _tags(page) if tag == "input"]
    by_group: dict[str, list[str]] = {}
    for radio in radios:
        assert radio["type"] == "radio"
        by_group.setdefault(radio["name"], []).append(radio["id"])
    assert sorted(by_group) == ["client", "engineer", "rule"]
    for group, values in (
        ("rule", {"overlap", "excessive_day", "round_heaping"}),
        ("engineer", {"E01", "E02", HOSTILE_ENGINEER}),
        ("client", {"C001", "C002", HOSTILE_CLIENT}),
    ):
        assert by_group[group][0] == f"{group}--all"
        labels = re.findall(
            rf'id="{group}-[a-z0-9-]+" value="[^"]*"> <span class="id">(.*?)<', flags
        )
        assert {html.unescape(label) for label in labels} == values
        checked = [r["id"] for r in radios if r["name"] == group and "checked" in r]
        assert checked == [f"{group}--all"]
    assert "rule-overlap" in by_group["rule"] and "engineer-e01" in by_group["engineer"]
    # Every id, value and data attribute made from data is a slug; the hostile ids are
    # shown escaped, and cannot end the style element or a CSS rule.
    slug = r"[a-z0-9]+(-[a-z0-9]+)*"
    for radio in radios:
        assert re.fullmatch(rf"(rule|engineer|client)-(-all|{slug})", radio["id"] or "")
        assert radio["value"] == "" or re.fullmatch(slug, radio["value"] or ""), radio
    for _, name, value in _attributes(page):
        if name.startswith("data-"):
            assert re.fullmatch(slug, value), (name, value)
    assert HOSTILE_ENGINEER not in flags and "E9&#34;&gt;&lt;style&gt;" in flags
    assert "C9&#39;] ) { } body { display: none } /* Ω" in flags
    assert flags.count("<style") == 1 and flags.count("</style>") == 1
    (style,) = _styles(flags)
    rules = [line for line in style.splitlines() if "body:has(" in line]
    assert len(rules) == sum(len(ids) - 1 for ids in by_group.values())
    rule = re.compile(
        r"body:has\(#(rule|engineer|client)-([a-z0-9-]+):checked\) "
        r'tr\.flag:not\(\[data-\1="\2"\]\) \{ display: none; \}'
    )
    for line in rules:
        assert rule.fullmatch(line), line
    rows = re.findall(r'<tr class="flag" data-rule="([^"]*)" data-engineer="([^"]*)" '
                      r'data-client="([^"]*)">', flags)  # fmt: skip
    assert len(rows) == len(FLAGS)
    for row in rows:
        for name, value in zip(("rule", "engineer", "client"), row, strict=True):
            assert f"{name}-{value}" in by_group[name]


def test_long_flag_lists_show_their_first_flags_and_say_so(
    fixture_data: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site_module, "MAX_ROWS", 2)
    build_site(
        tmp_path / "s",
        settings=fixture_data,
        warehouse=fixture_data.build_db,
        run_id=RUN,
        gx_docs=None,
    )
    flags = (tmp_path / "s" / "flags.html").read_text(encoding="utf-8")
    assert "Showing the first 2 of 3 rows" in flags
    assert len(_flag_table(flags)[1]) == 2
    assert len(list(csv.reader(io.StringIO((tmp_path / "s" / "flags.csv").read_text())))) == 4


def test_missing_tables_and_a_missing_warehouse_are_said_not_failed(
    fixture_data: Settings, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    build_site(tmp_path / "a", settings=fixture_data, warehouse=empty, run_id=RUN, gx_docs=None)
    flags = (tmp_path / "a" / "flags.html").read_text(encoding="utf-8")
    assert "No timeslip rules in this build" in flags
    assert "No publication holds in this build" in flags
    assert not (tmp_path / "a" / "gx").exists()
    assert not (tmp_path / "a" / "flags.csv").exists()
    build_site(
        tmp_path / "b",
        settings=fixture_data,
        warehouse=tmp_path / "absent.duckdb",
        run_id=RUN,
        gx_docs=None,
    )
    assert "no warehouse was built" in (tmp_path / "b" / "quarantine.html").read_text()
    assert "No SLA clocks in this build: there is no table fct_ticket_sla" in (
        tmp_path / "a" / "clocks.html"
    ).read_text(encoding="utf-8")
    assert "No SLA clocks in this build: no warehouse was built" in (
        tmp_path / "b" / "clocks.html"
    ).read_text(encoding="utf-8")
    index = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    assert "No feed watch in this build: there is no table fct_feed_silences" in index
    assert "No held tickets in this build" in (tmp_path / "a" / "quarantine.html").read_text()


def test_tickets_held_for_their_client_are_listed_beside_the_quarantine(site: Path) -> None:
    page = (site / "quarantine.html").read_text(encoding="utf-8")
    held = page[page.index('<h2 id="held">') :]
    assert "Tickets: 1." in held
    # Headers in words, on both tables of the page.
    assert '<th scope="col">Raw line as delivered</th>' in page
    assert '<th scope="col">Ticket</th>' in held and "client_id</th>" not in page
    for text in ("T404", "C404", "tickets_20260120.csv", "client_id C404 is not in clients.csv"):
        assert f">{text}</td>" in held, text
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<b>1</b><a href="quarantine.html#held">tickets held for their client</a>' in index


def test_other_columns_in_the_flags_table_are_shown_as_they_are(
    fixture_data: Settings, tmp_path: Path
) -> None:
    warehouse = tmp_path / "other.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create table fct_timeslip_flags as select 'overlap' as rule_id, "
        "{'minutes': 42, 'with': ['TS-2']} as evidence, 'new column' as explanation"
    )
    con.close()
    build_site(tmp_path / "s", settings=fixture_data, warehouse=warehouse, run_id=RUN, gx_docs=None)
    flags = (tmp_path / "s" / "flags.html").read_text(encoding="utf-8")
    assert '<p class="other"><span class="muted">explanation:</span> new column</p>' in flags
    assert "named by their id only" in flags  # no rules seed in this build
    assert "{&#34;minutes&#34;: 42, &#34;with&#34;: [&#34;TS-2&#34;]}" in flags


def test_long_tables_show_their_first_rows_and_say_so(
    fixture_data: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "long.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create table quarantine_rows as select 'f.csv' as file_name, i as line_number, "
        "'bad' as reason, 'line ' || i as raw_line from range(3, 0, -1) t(i)"
    )
    con.close()
    monkeypatch.setattr(site_module, "MAX_ROWS", 2)
    build_site(tmp_path / "s", settings=fixture_data, warehouse=warehouse, run_id=RUN, gx_docs=None)
    page = (tmp_path / "s" / "quarantine.html").read_text(encoding="utf-8")
    assert "Showing the first 2 of 3 rows" in page
    assert "line 1" in page and "line 2" in page and "line 3" not in page


def _clock_rows(page: str, client: str) -> list[list[str]]:
    """The cells of a client's table of clocks, as text."""
    start = page.index(f"Client <code>{client}</code>")
    table = page[start : page.index("</table>", start)]
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr><td.*?</tr>", table)
    ]


def test_silent_feeds_read_as_findings_on_the_console_not_as_a_failure() -> None:
    silent = results.CheckResult(
        "no_client_feed_is_silent", "fct_feed_silences", "warn", False, 2, detail="Got 2"
    )
    assert silent.line() == (
        "warn  no_client_feed_is_silent on fct_feed_silences: 2 silent feeds, "
        "named on the auditors' site"
    )
    one = results.CheckResult("no_client_feed_is_silent", "fct_feed_silences", "warn", False, 1)
    assert "1 silent feed," in one.line()
    passed = results.CheckResult("no_client_feed_is_silent", "fct_feed_silences", "warn", True)
    assert passed.line() == "warn  no_client_feed_is_silent on fct_feed_silences: passed"


def test_clocks_at_risk_are_listed_by_client_least_time_left_first(site: Path) -> None:
    page = (site / "clocks.html").read_text(encoding="utf-8")
    assert "Breached: 1; at risk: 3." in page
    # Due in the client's zone: 15:00 UTC in January is 10:00 in New York.
    assert _clock_rows(page, "C001") == [
        ["T1", "resolution", "P2", "breached", "240", "125.0", "-60", "2026-01-30 10:00 EST"],
        ["T2", "first response", "P2", "at risk", "60", "80.0", "12", "2026-01-30 10:12 EST"],
    ]
    assert _clock_rows(page, "C002") == [
        ["T5", "resolution", "P1", "at risk", "240", "90.0", "24", "2026-07-01 13:00 BST"],
    ]
    assert "T3" not in page and "T4" not in page  # on track; stopped
    # A zone the site does not know reads in UTC; hostile ids are text, anchors slugs.
    assert "2026-01-31 08:00 UTC" in page and html.escape(HOSTILE_TICKET) in page
    for _, attributes in _tags(site / "clocks.html"):
        for name in ("id", "href"):
            value = attributes.get(name) or ""
            if value.startswith(("client-", "#client-")):
                assert re.fullmatch(r"#?client-[a-z0-9]+(-[a-z0-9]+)*", value), value
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<b class="failed">1</b><a href="clocks.html">running clocks breached</a>' in index
    assert '<b>3</b><a href="clocks.html">running clocks at risk</a>' in index


def test_a_client_with_many_clocks_at_risk_lists_the_first_and_counts_them_all(
    fixture_data: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site_module, "CLOCKS_PER_CLIENT", 1)
    build_site(
        tmp_path / "s", settings=fixture_data, warehouse=fixture_data.build_db, run_id=RUN,
        gx_docs=None,
    )  # fmt: skip
    page = (tmp_path / "s" / "clocks.html").read_text(encoding="utf-8")
    assert [row[0] for row in _clock_rows(page, "C001")] == ["T1"]
    assert "Showing the 1 with the least time left of 2." in page
    assert "Breached: 1; at risk: 3." in page


def test_silent_feeds_are_named_on_the_index_with_their_figures(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    feeds = index[index.index('<h2 id="silent-feeds">') : index.index("<h2>Great Expectations")]
    rows = [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r'<tr class="warning">.*?</tr>', feeds)
    ]
    assert rows == [["C001", "tickets", "2026-01-23", "5", "6.40", "2026-02-01"]]
    assert '<b>1</b><a href="#silent-feeds">silent feeds</a>' in index


def test_the_warehouse_is_opened_read_only_and_closed(fixture_data: Settings, site: Path) -> None:
    con = duckdb.connect(str(fixture_data.build_db))  # would fail if a reader still held it
    con.close()


def test_the_site_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "audit"
    replace_dir(target, lambda out: (out / "index.html").write_text("one"))
    replace_dir(target, lambda out: (out / "index.html").write_text("two"))
    with pytest.raises(RuntimeError):
        replace_dir(target, lambda out: (_ for _ in ()).throw(RuntimeError("broken")))
    assert (target / "index.html").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit"]


def test_data_docs_survive_a_lost_build_folder(fixture_data: Settings, site: Path) -> None:
    shutil.rmtree(data_docs.docs_dir(fixture_data))
    assert data_docs.ensure(fixture_data) == data_docs.docs_dir(fixture_data)
    assert data_docs.shown_run(fixture_data) == RUN
    assert (data_docs.docs_dir(fixture_data) / "index.html").exists()


def test_data_docs_are_rewritten_inert(site: Path) -> None:
    (page,) = (site / "gx" / "validations").rglob("surveys.html")
    text = page.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "cdn." not in text and "unpkg" not in text and "googleapis" not in text
    rewritten, _ = rewrite_page(
        '<html><head><link rel="stylesheet" href="https://cdn.x/b.css"></head><body>'
        '<a href="javascript:alert(1)" onclick="x()">a</a><img src=x onerror=alert(1)>'
        "<script>alert(1)</script><style>@import url(https://x/y.css); p{}</style>"
        '<div style="background:url(https://x)">t &lt;b&gt;</div></body></html>',
        up="",
    )
    assert "alert(" not in rewritten and "https://cdn" not in rewritten
    assert "url(https" not in rewritten and "onclick" not in rewritten
    assert "<a>a</a>" in rewritten and "<div>t &lt;b&gt;</div>" in rewritten


# --- the site in headless Chromium ---------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def test_index_in_chromium_shows_the_failing_check_and_its_sample_keys(
    browser: Any, site: Path, tmp_path: Path
) -> None:
    text = load_page(browser, site / "index.html")
    assert "Latest run blocked." in text
    assert "great_expectations_suite" in text and "psa/surveys" in text
    for key in FAILING_KEYS:
        assert key in text
    assert f"expect_column_values_to_be_in_set(survey_type) {SCRIPT}" in text
    browser.save_screenshot(str(tmp_path / "index.png"))
    assert (tmp_path / "index.png").stat().st_size > 10_000


def test_flags_in_chromium_show_hostile_text_as_literal_text(
    browser: Any, site: Path, tmp_path: Path
) -> None:
    text = load_page(browser, site / "flags.html")
    assert SCRIPT in text and IMAGE in text and FORMULA in text
    assert "bell\\x07 end" in text
    assert "overlap" in text and "1 error flag not cleared" in text
    browser.save_screenshot(str(tmp_path / "flags.png"))
    assert (tmp_path / "flags.png").stat().st_size > 10_000


def _shown_flags(browser: Any) -> list[str]:
    """The rule (slug) of each flag row the browser shows; a hidden row has no offsetParent."""
    return browser.execute_script(
        "return [...document.querySelectorAll('tr.flag')]"
        ".filter(row => row.offsetParent !== null).map(row => row.dataset.rule)"
    )


def test_flags_fit_a_laptop_screen_and_filter_without_script(
    browser: Any, site: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    size = browser.get_window_size()
    browser.set_window_size(1366, 768)
    try:
        text = load_page(browser, site / "flags.html")
        assert "Evidence, and what the rule flags" in text
        width = browser.execute_script("return window.innerWidth")
        assert 1300 <= width <= 1366
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )
        # Nor does the table of flags scroll inside its box: every column is in view.
        table = browser.execute_script(
            "const t = document.querySelector('table.flags');"
            "return [t.getBoundingClientRect().right, t.parentElement.clientWidth,"
            " t.parentElement.scrollWidth]"
        )
        assert table[0] <= width and table[2] <= table[1], table
        # The hostile ids broke out of nothing: the page is shown, every flag with it.
        assert browser.execute_script("return getComputedStyle(document.body).display") != "none"
        assert sorted(_shown_flags(browser)) == ["excessive-day", "overlap", "round-heaping"]
        browser.save_screenshot(str(tmp_path / "flags-laptop.png"))

        def choose(input_id: str) -> None:
            browser.find_element(By.CSS_SELECTOR, f'label:has(> input[id="{input_id}"])').click()
            assert browser.find_element(By.ID, input_id).is_selected()

        choose("rule-overlap")
        assert _shown_flags(browser) == ["overlap"]
        engineer = next(
            e.get_attribute("id")
            for e in browser.find_elements(By.CSS_SELECTOR, 'input[name="engineer"]')
            if e.get_attribute("id").startswith("engineer-e9-")
        )
        choose(engineer)  # the rule's filter and the engineer's combine: nothing is left
        assert _shown_flags(browser) == []
        choose("rule--all")
        assert _shown_flags(browser) == ["round-heaping"]
        choose("engineer--all")
        choose("client-c002")
        assert _shown_flags(browser) == ["excessive-day"]
        choose("client--all")
        assert len(_shown_flags(browser)) == len(FLAGS)
    finally:
        browser.set_window_size(size["width"], size["height"])


def test_clocks_at_risk_and_silent_feeds_in_chromium(
    browser: Any, site: Path, tmp_path: Path
) -> None:
    text = load_page(browser, site / "clocks.html")
    assert "Client C001 (America/New_York): 1 breached, 1 at risk" in text
    assert HOSTILE_TICKET in text and HOSTILE_CLIENT in text
    browser.save_screenshot(str(tmp_path / "clocks.png"))
    assert (tmp_path / "clocks.png").stat().st_size > 10_000
    assert "C001 tickets 2026-01-23 5 6.40 2026-02-01" in load_page(browser, site / "index.html")


def test_quarantine_history_and_data_docs_in_chromium(browser: Any, site: Path) -> None:
    assert RAW_LINE in load_page(browser, site / "quarantine.html")
    assert OLD_RUN in load_page(browser, site / "history.html")
    assert "Failed" in load_page(browser, site / "gx" / "index.html")
    (page,) = (site / "gx" / "validations").rglob("surveys.html")
    assert IMAGE in load_page(browser, page)
