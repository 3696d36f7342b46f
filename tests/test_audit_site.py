"""The auditors' site: built from a small fixture, read as text and in headless Chromium.

The fixture is a data folder with an audit store of two runs (the second with a failing
check and its sample keys), stored Great Expectations validations rendered as Data
Docs, and a built warehouse whose timeslip flags and quarantine hold hostile text. The
browser tests load the pages in Chromium through chromedriver and check that nothing
ran, nothing failed in the console, and the hostile text reads as text.
"""

from __future__ import annotations

import csv
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

FLAG_COLUMNS = (
    "flag_id varchar, rule_id varchar, severity varchar, subject_type varchar, "
    "subject_id varchar, engineer_id varchar, client_id varchar, month date, "
    "evidence varchar, waiver_decision varchar, reviewed_by varchar, "
    "reviewed_at timestamptz, waiver_reason varchar"
)
FLAGS = [
    (
        "F1", "overlap", "error", "timeslip", "TS-1", "E01", "C001", "2026-01-01",
        EVIDENCE, None, None, None, None,
    ),
    (
        "F2", "excessive_day", "warn", "engineer_day", "E02:2026-01-05", "E02", "C002",
        "2026-01-01", "13.5 hours", "cleared", "auditor@example.com",
        "2026-02-01 09:00:00+00", "-1 hour adjusted; @see ticket",
    ),
]  # fmt: skip


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
            "insert into fct_timeslip_flags values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", FLAGS
        )
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
    results.record(settings, RUN, "ingest", [passing[0], failing])
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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            self.found.append((tag, name, value or ""))


def _attributes(page: Path) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


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
    assert by_id["F1"]["evidence"] == EVIDENCE
    assert by_id["F2"]["waiver_reason"] == "'-1 hour adjusted; @see ticket"
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
    assert "No held tickets in this build" in (tmp_path / "a" / "quarantine.html").read_text()


def test_tickets_held_for_their_client_are_listed_beside_the_quarantine(site: Path) -> None:
    page = (site / "quarantine.html").read_text(encoding="utf-8")
    held = page[page.index('<h2 id="held">') :]
    assert "Tickets: 1." in held
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
    assert "explanation" in flags and "new column" in flags
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


def test_quarantine_history_and_data_docs_in_chromium(browser: Any, site: Path) -> None:
    assert RAW_LINE in load_page(browser, site / "quarantine.html")
    assert OLD_RUN in load_page(browser, site / "history.html")
    assert "Failed" in load_page(browser, site / "gx" / "index.html")
    (page,) = (site / "gx" / "validations").rglob("surveys.html")
    assert IMAGE in load_page(browser, page)
