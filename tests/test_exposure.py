"""What the product exposes: servers on loopback only, no secrets in the repository, and
free text kept out of the BI file unless asked for."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import listening
import pytest

from orchestration.config import REPO_ROOT, ConfigError
from orchestration.publish.free_text import publish_free_text, withhold_free_text

# Patterns of credentials that must never be committed.
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "API key (sk-)": re.compile(r"\bsk-[A-Za-z0-9]{20,}\b"),
    "password or token assigned": re.compile(
        r"(?i)\b(?:password|passwd|secret|api_key|apikey|access_token|auth_token)\b"
        r"\s*[:=]\s*['\"][^'\"\s]{6,}['\"]"
    ),
    "credentials in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]{3,}@"),
}


def secrets_in(text: str) -> list[str]:
    """The kinds of credential the text seems to hold."""
    return [kind for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


@pytest.mark.parametrize(
    "planted",
    [
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----",
        "aws_key = AKIAIOSFODNN7EXAMPLE",
        "token: ghp_" + "a" * 36,
        "xoxb-" + "1234567890-abcdef",
        'password = "correct-horse"',
        "API_KEY='s3cr3t-value'",
        "postgres://warehouse:hunter22@db.example/xla",
    ],
)
def test_the_scan_finds_planted_secrets(planted: str) -> None:
    assert secrets_in(f"line before\n{planted}\nline after")


def test_no_tracked_file_holds_a_secret() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    found = []
    for name in filter(None, tracked):
        path = REPO_ROOT / name.decode()
        if not path.is_file() or path == Path(__file__):
            continue
        text = path.read_bytes()[:2_000_000].decode("utf-8", errors="replace")
        found += [f"{name.decode()}: {kind}" for kind in secrets_in(text)]
    assert found == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_dagster_dev_listens_on_loopback_only(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "XLA_DATA_DIR": str(tmp_path / "data")}
    server = subprocess.Popen(
        [str(REPO_ROOT / "scripts" / "dev"), "dagster", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not listening.on_port(port) and time.monotonic() < deadline:
            assert server.poll() is None, "dagster dev exited"
            time.sleep(1)
        addresses = listening.on_port(port)
        assert addresses, "dagster dev did not listen within 180 s"
        assert addresses <= listening.LOOPBACK, addresses
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            # Dagster's own shutdown can hang on a busy machine; this test is about the
            # addresses it listened on, so its processes are ended outright.
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def test_the_free_text_setting_is_false_unless_said_true(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XLA_PUBLISH_FREE_TEXT", raising=False)
    assert publish_free_text() is False
    monkeypatch.setenv("XLA_PUBLISH_FREE_TEXT", "true")
    assert publish_free_text() is True
    monkeypatch.setenv("XLA_PUBLISH_FREE_TEXT", "sometimes")
    with pytest.raises(ConfigError, match="XLA_PUBLISH_FREE_TEXT must be true or false"):
        publish_free_text()


def test_withheld_free_text_is_null_and_the_columns_stay() -> None:
    con = duckdb.connect()
    con.execute("create table fct_tickets as select 'T1' as ticket_id, 'printer' as subject")
    con.execute(
        "create table fct_survey_responses as "
        "select 'R1' as response_id, 'rude engineer' as comment, 'called back' as follow_up_outcome"
    )
    con.execute(
        "create table quarantine_rows as select * from (values "
        "('tickets', 'T9,C001,P9,New,,,my password is x'), ('ticket_events', 'E1,T1,x')) "
        "as q(extract, raw_line)"
    )
    con.execute(
        "create table fct_timeslip_flags as select * from (values "
        '(\'vague_note\', \'3 h with notes "fixed ""it"" (1 characters)" (24 characters); '
        "entries of 2 h or more need notes of at least 15 characters'), "
        "('overlap', 'notes \"x\" (1 characters)')) as f(rule_id, evidence)"
    )
    withhold_free_text(con)
    assert con.execute("select ticket_id, subject from fct_tickets").fetchall() == [("T1", None)]
    assert con.execute("select * from fct_survey_responses").fetchall() == [("R1", None, None)]
    assert con.execute("select * from quarantine_rows order by extract").fetchall() == [
        ("ticket_events", "E1,T1,x"),
        ("tickets", None),
    ]
    assert con.execute("select evidence from fct_timeslip_flags order by rule_id").fetchall() == [
        ('notes "x" (1 characters)',),
        (
            "3 h with notes withheld (24 characters); "
            "entries of 2 h or more need notes of at least 15 characters",
        ),
    ]
